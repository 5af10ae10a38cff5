"""The GAN model: frozen-network steps, loss scaling and metrics."""

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
from tsgan.model.config import GANConfig, NetworkConfig
from tsgan.model.gan import GAN
from tsgan.model.networks import build_discriminator, build_generator, build_optimizer


def _gan(output: str = "sigmoid", bn: bool = True, dropout: float = 0.1) -> GAN:
    """Both networks with batch norm and dropout, so moving statistics are checked too."""
    keras.utils.set_random_seed(0)
    config = GANConfig(
        preset="quadratic", latent_dim=4,
        generator=NetworkConfig(units=[8, 8], activation="tanh", batch_norm=bn, dropout=dropout),
        discriminator=NetworkConfig(units=[8], activation="relu", batch_norm=bn, dropout=dropout,
                                    output_activation=output),
        learning_rate=0.01,
    ).validate()
    gan = GAN(build_generator(config, 3), build_discriminator(config, 3), 4, seed=0)
    gan.compile(d_optimizer=build_optimizer(config, 0.01),
                g_optimizer=build_optimizer(config, 0.01))
    return gan


@pytest.mark.parametrize("output", ["sigmoid", "linear"])
def test_generator_step_leaves_discriminator_bit_identical(output: str) -> None:
    gan = _gan(output)
    noise = tf.random.stateless_normal((32, 4), seed=[1, 2])
    assert_generator_step_freezes_discriminator(gan, noise)  # and the generator did learn


@pytest.mark.parametrize("output", ["sigmoid", "linear"])
def test_discriminator_step_leaves_generator_bit_identical(output: str) -> None:
    gan = _gan(output)
    real = tf.random.stateless_normal((32, 3), seed=[3, 4])
    noise = tf.random.stateless_normal((32, 4), seed=[5, 6])
    assert_discriminator_step_freezes_generator(gan, real, noise)


def test_train_step_updates_both_and_returns_metrics() -> None:
    assert_train_step_updates_both(_gan(), tf.random.stateless_normal((16, 3), seed=[7, 8]))


def test_losses_are_global_batch_means_of_the_bce_objective() -> None:
    """With the default strategy the loss is the plain mean of per-example BCE terms."""
    gan = _gan("linear", bn=False, dropout=0.0)
    noise = tf.random.stateless_normal((8, 4), seed=[9, 9])
    logits = gan.discriminator(gan.generator(noise)).numpy().ravel().astype(np.float64)
    expected = np.mean(np.log1p(np.exp(-logits)))  # mean of -log sigmoid(logit)
    loss = float(gan.generator_step(noise)["g_loss"])  # the loss precedes the update
    assert loss == pytest.approx(expected, rel=1e-5)
    # a sigmoid-output D (probabilities) gives the same per-example losses as a linear one
    probs = 1.0 / (1.0 + np.exp(-logits))
    prob_gan = _gan("sigmoid", bn=False, dropout=0.0)
    assert gan.from_logits and not prob_gan.from_logits
    for target in (1.0, 0.0):
        logit_loss = gan.per_example_bce(target, tf.constant(logits, tf.float32)).numpy()
        prob_loss = prob_gan.per_example_bce(target, tf.constant(probs, tf.float32)).numpy()
        np.testing.assert_allclose(prob_loss, logit_loss, rtol=1e-4, atol=1e-6)


def test_non_saturating_generator_loss_stays_finite_for_confident_discriminator() -> None:
    """Logit loss is stable for extreme logits (no log(0))."""
    gan = _gan("linear", bn=False)
    out = tf.constant([[-200.0], [0.0], [200.0]])
    values = gan.per_example_bce(1.0, out).numpy()
    assert np.all(np.isfinite(values))
    assert values[0] == pytest.approx(200.0)
