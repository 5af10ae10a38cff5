"""Generator and discriminator networks built from a :class:`~tsgan.model.config.NetworkConfig`.

The generator is a plain MLP. The discriminator is an MLP with optional front ends and
feature layers (all off by default), for the day-shape options:

* ``shape_features`` — D sees ``[x, diff(x), x − mean(x)]``: hour-to-hour ramps and the
  de-levelled profile next to the raw values. Built from one *fixed* (non-trainable)
  ``Dense`` layer holding the difference / centring matrix, so it is a built-in layer.
* ``conv_filters`` — a small Conv1D stack over the hours (``Reshape`` → ``Conv1D`` ×k →
  ``Flatten``), concatenated with the dense input features.
* ``minibatch_stddev`` — the mean over features of the standard deviation within groups of
  ``minibatch_group`` consecutive samples, appended to the last hidden layer (Karras et al.
  2018, a mode-collapse remedy). The GAN trains D on ``concat([real, fake])``, so groups
  that divide the batch size never mix real and generated rows.
* ``spectral_norm`` — every Dense layer of D wrapped in ``SpectralNormalization``.

All layers are built-in Keras layers except :class:`MinibatchStddev`, which is registered
as ``tsgan>MinibatchStddev``: a saved discriminator that uses it loads in safe mode once
this module has been imported.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from tsgan import checks
from tsgan.errors import TsganError
from tsgan.model.config import GANConfig, NetworkConfig

DISCRIMINATOR_OPTIONS = ("shape_features", "conv_filters", "minibatch_stddev", "spectral_norm")


@keras.saving.register_keras_serializable(package="tsgan")
class MinibatchStddev(keras.layers.Layer):
    """Append one feature: mean over features of the std over groups of ``group_size`` rows.

    Rows are grouped consecutively (rows 0..g-1, g..2g-1, …). A batch whose size is not a
    multiple of ``group_size`` is padded cyclically with its own first rows for the
    statistic only; the output has the input's rows and one more column.
    """

    def __init__(self, group_size: int = 4, epsilon: float = 1e-8, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.group_size = int(group_size)
        self.epsilon = float(epsilon)

    def call(self, inputs: Any) -> Any:
        ops = keras.ops
        g = self.group_size
        n = ops.shape(inputs)[0]
        features = ops.shape(inputs)[-1]
        padded_n = ((n + g - 1) // g) * g
        idx = ops.mod(ops.arange(padded_n), n)
        x = ops.take(inputs, idx, axis=0)
        x = ops.reshape(x, (-1, g, features))
        std = ops.sqrt(ops.var(x, axis=1) + self.epsilon)          # (groups, F)
        stat = ops.mean(std, axis=-1, keepdims=True)                  # (groups, 1)
        stat = ops.reshape(ops.repeat(stat, g, axis=0), (-1, 1))[:n]  # (n, 1)
        return ops.concatenate([inputs, ops.cast(stat, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        last = None if input_shape[-1] is None else input_shape[-1] + 1
        return (*input_shape[:-1], last)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "group_size": self.group_size, "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="tsgan")
class AnchorResidual(keras.layers.Layer):
    """``anchor + edit``, the anchor being the last ``residual``-width columns of the
    generator's input ``[z | anchor]`` (an anchored generator, :mod:`tsgan.model.anchors`).

    With ``threshold`` > 0 the edit is the residual soft-thresholded per value,
    ``sign(r) · max(|r| − threshold, 0)``: hours with a small residual keep the anchor's value
    exactly, so a real day's flat stretches (prices piled at zero) survive the edit.
    """

    def __init__(self, threshold: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.threshold = float(threshold)

    def call(self, inputs: Any) -> Any:
        noise_and_anchor, residual = inputs
        edit = residual
        if self.threshold:
            edit = keras.ops.sign(residual) * keras.ops.relu(keras.ops.abs(residual)
                                                             - self.threshold)
        return noise_and_anchor[:, -int(residual.shape[-1]):] + edit

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "threshold": self.threshold}

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return tuple(input_shape[1])


#: Scale of the residual output layer's initial weights: an anchored generator starts
#: close to its anchors instead of adding a full-size random edit.
RESIDUAL_INIT_SCALE = 0.1


def shape_matrix(d: int) -> np.ndarray:
    """(d, 2d − 1) matrix M with ``x @ M = [diff(x), x − mean(x)]`` (ramps, then profile)."""
    diff = np.zeros((d, max(d - 1, 0)))
    for i in range(d - 1):
        diff[i, i], diff[i + 1, i] = -1.0, 1.0
    centre = np.eye(d) - np.full((d, d), 1.0 / d)
    return np.hstack([diff, centre]).astype(np.float32)


def _activation(net: NetworkConfig, name: str) -> keras.layers.Layer:
    if net.activation == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=net.negative_slope, name=name)
    return keras.layers.Activation(net.activation, name=name)


def _dense(units: int, net: NetworkConfig, name: str, sn: bool, **kwargs: Any) -> Any:
    layer = keras.layers.Dense(int(units), name=name, **kwargs)
    return keras.layers.SpectralNormalization(layer, name=f"{name}_sn") if sn else layer


def _front_end(inputs: Any, net: NetworkConfig, name: str) -> Any:
    """The discriminator's input features: raw values plus the optional shape features."""
    d = int(inputs.shape[-1])
    parts = [inputs]
    if net.shape_features and d > 1:
        matrix = shape_matrix(d)
        fixed = keras.layers.Dense(matrix.shape[1], use_bias=False, trainable=False,
                                   name=f"{name}_shape")
        parts.append(fixed(inputs))
        fixed.set_weights([matrix])
    if net.conv_filters:
        h = keras.layers.Reshape((d, 1), name=f"{name}_reshape")(inputs)
        for i, filters in enumerate(net.conv_filters):
            h = keras.layers.Conv1D(int(filters), int(net.conv_kernel), padding="same",
                                    kernel_initializer=net.initializer,
                                    name=f"{name}_conv_{i}")(h)
            h = _activation(net, f"{name}_conv_act_{i}")(h)
        parts.append(keras.layers.Flatten(name=f"{name}_flatten")(h))
    if len(parts) == 1:
        return inputs
    return keras.layers.Concatenate(name=f"{name}_features")(parts)


