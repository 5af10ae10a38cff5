"""tsgan backtest: real (tiny) forecast-model training on a slice of the bundled prices, the
written directory, the report on it, refits, and every bad input as one stderr line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsgan.cli import main
from tsgan.data.days import HOUR_COLUMNS
from tsgan.data.io import write_frame
from tsgan.data.sources import load_days
from tsgan.errors import TsganError
from tsgan.evaluate import backtest as B

METHODS = ["tsgan", "LEAR-lite", "last 8 of day type", "last 28 days", "climatology"]
RECORD_KEYS = {"tsgan_version", "data_source", "data_fingerprint", "cutoff", "first_day",
               "last_day", "n_days", "members", "seed", "refit_every", "preset", "exogenous",
               "command", "config", "methods", "scores", "best_reference", "diebold_mariano",
               "plots", "seconds", "fits"}
SCORE_KEYS = {"energy", "crps", "variogram", "pinball", "pinball_mean", "coverage_50",
              "coverage_90", "pit_counts"}
TINY = ["--iterations", "50", "-n", "20"]


@pytest.fixture(scope="module")
def days() -> pd.DataFrame:
    """The bundled prices from 2024-06-01 to 2025-02-15 (260 days)."""
    return load_days().loc["2024-06-01":"2025-02-15"]


@pytest.fixture(scope="module")
def data_file(days, tmp_path_factory) -> Path:
    """The slice as a wide daily CSV file, as a user would pass it with --data."""
    path = tmp_path_factory.mktemp("data") / "prices.csv"
    write_frame(days.rename_axis("date"), path, index=True)
    return path


@pytest.fixture(scope="module")
def load_file(days, tmp_path_factory) -> Path:
    """The slice with a (synthetic) hourly load series beside the prices: a wide daily CSV
    with columns date, h00..h23, load_h00..load_h23."""
    rng = np.random.default_rng(0)
    load = pd.DataFrame(40_000 + rng.normal(0, 3_000, (len(days), 24)), index=days.index,
                        columns=[f"load_{hour}" for hour in HOUR_COLUMNS])
    path = tmp_path_factory.mktemp("data") / "prices_load.csv"
    write_frame(pd.concat([days, load], axis=1).rename_axis("date"), path, index=True)
    return path


def one_error_line(capsys) -> str:
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1, err
    return err[0]


def test_backtest_writes_the_directory_prints_the_table_and_reports(data_file, tmp_path,
                                                                    capsys):
    out = tmp_path / "bt"
    code = main(["backtest", "--data", str(data_file), "--cutoff", "2025-02-01", *TINY,
                 "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    for name in ("backtest.json", "daily_scores.csv", "scenarios.parquet", "fan_chart.png",
                 "pit_histogram.png", "rolling_energy.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert not [p for p in out.iterdir() if p.name.startswith(".")]   # no temporary files

    record = json.loads((out / "backtest.json").read_text())
    assert set(record) == RECORD_KEYS
    assert record["methods"] == METHODS and list(record["scores"]) == METHODS
    for scores in record["scores"].values():
        assert set(scores) == SCORE_KEYS and len(scores["pit_counts"]) == 10
        assert sum(scores["pit_counts"]) == 15 * 24
    assert (record["cutoff"], record["first_day"], record["last_day"]) == (
        "2025-02-01", "2025-02-01", "2025-02-15")
    assert (record["n_days"], record["members"], record["seed"]) == (15, 20, 0)
    assert record["refit_every"] is None and record["fits"] == 1
    assert record["preset"] == "forecast" and record["exogenous"] == []
    assert record["config"]["iterations"] == 50 and record["data_source"] == str(data_file)
    assert record["plots"] == {"fan": "fan_chart.png", "pit": "pit_histogram.png",
                               "rolling": "rolling_energy.png"}
    assert set(record["seconds"]) == {"train", "forecast", "references"}
    assert record["best_reference"] in METHODS[1:]
    assert record["best_reference"] == min(METHODS[1:],
                                           key=lambda m: record["scores"][m]["energy"])
    dm = record["diebold_mariano"]
    assert set(dm) == {"against", "statistic", "p_value", "mean_difference", "n"}
    assert dm["against"] == record["best_reference"] and dm["n"] == 15
    assert 0 <= dm["p_value"] <= 1
    assert "--cutoff 2025-02-01" in record["command"] and "--iterations 50" in record["command"]

    daily = pd.read_csv(out / "daily_scores.csv")
    assert list(daily.columns) == ["date", "method", "energy", "crps", "variogram"]
    assert len(daily) == 15 * 5 and daily["date"].iloc[0] == "2025-02-01"
    tsgan_daily = daily[daily["method"] == "tsgan"]
    assert np.isclose(tsgan_daily["energy"].mean(), record["scores"]["tsgan"]["energy"])
    assert np.isclose(
        tsgan_daily["energy"].mean()
        - daily[daily["method"] == dm["against"]]["energy"].mean(), dm["mean_difference"])
    scenarios = pd.read_parquet(out / "scenarios.parquet")
    assert list(scenarios.columns) == ["date", "scenario", *HOUR_COLUMNS]
    assert len(scenarios) == 15 * 20 and scenarios["scenario"].max() == 19
    assert np.isfinite(scenarios[HOUR_COLUMNS].to_numpy()).all()

    table = captured.out
    for method in METHODS:
        assert f"\n{method} " in table
    assert "mean CRPS" in table and "coverage 90 %" in table
    assert f"tsgan vs {dm['against']} (best reference): daily energy score" in table
    assert "Diebold-Mariano statistic" in table and f"wrote {out}" in table
    assert "training on" in captured.err           # progress on stderr

    # the report reads the directory, and an existing backtest is refused before any training
    assert main(["report", "--backtest", str(out)]) == 0
    assert (out / "report.html").is_file()
    html = (out / "report.html").read_text()
    assert "data:image/png;base64" in html and "Diebold" in html
    capsys.readouterr()
    assert main(["backtest", "--data", str(data_file), "--cutoff", "2025-02-01",
                 "--out", str(out)]) != 0
    assert "already holds a backtest" in one_error_line(capsys)


def test_backtest_json_with_refits_and_exogenous_series(load_file, tmp_path, capsys):
    out = tmp_path / "bt"
    code = main(["backtest", "--data", str(load_file), "--exogenous", "load", "--cutoff",
                 "2025-02-01", "--refit-every", "10", *TINY, "--seed", "3", "--json",
                 "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    record = json.loads(captured.out)
    assert record == json.loads((out / "backtest.json").read_text())
    assert record["refit_every"] == 10 and record["fits"] == 2 and record["seed"] == 3
    assert record["n_days"] == 15 and record["methods"] == METHODS
    assert record["exogenous"] == ["load"] and record["config"]["exogenous"] == ["load"]
    assert "--exogenous load" in record["command"]
    assert record["data_fingerprint"] == B.data_fingerprint(
        load_days(load_file, exogenous=["load"]), ["load"])
    # the second model trains on the days before its block's first day, 2025-02-11
    assert "before 2025-02-01 (fit 1 of 2)" in captured.err
    assert "before 2025-02-11 (fit 2 of 2)" in captured.err
    assert f"wrote {out}" in captured.err


@pytest.mark.parametrize(("arguments", "words"), [
    (["--cutoff", "2025-13-01"], "is not a date"),
    (["--cutoff", "soon"], "is not a date"),
    (["--cutoff", "2025-03-01"], "no delivery days"),
    (["--cutoff", "2024-07-15"], "only 37 training day"),
    (["--cutoff", "2025-02-01", "--end", "2025-01-20"], "comes before"),
    (["--cutoff", "2025-02-01", "-n", "1"], "at least 2"),
    (["--cutoff", "2025-02-01", "--preset", "smard"], "calendar situation"),
    (["--cutoff", "2025-02-01", "--preset", "heights"], "unknown preset"),
    (["--cutoff", "2025-02-01", "--exogenous", "load"], "load"),
    (["--cutoff", "2025-02-01", "--end", "2025-02-02"], "only 2 delivery day"),
])
def test_bad_input_is_one_line_and_writes_nothing(data_file, tmp_path, capsys, arguments,
                                                  words):
    out = tmp_path / "bt"
    code = main(["backtest", "--data", str(data_file), *arguments, "--out", str(out)])
    assert code != 0
    line = one_error_line(capsys)
    assert line.startswith("tsgan backtest: error:") and words in line, line
    assert not out.exists()


def test_run_backtest_checks_its_arguments_before_training(days):
    with pytest.raises(TsganError, match="at least 2"):
        B.run_backtest(days, "2025-02-01", n=1)
    with pytest.raises(TsganError, match="not a date"):
        B.run_backtest(days, 20250201)
    with pytest.raises(TsganError, match="time of day"):
        B.run_backtest(days, "2025-02-01 12:00")
    with pytest.raises(TsganError, match="refit_every"):
        B.run_backtest(days, "2025-02-01", refit_every=0)
    with pytest.raises(TsganError, match="overrides"):
        B.run_backtest(days, "2025-02-01", overrides={"seed": 1})
    with pytest.raises(TsganError, match="day frame"):
        B.run_backtest(days.reset_index(), "2025-02-01")
    with pytest.raises(TsganError, match="h05"):
        B.run_backtest(days.drop(columns="h05"), "2025-02-01")


def test_fan_chart_days_are_the_widest_complete_week(days):
    dates = days.loc["2025-01-01":"2025-01-31"].index          # a Wednesday to a Friday
    observed = np.zeros((len(dates), 24))
    observed[dates.get_loc(pd.Timestamp("2025-01-22"))] = 300.0  # in the week of 01-20
    week = B.fan_days(dates, observed)
    assert [str(d.date()) for d in dates[week][[0, -1]]] == ["2025-01-20", "2025-01-26"]
    short = dates[:5]                                         # no complete week: all 5
    assert len(B.fan_days(short, observed[:5])) == 5
    gappy = dates.delete(dates.get_loc(pd.Timestamp("2025-01-22")))
    week = B.fan_days(gappy, np.zeros((len(gappy), 24)))      # the week of 01-20 is broken
    assert str(gappy[week][0].date()) == "2025-01-06"


def test_data_fingerprint_follows_the_numbers(days):
    same = B.data_fingerprint(days.copy())
    assert same == B.data_fingerprint(days) and len(same) == 64
    changed = days.copy()
    changed.iloc[3, 5] += 0.01
    assert B.data_fingerprint(changed) != same


def test_backtest_help_does_not_import_tensorflow():
    code = ("import sys\nfrom tsgan.cli import main\n"
            "try:\n    main(['backtest', '--help'])\nexcept SystemExit:\n    pass\n"
            "assert not {'tensorflow', 'keras', 'matplotlib'} & set(sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "--cutoff" in result.stdout and "--refit-every" in result.stdout
