"""Tests for tsgan.evaluation: the metric table on arrays and end to end on saved runs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tsgan.errors import TsganError
from tsgan.evaluation import (
    METRIC_DESCRIPTIONS,
    PROFILE_METRICS,
    TOY_METRICS,
    evaluate_arrays,
    evaluate_run,
    format_table,
    write_metrics,
)


def curves(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    hours = np.arange(24)
    level = rng.normal(80, 20, (n, 1))
    shape = rng.uniform(10, 40, (n, 1)) * np.sin(2 * np.pi * (hours - 6) / 24)
    return level + shape + rng.normal(0, 5, (n, 24))


@pytest.fixture(scope="module")
def array_table():
    train, test = curves(600, 0), curves(200, 1)
    sources = {
        "fresh": curves(200, 2),
        "copy": train[:200],
        "collapsed": np.repeat(train[:1], 200, axis=0),
        "shifted": curves(200, 3) + 40,
    }
    timings: dict[str, float] = {}
    return evaluate_arrays(train, test, sources, seed=0, timings=timings), timings


def test_table_layout(array_table):
    table, timings = array_table
    assert list(table.index) == ["fresh", "copy", "collapsed", "shifted"]
    assert list(table.columns) == list(PROFILE_METRICS)
    assert np.isfinite(table.to_numpy()).all()
    assert timings["discriminative"] > 0


def test_table_known_answers(array_table):
    table, _ = array_table
    fresh, copy, collapsed, shifted = (table.loc[s] for s in table.index)
    assert abs(fresh["energy_distance_rel"]) < 0.01
    assert shifted["energy_distance_rel"] > 0.05 and shifted["wasserstein"] > 35
    assert copy["memorisation"] == 1.0 and fresh["memorisation"] < 0.15
    assert collapsed["recall"] < 0.05 and collapsed["discriminative"] > 0.45
    assert fresh["discriminative"] < 0.1
    assert fresh["recall"] > 0.7 and fresh["precision"] > 0.7
    assert (table["predictive_trtr"] == fresh["predictive_trtr"]).all()
    assert fresh["predictive_tstr"] < 1.3 * fresh["predictive_trtr"]


def test_toy_data_gets_toy_metrics():
    rng = np.random.default_rng(0)
    train, test = rng.normal(69, 3, (2000, 1)), rng.normal(69, 3, (300, 1))
    table = evaluate_arrays(train, test, {"same": rng.normal(69, 3, (300, 1)),
                                          "wide": rng.normal(69, 6, (300, 1))}, seed=0)
    assert list(table.columns) == list(TOY_METRICS)
    assert table.loc["same", "marginal_ks"] < table.loc["wide", "marginal_ks"]
    assert table.loc["same", "energy_distance"] < table.loc["wide", "energy_distance"]
    x = rng.uniform(-0.5, 0.5, 500)
    quad = np.column_stack([x, x ** 2])
    table2 = evaluate_arrays(quad, quad[:200], {"q": quad[200:400]}, seed=0)
    assert list(table2.columns) == list(TOY_METRICS)


def test_descriptions_cover_every_metric():
    for name in set(PROFILE_METRICS) | set(TOY_METRICS):
        text = METRIC_DESCRIPTIONS[name]
        assert text.endswith(".") and len(text) > 40


def test_format_table(array_table):
    table, _ = array_table
    text = format_table(table)
    lines = text.splitlines()
    assert lines[0].split()[1:] == list(table.index)
    assert len(lines) == 2 + len(table.columns) + 1
    assert "lower is better" in lines[-1]
    assert len({len(line) for line in lines[:-1] if not line.startswith("-")}) == 1  # aligned


def test_write_metrics_round_trip(array_table, tmp_path):
    table, _ = array_table
    table = table.copy()
    table.attrs.update({"n": 200, "seed": 0, "kde_factor": 0.3})
    table.iloc[0, 0] = math.nan
    path = write_metrics(tmp_path, table)
    assert path == tmp_path / "metrics.json"
    data = json.loads(path.read_text())
    assert data["n"] == 200 and data["kde_factor"] == 0.3
    assert data["table"]["fresh"]["energy_distance"] is None
    assert data["table"]["copy"]["memorisation"] == 1.0
    assert list(data["table"]) == list(table.index)
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]
    with pytest.raises(TsganError):
        write_metrics(tmp_path / "missing", table)


def test_mismatched_columns_raise():
    with pytest.raises(TsganError):
        evaluate_arrays(curves(50, 0), curves(50, 1), {"bad": curves(50, 2)[:, :5]})
    with pytest.raises(TsganError):
        evaluate_arrays(curves(50, 0), curves(50, 1), {})


# --------------------------------------------------------------------------- saved runs
@pytest.fixture(scope="module")
def smard_run(smard_gan, tmp_path_factory):
    """The shared briefly trained smard model (conftest) saved as a run directory."""
    run_dir = tmp_path_factory.mktemp("eval") / "smard"
    smard_gan.save(run_dir)
    return run_dir


def test_evaluate_run_end_to_end(smard_run):
    table = evaluate_run(smard_run, n=150, seed=1)
    assert list(table.index) == ["gan", "bootstrap", "kde", "gaussian", "independent"]
    assert list(table.columns) == list(PROFILE_METRICS)
    assert table.attrs["n"] == 150 and table.attrs["kde_factor"] in (0.2, 0.3, 0.4)
    assert table.loc["bootstrap", "memorisation"] == 1.0
    assert table.loc["independent", "corr_error"] > table.loc["gaussian", "corr_error"]
    assert table.loc["gaussian", "wasserstein"] > table.loc["bootstrap", "wasserstein"]
    path = write_metrics(smard_run, table)
    data = json.loads(path.read_text())
    assert data["kde_factor"] == table.attrs["kde_factor"] and data["seed"] == 1
    assert set(data["table"]) == set(table.index)


def test_cli_evaluate_json(smard_run, capsys):
    from tsgan.cli import main

    assert main(["evaluate", "--run", str(smard_run), "-n", "100", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["gan", "bootstrap", "kde", "gaussian", "independent"]
    assert (smard_run / "metrics.json").is_file()


def test_evaluate_quadratic_run(saved_quadratic_run):
    table = evaluate_run(saved_quadratic_run, n=200)
    assert list(table.columns) == list(TOY_METRICS)
    assert table.loc["bootstrap", "memorisation"] == 1.0
    assert np.isfinite(table.to_numpy()).all()


def test_evaluate_missing_run(tmp_path):
    with pytest.raises(TsganError):
        evaluate_run(tmp_path / "nothing")