def _check_options(net: NetworkConfig, what: str, allowed: bool) -> None:
    used = [o for o in DISCRIMINATOR_OPTIONS if getattr(net, o)]
    if used and not allowed:
        raise TsganError(f"{what}: {', '.join(used)} are discriminator-only options")
    if any(int(f) != f or f <= 0 for f in net.conv_filters):
        raise TsganError(f"{what}.conv_filters must be positive integers, "
                         f"got {net.conv_filters!r}")
    checks.positive_integer(net.conv_kernel, f"{what}.conv_kernel")
    checks.integer_at_least(net.minibatch_group, f"{what}.minibatch_group", 2)


def build_mlp(input_dim: int, output_dim: int, net: NetworkConfig, name: str,
              discriminator: bool = False, condition_dim: int = 0,
              anchored: bool = False, edit_threshold: float = 0.0) -> keras.Model:
    """A functional MLP ``Input((input_dim,))`` → hidden layers → ``Dense(output_dim)``.

    Hidden layer i: Dense → [BatchNormalization] → activation → [Dropout]. With batch
    normalisation the Dense layer has no bias (BN's beta replaces it). With
    ``discriminator=True`` the options of :data:`DISCRIMINATOR_OPTIONS` apply (module
    docstring); otherwise setting any of them raises TsganError.

    ``condition_dim > 0`` makes a conditional network with two inputs ``[x, condition]``:
    the encoded conditions are concatenated to the input (after the discriminator's front
    end, which sees the day only).

    ``anchored``: the input's last ``output_dim`` columns are an anchor day and the network
    outputs ``anchor + Dense(...)`` (:class:`AnchorResidual`, soft-thresholded by
    ``edit_threshold``; the residual layer starts small, :data:`RESIDUAL_INIT_SCALE`).
    """
    _check_options(net, name, discriminator)
    sn = discriminator and net.spectral_norm
    inputs = keras.Input(shape=(int(input_dim),), name=f"{name}_input")
    x = _front_end(inputs, net, name) if discriminator else inputs
    model_inputs: Any = inputs
    if condition_dim:
        condition = keras.Input(shape=(int(condition_dim),), name=f"{name}_condition")
        x = keras.layers.Concatenate(name=f"{name}_conditioned")([x, condition])
        model_inputs = [inputs, condition]
    for i, units in enumerate(net.units):
        x = _dense(units, net, f"{name}_dense_{i}", sn, use_bias=not net.batch_norm,
                   kernel_initializer=net.initializer)(x)
        if net.batch_norm:
            x = keras.layers.BatchNormalization(momentum=net.batch_norm_momentum,
                                                name=f"{name}_bn_{i}")(x)
        x = _activation(net, f"{name}_act_{i}")(x)
        if net.dropout > 0:
            x = keras.layers.Dropout(net.dropout, name=f"{name}_dropout_{i}")(x)
    if discriminator and net.minibatch_stddev:
        x = MinibatchStddev(net.minibatch_group, name=f"{name}_mbstd")(x)
    # With spectral normalisation the activation is its own layer, so the model's last layer
    # still names it (the GAN infers logits vs probabilities from it).
    initializer: Any = "glorot_uniform"
    if anchored:
        initializer = keras.initializers.VarianceScaling(RESIDUAL_INIT_SCALE)
    outputs = _dense(output_dim, net, f"{name}_out", sn,
                     activation="linear" if sn else net.output_activation,
                     kernel_initializer=initializer)(x)
    if sn and net.output_activation != "linear":
        outputs = keras.layers.Activation(net.output_activation, name=f"{name}_out_act")(outputs)
    if anchored:
        outputs = AnchorResidual(edit_threshold, name=f"{name}_anchored")([inputs, outputs])
    return keras.Model(model_inputs, outputs, name=name)


