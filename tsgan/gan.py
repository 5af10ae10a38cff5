"""The two-player GAN as a Keras 3 model with its own ``train_step``.

One ``train_step`` (a) updates the discriminator D on a real batch and a generated batch and
(b) updates the generator G *through* D with gradients over ``generator.trainable_weights``
only. This is the Keras-3 way of freezing D for the generator step: the classic Keras-2
composite model with ``discriminator.trainable = False`` silently trains nothing under
Keras 3, because trainability is read when the train function is built. The network that is
not being updated runs with ``training=False``, so its batch-norm moving statistics (and
dropout) are untouched too.

Losses are per-example and averaged over the *global* batch
(:func:`tf.nn.compute_average_loss`), so under ``tf.distribute`` the replicas' gradients sum
to the right update instead of doubling it.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

METRIC_NAMES = ("d_loss", "g_loss", "d_acc_real", "d_acc_fake")
LOSSES = ("bce",)


class GAN(keras.Model):
    """Generator + discriminator with the non-saturating binary cross-entropy objective.

    ``from_logits`` is inferred from the discriminator's output activation: ``linear`` means
    D outputs logits (numerically stable ``sigmoid_cross_entropy_with_logits``), ``sigmoid``
    means probabilities (clipped cross-entropy, as in the tutorials).
    """

    #: ``step_noise`` gives each replica its own rows of one global draw.
    replica_aware_noise = True

    def __init__(self, generator: keras.Model, discriminator: keras.Model, latent_dim: int,
                 loss: str = "bce", label_smoothing: float = 0.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if loss not in LOSSES:
            raise ValueError(f"unknown GAN loss {loss!r}; valid: {', '.join(LOSSES)}")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.loss_name = loss
        self.label_smoothing = float(label_smoothing)
        self.from_logits = _output_activation(discriminator) == "linear"
        self.noise_seed = keras.random.SeedGenerator(seed, name="noise_seed")
        self.d_optimizer: keras.optimizers.Optimizer | None = None
        self.g_optimizer: keras.optimizers.Optimizer | None = None

    def compile(self, d_optimizer: keras.optimizers.Optimizer,  # type: ignore[override]
                g_optimizer: keras.optimizers.Optimizer, **kwargs: Any) -> None:
        """Attach one optimiser per network and build their slots up front.

        Building here (not lazily on the first ``apply_gradients``) keeps variable creation
        out of compiled functions and under the current distribution strategy's scope.
        """
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        d_optimizer.build(self.discriminator.trainable_variables)
        g_optimizer.build(self.generator.trainable_variables)

    def call(self, noise: Any, training: bool = False) -> Any:
        """G(noise): samples in model (scaled) space."""
        return self.generator(noise, training=training)

    # ------------------------------------------------------------------ losses
    def _per_example_bce(self, target: float, output: tf.Tensor) -> tf.Tensor:
        output = tf.reshape(output, [-1])
        labels = tf.fill(tf.shape(output), tf.constant(target, output.dtype))
        if self.from_logits:
            return tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=output)
        return keras.ops.binary_crossentropy(labels, output, from_logits=False)

    def _says_real(self, output: tf.Tensor) -> tf.Tensor:
        threshold = 0.0 if self.from_logits else 0.5
        return tf.cast(tf.reshape(output, [-1]) > threshold, tf.float32)

    def noise(self, batch_size: Any) -> tf.Tensor:
        """Standard-normal latent vectors from the model's own seeded generator."""
        return keras.random.normal((batch_size, self.latent_dim), seed=self.noise_seed)

    def step_noise(self, batch_size: Any) -> tf.Tensor:
        """Noise for one step: ``2 * batch_size`` rows (D half, then G half) per replica.

        Under ``tf.distribute`` every replica holds a copy of the seed state and would draw
        the *same* noise; instead each draws one global tensor and keeps its own slice, so R
        replicas see exactly the rows one default-strategy step on the global batch would.
        """
        ctx = tf.distribute.get_replica_context()
        replicas = 1 if ctx is None else ctx.num_replicas_in_sync
        if replicas == 1:
            return self.noise(2 * batch_size)
        full = self.noise(2 * batch_size * replicas)
        full = tf.reshape(full, [2, replicas, batch_size, self.latent_dim])
        mine = tf.gather(full, ctx.replica_id_in_sync_group, axis=1)
        return tf.reshape(mine, [2 * batch_size, self.latent_dim])

    # ------------------------------------------------------------------ steps
    def discriminator_step(self, real: tf.Tensor, noise: tf.Tensor) -> dict[str, tf.Tensor]:
        """One D update on ``real`` and ``G(noise)``; G runs frozen (``training=False``).

        Returns d_loss, d_acc_real, d_acc_fake, each averaged over the global batch.
        """
        real = tf.cast(real, tf.float32)
        fake = tf.stop_gradient(self.generator(noise, training=False))
        n_real = tf.shape(real)[0]
        weights = self.discriminator.trainable_weights
        with tf.GradientTape() as tape:
            out = self.discriminator(tf.concat([real, fake], axis=0), training=True)
            out_real, out_fake = out[:n_real], out[n_real:]
            per_example = (self._per_example_bce(1.0 - self.label_smoothing, out_real)
                           + self._per_example_bce(0.0, out_fake))
            loss = tf.nn.compute_average_loss(per_example)
        grads = tape.gradient(loss, weights)
        self.d_optimizer.apply_gradients(zip(grads, weights, strict=True))
        return {
            "d_loss": loss,
            "d_acc_real": tf.nn.compute_average_loss(self._says_real(out_real)),
            "d_acc_fake": tf.nn.compute_average_loss(1.0 - self._says_real(out_fake)),
        }

    def generator_step(self, noise: tf.Tensor) -> dict[str, tf.Tensor]:
        """One G update through a frozen D: maximise log D(G(z)) (non-saturating loss).

        Gradients are taken over ``generator.trainable_weights`` only and D runs with
        ``training=False``, so no D weight or statistic changes.
        """
        weights = self.generator.trainable_weights
        with tf.GradientTape() as tape:
            fake = self.generator(noise, training=True)
            out = self.discriminator(fake, training=False)
            loss = tf.nn.compute_average_loss(self._per_example_bce(1.0, out))
        grads = tape.gradient(loss, weights)
        self.g_optimizer.apply_gradients(zip(grads, weights, strict=True))
        return {"g_loss": loss}

    def train_step(self, data: Any) -> dict[str, tf.Tensor]:
        """D step on a real batch and as many generated points, then G step; the metrics.

        The noise for both updates is drawn in one call and split (independent halves).
        """
        real = data[0] if isinstance(data, (tuple, list)) else data
        batch = tf.shape(real)[0]
        noise = self.step_noise(batch)  # one draw for both updates: fewer random ops
        logs = self.discriminator_step(real, noise[:batch])
        logs.update(self.generator_step(noise[batch:]))
        return {name: logs[name] for name in METRIC_NAMES}


def _output_activation(model: keras.Model) -> str:
    """Name of the last layer's activation ('linear', 'sigmoid', ...)."""
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    return getattr(activation, "__name__", "linear") if activation is not None else "linear"
