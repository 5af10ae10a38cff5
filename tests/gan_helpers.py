"""Shared checks for GAN steps: weight snapshots and the frozen-network contract."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf


def weight_values(model: keras.Model) -> list[np.ndarray]:
    """All weights, trainable and not (batch-norm moving mean/variance included)."""
    return [np.array(w.numpy(), copy=True) for w in model.weights]


def changed(before: list[np.ndarray], model: keras.Model) -> int:
    """How many of ``model``'s weights differ from the snapshot ``before``."""
    return sum(not np.array_equal(a, b)
               for a, b in zip(before, weight_values(model), strict=True))


def assert_generator_step_freezes_discriminator(gan: Any, noise: tf.Tensor,
                                                *condition: tf.Tensor) -> None:
    """Two compiled generator steps: every D weight bit-identical, G did learn."""
    d_before, g_before = weight_values(gan.discriminator), weight_values(gan.generator)
    step = tf.function(gan.generator_step)
    step(noise, *condition)
    step(noise, *condition)
    assert changed(d_before, gan.discriminator) == 0
    assert changed(g_before, gan.generator) > 0


def assert_discriminator_step_freezes_generator(gan: Any, real: tf.Tensor, noise: tf.Tensor,
                                                *condition: tf.Tensor) -> None:
    """Two compiled discriminator (critic) steps: every G weight bit-identical, D learned."""
    d_before, g_before = weight_values(gan.discriminator), weight_values(gan.generator)
    step = tf.function(gan.discriminator_step)
    step(real, noise, *condition)
    step(real, noise, *condition)
    assert changed(g_before, gan.generator) == 0
    assert changed(d_before, gan.discriminator) > 0


def assert_train_step_updates_both(gan: Any, rows: tf.Tensor) -> dict[str, Any]:
    """One compiled train step: the metrics in order, finite, accuracies in [0, 1], and both
    networks changed. Returns the logs."""
    from tsgan.model.gan import METRIC_NAMES

    d_before, g_before = weight_values(gan.discriminator), weight_values(gan.generator)
    logs = tf.function(gan.train_step)(rows)
    assert list(logs) == list(METRIC_NAMES)
    assert all(np.isfinite(float(v)) for v in logs.values())
    assert 0.0 <= float(logs["d_acc_real"]) <= 1.0
    assert 0.0 <= float(logs["d_acc_fake"]) <= 1.0
    assert changed(d_before, gan.discriminator) > 0
    assert changed(g_before, gan.generator) > 0
    return logs