def build_generator(config: GANConfig, data_dim: int, condition_dim: int = 0) -> keras.Model:
    """Generator: ``latent_dim`` Gaussian noise (+ encoded conditions) → ``data_dim`` values
    in model (scaled) space. Anchored (``anchor_neighbours`` > 0): the input is
    ``[noise | anchor day]`` (:func:`generator_input_width`) and the output an edit of the
    anchor."""
    anchored = bool(config.anchor_neighbours)
    return build_mlp(generator_input_width(config, data_dim), data_dim, config.generator,
                     "generator", condition_dim=condition_dim, anchored=anchored,
                     edit_threshold=config.edit_threshold)


def generator_input_width(config: GANConfig, data_dim: int) -> int:
    """Width of the generator's first input: the latent noise, plus the anchor day when the
    generator is anchored."""
    return config.latent_dim + (data_dim if config.anchor_neighbours else 0)


def build_discriminator(config: GANConfig, data_dim: int,
                        condition_dim: int = 0) -> keras.Model:
    """Discriminator: ``data_dim`` values (+ encoded conditions) → one probability (sigmoid)
    or logit (linear)."""
    return build_mlp(data_dim, 1, config.discriminator, "discriminator", discriminator=True,
                     condition_dim=condition_dim)


def build_optimizer(config: GANConfig, learning_rate: float) -> keras.optimizers.Optimizer:
    """The configured optimiser with a constant or exponentially decaying learning rate."""
    lr: float | keras.optimizers.schedules.LearningRateSchedule = float(learning_rate)
    if config.lr_schedule == "exponential":
        lr = keras.optimizers.schedules.ExponentialDecay(
            float(learning_rate), decay_steps=config.lr_decay_steps,
            decay_rate=config.lr_decay_rate, staircase=config.lr_staircase)
    if config.optimizer == "adam":
        return keras.optimizers.Adam(lr, beta_1=config.beta_1, beta_2=config.beta_2)
    if config.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(lr)
    return keras.optimizers.SGD(lr)
