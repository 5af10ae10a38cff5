"""Model selection on validation weeks: real tiny training on the bundled days."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsgan.api import PriceGAN, load, resume
from tsgan.data.split import week_numbers
from tsgan.errors import TsganError
from tsgan.training.selection import CURVE_COLUMNS, selection_score

SELECT = {"iterations": 600, "select_every": 200, "snapshot_every": 0, "seed": 3}


class _Stop(Exception):
    """Stands in for a crash at a known step."""


@pytest.fixture(scope="module")
def selected() -> PriceGAN:
    return PriceGAN("smard", **SELECT).fit()


def _rescore(model: PriceGAN) -> float:
    """The selection score of the model's current weights, as the selector computes it
    (during training: the generator's own output, before the marginal map exists)."""
    mask = model.validation_mask()
    days = model.train_data.to_numpy(np.float64)
    conditions = model.train_conditions[mask].reset_index(drop=True)
    fitted_map, model.marginal_map = model.marginal_map, None
    try:
        synthetic = model.sample(int(mask.sum()), seed=model.config.seed,
                                 conditions=conditions)
    finally:
        model.marginal_map = fitted_map
    return selection_score(synthetic.to_numpy(np.float64), days[mask], days[~mask],
                           seed=model.config.seed)["score"]


def test_validation_weeks_are_training_weeks_held_out_of_fitting(selected: PriceGAN) -> None:
    mask = selected.validation_mask()
    weeks = week_numbers(selected.train_data.index)
    assert mask.any() and (~mask).any()
    assert np.array_equal(mask, weeks % 10 == 1)
    assert not np.isin(weeks[mask], week_numbers(selected.test_data.index)).any()
    assert len(selected.training_rows()) == len(selected.train_data) - mask.sum()
    assert selected.split["validation"] == {"every": 10, "offset": 1,
                                            "n_validation": int(mask.sum())}


def test_the_best_scored_weights_are_kept(selected: PriceGAN) -> None:
    curve = selected.selection
    assert list(curve.columns) == CURVE_COLUMNS
    assert curve["step"].tolist() == [200, 400, 600]
    assert np.all(np.isfinite(curve[CURVE_COLUMNS[1:]].to_numpy()))
    expected = (curve["discriminative"] + curve["energy_distance_rel"].clip(lower=0)
                + (curve["memorisation"] - 0.05).clip(lower=0))
    assert np.allclose(curve["score"], expected)
    best = int(curve.loc[curve["score"].idxmin(), "step"])
    assert selected.best_step == best
    # the weights the model ends with are the best step's: re-scoring them gives its score
    assert _rescore(selected) == pytest.approx(curve["score"].min(), abs=1e-12)
    assert selected.steps_trained == 600


def test_selection_round_trips_through_the_run_directory(selected: PriceGAN,
                                                         tmp_path: Path) -> None:
    selected.save(tmp_path / "run")
    assert (tmp_path / "run" / "selection.csv").is_file()
    record = json.loads((tmp_path / "run" / "config.json").read_text())
    assert record["best_step"] == selected.best_step
    assert record["config"]["select_every"] == 200
    loaded = load(tmp_path / "run")
    assert loaded.best_step == selected.best_step
    pd.testing.assert_frame_equal(loaded.selection, selected.selection, check_dtype=False)
    a = selected.sample(50, seed=1).to_numpy()
    assert np.array_equal(a, loaded.sample(50, seed=1).to_numpy())


def test_patience_stops_when_the_score_does_not_improve() -> None:
    # a learning rate far below float32 resolution leaves every weight unchanged, so every
    # scoring after the first ties it: no new best
    model = PriceGAN("smard", iterations=1000, select_every=100, select_patience=2,
                     learning_rate=1e-30, snapshot_every=0, seed=1).fit()
    assert model.steps_trained == 300
    assert model.selection["step"].tolist() == [100, 200, 300]
    assert model.best_step == 100
    assert model.history["step"].iloc[-1] == 300


def test_resume_keeps_the_selection_state(tmp_path: Path) -> None:
    kwargs = {**SELECT, "iterations": 400, "select_every": 100}
    clean = PriceGAN("smard", **kwargs).fit(run_dir=tmp_path / "clean", checkpoint_every=100)

    def crash(step: int, model: PriceGAN, seconds: float) -> bool:
        if step == 250:
            raise _Stop
        return False

    with pytest.raises(_Stop):
        PriceGAN("smard", **kwargs).fit(run_dir=tmp_path / "crashed", checkpoint_every=100,
                                        callback=crash, callback_every=250)
    resumed = resume(tmp_path / "crashed")
    assert resumed.best_step == clean.best_step
    scores = ["step", "score", "discriminative", "energy_distance_rel", "memorisation"]
    pd.testing.assert_frame_equal(resumed.selection[scores], clean.selection[scores])
    for a, b in zip(load(tmp_path / "clean").generator.weights,
                    load(tmp_path / "crashed").generator.weights, strict=True):
        assert np.array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize(("overrides", "message"), [
    ({"select_every": -1}, "select_every must be an integer >= 0"),
    ({"select_patience": 1.5, "select_every": 10}, "select_patience must be an integer"),
    ({"validation_every_nth_week": 1}, "validation_every_nth_week must be an integer >= 2"),
])
def test_bad_selection_settings_are_one_line_errors(overrides: dict, message: str) -> None:
    with pytest.raises(TsganError, match=message) as info:
        PriceGAN("smard", **overrides)
    assert "\n" not in str(info.value)


def test_selection_needs_dated_days() -> None:
    with pytest.raises(TsganError, match="applies to the smard preset only"):
        PriceGAN("quadratic", select_every=100)


def test_too_few_validation_days_is_a_clear_error() -> None:
    from tsgan.data.sources import load_days

    days = load_days().iloc[:60]  # two months: at most one validation week
    with pytest.raises(TsganError, match="model selection needs validation and fitting days"):
        PriceGAN("smard", iterations=100, select_every=50, batch_size=32,
                 validation_every_nth_week=20).fit(days)


def test_a_conditional_run_with_fewer_days_than_snapshot_rows_trains() -> None:
    """Regression: snapshots drew ``snapshot_size`` noise rows for fewer conditioned days."""
    from tsgan.data.sources import load_days

    model = PriceGAN("smard", iterations=40, snapshot_every=20, batch_size=16,
                     log_every=20, steps_per_execution=20).fit(load_days().iloc[:60])
    assert model.snapshots["samples"].shape[1] == min(100, len(model.train_data))


def test_the_run_plots_include_the_selection_curve(selected: PriceGAN, tmp_path: Path) -> None:
    from tsgan.viz.plots import draw_run

    paths = draw_run(selected, tmp_path / "plots")
    assert tmp_path / "plots" / "selection.png" in paths
    assert (tmp_path / "plots" / "selection.png").stat().st_size > 10_000


def test_cli_train_with_model_selection(tmp_path: Path) -> None:
    from tests.cli_helpers import run_tsgan

    result = run_tsgan("train", "--iterations", "400", "--select-every", "200", "--patience",
                       "5", "--run-dir", str(tmp_path / "run"), "--quiet")
    assert result.returncode == 0, result.stderr
    record = json.loads((tmp_path / "run" / "config.json").read_text())
    assert record["config"]["select_every"] == 200
    assert record["config"]["select_patience"] == 5
    assert record["best_step"] in (200, 400)
    assert pd.read_csv(tmp_path / "run" / "selection.csv")["step"].tolist() == [200, 400]
    assert (tmp_path / "run" / "plots" / "selection.png").is_file()
    shown = run_tsgan("train", "--iterations", "200", "--select-every", "100",
                      "--run-dir", str(tmp_path / "run2"), "--no-plots")
    assert shown.returncode == 0, shown.stderr
    assert "model selection kept step" in shown.stdout


def test_cli_resume_refuses_selection_options(tmp_path: Path) -> None:
    from tests.cli_helpers import assert_one_line_error, run_tsgan

    result = run_tsgan("train", "--resume", str(tmp_path), "--select-every", "100")
    assert "drop --select-every" in assert_one_line_error(result)


def test_a_bad_validation_split_writes_nothing(tmp_path: Path) -> None:
    from tsgan.data.sources import load_days

    with pytest.raises(TsganError, match="model selection needs validation"):
        PriceGAN("smard", iterations=100, select_every=50, batch_size=32,
                 validation_every_nth_week=20).fit(load_days().iloc[:60],
                                                   run_dir=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_a_callback_that_stops_early_still_scores_the_last_weights() -> None:
    model = PriceGAN("smard", iterations=1000, select_every=400, snapshot_every=0, seed=2)
    model.fit(callback=lambda step, m, s: step == 200, callback_every=200)
    assert model.steps_trained == 200
    assert model.selection["step"].tolist() == [200]
    assert model.best_step == 200


def test_patience_without_selection_is_refused() -> None:
    with pytest.raises(TsganError, match="select_patience needs model selection"):
        PriceGAN("smard", select_patience=3)


def test_a_corrupt_selection_curve_is_a_one_line_error(selected: PriceGAN,
                                                       tmp_path: Path) -> None:
    from tests.cli_helpers import assert_one_line_error, run_tsgan

    selected.save(tmp_path / "run")
    (tmp_path / "run" / "selection.csv").write_text("step,score\n200,0.5\n")
    with pytest.raises(TsganError, match="selection.csv is corrupt: no column discriminative"):
        load(tmp_path / "run")
    out = tmp_path / "out.csv"
    line = assert_one_line_error(run_tsgan("generate", "--run", str(tmp_path / "run"), "-n",
                                           "3", "--out", str(out)))
    assert "selection.csv is corrupt" in line
    assert not out.exists()


def test_anomalies_and_discriminator_check_know_the_validation_weeks(selected, tmp_path):
    """Validation weeks were never fitted: anomalies label them, the check leaves them out."""
    from tsgan.evaluate.anomalies import find_anomalies
    from tsgan.evaluate.tables import discriminator_check, like_test_conditions

    run = tmp_path / "run"
    selected.save(run)
    loaded = load(run)
    ranked = find_anomalies(loaded)
    mask = selected.validation_mask()
    assert (ranked["split"] == "validation").sum() == mask.sum() > 0
    assert (ranked["split"] == "training").sum() == (~mask).sum()
    only = find_anomalies(loaded, split="validation")
    assert set(only["split"]) == {"validation"} and len(only) == mask.sum()
    conditions = like_test_conditions(selected, 50, seed=0)
    generated = selected.sample(50, seed=0, conditions=conditions).to_numpy()
    check = discriminator_check(selected, generated, conditions)
    fitted = selected.discriminate(selected.train_data[~mask],
                                   conditions=selected.train_conditions.reset_index(
                                       drop=True)[~mask])
    assert check["train_real_share"] == pytest.approx(np.mean(fitted > 0.5))
