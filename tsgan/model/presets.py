"""Presets: the documented cases tsgan reproduces, and the toy data samplers.

* ``quadratic`` — the 1-D function tutorial: points (x, x²), x ~ U[-0.5, 0.5]. D: Dense(25,
  relu, he_uniform) → Dense(1, sigmoid), Adam, binary cross-entropy. G: latent 5 ~ N(0, 1) →
  Dense(15, relu, he_uniform) → Dense(2, linear). 64 real + 64 generated points per
  discriminator update, 10,000 iterations, a snapshot (and D's accuracy) every 2,000.
  XLA-compiled chunks (``jit_compile``): ≈ 0.07 ms per iteration instead of ≈ 0.25-0.4 on
  2 CPU cores, for ≈ 3-4 s more compilation.
* ``heights`` — the 1-D heights tutorial: N(69, 3) inches. G: 5 hidden layers of 10 tanh
  units with batch normalisation and dropout, linear output. D: 3 hidden layers of 2 tanh
  units, sigmoid output. Plain gradient descent, learning rate 0.005 decaying (x0.95) every
  100 steps, batch 200, standard scaling. No XLA (0.72 instead of 1.39 ms per step, but
  ≈ 11 s of compilation for batch norm and dropout).
* ``smard`` (default) — 24 hourly prices per day, asinh-scaled, a conditional MLP GAN:
  G (32 noise + 24 anchor) → 128 → 128 → 128 → 24 and D 24 → 256 → 128 → 1 (logits),
  LeakyReLU(0.2), Adam (5e-4, beta_1 0.5), batch 64, 20,000 iterations (timings:
  docs/performance.md). No XLA: it saves little per step but costs seconds of
  compilation. Conditional on month, weekday, German public holiday and the previous
  week's mean price (``conditions``);
  samples from an exponential moving average of G's weights (``ema_decay`` 0.999); D also
  sees the day's hour-to-hour differences and de-levelled profile (``shape_features``) and a
  minibatch standard deviation; G's loss adds feature matching on D's last hidden layer
  (``feature_matching`` 10); G is anchored (``anchor_neighbours`` 10, ``copy_guard`` 1.0):
  it edits one of the 10 training days nearest to the wanted conditions, never by less
  than the training days' median nearest-neighbour distance (:mod:`tsgan.model.anchors`); after
  training a monotone value map gives the generated prices the training prices' pooled
  distribution, their piles at 0.00 and -0.01 EUR/MWh included (``marginal_calibration``,
  :mod:`tsgan.model.marginals`). Chosen on the bundled data by 3-seed ablations (docs/evaluation.md,
  "Anchor settings", "Value map").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tsgan.data.days import HOUR_COLUMNS
from tsgan.errors import TsganError
from tsgan.model.config import GANConfig, NetworkConfig

PRESET_COLUMNS: dict[str, list[str]] = {
    "smard": HOUR_COLUMNS,
    "quadratic": ["x", "y"],
    "heights": ["height"],
}
PRESET_NAMES = tuple(PRESET_COLUMNS)
HEIGHT_MEAN, HEIGHT_STD = 69.0, 3.0


def sample_quadratic(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points (x, x²) with x ~ U[-0.5, 0.5]; shape (n, 2), float64."""
    x = rng.uniform(-0.5, 0.5, size=int(n))
    return np.stack([x, x * x], axis=1)


def sample_heights(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` heights in inches from N(69, 3); shape (n, 1), float64."""
    return rng.normal(HEIGHT_MEAN, HEIGHT_STD, size=(int(n), 1))


TOY_SAMPLERS = {"quadratic": sample_quadratic, "heights": sample_heights}


def _quadratic() -> GANConfig:
    return GANConfig(
        preset="quadratic", latent_dim=5,
        generator=NetworkConfig(units=[15], activation="relu", initializer="he_uniform",
                                output_activation="linear"),
        discriminator=NetworkConfig(units=[25], activation="relu", initializer="he_uniform",
                                    output_activation="sigmoid"),
        optimizer="adam", learning_rate=1e-3, beta_1=0.9, beta_2=0.999,
        batch_size=64, iterations=10_000, snapshot_every=2_000, snapshot_size=500,
        log_every=100, steps_per_execution=100, jit_compile=True, scaler="none",
        train_size=20_000, test_size=2_000,
    )


def _heights() -> GANConfig:
    return GANConfig(
        preset="heights", latent_dim=5,
        generator=NetworkConfig(units=[10] * 5, activation="tanh", batch_norm=True,
                                batch_norm_momentum=0.9, dropout=0.1,
                                initializer="glorot_uniform", output_activation="linear"),
        discriminator=NetworkConfig(units=[2] * 3, activation="tanh",
                                    initializer="glorot_uniform", output_activation="sigmoid"),
        optimizer="sgd", learning_rate=5e-3, lr_schedule="exponential", lr_decay_rate=0.95,
        lr_decay_steps=100, lr_staircase=True,
        batch_size=200, iterations=10_000, snapshot_every=1_000, snapshot_size=1_000,
        log_every=100, steps_per_execution=100, scaler="standard",
        train_size=10_000, test_size=2_000,
    )


def _smard() -> GANConfig:
    return GANConfig(
        preset="smard", latent_dim=32,
        generator=NetworkConfig(units=[128, 128, 128], activation="leaky_relu",
                                negative_slope=0.2, initializer="he_uniform",
                                output_activation="linear"),
        discriminator=NetworkConfig(units=[256, 128], activation="leaky_relu",
                                    negative_slope=0.2, dropout=0.0,
                                    initializer="he_uniform", output_activation="linear",
                                    shape_features=True, minibatch_stddev=True),
        optimizer="adam", learning_rate=5e-4, beta_1=0.5, beta_2=0.999,
        batch_size=64, iterations=20_000, snapshot_every=1_000, snapshot_size=100,
        log_every=100, steps_per_execution=100, scaler="asinh",
        test_every_nth_week=5, ema_decay=0.999, feature_matching=10.0,
        conditions=["month", "weekday", "holiday", "level"],
        anchor_neighbours=10, copy_guard=1.0, marginal_calibration=True,
    )


_PRESETS = {"smard": _smard, "quadratic": _quadratic, "heights": _heights}


def preset_config(name: str = "smard", **overrides: Any) -> GANConfig:
    """The resolved configuration of preset ``name`` with ``overrides`` applied.

    Unknown preset names or override keys raise TsganError (one line).
    """
    factory = _PRESETS.get(name)
    if factory is None:
        raise TsganError(f"unknown preset {name!r}; valid presets: {', '.join(_PRESETS)}")
    if "preset" in overrides and overrides["preset"] != name:
        raise TsganError("the preset name cannot be overridden; pass it as the preset")
    config = factory().validate()
    return config.replace(**overrides) if overrides else config
