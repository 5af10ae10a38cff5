"""Discriminator options of tsgan.model.networks: build, train a few steps, save, load safely."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from tsgan.errors import TsganError
from tsgan.model.config import NetworkConfig
from tsgan.model.gan import GAN
from tsgan.model.networks import (
    MinibatchStddev,
    build_discriminator,
    build_generator,
    build_optimizer,
    shape_matrix,
)
from tsgan.model.presets import preset_config

OPTIONS = {
    "shape": {"shape_features": True},
    "conv": {"conv_filters": [4, 4]},
    "mbstd": {"minibatch_stddev": True},
    "sn": {"spectral_norm": True},
    "all": {"shape_features": True, "conv_filters": [4], "minibatch_stddev": True,
            "spectral_norm": True},
}


def _config(disc: dict, **kw):
    # a noise-only generator: these tests build the GAN by hand, without anchor days
    return preset_config("smard", iterations=4, batch_size=16, anchor_neighbours=0,
                         generator={"units": [16]}, discriminator={"units": [16, 8], **disc},
                         **kw)


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_option_trains_saves_and_loads_identically(name: str, tmp_path: Path) -> None:
    keras.utils.set_random_seed(0)
    config = _config(OPTIONS[name])
    generator, disc = build_generator(config, 24), build_discriminator(config, 24)
    gan = GAN(generator, disc, config.latent_dim, seed=0)
    gan.compile(build_optimizer(config, 1e-3), build_optimizer(config, 1e-3))
    real = np.random.default_rng(0).normal(size=(64, 24)).astype(np.float32)
    before = [w.copy() for w in disc.get_weights()]
    gan.fit(real, batch_size=16, epochs=1, verbose=0)
    assert any(not np.allclose(a, b) for a, b in zip(before, disc.get_weights(), strict=True))
    path = tmp_path / "d.keras"
    disc.save(path)
    loaded = keras.models.load_model(path, safe_mode=True, compile=False)
    x = np.random.default_rng(1).normal(size=(10, 24)).astype(np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), disc.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    assert not any(type(layer).__name__ == "Lambda" for layer in loaded.layers)


def test_shape_features_layer_is_fixed_and_correct() -> None:
    config = _config({"shape_features": True})
    disc = build_discriminator(config, 24)
    layer = disc.get_layer("discriminator_shape")
    assert not layer.trainable and layer.trainable_weights == []
    x = np.random.default_rng(2).normal(size=(3, 24))
    out = x @ shape_matrix(24)
    np.testing.assert_allclose(out[:, :23], np.diff(x, axis=1), atol=1e-5)
    np.testing.assert_allclose(out[:, 23:], x - x.mean(axis=1, keepdims=True), atol=1e-5)


def test_minibatch_stddev_groups_and_odd_batches() -> None:
    layer = MinibatchStddev(group_size=2)
    x = np.array([[0.0, 0.0], [2.0, 2.0], [5.0, 5.0], [5.0, 5.0], [1.0, 3.0]], np.float32)
    out = keras.ops.convert_to_numpy(layer(x))
    assert out.shape == (5, 3)
    np.testing.assert_allclose(out[:, :2], x)
    # groups (0, 1): std 1; (2, 3): std 0; (4, pad with row 0): std mean(0.5, 1.5) = 1
    np.testing.assert_allclose(out[:, 2], [1.0, 1.0, 0.0, 0.0, 1.0], atol=1e-3)


def test_defaults_unchanged_and_generator_rejects_options() -> None:
    net = NetworkConfig()
    assert not (net.shape_features or net.conv_filters or net.minibatch_stddev
                or net.spectral_norm)
    config = preset_config("smard", generator={"minibatch_stddev": True})
    with pytest.raises(TsganError, match="discriminator-only"):
        build_generator(config, 24)
    with pytest.raises(TsganError, match="conv_filters"):
        build_discriminator(_config({"conv_filters": [0]}), 24)


def test_config_round_trip_keeps_options() -> None:
    config = _config(OPTIONS["all"])
    again = type(config).from_dict(config.to_dict())
    assert again.discriminator.conv_filters == [4]
    assert again.discriminator.minibatch_stddev and again.discriminator.spectral_norm


def test_run_with_custom_layer_loads_in_a_fresh_process(tmp_path) -> None:
    """A run whose discriminator uses tsgan's registered layer loads without prior imports."""
    import subprocess
    import sys

    from tsgan.api import PriceGAN

    run = tmp_path / "run"
    PriceGAN("smard", iterations=20, snapshot_every=0, log_every=10, steps_per_execution=10,
             discriminator={"minibatch_stddev": True, "shape_features": True}).fit().save(run)
    code = ("import sys; from tsgan.api import load; m = load(sys.argv[1]); "
            "print(m.discriminate(m.test_data.head(3)).shape)")
    result = subprocess.run([sys.executable, "-c", code, str(run)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "(3,)"
