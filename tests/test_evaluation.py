"""Tests for tsgan.evaluate.tables: the metric table on arrays and end to end on saved runs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tsgan.api import load
from tsgan.errors import TsganError
from tsgan.evaluate.tables import (
    METRIC_DESCRIPTIONS,
    PROFILE_METRICS,
    TOY_METRICS,
    discriminator_check,
    evaluate_arrays,
    evaluate_run,
    format_discriminator_check,
    format_table,
    like_test_conditions,
    sample_like_test,
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
    table = evaluate_run(load(smard_run), n=150, seed=1)
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
    assert data["discriminator"] == pytest.approx(table.attrs["discriminator"])
    assert "discriminator calls real" in format_table(table)


def _logit(p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def _script(name: str, *args: str, cwd) -> str:
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / name
    result = subprocess.run([sys.executable, str(script), *args], cwd=cwd, capture_output=True,
                            text=True, timeout=600, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_kde_frontier_script(smard_run, tmp_path):
    out = _script("kde_frontier.py", "--run", str(smard_run), "--factors", "0.1", "0.3",
                  "--seeds", "0", "1", cwd=tmp_path)
    rows = [line for line in out.splitlines() if line.startswith("| 0.")]
    assert [r.split("|")[1].strip() for r in rows] == ["0.1", "0.3"]
    memorisation = [float(r.split("|")[-3].split("±")[0]) for r in rows]  # held-out column
    assert memorisation[0] > memorisation[1]  # the narrower kernel copies more


@pytest.mark.slow
def test_overfit_curve_script(tmp_path):
    out = _script("overfit_curve.py", "--iterations", "200", "--every", "100",
                  "--set", "snapshot_every=100", cwd=tmp_path)
    rows = [line.split("|") for line in out.splitlines() if line[2:3].isdigit()]
    assert [r[1].strip() for r in rows] == ["100", "200"]
    for row in rows:
        shares = [float(v) for v in row[2:5]]
        assert all(0.0 <= v <= 1.0 for v in shares) and 0.0 <= float(row[6]) <= 0.5


def test_discriminator_check_matches_the_discriminator(smard_gan):
    """Shares and ratio are what the run's own D says about the three sets of days."""
    conditions = like_test_conditions(smard_gan, 120, seed=3)
    generated = smard_gan.sample(120, seed=3, conditions=conditions).to_numpy()
    check = discriminator_check(smard_gan, generated, conditions)
    train = smard_gan.discriminate(smard_gan.train_data,
                                   conditions=smard_gan.train_conditions.reset_index(drop=True))
    held = smard_gan.discriminate(smard_gan.test_data,
                                  conditions=smard_gan.test_conditions.reset_index(drop=True))
    fake = smard_gan.discriminate(generated, conditions=conditions)
    assert check["train_real_share"] == pytest.approx(np.mean(train > 0.5))
    assert check["held_out_real_share"] == pytest.approx(np.mean(held > 0.5))
    assert check["generated_real_share"] == pytest.approx(np.mean(fake > 0.5))
    assert smard_gan.discriminator_is_linear  # logits: used as D gives them, no clipping
    a, b, c = (smard_gan.discriminate(rows, conditions=cond, raw=True).mean() for rows, cond in (
        (smard_gan.train_data, smard_gan.train_conditions.reset_index(drop=True)),
        (smard_gan.test_data, smard_gan.test_conditions.reset_index(drop=True)),
        (generated, conditions)))
    assert (check["train_logit"], check["held_out_logit"], check["generated_logit"]) == \
        pytest.approx((a, b, c))
    np.testing.assert_allclose(_logit(fake)[np.abs(_logit(fake)) < 10],
                               smard_gan.discriminate(generated, conditions=conditions,
                                                      raw=True)[np.abs(_logit(fake)) < 10],
                               atol=1e-4)
    if a - c >= 0.05:
        assert check["overfit_ratio"] == pytest.approx((a - b) / (a - c))
    else:
        assert check["overfit_ratio"] is None
    assert discriminator_check(smard_gan, generated, conditions) == check  # deterministic


