"""The Python API and the run directory: config, sampling, save/load, load errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsgan.api import PriceGAN, load
from tsgan.errors import TsganError
from tsgan.model.config import GANConfig, NetworkConfig
from tsgan.model.presets import PRESET_COLUMNS, preset_config, sample_heights, sample_quadratic


# --------------------------------------------------------------------------- config / presets
@pytest.mark.parametrize("name", ["smard", "quadratic", "heights"])
def test_config_json_round_trip(name: str) -> None:
    config = preset_config(name)
    again = GANConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config
    assert again.preset == name


def test_documented_preset_architectures() -> None:
    quad = preset_config("quadratic")
    assert (quad.latent_dim, quad.batch_size, quad.iterations, quad.snapshot_every) == \
        (5, 64, 10_000, 2_000)
    assert quad.generator == NetworkConfig(units=[15], activation="relu",
                                           initializer="he_uniform")
    assert quad.discriminator.units == [25] and quad.discriminator.output_activation == \
        "sigmoid" and quad.optimizer == "adam"
    heights = preset_config("heights")
    assert heights.generator.units == [10] * 5 and heights.generator.batch_norm
    assert heights.generator.dropout > 0 and heights.generator.activation == "tanh"
    assert heights.discriminator.units == [2] * 3
    assert (heights.optimizer, heights.learning_rate, heights.lr_decay_steps,
            heights.batch_size) == ("sgd", 0.005, 100, 200)
    assert preset_config("smard").scaler == "asinh"


def test_replace_and_unknown_settings() -> None:
    config = preset_config("quadratic", iterations=5, generator={"units": [4, 4]})
    assert config.iterations == 5 and config.generator.units == [4, 4]
    assert config.generator.initializer == "he_uniform"  # untouched fields kept
    with pytest.raises(TsganError, match="unknown configuration setting"):
        preset_config("quadratic", iterationz=5)
    with pytest.raises(TsganError, match="unknown generator setting"):
        preset_config("quadratic", generator={"widths": [3]})
    with pytest.raises(TsganError, match="unknown preset"):
        PriceGAN("cubic")
    with pytest.raises(TsganError, match="positive integer"):
        PriceGAN("quadratic", batch_size=0)
    with pytest.raises(TsganError, match="unknown optimizer"):
        PriceGAN("quadratic", optimizer="lbfgs")


def test_toy_samplers() -> None:
    rng = np.random.default_rng(0)
    q = sample_quadratic(1000, rng)
    assert q.shape == (1000, 2) and np.allclose(q[:, 1], q[:, 0] ** 2)
    assert q[:, 0].min() >= -0.5 and q[:, 0].max() <= 0.5
    h = sample_heights(5000, rng)
    assert h.shape == (5000, 1) and abs(h.mean() - 69) < 0.2 and abs(h.std() - 3) < 0.2


# --------------------------------------------------------------------------- fitted model
def test_fitted_toy_model_attributes(quadratic_gan: PriceGAN) -> None:
    gan = quadratic_gan
    assert gan.columns == PRESET_COLUMNS["quadratic"]
    assert gan.train_data.shape == (gan.config.train_size, 2)
    assert gan.test_data.shape == (gan.config.test_size, 2)
    assert isinstance(gan.train_data.index, pd.RangeIndex)
    assert not np.allclose(gan.train_data.to_numpy()[:100], gan.test_data.to_numpy()[:100])
    assert len(gan.data_fingerprint) == 64
    assert gan.train_seconds > 0


def test_sample_is_deterministic_chunked_and_in_original_units(quadratic_gan: PriceGAN,
                                                                monkeypatch) -> None:
    import tsgan.api

    a = quadratic_gan.sample(1000, seed=7)
    assert list(a.columns) == ["x", "y"] and len(a) == 1000
    assert a.equals(quadratic_gan.sample(1000, seed=7))
    assert not a.equals(quadratic_gan.sample(1000, seed=8))
    monkeypatch.setattr(tsgan.api, "SAMPLE_CHUNK", 300)  # chunking does not change the rows
    assert np.allclose(a.to_numpy(), quadratic_gan.sample(1000, seed=7).to_numpy(), atol=1e-6)
    with pytest.raises(TsganError):
        quadratic_gan.sample(0)


def test_discriminate_returns_probabilities(quadratic_gan: PriceGAN) -> None:
    p = quadratic_gan.discriminate(quadratic_gan.test_data.head(50))
    assert p.shape == (50,) and np.all((p >= 0) & (p <= 1))
    assert np.allclose(p, quadratic_gan.discriminate(quadratic_gan.test_data.head(50).to_numpy()))


def test_unfitted_model_refuses_to_sample() -> None:
    with pytest.raises(TsganError, match="not trained"):
        PriceGAN("quadratic").sample(3)


def test_smard_fit_splits_whole_weeks(smard_gan: PriceGAN) -> None:
    gan = smard_gan
    assert gan.data_source == "bundled SMARD DE-LU"
    assert list(gan.train_data.columns) == PRESET_COLUMNS["smard"]
    assert isinstance(gan.train_data.index, pd.DatetimeIndex)
    weeks = lambda f: set(((f.index - pd.Timestamp("1970-01-05")).days // 7) % 5)  # noqa: E731
    assert weeks(gan.test_data) == {0} and 0 not in weeks(gan.train_data)
    days = gan.sample(20, seed=0)
    assert days.shape == (20, 24) and np.isfinite(days.to_numpy()).all()
    assert gan.snapshots["samples"].shape[1:] == (gan.config.snapshot_size, 24)


# --------------------------------------------------------------------------- run directory
def test_save_load_round_trip(quadratic_gan: PriceGAN, saved_quadratic_run: Path) -> None:
    run = saved_quadratic_run
    for name in ("config.json", "generator.keras", "discriminator.keras", "scaler.json",
                 "history.csv", "data.npz", "snapshots.npz"):
        assert (run / name).is_file(), name
    assert not [p for p in run.iterdir() if p.name.startswith(".")]  # no temp files left
    record = json.loads((run / "config.json").read_text())
    assert record["format_version"] == 1 and record["preset"] == "quadratic"
    assert record["data"]["fingerprint"] == quadratic_gan.data_fingerprint
    assert {"python", "tensorflow", "keras", "numpy", "pandas"} <= set(record["versions"])
    assert record["seed"] == 3 and record["train_seconds"] > 0 and record["created_utc"]
    loaded = load(run)
    assert loaded.config == quadratic_gan.config
    assert loaded.sample(500, seed=11).equals(quadratic_gan.sample(500, seed=11))
    np.testing.assert_array_equal(loaded.discriminate(loaded.test_data.head(20)),
                                  quadratic_gan.discriminate(quadratic_gan.test_data.head(20)))
    pd.testing.assert_frame_equal(loaded.train_data, quadratic_gan.train_data)
    pd.testing.assert_frame_equal(loaded.history, quadratic_gan.history, check_dtype=False)
    np.testing.assert_array_equal(loaded.snapshots["samples"],
                                  quadratic_gan.snapshots["samples"])


def test_smard_save_load_keeps_dates(smard_gan: PriceGAN, tmp_path: Path) -> None:
    smard_gan.save(tmp_path / "run")
    loaded = load(tmp_path / "run")
    pd.testing.assert_frame_equal(loaded.test_data, smard_gan.test_data, check_freq=False)
    assert loaded.sample(10, seed=1).equals(smard_gan.sample(10, seed=1))


def test_a_second_fit_records_the_second_fits_data(tmp_path: Path) -> None:
    """Each fit starts from a fresh state: the record names the data of the latest fit."""
    from tsgan.api import fingerprint
    from tsgan.data.sources import load_days, write_days

    days = load_days(None)
    half = len(days) // 2
    files = [tmp_path / "first.csv", tmp_path / "second.csv"]
    write_days(days.iloc[:half], files[0])
    write_days(days.iloc[half:], files[1])
    gan = PriceGAN("smard", iterations=2, snapshot_every=0, select_every=0,
                   marginal_calibration=False)
    records = []
    for i, path in enumerate(files):
        gan.fit(load_days(path), source=str(path))
        gan.save(tmp_path / f"run{i}")
        records.append(json.loads((tmp_path / f"run{i}" / "config.json").read_text()))
    assert [r["data"]["source"] for r in records] == [str(f) for f in files]
    second = load_days(files[1])
    assert gan.train_data.index.min() >= second.index.min()  # only the second file's days
    assert records[1]["data"]["fingerprint"] == fingerprint(gan.train_data.to_numpy(),
                                                            gan.test_data.to_numpy())
    assert records[0]["data"]["fingerprint"] != records[1]["data"]["fingerprint"]
    assert load(tmp_path / "run1").data_source == str(files[1])
    # without a source the record says what the data were, again per fit
    assert gan.fit(second).data_source == "DataFrame"
    assert gan.fit().data_source == "bundled SMARD DE-LU"


def test_config_and_fitted_state_are_apart(quadratic_gan: PriceGAN) -> None:
    from tsgan.runs import RunState

    fresh = PriceGAN("quadratic")
    assert isinstance(fresh.state, RunState) and fresh.train_data is None
    assert list(fresh.history.columns) == ["step", "d_loss", "g_loss", "d_acc_real",
                                           "d_acc_fake"] and fresh.snapshots == {}
    assert fresh.columns == ["x", "y"] and fresh.data_source is None
    assert quadratic_gan.history is quadratic_gan.state.history
    with pytest.raises(AttributeError):
        quadratic_gan.train_data = None  # fitted state is read-only; fit() replaces it
    same = PriceGAN.from_state(quadratic_gan.config, quadratic_gan.state)
    assert same.sample(5, seed=1).equals(quadratic_gan.sample(5, seed=1))


def _copy(run: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(run, target)
    return target


def _load_error(path: Path) -> str:
    with pytest.raises(TsganError) as info:
        load(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_load_errors(saved_quadratic_run: Path, tmp_path: Path) -> None:
    assert "does not exist" in _load_error(tmp_path / "nowhere")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("hello")
    assert "config.json missing" in _load_error(tmp_path / "foreign")
    (tmp_path / "foreign" / "config.json").write_text('{"model": "someone else\'s"}')
    assert "not a tsgan run" in _load_error(tmp_path / "foreign")

    run = _copy(saved_quadratic_run, tmp_path)
    config_path = run / "config.json"
    good = config_path.read_text()
    config_path.write_text(good[: len(good) // 2])
    assert "corrupt" in _load_error(run)
    record = json.loads(good)
    record["format_version"] = 99
    config_path.write_text(json.dumps(record))
    assert "format_version 99" in _load_error(run)
    config_path.write_text(good)

    (run / "generator.keras").rename(run / "g.bak")
    assert "missing generator.keras" in _load_error(run)
    (run / "g.bak").write_bytes(b"not a zip archive")
    (run / "g.bak").rename(run / "generator.keras")
    assert "generator.keras is corrupt" in _load_error(run)
    data = (run / "discriminator.keras").read_bytes()
    (run / "generator.keras").write_bytes(data[: len(data) // 2])
    assert "generator.keras is corrupt" in _load_error(run)
    shutil.copy(saved_quadratic_run / "generator.keras", run / "generator.keras")
    (run / "scaler.json").write_text("{")
    assert "scaler.json is corrupt" in _load_error(run)


def test_load_rejects_mismatched_models(saved_quadratic_run: Path, tmp_path: Path) -> None:
    run = _copy(saved_quadratic_run, tmp_path)
    shutil.copy(run / "discriminator.keras", run / "generator.keras")
    assert "inconsistent" in _load_error(run)
