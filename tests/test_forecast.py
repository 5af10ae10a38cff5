"""ForecastGAN and ``tsgan forecast`` / ``tsgan train --preset forecast``: tiny real training on
slices of the bundled prices; no look-ahead (day D's scenarios are byte-identical whatever the
history holds from D on), seeds, paths, save / load, and every bad input as one stderr line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli_helpers import assert_one_line_error, run_tsgan
from tsgan.cli import main
from tsgan.cli.forecast import check_scenarios
from tsgan.data.days import HOUR_COLUMNS
from tsgan.data.sources import exogenous_columns, load_days, write_days
from tsgan.errors import TsganError
from tsgan.forecast import ForecastGAN

TRAIN_START, TRAIN_END = "2023-01-01", "2024-06-01"
#: Two delivery windows; the second crosses a month boundary (the core refits per month).
WINDOWS = [("2024-06-03", "2024-06-20"), ("2024-06-25", "2024-07-05")]
CHECK_DAYS = {WINDOWS[0]: ["2024-06-03", "2024-06-11", "2024-06-20"],
              WINDOWS[1]: ["2024-06-25", "2024-06-30", "2024-07-01", "2024-07-05"]}
FRAME_COLUMNS = ["date", "scenario", *HOUR_COLUMNS]
PATH_COLUMNS = ["path", "date", *HOUR_COLUMNS]
#: Trained long enough for sane scenarios and paths: with the default EMA decay (0.999) a few
#: dozen steps leave the averaged generator at its random initial weights.
TINY = {"iterations": 600, "ema_decay": 0.99, "seed": 0}


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    """The bundled prices from 2023-01-01 to 2024-07-31 with a synthetic hourly load series
    (a smooth function of the date plus noise) beside them."""
    days = load_days().loc["2023-01-01":"2024-07-31"]
    rng = np.random.default_rng(0)
    day = np.arange(len(days))[:, None]
    hour = np.arange(24)[None, :]
    load = (50_000 + 8_000 * np.cos(2 * np.pi * day / 365.25) + 6_000 * np.sin(np.pi * hour / 24)
            + rng.normal(0, 1_500, (len(days), 24)))
    frame = pd.DataFrame(load, index=days.index, columns=exogenous_columns("load"))
    return pd.concat([days, frame], axis=1)


@pytest.fixture(scope="module")
def train(history) -> pd.DataFrame:
    return history[(history.index >= TRAIN_START) & (history.index < TRAIN_END)]


@pytest.fixture(scope="module")
def gan(train, history) -> ForecastGAN:
    """The price-only model (shared, do not refit)."""
    return ForecastGAN(**TINY).fit(train[HOUR_COLUMNS])


@pytest.fixture(scope="module")
def exo_gan(train, history) -> ForecastGAN:
    """A model that also reads the load series of D and D-1."""
    model = ForecastGAN(exogenous=["load"], iterations=200, ema_decay=0.9, seed=0).fit(train)
    return model


@pytest.fixture(scope="module")
def run_dir(gan, tmp_path_factory) -> Path:
    return gan.save(tmp_path_factory.mktemp("runs") / "forecast")


@pytest.fixture(scope="module")
def exo_run_dir(exo_gan, tmp_path_factory) -> Path:
    return exo_gan.save(tmp_path_factory.mktemp("runs") / "forecast-load")


@pytest.fixture(scope="module")
def files(history, tmp_path_factory) -> dict[str, Path]:
    """Wide daily files: training prices, the price history, the history with load."""
    folder = tmp_path_factory.mktemp("data")
    out = {"train": folder / "train.csv", "history": folder / "history.csv",
           "history_load": folder / "history_load.csv"}
    write_days(history.loc[:"2024-05-31", HOUR_COLUMNS], out["train"])
    write_days(history[HOUR_COLUMNS], out["history"])
    write_days(history, out["history_load"])
    return out


@pytest.fixture(scope="module")
def smard_run(history, tmp_path_factory) -> Path:
    """A real run of the smard preset (not a forecast model)."""
    from tsgan.api import PriceGAN

    target = tmp_path_factory.mktemp("runs") / "smard"
    PriceGAN("smard", iterations=10, seed=0).fit(history.loc["2024-01-01":, HOUR_COLUMNS]) \
        .save(target)
    return target


def rows(frame: pd.DataFrame, day: str) -> np.ndarray:
    """The scenarios of delivery day ``day`` (n, 24)."""
    return frame.loc[frame["date"] == pd.Timestamp(day), HOUR_COLUMNS].to_numpy()


def tamper(history: pd.DataFrame, day: str, exogenous: tuple[str, ...] = ()) -> pd.DataFrame:
    """``history`` with every price dated ``day`` or later and every exogenous value dated
    after ``day`` replaced by something else."""
    out = history.copy()
    rng = np.random.default_rng(7)
    later = out.index >= pd.Timestamp(day)
    out.loc[later, HOUR_COLUMNS] = (3 * out.loc[later, HOUR_COLUMNS].to_numpy()
                                    + rng.normal(0, 20, (later.sum(), 24)))
    after = out.index > pd.Timestamp(day)
    for name in exogenous:
        columns = exogenous_columns(name)
        out.loc[after, columns] = (0.5 * out.loc[after, columns].to_numpy()
                                   + rng.normal(0, 5_000, (after.sum(), 24)))
    return out


def one_error_line(capsys) -> str:
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


# --------------------------------------------------------------------------- no look-ahead
@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("kind", ["prices", "exogenous"])
def test_day_d_ignores_everything_from_d_on(request, history, window, kind):
    model = request.getfixturevalue("gan" if kind == "prices" else "exo_gan")
    names = tuple(model.exogenous)
    start, end = window
    n, seed = 16, 3
    clean_window = model.forecast(history, start, end, n, seed)
    for day in CHECK_DAYS[window]:
        clean_day = model.forecast(history, day, day, n, seed)
        # D's scenarios do not depend on which other days are asked for (up to float32
        # round-off: the generator runs all asked days as one batch)
        np.testing.assert_array_equal(rows(clean_day, day), rows(clean_window, day))
        changed = tamper(history, day, names)
        assert np.array_equal(rows(model.forecast(changed, day, day, n, seed), day),
                              rows(clean_day, day)), day
        assert np.array_equal(rows(model.forecast(changed, start, end, n, seed), day),
                              rows(clean_window, day)), day

        # ... but they do read D-1's prices (so the checks above can fail)
        before = history.copy()
        previous = pd.Timestamp(day) - pd.Timedelta(days=1)
        before.loc[previous, HOUR_COLUMNS] = 1.5 * before.loc[previous, HOUR_COLUMNS] + 10
        moved = rows(model.forecast(before, day, day, n, seed), day)
        assert not np.allclose(moved, rows(clean_day, day)), day


@pytest.mark.parametrize("day", ["2024-06-11", "2024-07-01"])
def test_exogenous_model_reads_the_series_of_day_d(exo_gan, history, day):
    changed = history.copy()
    columns = exogenous_columns("load")
    changed.loc[pd.Timestamp(day), columns] = changed.loc[pd.Timestamp(day), columns] + 9_000
    clean = rows(exo_gan.forecast(history, day, day, 16, 0), day)
    assert not np.allclose(rows(exo_gan.forecast(changed, day, day, 16, 0), day), clean)


# --------------------------------------------------------------------------- forecasts
def test_forecast_frame_layout_and_plausible_prices(gan, history):
    frame = gan.forecast(history, "2024-06-03", "2024-06-16", 40, seed=0)
    assert list(frame.columns) == FRAME_COLUMNS
    assert len(frame) == 14 * 40
    dates = pd.date_range("2024-06-03", "2024-06-16")
    assert (frame["date"].unique() == dates).all()
    assert (frame["scenario"].to_numpy() == np.tile(np.arange(40), 14)).all()
    values = frame[HOUR_COLUMNS].to_numpy()
    assert np.isfinite(values).all()
    assert values.min() > -1_000 and values.max() < 3_000
    predicted = frame.groupby("date")[HOUR_COLUMNS].median().to_numpy().mean(axis=1)
    observed = history.loc[dates, HOUR_COLUMNS].to_numpy().mean(axis=1)
    assert np.abs(predicted - observed).mean() < 40   # daily mean price within reach


def test_seeds(gan, history):
    first = gan.forecast(history, "2024-06-10", "2024-06-12", 10, seed=5)
    pd.testing.assert_frame_equal(first, gan.forecast(history, "2024-06-10", "2024-06-12", 10,
                                                      seed=5))
    other = gan.forecast(history, "2024-06-10", "2024-06-12", 10, seed=6)
    assert not np.allclose(first[HOUR_COLUMNS], other[HOUR_COLUMNS])


def test_day_scenarios_do_not_depend_on_start_and_end(gan, history):
    day = "2024-06-30"
    alone = rows(gan.forecast(history, day, day, 12, 1), day)
    around = rows(gan.forecast(history, "2024-06-27", "2024-07-03", 12, 1), day)
    np.testing.assert_array_equal(alone, around)
    assert not np.allclose(alone, rows(gan.forecast(history, "2024-06-29", "2024-07-03", 12, 1),
                                       "2024-06-29"))


# --------------------------------------------------------------------------- paths
def test_paths_layout(gan, history):
    frame = gan.paths(history, "2024-06-03", days=10, n=6, seed=0)
    assert list(frame.columns) == PATH_COLUMNS
    assert len(frame) == 60
    assert sorted(frame["path"].unique()) == list(range(6))
    for _, path in frame.groupby("path"):
        assert (path["date"].to_numpy() == pd.date_range("2024-06-03", periods=10)).all()
    assert np.isfinite(frame[HOUR_COLUMNS].to_numpy()).all()
    pd.testing.assert_frame_equal(frame, gan.paths(history, "2024-06-03", 10, 6, seed=0))


def test_path_days_follow_their_own_previous_day(gan, history):
    frame = gan.paths(history, "2024-06-03", days=2, n=300, seed=0)
    values = frame[HOUR_COLUMNS].to_numpy().reshape(300, 2, 24)
    first, second = values[:, 0].mean(axis=1), values[:, 1].mean(axis=1)
    assert not np.allclose(values[0, 0], values[1, 0])
    assert not np.allclose(values[0, 1], values[1, 1])
    # day 2 reads its path's day 1: paths with a dearer day 1 have a dearer day 2
    assert np.corrcoef(first, second)[0, 1] > 0.3
    # scenarios of day 2 drawn from the real day 1 carry no such link
    fixed = rows(gan.forecast(history, "2024-06-04", "2024-06-04", 300, 0), "2024-06-04")
    assert abs(np.corrcoef(first, fixed.mean(axis=1))[0, 1]) < 0.2


def test_paths_start_from_the_real_history(gan, history):
    day = "2024-06-03"
    paths = gan.paths(history, day, days=3, n=300, seed=0)
    first = paths.loc[paths["date"] == pd.Timestamp(day), HOUR_COLUMNS].to_numpy()
    scenarios = rows(gan.forecast(history, day, day, 300, 0), day)
    assert abs(first.mean() - scenarios.mean()) < 0.1 * abs(scenarios.mean()) + 5
    profile = np.corrcoef(first.mean(axis=0), scenarios.mean(axis=0))[0, 1]
    assert profile > 0.9


# --------------------------------------------------------------------------- save / load
def test_save_load_round_trip(gan, run_dir, history):
    loaded = ForecastGAN.load(run_dir)
    assert loaded.config == gan.config and loaded.exogenous == []
    pd.testing.assert_frame_equal(loaded.forecast(history, "2024-06-25", "2024-07-05", 8, 2),
                                  gan.forecast(history, "2024-06-25", "2024-07-05", 8, 2),
                                  check_exact=True)
    pd.testing.assert_frame_equal(loaded.paths(history, "2024-06-25", 5, 4, 2),
                                  gan.paths(history, "2024-06-25", 5, 4, 2), check_exact=True)


def test_loading_a_smard_run_is_one_clear_error(smard_run):
    with pytest.raises(TsganError, match="was trained with preset 'smard', not with --preset "
                                         "forecast") as info:
        ForecastGAN.load(smard_run)
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------- tsgan train
def test_cli_train_forecast_and_forecast_csv(files, tmp_path, capsys):
    run = tmp_path / "run"
    code = main(["train", "--preset", "forecast", "--data", str(files["train"]),
                 "--iterations", "40", "--seed", "1", "--run-dir", str(run),
                 "--set", "linear_alpha=2.0"])
    out = capsys.readouterr().out
    assert code == 0
    assert "trained the forecast model on" in out and "2024-05-31" in out
    assert f"run written to {run}" in out
    config = json.loads((run / "config.json").read_text())
    assert config["preset"] == "forecast" and config["iterations"] == 40
    assert config["seed"] == 1 and config["linear_alpha"] == 2.0

    target = tmp_path / "f.csv"
    code = main(["forecast", "--run", str(run), "--history", str(files["history"]), "--start",
                 "2024-06-01", "--end", "2024-06-03", "-n", "4", "--out", str(target)])
    assert code == 0
    assert one_error_line(capsys) == f"wrote 3 days x 4 scenarios to {target}"
    frame = pd.read_csv(target)
    assert list(frame.columns) == FRAME_COLUMNS
    assert frame["date"].tolist() == ["2024-06-01"] * 4 + ["2024-06-02"] * 4 + ["2024-06-03"] * 4


def test_cli_train_with_exogenous(files, tmp_path, capsys):
    run = tmp_path / "run"
    train_file = tmp_path / "train_load.csv"
    write_days(load_days(files["history_load"], exogenous=["load"]).loc[:"2024-05-31"],
               train_file)
    code = main(["train", "--preset", "forecast", "--data", str(train_file), "--exogenous",
                 "load", "--iterations", "40", "--run-dir", str(run), "--quiet"])
    assert code == 0 and capsys.readouterr().out == ""
    assert json.loads((run / "config.json").read_text())["exogenous"] == ["load"]
    # a history without the series the run reads: the loader's one line
    code = main(["forecast", "--run", str(run), "--history", str(files["history"]), "--start",
                 "2024-06-01", "--end", "2024-06-03", "-n", "4", "--out",
                 str(tmp_path / "f.csv")])
    assert code != 0
    assert "no column 'load_h00' for exogenous series 'load'" in one_error_line(capsys)
    assert not (tmp_path / "f.csv").exists()


@pytest.mark.parametrize(("extra", "message"), [
    (["--conditions", "calendar"], "--preset forecast does not use --conditions"),
    (["--strategy", "mirrored"], "--preset forecast does not use --strategy"),
    (["--select-every", "5"], "--preset forecast does not use --select-every"),
    (["--patience", "2"], "--preset forecast does not use --patience"),
    (["--snapshot-every", "5"], "--preset forecast does not use --snapshot-every"),
    (["--checkpoint-every", "5"], "--preset forecast does not use --checkpoint-every"),
    (["--set", "nope=1"], "unknown forecast setting 'nope'"),
    (["--set", "refit=weekly"], "unknown refit 'weekly'"),
    (["--set", "generator.units=[8]"], "unknown forecast setting 'generator'"),
    (["--exogenous", "load"], "no column 'load_h00' for exogenous series 'load'"),
])
def test_cli_train_forecast_bad_input(files, tmp_path, capsys, extra, message):
    run = tmp_path / "run"
    code = main(["train", "--preset", "forecast", "--data", str(files["train"]), "--iterations",
                 "40", "--run-dir", str(run), *extra])
    assert code != 0
    assert message in one_error_line(capsys)
    assert not run.exists()   # refused before anything was written


def test_cli_train_forecast_with_too_few_days(history, tmp_path, capsys):
    short = tmp_path / "short.csv"
    write_days(history.loc["2024-01-01":"2024-02-15", HOUR_COLUMNS], short)
    code = main(["train", "--preset", "forecast", "--data", str(short), "--run-dir",
                 str(tmp_path / "run")])
    assert code != 0
    assert re.search(r"the forecast preset needs at least \d+", one_error_line(capsys))
    assert not (tmp_path / "run").exists()


def test_cli_train_forecast_refuses_an_existing_run(run_dir, tmp_path, capsys):
    before = (run_dir / "config.json").read_bytes()
    code = main(["train", "--preset", "forecast", "--run-dir", str(run_dir)])
    assert code != 0
    assert "already holds a run" in one_error_line(capsys)
    assert (run_dir / "config.json").read_bytes() == before


@pytest.mark.parametrize(("args", "message"), [
    (["train", "--exogenous", "load", "--preset", "smard"],
     "--exogenous applies to --preset forecast"),
    (["train", "--resume", "somewhere", "--exogenous", "load"], "drop --exogenous"),
])
def test_cli_exogenous_outside_the_forecast_preset(args, message, capsys):
    assert main(args) != 0
    assert message in one_error_line(capsys)


# --------------------------------------------------------------------------- tsgan forecast
def forecast_args(run: Path, history: Path, out: Path, *extra: str) -> list[str]:
    return ["forecast", "--run", str(run), "--history", str(history), "--out", str(out), *extra]


def test_cli_forecast_csv_and_parquet_match_the_api(gan, run_dir, files, history, tmp_path,
                                                    capsys):
    window = ["--start", "2024-06-28", "--end", "2024-07-02", "-n", "6", "--seed", "4"]
    expected = gan.forecast(history, "2024-06-28", "2024-07-02", 6, 4)
    for suffix in (".csv", ".parquet"):
        target = tmp_path / f"f{suffix}"
        assert main(forecast_args(run_dir, files["history"], target, *window)) == 0
        assert one_error_line(capsys) == f"wrote 5 days x 6 scenarios to {target}"
        frame = pd.read_csv(target) if suffix == ".csv" else pd.read_parquet(target)
        assert list(frame.columns) == FRAME_COLUMNS
        assert frame["date"].tolist() == expected["date"].dt.strftime("%Y-%m-%d").tolist()
        assert (frame["scenario"] == expected["scenario"]).all()
        # CSV keeps cents, Parquet every bit
        np.testing.assert_allclose(frame[HOUR_COLUMNS].to_numpy(),
                                   expected[HOUR_COLUMNS].to_numpy(), rtol=0,
                                   atol=0.006 if suffix == ".csv" else 0.0)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temporary files


def test_cli_forecast_same_seed_same_bytes(run_dir, files, tmp_path, capsys):
    window = ["--start", "2024-06-10", "--end", "2024-06-12", "-n", "5", "--seed", "9"]
    outs = [tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"]
    for target, seed in zip(outs, ("9", "9", "10"), strict=True):
        args = forecast_args(run_dir, files["history"], target, *window[:-1], seed)
        assert main(args) == 0
    capsys.readouterr()
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert outs[0].read_bytes() != outs[2].read_bytes()


def test_cli_forecast_paths(gan, run_dir, files, history, tmp_path, capsys):
    target = tmp_path / "paths.parquet"
    args = forecast_args(run_dir, files["history"], target, "--start", "2024-06-25",
                         "--paths", "--days", "8", "-n", "3", "--seed", "2")
    assert main(args) == 0
    assert one_error_line(capsys) == f"wrote 3 paths x 8 days to {target}"
    frame = pd.read_parquet(target)
    assert list(frame.columns) == PATH_COLUMNS
    assert frame["path"].tolist() == [p for p in range(3) for _ in range(8)]
    dates = pd.date_range("2024-06-25", periods=8).strftime("%Y-%m-%d").tolist()
    assert frame["date"].tolist() == dates * 3
    expected = gan.paths(history, "2024-06-25", 8, 3, 2)
    np.testing.assert_allclose(frame[HOUR_COLUMNS].to_numpy(),
                               expected[HOUR_COLUMNS].to_numpy(), rtol=0)


def test_cli_forecast_exogenous_run(exo_gan, exo_run_dir, files, history, tmp_path, capsys):
    target = tmp_path / "f.parquet"
    args = forecast_args(exo_run_dir, files["history_load"], target, "--start", "2024-07-01",
                         "--end", "2024-07-31", "-n", "3")
    assert main(args) == 0
    capsys.readouterr()
    expected = exo_gan.forecast(history, "2024-07-01", "2024-07-31", 3, 0)
    np.testing.assert_allclose(pd.read_parquet(target)[HOUR_COLUMNS].to_numpy(),
                               expected[HOUR_COLUMNS].to_numpy(), rtol=0)


@pytest.mark.parametrize(("extra", "message"), [
    (["--start", "2024-06-10", "--end", "2024-06-05", "-n", "3"],
     "--start 2024-06-10 is after --end 2024-06-05"),
    (["--start", "2024-07-20", "--end", "2024-08-02", "-n", "3"],
     "end 2024-08-02 is beyond the history's last day + 1 (2024-08-01)"),
    (["--start", "2024-06-31", "--end", "2024-07-02", "-n", "3"], "--start '2024-06-31' is not "
                                                                  "a date"),
    (["--start", "2024-06-10", "--paths", "--days", "3", "--end", "2024-06-12", "-n", "3"],
     "--end does not apply to --paths"),
    (["--start", "2024-06-10", "--paths", "-n", "3"], "--paths needs --days"),
    (["--start", "2024-06-10", "--end", "2024-06-12", "--days", "3", "-n", "3"],
     "--days applies to --paths only"),
    (["--start", "2024-06-10", "-n", "3"], "give --end DATE"),
])
def test_cli_forecast_bad_dates_and_modes(run_dir, files, tmp_path, capsys, extra, message):
    target = tmp_path / "f.csv"
    target.write_text("kept\n")
    assert main(forecast_args(run_dir, files["history"], target, *extra)) != 0
    assert message in one_error_line(capsys)
    assert target.read_text() == "kept\n"   # a failed command loses nothing already written


def test_cli_forecast_history_with_a_gap_names_the_first_missing_day(run_dir, history,
                                                                     tmp_path, capsys):
    gappy = tmp_path / "gappy.csv"
    write_days(history[HOUR_COLUMNS].drop([pd.Timestamp("2024-06-05"),
                                           pd.Timestamp("2024-06-20")]), gappy)
    target = tmp_path / "f.csv"
    target.write_text("kept\n")
    args = forecast_args(run_dir, gappy, target, "--start", "2024-06-03", "--end", "2024-06-25",
                         "-n", "3")
    assert main(args) != 0
    line = one_error_line(capsys)
    assert "the history lacks prices for 2024-06-05" in line and "first missing date" in line
    assert target.read_text() == "kept\n"


def test_cli_forecast_refuses_a_smard_run(smard_run, files, tmp_path, capsys):
    args = forecast_args(smard_run, files["history"], tmp_path / "f.csv", "--start",
                         "2024-06-10", "--end", "2024-06-12", "-n", "3")
    assert main(args) != 0
    assert "was trained with preset 'smard', not with --preset forecast" in one_error_line(capsys)
    assert not (tmp_path / "f.csv").exists()


def test_cli_forecast_exogenous_run_needs_the_series(exo_run_dir, files, tmp_path, capsys):
    args = forecast_args(exo_run_dir, files["history"], tmp_path / "f.csv", "--start",
                         "2024-06-10", "--end", "2024-06-12", "-n", "3")
    assert main(args) != 0
    assert "no column 'load_h00' for exogenous series 'load'" in one_error_line(capsys)


@pytest.mark.parametrize(("out", "message"), [
    ("f.txt", "--out must end in .csv or .parquet, got 'f.txt'"),
    ("folder.csv", "is a directory"),
    ("file.csv/f.csv", "is a file, not a folder"),
])
def test_cli_forecast_bad_out_is_refused_before_loading(tmp_path, capsys, out, message):
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "file.csv").write_text("x")
    args = forecast_args(tmp_path / "no-run", tmp_path / "no-history.csv", tmp_path / out,
                         "--start", "2024-06-10", "--end", "2024-06-12", "-n", "3")
    assert main(args) != 0
    assert message in one_error_line(capsys)


def test_cli_forecast_missing_run(files, tmp_path, capsys):
    args = forecast_args(tmp_path / "no-run", files["history"], tmp_path / "f.csv", "--start",
                         "2024-06-10", "--end", "2024-06-12", "-n", "3")
    assert main(args) != 0
    assert "holds no run" in one_error_line(capsys)


@pytest.mark.parametrize("n", ["0", "-2", "many"])
def test_cli_forecast_bad_n_is_a_usage_line(n):
    line = assert_one_line_error(run_tsgan("forecast", "--run", "r", "--history", "h.csv",
                                           "--start", "2024-06-10", "--end", "2024-06-12",
                                           "-n", n, "--out", "f.csv"))
    assert line.startswith("tsgan forecast: error: argument -n")


def test_runaway_scenarios_are_one_line_not_a_file(gan, history):
    frame = gan.paths(history, "2024-06-03", days=4, n=2, seed=0)
    check_scenarios(frame, history, paths=True)   # a sane frame passes
    for value in (np.inf, np.nan, 1e9):
        broken = frame.copy()
        broken.loc[broken["date"] == pd.Timestamp("2024-06-05"), "h07"] = value
        with pytest.raises(TsganError, match="runaway prices \\(from 2024-06-05 on") as info:
            check_scenarios(broken, history, paths=True)
        assert "fewer --days" in str(info.value)


@pytest.mark.parametrize("command", [
    ["generate", "-n", "3"], ["evaluate"], ["plot"], ["report"], ["anomalies"],
])
def test_calendar_commands_refuse_a_forecast_run(command, run_dir, tmp_path, capsys):
    args = [command[0], "--run", str(run_dir), *command[1:]]
    if command[0] == "generate":
        args += ["--out", str(tmp_path / "g.csv")]
    assert main(args) != 0
    line = one_error_line(capsys)
    assert "is a forecast run" in line and "tsgan forecast" in line


def test_days_inside_the_training_period_are_refused(gan, history):
    with pytest.raises(TsganError, match="not after the model's training days"):
        gan.forecast(history, "2024-05-20", "2024-06-05", 4, 0)
    with pytest.raises(TsganError, match="not after the model's training days"):
        gan.paths(history, "2024-05-31", 3, 2, 0)


def test_paths_need_all_seven_days_before_the_start(gan, history):
    gappy = history.drop(pd.Timestamp("2024-06-05"))
    with pytest.raises(TsganError, match="lacks prices for 2024-06-05"):
        gan.paths(gappy, "2024-06-10", 5, 2, 0)
    with pytest.raises(TsganError, match="seed"):
        gan.paths(history, "2024-06-10", 5, 2, -1)


def test_a_history_with_a_timezone_gives_the_same_scenarios(gan, history):
    local = history.set_axis(history.index.tz_localize("Europe/Berlin"))
    expected = gan.forecast(history, "2024-06-10", "2024-06-11", 3, 0)
    pd.testing.assert_frame_equal(gan.forecast(local, "2024-06-10", "2024-06-11", 3, 0),
                                  expected)


def test_every_iteration_is_trained(train):
    model = ForecastGAN(iterations=150, log_every=100, seed=0).fit(train[HOUR_COLUMNS])
    assert model.history["step"].tolist() == [50, 100, 150]


@pytest.mark.parametrize("settings, message", [
    ({"ema_decay": "abc"}, "ema_decay must be a number"),
    ({"learning_rate": None}, "learning_rate must be a number"),
    ({"cross_fit": "maybe"}, "cross_fit must be true or false"),
    ({"exogenous": 5}, "exogenous must be a list"),
    ({"exogenous": "load"}, "exogenous must be a list"),
    ({"validation_fraction": 0.7}, "validation_fraction must be in"),
    ({"refit": "weekly"}, "refit"),
    ({"bogus": 1}, "unknown forecast setting 'bogus'"),
])
def test_bad_settings_are_one_line(settings, message):
    with pytest.raises(TsganError, match=message):
        ForecastGAN(**settings)


def test_a_path_does_not_depend_on_how_many_are_drawn(gan, history):
    few = gan.paths(history, "2024-06-10", 4, 2, 3)[HOUR_COLUMNS].to_numpy()
    more = gan.paths(history, "2024-06-10", 4, 5, 3)[HOUR_COLUMNS].to_numpy()[:8]
    np.testing.assert_allclose(few, more, rtol=1e-5)