def test_discriminator_check_ratio_at_its_anchors(smard_gan):
    """Generated rows that *are* the held-out days give ratio 1 (D finds unseen real days
    exactly as real as these); generated rows that are the training days leave nothing to
    compare (ratio None)."""
    held = smard_gan.test_data.to_numpy()
    as_held = discriminator_check(smard_gan, held,
                                  smard_gan.test_conditions.reset_index(drop=True))
    gap = as_held["train_logit"] - as_held["held_out_logit"]
    assert as_held["overfit_ratio"] == (pytest.approx(1.0) if gap >= 0.05 else None)
    as_train = discriminator_check(smard_gan, smard_gan.train_data.to_numpy(),
                                   smard_gan.train_conditions.reset_index(drop=True))
    assert as_train["generated_logit"] == pytest.approx(as_train["train_logit"])
    assert as_train["overfit_ratio"] is None


def test_discriminator_check_sigmoid_and_critic_outputs(quadratic_gan):
    """A sigmoid D is read back as logits; a WGAN critic's raw scores are used as they are
    (no sigmoid clipping at ±16) and its meaningless shares are left out."""
    from tsgan.api import PriceGAN

    generated = sample_like_test(quadratic_gan, 200, seed=0)
    assert like_test_conditions(quadratic_gan, 5, seed=0) is None
    check = discriminator_check(quadratic_gan, generated)
    assert not quadratic_gan.discriminator_is_linear
    assert check["generated_logit"] == pytest.approx(
        _logit(quadratic_gan.discriminate(generated)).mean(), abs=1e-4)
    critic = PriceGAN("quadratic", loss="wgan-gp", critic_steps=2, iterations=100,
                      snapshot_every=0, learning_rate=1e-3, beta_1=0.0, beta_2=0.9,
                      discriminator={"units": [25], "activation": "relu",
                                     "initializer": "he_uniform",
                                     "output_activation": "linear"}, seed=0).fit()
    rows = sample_like_test(critic, 200, seed=0)
    judged = discriminator_check(critic, rows)
    assert critic.discriminator_is_linear
    assert judged["generated_logit"] == pytest.approx(critic.discriminate(rows, raw=True).mean())
    assert judged["train_real_share"] is None and judged["held_out_real_share"] is None
    lines = format_discriminator_check(judged)
    assert lines[0].startswith("the GAN's critic scores training days")


def test_format_discriminator_lines(array_table):
    table, _ = array_table
    table = table.copy()
    check = {"train_real_share": 0.6, "held_out_real_share": 0.15, "generated_real_share": 0.2,
             "train_logit": 0.4, "held_out_logit": -1.0, "generated_logit": -0.7,
             "overfit_ratio": 1.27}
    table.attrs = {"discriminator": check}
    lines = format_table(table).splitlines()
    assert "60% of training days, 15% of held-out real days, 20% of generated days" in lines[-2]
    assert lines[-1].startswith("overfitting ratio 1.27")
    table.attrs = {"discriminator": {**check, "overfit_ratio": None}}
    assert format_table(table).splitlines()[-1].startswith("overfitting ratio: -")


def test_cli_evaluate_json(smard_run, capsys):
    from tsgan.cli import main

    assert main(["evaluate", "--run", str(smard_run), "-n", "100", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["gan", "bootstrap", "kde", "gaussian", "independent"]
    assert (smard_run / "metrics.json").is_file()


def test_evaluate_quadratic_run(saved_quadratic_run):
    table = evaluate_run(load(saved_quadratic_run), n=200)
    assert list(table.columns) == list(TOY_METRICS)
    assert table.loc["bootstrap", "memorisation"] == 1.0
    assert np.isfinite(table.to_numpy()).all()


def test_evaluate_missing_run(tmp_path, capsys):
    from tsgan.cli import main

    with pytest.raises(TsganError, match="does not exist"):
        load(tmp_path / "nothing")
    assert main(["evaluate", "--run", str(tmp_path / "nothing")]) == 2
    assert "does not exist" in capsys.readouterr().err
