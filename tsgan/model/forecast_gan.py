"""The forecast GAN: a conditional GAN for p(day D | what is known before D's auction).

Everything lives in the scaled space of the linear core (:mod:`tsgan.model.linear`,
``asinh(price / s)``). The generator draws the *residual* around the core's point forecast,
``G(z | c) = loc(c) + exp(tanh(scale(c) / 2)) · f(z)``: a shape network ``f`` turns Gaussian
noise into a 24-hour residual pattern and two small networks of the condition ``c`` shift it and
stretch it hour by hour (between e^-1 and e^1). The noise pattern cannot see the condition, so G
cannot memorise the residual of a training day from its condition; the condition still moves the
centre and the spread (heteroscedasticity: volatile days get wider scenarios).

The discriminator sees the residual together with the same condition. Each ``train_step``
updates D on real and generated residuals, then updates G with gradients over
``generator.trainable_weights`` only (D is frozen for that step, the Keras 3 way). G's loss is
``adversarial_weight · BCE(D(G(z|c), c), real) + energy_weight · ES``, where ES is the energy
score of ``energy_members`` generated residuals per training day against that day's real
residual: a proper scoring rule, so its minimum is the true conditional distribution. Gaussian
noise of standard deviation ``condition_noise`` on the standardised conditions (both players)
keeps the networks from keying on single training days. Losses are averaged with
:func:`tf.nn.compute_average_loss`-style global means (per-example, then mean).
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


def _mlp(inputs: Any, units: list[int], name: str) -> Any:
    hidden = inputs
    for i, width in enumerate(units):
        hidden = keras.layers.Dense(width, kernel_initializer="he_uniform",
                                    name=f"{name}_dense{i}")(hidden)
        hidden = keras.layers.LeakyReLU(negative_slope=0.2, name=f"{name}_act{i}")(hidden)
    return hidden


@keras.saving.register_keras_serializable(package="tsgan")
class BoundedScale(keras.layers.Layer):
    """``exp(tanh(x / 2))``: a positive per-hour stretch between e^-1 and e^1."""

    def call(self, x: Any) -> Any:
        return keras.ops.exp(keras.ops.tanh(x / 2.0))


def build_generator(latent_dim: int, condition_dim: int, units: list[int],
                    condition_units: list[int]) -> keras.Model:
    """G(z, c) → 24 residuals: ``loc(c) + exp(tanh(scale(c)/2)) · f(z)``."""
    noise = keras.Input((latent_dim,), name="noise")
    condition = keras.Input((condition_dim,), name="condition")
    shape = keras.layers.Dense(24, name="shape_out")(_mlp(noise, units, "shape"))
    loc = keras.layers.Dense(24, name="loc_out")(_mlp(condition, condition_units, "loc"))
    raw_scale = keras.layers.Dense(24, name="scale_out")(
        _mlp(condition, condition_units, "scale"))
    stretch = BoundedScale(name="stretch")(raw_scale)
    out = keras.layers.Add(name="residual")([loc, keras.layers.Multiply()([stretch, shape])])
    return keras.Model([noise, condition], out, name="generator")


def build_discriminator(condition_dim: int, units: list[int]) -> keras.Model:
    """D(residual, c) → one logit."""
    residual = keras.Input((24,), name="residual")
    condition = keras.Input((condition_dim,), name="condition")
    joined = keras.layers.Concatenate()([residual, condition])
    logit = keras.layers.Dense(1, name="logit")(_mlp(joined, units, "disc"))
    return keras.Model([residual, condition], logit, name="discriminator")


def energy_score(members: Any, observed: Any) -> Any:
    """Per-example energy score of ``members`` (b, m, 24) against ``observed`` (b, 24),
    unbiased form: mean ‖X − y‖ − ½ mean over pairs i ≠ j of ‖X_i − X_j‖."""
    eps = 1e-8
    to_obs = tf.sqrt(tf.reduce_sum(tf.square(members - observed[:, None]), -1) + eps)
    pair = members[:, :, None] - members[:, None]
    between = tf.sqrt(tf.reduce_sum(tf.square(pair), -1) + eps)
    m = tf.cast(tf.shape(members)[1], members.dtype)
    diagonal = m * tf.sqrt(tf.constant(eps, members.dtype))
    spread = (tf.reduce_sum(between, [1, 2]) - diagonal) / (m * (m - 1.0))
    return tf.reduce_mean(to_obs, 1) - 0.5 * spread


class ForecastGANModel(keras.Model):
    """Generator + discriminator with the adversarial + energy-score objective (see module)."""

    def __init__(self, generator: keras.Model, discriminator: keras.Model, latent_dim: int,
                 adversarial_weight: float, energy_weight: float, energy_members: int,
                 condition_noise: float, ema_decay: float, seed: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.adversarial_weight = float(adversarial_weight)
        self.energy_weight = float(energy_weight)
        self.energy_members = int(energy_members)
        self.condition_noise = float(condition_noise)
        self.ema_decay = float(ema_decay)
        self.seed_generator = keras.random.SeedGenerator(seed)
        #: the exponential moving average of G's weights (what forecasts sample from)
        self.average = keras.models.clone_model(generator)
        self.average.set_weights(generator.get_weights())

    def compile(self, d_optimizer: keras.optimizers.Optimizer,
                g_optimizer: keras.optimizers.Optimizer, **kwargs: Any) -> None:
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer

    def _noise(self, rows: Any) -> Any:
        return keras.random.normal((rows, self.latent_dim), seed=self.seed_generator)

    def train_step(self, data: Any) -> dict[str, Any]:
        condition, residual = data
        rows = tf.shape(condition)[0]
        condition = condition + self.condition_noise * keras.random.normal(
            tf.shape(condition), seed=self.seed_generator)
        bce = tf.nn.sigmoid_cross_entropy_with_logits
        fake = self.generator([self._noise(rows), condition], training=False)
        with tf.GradientTape() as tape:
            real_logit = self.discriminator([residual, condition], training=True)
            fake_logit = self.discriminator([fake, condition], training=True)
            d_loss = tf.reduce_mean(bce(tf.ones_like(real_logit), real_logit)
                                    + bce(tf.zeros_like(fake_logit), fake_logit))
        d_vars = self.discriminator.trainable_weights
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, d_vars), d_vars, strict=True))

        m = self.energy_members
        repeated = tf.repeat(condition, m, axis=0)
        with tf.GradientTape() as tape:
            members = self.generator([self._noise(rows * m), repeated], training=True)
            logit = self.discriminator([members, repeated], training=False)
            adversarial = tf.reduce_mean(bce(tf.ones_like(logit), logit))
            energy = tf.reduce_mean(energy_score(tf.reshape(members, (rows, m, 24)), residual))
            g_loss = self.adversarial_weight * adversarial + self.energy_weight * energy
        g_vars = self.generator.trainable_weights  # D is frozen: only G's weights move
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_vars), g_vars, strict=True))
        # TensorFlow's num_updates warm-up: early averages forget the random start quickly
        step = tf.cast(self.g_optimizer.iterations, tf.float32)
        decay = tf.minimum(self.ema_decay, (1.0 + step) / (10.0 + step))
        for average, live in zip(self.average.weights, self.generator.weights, strict=True):
            average.assign(decay * average + (1.0 - decay) * live)
        return {"d_loss": d_loss, "g_adversarial": adversarial, "g_energy": energy}
