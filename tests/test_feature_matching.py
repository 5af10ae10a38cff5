"""Feature matching: the term's value, the frozen D, validation, a real run."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.gan_helpers import assert_generator_step_freezes_discriminator
from tsgan.api import PriceGAN, load
from tsgan.errors import TsganError
from tsgan.model.config import GANConfig, NetworkConfig
from tsgan.model.gan import GAN
from tsgan.model.networks import build_discriminator, build_generator, build_optimizer


def _gan(weight: float, condition_dim: int = 0, **d_options: object) -> GAN:
    keras.utils.set_random_seed(0)
    config = GANConfig(
        preset="smard", latent_dim=4,
        generator=NetworkConfig(units=[8], activation="tanh"),
        discriminator=NetworkConfig(units=[6, 5], activation="relu", **d_options),
        feature_matching=weight,
    ).validate()
    gan = GAN(build_generator(config, 3, condition_dim),
              build_discriminator(config, 3, condition_dim), 4, seed=0,
              condition_dim=condition_dim, feature_matching=weight)
    gan.compile(d_optimizer=build_optimizer(config, 0.01),
                g_optimizer=build_optimizer(config, 0.01))
    return gan


def _last_hidden(gan: GAN, x: np.ndarray, *condition: np.ndarray) -> np.ndarray:
    """D's last hidden layer computed layer by layer from its weights (plain numpy)."""
    dense = [layer for layer in gan.discriminator.layers
             if isinstance(layer, keras.layers.Dense)][:-1]
    h = np.hstack([x, *condition]).astype(np.float64)
    for layer in dense:
        kernel, bias = (w.numpy().astype(np.float64) for w in layer.weights)
        h = np.maximum(h @ kernel + bias, 0.0)
    return h


@pytest.mark.parametrize("condition_dim", [0, 2])
def test_feature_matching_loss_is_the_mean_squared_gap_of_mean_features(
        condition_dim: int) -> None:
    gan = _gan(1.0, condition_dim)
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(16, 3)), rng.normal(1.0, 2.0, size=(16, 3))
    condition = [rng.normal(size=(16, condition_dim))] if condition_dim else []
    expected = np.mean((_last_hidden(gan, real, *condition).mean(0)
                        - _last_hidden(gan, fake, *condition).mean(0)) ** 2)
    args = [tf.constant(a, tf.float32) for a in (real, fake, *condition)]
    got = float(gan.feature_matching_loss(*args))
    assert expected > 0
    assert got == pytest.approx(expected, rel=1e-5)


def test_generator_loss_adds_the_weighted_term_and_d_stays_frozen() -> None:
    gan = _gan(3.0, minibatch_stddev=True)
    noise = tf.random.stateless_normal((16, 4), seed=[1, 2])
    real = tf.random.stateless_normal((16, 3), seed=[3, 4])
    fake = gan.generate(noise)
    logits = gan.score(fake).numpy().ravel().astype(np.float64)
    adversarial = np.mean(np.log1p(np.exp(-logits)))
    term = float(gan.feature_matching_loss(real, fake))
    loss = float(gan.generator_step(noise, None, real)["g_loss"])  # loss precedes the update
    assert loss == pytest.approx(adversarial + 3.0 * term, rel=1e-5)
    assert_generator_step_freezes_discriminator(gan, noise, None, real)


def test_feature_matching_needs_the_real_batch() -> None:
    gan = _gan(1.0)
    with pytest.raises(ValueError, match="needs the real batch"):
        gan.generator_step(tf.zeros((4, 4)))


@pytest.mark.parametrize("value", [-1.0, "big", True, float("inf"), float("nan")])
def test_bad_feature_matching_weight_is_one_line_error(value: object) -> None:
    with pytest.raises(TsganError, match="feature_matching must be") as info:
        PriceGAN("smard", feature_matching=value)
    assert "\n" not in str(info.value)


def test_tiny_smard_run_with_feature_matching_trains_saves_and_loads(tmp_path) -> None:
    model = PriceGAN("smard", iterations=200, feature_matching=1.0, snapshot_every=0).fit()
    assert np.isfinite(model.history[["d_loss", "g_loss"]].to_numpy()).all()
    model.save(tmp_path / "run")
    loaded = load(tmp_path / "run")
    assert loaded.config.feature_matching == 1.0
    assert np.array_equal(model.sample(20, seed=0).to_numpy(),
                          loaded.sample(20, seed=0).to_numpy())


@pytest.mark.parametrize("d_options", [{"spectral_norm": True, "output_activation": "sigmoid"},
                                       {"minibatch_stddev": True}, {}])
def test_features_are_the_input_of_the_output_layer(d_options: dict) -> None:
    gan = _gan(1.0, **d_options)
    width = 5 + (1 if d_options.get("minibatch_stddev") else 0)
    assert gan.features is not None
    assert gan.features(np.zeros((4, 3), np.float32)).shape == (4, width)
