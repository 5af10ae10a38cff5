"""Generator and discriminator MLPs built from a :class:`~tsgan.config.NetworkConfig`.

Only built-in Keras layers are used, so the saved ``.keras`` files load in safe mode with no
custom objects.
"""

from __future__ import annotations

import keras

from tsgan.config import GANConfig, NetworkConfig


def _activation(net: NetworkConfig, name: str) -> keras.layers.Layer:
    if net.activation == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=net.negative_slope, name=name)
    return keras.layers.Activation(net.activation, name=name)


def build_mlp(input_dim: int, output_dim: int, net: NetworkConfig, name: str) -> keras.Model:
    """A functional MLP ``Input((input_dim,))`` → hidden layers → ``Dense(output_dim)``.

    Hidden layer i: Dense → [BatchNormalization] → activation → [Dropout]. With batch
    normalisation the Dense layer has no bias (BN's beta replaces it).
    """
    inputs = keras.Input(shape=(int(input_dim),), name=f"{name}_input")
    x = inputs
    for i, units in enumerate(net.units):
        x = keras.layers.Dense(int(units), use_bias=not net.batch_norm,
                               kernel_initializer=net.initializer, name=f"{name}_dense_{i}")(x)
        if net.batch_norm:
            x = keras.layers.BatchNormalization(momentum=net.batch_norm_momentum,
                                                name=f"{name}_bn_{i}")(x)
        x = _activation(net, f"{name}_act_{i}")(x)
        if net.dropout > 0:
            x = keras.layers.Dropout(net.dropout, name=f"{name}_dropout_{i}")(x)
    outputs = keras.layers.Dense(int(output_dim), activation=net.output_activation,
                                 kernel_initializer="glorot_uniform", name=f"{name}_out")(x)
    return keras.Model(inputs, outputs, name=name)


def build_generator(config: GANConfig, data_dim: int) -> keras.Model:
    """Generator: ``latent_dim`` Gaussian noise → ``data_dim`` values in model (scaled) space."""
    return build_mlp(config.latent_dim, data_dim, config.generator, "generator")


def build_discriminator(config: GANConfig, data_dim: int) -> keras.Model:
    """Discriminator: ``data_dim`` values → one probability (sigmoid) or logit (linear)."""
    return build_mlp(data_dim, 1, config.discriminator, "discriminator")


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
