"""WGAN-GP: validation, frozen-network steps, the gradient penalty, a tiny smard run."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.gan_helpers import (
    assert_discriminator_step_freezes_generator,
    assert_generator_step_freezes_discriminator,
    assert_train_step_updates_both,
)
from tsgan.errors import TsganError
from tsgan.model.config import GANConfig, NetworkConfig
from tsgan.model.gan import GAN, METRIC_NAMES
from tsgan.model.networks import build_discriminator, build_generator, build_optimizer


def _config(**d_options: object) -> GANConfig:
    keras.utils.set_random_seed(0)
    return GANConfig(
        preset="quadratic", latent_dim=4, loss="wgan-gp", critic_steps=3,
        generator=NetworkConfig(units=[8, 8], activation="tanh", batch_norm=True, dropout=0.1),
        discriminator=NetworkConfig(units=[8], activation="leaky_relu", dropout=0.1,
                                    output_activation="linear", **d_options),
        learning_rate=0.01,
    ).validate()


def _gan(**d_options: object) -> GAN:
    """G with batch norm and dropout (moving statistics checked too); a linear-output critic."""
    config = _config(**d_options)
    gan = GAN(build_generator(config, 3), build_discriminator(config, 3), 4, loss="wgan-gp",
              critic_steps=config.critic_steps, gp_weight=config.gp_weight, seed=0)
    gan.compile(d_optimizer=build_optimizer(config, 0.01),
                g_optimizer=build_optimizer(config, 0.01))
    return gan


@pytest.mark.parametrize("d_options", [{}, {"spectral_norm": True, "minibatch_stddev": True,
                                            "shape_features": True}])
def test_generator_step_leaves_critic_bit_identical(d_options: dict) -> None:
    gan = _gan(**d_options)
    noise = tf.random.stateless_normal((32, 4), seed=[1, 2])
    assert_generator_step_freezes_discriminator(gan, noise)


@pytest.mark.parametrize("d_options", [{}, {"spectral_norm": True, "minibatch_stddev": True,
                                            "shape_features": True}])
def test_critic_step_leaves_generator_bit_identical(d_options: dict) -> None:
    gan = _gan(**d_options)
    real = tf.random.stateless_normal((32, 3), seed=[3, 4])
    noise = tf.random.stateless_normal((32, 4), seed=[5, 6])
    assert_discriminator_step_freezes_generator(gan, real, noise)


def test_train_step_runs_critic_steps_and_returns_metrics() -> None:
    gan = _gan()
    assert_train_step_updates_both(gan, tf.random.stateless_normal((16, 3), seed=[7, 8]))
    assert int(gan.d_optimizer.iterations) == 3 and int(gan.g_optimizer.iterations) == 1


def _linear_critic(w: np.ndarray) -> keras.Model:
    inputs = keras.Input((len(w),))
    layer = keras.layers.Dense(1, activation="linear", use_bias=True)
    model = keras.Model(inputs, layer(inputs))
    layer.set_weights([w.reshape(-1, 1).astype(np.float32), np.array([0.7], np.float32)])
    return model


@pytest.mark.parametrize(("scale", "zero"), [(1.0, True), (3.0, False), (0.2, False)])
def test_gradient_penalty_is_zero_exactly_for_unit_norm_linear_critic(scale: float,
                                                                     zero: bool) -> None:
    w = np.array([1.0, -2.0, 2.0, 4.0]) / 5.0 * scale  # ‖w‖ = scale
    critic = _linear_critic(w)
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])
    gan = GAN(generator, critic, 2, loss="wgan-gp", seed=0)
    real = tf.random.stateless_normal((16, 4), seed=[1, 1])
    fake = tf.random.stateless_normal((16, 4), seed=[2, 2])
    penalty = gan.gradient_penalty(real, fake).numpy()
    assert penalty.shape == (16,)
    if zero:
        np.testing.assert_allclose(penalty, 0.0, atol=1e-10)
    else:
        np.testing.assert_allclose(penalty, (scale - 1.0) ** 2, rtol=1e-5)


def test_critic_loss_is_global_batch_mean_with_penalty() -> None:
    """d_loss = mean(D(fake) − D(real)) + gp_weight · mean(GP) on the pre-update critic."""
    w = np.array([3.0, 0.0, 4.0])  # ‖w‖ = 5 → per-example penalty 16
    critic = _linear_critic(w)
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    gan = GAN(generator, critic, 2, loss="wgan-gp", gp_weight=10.0, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    real = tf.random.stateless_normal((8, 3), seed=[3, 3])
    noise = tf.random.stateless_normal((8, 2), seed=[4, 4])
    fake = generator(noise).numpy()
    expected = float(np.mean(fake @ w - real.numpy() @ w) + 10.0 * 16.0)
    logs = gan.discriminator_step(real, noise)
    assert float(logs["d_loss"]) == pytest.approx(expected, rel=1e-4)
    scores = critic(generator(noise)).numpy().ravel()  # the loss precedes G's update
    g_loss = float(gan.generator_step(noise)["g_loss"])
    assert g_loss == pytest.approx(-float(np.mean(scores)), rel=1e-4)


def test_wgan_gp_validation() -> None:
    with pytest.raises(TsganError, match="linear"):
        GANConfig(loss="wgan-gp",
                  discriminator=NetworkConfig(output_activation="sigmoid")).validate()
    with pytest.raises(TsganError, match="batch"):
        GANConfig(loss="wgan-gp", discriminator=NetworkConfig(batch_norm=True)).validate()
    with pytest.raises(TsganError, match="critic_steps"):
        GANConfig(loss="wgan-gp", critic_steps=0).validate()
    with pytest.raises(TsganError, match="gp_weight"):
        GANConfig(loss="wgan-gp", gp_weight=-1.0).validate()
    with pytest.raises(TsganError, match="label_smoothing"):
        GANConfig(loss="wgan-gp", label_smoothing=0.1).validate()
    assert GANConfig(loss="bce", discriminator=NetworkConfig(batch_norm=True)).validate()
    # and at GAN construction, for networks built by hand
    config = GANConfig(discriminator=NetworkConfig(output_activation="sigmoid"))
    generator = build_generator(config, 3)
    with pytest.raises(TsganError, match="linear"):
        GAN(generator, build_discriminator(config, 3), 32, loss="wgan-gp")
    config = GANConfig(discriminator=NetworkConfig(batch_norm=True))
    with pytest.raises(TsganError, match="batch"):
        GAN(generator, build_discriminator(config, 3), 32, loss="wgan-gp")


def test_tiny_smard_wgan_gp_trains_saves_and_loads(tmp_path) -> None:
    from tsgan.api import PriceGAN, load

    gan = PriceGAN("smard", loss="wgan-gp", iterations=50, log_every=25,
                   steps_per_execution=25, snapshot_every=0, seed=0).fit()
    history = gan.history
    assert len(history) >= 1
    assert np.isfinite(history[list(METRIC_NAMES)].to_numpy()).all()
    samples = gan.sample(20, seed=1)
    assert np.isfinite(samples.to_numpy()).all()
    again = load(gan.save(tmp_path / "run"))
    assert again.config.loss == "wgan-gp" and again.config.critic_steps == 5
    np.testing.assert_array_equal(again.sample(20, seed=1).to_numpy(), samples.to_numpy())
