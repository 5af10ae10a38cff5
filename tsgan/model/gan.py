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

``loss="wgan-gp"`` (Gulrajani et al. 2017) turns D into a critic with a linear output: each
``train_step`` runs ``critic_steps`` critic updates, then one generator update. Every critic
update reuses the step's *real batch* with *fresh noise* (the batch is not split, so each
update sees ``batch_size`` real and ``batch_size`` generated rows; splitting would shrink the
batches ``critic_steps``-fold). The per-example critic loss is
``D(fake) − D(real) + gp_weight · (‖∇ₓD(x̂)‖₂ − 1)²`` with ``x̂ = αx + (1−α)G(z)``,
``α ~ U[0, 1]`` per example; the generator minimises ``−D(G(z))``. The reported ``d_loss`` is
the mean critic loss (penalty included) over the step's critic updates; ``d_acc_real`` /
``d_acc_fake`` are those of the last critic update, with the threshold halfway between the
mean real and the mean generated score (a nearest-centroid classifier on the critic score —
the score's sign and offset carry no meaning for a critic).
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tsgan.errors import TsganError
from tsgan.model.config import LOSSES, check_critic, check_loss_settings

METRIC_NAMES = ("d_loss", "g_loss", "d_acc_real", "d_acc_fake")
#: Added under the square root of the gradient norm: its gradient at a zero gradient is finite.
GP_EPSILON = 1e-12


class GAN(keras.Model):
    """Generator + discriminator with the non-saturating BCE or the WGAN-GP objective.

    ``from_logits`` is inferred from the discriminator's output activation: ``linear`` means
    D outputs logits (numerically stable ``sigmoid_cross_entropy_with_logits``), ``sigmoid``
    means probabilities (clipped cross-entropy, as in the tutorials). ``loss="wgan-gp"``
    needs a linear output and no batch normalisation in D (TsganError otherwise); see the
    module docstring for ``critic_steps`` and ``gp_weight``.
    """

    #: ``step_noise`` gives each replica its own rows of one global draw.
    replica_aware_noise = True

    def __init__(self, generator: keras.Model, discriminator: keras.Model, latent_dim: int,
                 loss: str = "bce", label_smoothing: float = 0.0, seed: int | None = None,
                 critic_steps: int = 5, gp_weight: float = 10.0, condition_dim: int = 0,
                 ema_decay: float = 0.0, feature_matching: float = 0.0,
                 anchor_days: Any = None, anchor_conditions: Any = None,
                 anchor_neighbours: int = 0, copy_guard: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if loss not in LOSSES:
            raise ValueError(f"unknown GAN loss {loss!r}; valid: {', '.join(LOSSES)}")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.condition_dim = int(condition_dim)
        self.data_dim = int(generator.outputs[0].shape[-1])
        check_loss_settings(loss, critic_steps, gp_weight, label_smoothing, ema_decay,
                            feature_matching)
        self.ema_decay = float(ema_decay)
        #: Weight of the feature-matching term of G's loss (0 = off) and the part of D it
        #: matches: the input of D's output layer (the last hidden layer, with the
        #: minibatch-stddev column when D has one).
        self.feature_matching = float(feature_matching)
        self.features: keras.Model | None = None
        if self.feature_matching:
            self.features = keras.Model(discriminator.input, _last_hidden(discriminator),
                                        name="discriminator_features")
        #: With ``ema_decay``: a copy of G whose weights are the exponential moving average
        #: of G's after every generator update (what sampling should use).
        self.ema_generator: keras.Model | None = None
        #: Set by the distributed training loop, which updates the average itself in
        #: cross-replica context after each step (a replica cannot assign it alone).
        self.ema_outside_step = False
        if self.ema_decay:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
        self.loss_name = loss
        self.label_smoothing = float(label_smoothing)
        self.from_logits = _output_activation(discriminator) == "linear"
        self.critic_steps = int(critic_steps) if loss == "wgan-gp" else 1
        self.gp_weight = float(gp_weight)
        if loss == "wgan-gp":
            _check_critic(discriminator)
        self.noise_seed = keras.random.SeedGenerator(seed, name="noise_seed")
        #: Anchored generator (:mod:`tsgan.model.anchors`): the anchor candidates (model-space
        #: days and their encoded conditions), how many nearest ones a row's anchor is drawn
        #: from, and the copy guard's minimum edit size τ (model space; 0 = no guard).
        self.anchored = anchor_days is not None
        self.anchor_days = self.anchor_conditions = None
        self.anchor_choices = 0
        self.copy_guard = float(copy_guard)
        if self.anchored:
            from tsgan.model.anchors import choices

            self.anchor_days = tf.constant(anchor_days, tf.float32)
            self.anchor_conditions = tf.constant(anchor_conditions, tf.float32)
            self.anchor_choices = choices(len(anchor_days), bool(self.condition_dim),
                                          anchor_neighbours)
        _check_noise_width(generator, self.latent_dim + (self.data_dim if self.anchored else 0))
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
    def per_example_bce(self, target: float, output: tf.Tensor) -> tf.Tensor:
        """Per-example binary cross-entropy of D's ``output`` against the label ``target``
        (logits or probabilities, as :attr:`from_logits` says), shape (batch,)."""
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

    def step_noise(self, batch_size: Any, parts: int = 2) -> tf.Tensor:
        """Noise for one step: ``parts * batch_size`` rows per replica (D part(s), then G).

        Under ``tf.distribute`` every replica holds a copy of the seed state and would draw
        the *same* noise; instead each draws one global tensor and keeps its own slice, so R
        replicas see exactly the rows one default-strategy step on the global batch would.
        """
        return _replica_rows(self.noise, parts, batch_size)

    def with_anchors(self, noise: Any, condition: Any, column: Any) -> tf.Tensor:
        """``[noise | anchor day]``: the anchored generator's input. Each row's anchor is its
        ``column``-th nearest candidate by conditions
        (:func:`tsgan.model.anchors.anchor_indices`)."""
        from tsgan.model.anchors import anchor_indices

        if condition is None:
            condition = tf.zeros([tf.shape(noise)[0], 0], tf.float32)
        index = anchor_indices(self.anchor_conditions, condition, self.anchor_choices, column)
        return tf.concat([tf.cast(noise, tf.float32), tf.gather(self.anchor_days, index)], 1)

    def draw_anchors(self, noise: tf.Tensor, condition: tf.Tensor | None,
                     parts: int = 1) -> tf.Tensor:
        """:meth:`with_anchors` with each row's candidate drawn uniformly from the model's
        seeded stream (training). ``noise`` holds ``parts`` blocks of the (local) batch, as
        :meth:`step_noise` returns them; under ``tf.distribute`` each replica takes its rows
        of one global draw, so a mirrored step picks the anchors a default step would."""
        batch = tf.shape(noise)[0] // parts

        def draw(rows: Any) -> tf.Tensor:
            return keras.random.randint((rows,), 0, self.anchor_choices, seed=self.noise_seed)

        return self.with_anchors(noise, condition, _replica_rows(draw, parts, batch))

    def copy_guard_loss(self, fake: tf.Tensor, noise: tf.Tensor) -> tf.Tensor:
        """Per-example ``relu(τ − ‖G − anchor‖)``: positive where an edit is smaller than
        the copy guard's τ (the anchor is the input's last columns)."""
        edit = fake - noise[:, -self.data_dim:]
        # tf.norm's gradient at a zero edit is 0/0 = NaN, and with an edit threshold a whole
        # day's edit can be exactly zero: such rows take the norm of ones and count as 0
        # (every other row's value and gradient stay exactly those of tf.norm)
        copied = tf.reduce_all(tf.equal(edit, 0.0), axis=1, keepdims=True)
        move = tf.norm(tf.where(copied, tf.ones_like(edit), edit), axis=1)
        move = tf.where(copied[:, 0], tf.zeros_like(move), move)
        return tf.nn.relu(self.copy_guard - move)

    @property
    def sampling_generator(self) -> keras.Model:
        """The generator to sample from: the weight average with ``ema_decay``, else G."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def update_ema(self) -> None:
        """``ema ← decay · ema + (1 − decay) · G`` for every weight (batch-norm statistics too).

        Runs after each generator update: inside the step on one device, after
        ``strategy.run`` (cross-replica context) under ``tf.distribute``
        (:attr:`ema_outside_step`).
        """
        assert self.ema_generator is not None
        decay = self.ema_decay
        for average, weight in zip(self.ema_generator.weights, self.generator.weights,
                                   strict=True):
            if "float" in str(average.dtype):
                average.assign(decay * average + (1.0 - decay) * weight)
            else:
                average.assign(weight)  # integer state (seed generators): copy

    # ------------------------------------------------------------------ networks
    def generate(self, noise: tf.Tensor, condition: tf.Tensor | None = None,
                 training: bool = False) -> tf.Tensor:
        """G(noise | condition) in model space (``condition`` only for a conditional GAN)."""
        if self.condition_dim:
            return self.generator([noise, condition], training=training)
        return self.generator(noise, training=training)

    def score(self, x: tf.Tensor, condition: tf.Tensor | None = None,
              training: bool = False) -> tf.Tensor:
        """D(x | condition): logits / probabilities (BCE) or critic scores (WGAN-GP)."""
        if self.condition_dim:
            return self.discriminator([x, condition], training=training)
        return self.discriminator(x, training=training)

    def split_batch(self, data: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor | None]:
        """A training row is ``[day | encoded conditions]``: the two parts (or day, None)."""
        data = tf.cast(data, tf.float32)
        if not self.condition_dim:
            return data, None
        return data[:, :self.data_dim], data[:, self.data_dim:]

    def gradient_penalty(self, real: tf.Tensor, fake: tf.Tensor,
                         alpha: tf.Tensor | None = None,
                         condition: tf.Tensor | None = None) -> tf.Tensor:
        """Per-example ``(‖∇ₓD(x̂)‖₂ − 1)²`` at ``x̂ = αx + (1−α)G(z)``, shape (batch,).

        ``alpha`` (batch, 1) defaults to U[0, 1] draws from the model's seeded stream. Call it
        under the critic's weight tape: the input gradient is taken in a nested tape, so the
        penalty's own gradient with respect to D's weights (double backprop) is recorded. For
        a conditional critic the gradient is taken with respect to the day only.
        """
        real = tf.cast(real, tf.float32)
        if alpha is None:
            alpha = keras.random.uniform((tf.shape(real)[0], 1), seed=self.noise_seed)
        mixed = alpha * real + (1.0 - alpha) * fake
        with tf.GradientTape() as tape:
            tape.watch(mixed)
            score = self.score(mixed, condition, training=True)
        grad = tape.gradient(score, mixed)
        norm = tf.sqrt(tf.reduce_sum(tf.square(grad), axis=1) + GP_EPSILON)
        return tf.square(norm - 1.0)

    # ------------------------------------------------------------------ steps
    def _score_both(self, real: tf.Tensor, fake: tf.Tensor,
                    condition: tf.Tensor | None) -> tuple[tf.Tensor, tf.Tensor]:
        """D on real and generated rows in one call (both under the same conditions)."""
        n_real = tf.shape(real)[0]
        both = None if condition is None else tf.concat([condition, condition], axis=0)
        out = tf.reshape(self.score(tf.concat([real, fake], axis=0), both, training=True),
                         [-1])
        return out[:n_real], out[n_real:]

    def discriminator_step(self, real: tf.Tensor, noise: tf.Tensor,
                           condition: tf.Tensor | None = None) -> dict[str, tf.Tensor]:
        """One D update on ``real`` and ``G(noise)``; G runs frozen (``training=False``).

        A conditional GAN generates under the real rows' own conditions, so D compares real
        and generated days of the same calendar situation. Returns d_loss, d_acc_real,
        d_acc_fake, each averaged over the global batch. With ``loss="wgan-gp"`` this is one
        critic update (:meth:`critic_step`).
        """
        if self.loss_name == "wgan-gp":
            return self.critic_step(real, noise, condition)
        real = tf.cast(real, tf.float32)
        fake = tf.stop_gradient(self.generate(noise, condition, training=False))
        weights = self.discriminator.trainable_weights
        with tf.GradientTape() as tape:
            out_real, out_fake = self._score_both(real, fake, condition)
            per_example = (self.per_example_bce(1.0 - self.label_smoothing, out_real)
                           + self.per_example_bce(0.0, out_fake))
            loss = tf.nn.compute_average_loss(per_example)
        grads = tape.gradient(loss, weights)
        self.d_optimizer.apply_gradients(zip(grads, weights, strict=True))
        return {
            "d_loss": loss,
            "d_acc_real": tf.nn.compute_average_loss(self._says_real(out_real)),
            "d_acc_fake": tf.nn.compute_average_loss(1.0 - self._says_real(out_fake)),
        }

    def critic_step(self, real: tf.Tensor, noise: tf.Tensor,
                    condition: tf.Tensor | None = None) -> dict[str, tf.Tensor]:
        """One WGAN-GP critic update: minimise ``D(fake) − D(real) + gp_weight · GP``.

        G runs frozen (``training=False``, outputs behind ``stop_gradient``). Accuracies use
        the threshold halfway between the mean real and the mean generated score.
        """
        real = tf.cast(real, tf.float32)
        fake = tf.stop_gradient(self.generate(noise, condition, training=False))
        weights = self.discriminator.trainable_weights
        with tf.GradientTape() as tape:
            out_real, out_fake = self._score_both(real, fake, condition)
            penalty = self.gradient_penalty(real, fake, condition=condition)
            loss = tf.nn.compute_average_loss(out_fake - out_real + self.gp_weight * penalty)
        grads = tape.gradient(loss, weights)
        self.d_optimizer.apply_gradients(zip(grads, weights, strict=True))
        middle = 0.5 * (tf.reduce_mean(out_real) + tf.reduce_mean(out_fake))
        return {
            "d_loss": loss,
            "d_acc_real": tf.nn.compute_average_loss(tf.cast(out_real > middle, tf.float32)),
            "d_acc_fake": tf.nn.compute_average_loss(tf.cast(out_fake < middle, tf.float32)),
        }

    def feature_matching_loss(self, real: tf.Tensor, fake: tf.Tensor,
                              condition: tf.Tensor | None = None) -> tf.Tensor:
        """``mean_j (E f_j(real) − E f_j(fake))²`` over D's last hidden features ``f``
        (Salimans et al. 2016), D frozen (``training=False``).

        The means are over the *global* batch: under ``tf.distribute`` each replica's feature
        sums are all-reduced (the all-reduce is differentiable), so every replica holds the
        same term, and it is scaled by 1 / replicas (``scale_regularization_loss``) so that the
        summed gradients equal one default-strategy step's.
        """
        assert self.features is not None

        def feature_sum(x: tf.Tensor) -> tf.Tensor:
            inputs = [x, condition] if self.condition_dim else x
            return tf.reduce_sum(self.features(inputs, training=False), axis=0)

        sums = tf.stack([feature_sum(tf.cast(real, tf.float32)), feature_sum(fake)])
        rows = tf.cast(tf.shape(fake)[0], tf.float32)
        ctx = tf.distribute.get_replica_context()
        if ctx is not None and ctx.num_replicas_in_sync > 1:
            sums = ctx.all_reduce(tf.distribute.ReduceOp.SUM, sums)
            rows = rows * ctx.num_replicas_in_sync
        gap = (sums[0] - sums[1]) / rows
        return tf.nn.scale_regularization_loss(tf.reduce_mean(tf.square(gap)))

    def generator_step(self, noise: tf.Tensor, condition: tf.Tensor | None = None,
                       real: tf.Tensor | None = None) -> dict[str, tf.Tensor]:
        """One G update through a frozen D: maximise log D(G(z)) (non-saturating loss).

        Gradients are taken over ``generator.trainable_weights`` only and D runs with
        ``training=False``, so no D weight or statistic changes. With ``feature_matching``
        the loss adds that weight times :meth:`feature_matching_loss` against ``real``; an
        anchored generator's adds the copy guard (:meth:`copy_guard_loss`).
        """
        weights = self.generator.trainable_weights
        with tf.GradientTape() as tape:
            fake = self.generate(noise, condition, training=True)
            out = self.score(fake, condition, training=False)
            if self.loss_name == "wgan-gp":
                loss = tf.nn.compute_average_loss(-tf.reshape(out, [-1]))
            else:
                loss = tf.nn.compute_average_loss(self.per_example_bce(1.0, out))
            if self.feature_matching:
                if real is None:
                    raise ValueError("feature matching needs the real batch")
                loss += self.feature_matching * self.feature_matching_loss(real, fake,
                                                                           condition)
            if self.anchored and self.copy_guard:
                from tsgan.model.anchors import COPY_GUARD_WEIGHT

                loss += COPY_GUARD_WEIGHT * tf.nn.compute_average_loss(
                    self.copy_guard_loss(fake, noise))
        grads = tape.gradient(loss, weights)
        self.g_optimizer.apply_gradients(zip(grads, weights, strict=True))
        if self.ema_decay and not self.ema_outside_step:
            self.update_ema()
        return {"g_loss": loss}

    def train_step(self, data: Any) -> dict[str, tf.Tensor]:
        """D step on a real batch and as many generated points, then G step; the metrics.

        The noise for both updates is drawn in one call and split (independent halves). With
        ``loss="wgan-gp"``: ``critic_steps`` critic updates (Python-unrolled, each on the same
        real batch with its own noise), then the G update; d_loss is their mean. A
        conditional GAN's rows carry their encoded conditions (:meth:`split_batch`); every
        update generates under the batch's conditions. An anchored generator's noise gets an
        anchor per row, drawn near the batch's conditions (:meth:`draw_anchors`).
        """
        rows = data[0] if isinstance(data, (tuple, list)) else data
        real, condition = self.split_batch(rows)
        batch = tf.shape(real)[0]
        k = self.critic_steps
        noise = self.step_noise(batch, k + 1)  # one draw for all updates: fewer random ops
        if self.anchored:
            every = None if condition is None else tf.tile(condition, [k + 1, 1])
            noise = self.draw_anchors(noise, every, parts=k + 1)
        d_losses = []
        for i in range(k):
            logs = self.discriminator_step(real, noise[i * batch:(i + 1) * batch], condition)
            d_losses.append(logs["d_loss"])
        if k > 1:
            logs["d_loss"] = tf.add_n(d_losses) / float(k)
        logs.update(self.generator_step(noise[k * batch:], condition, real))
        return {name: logs[name] for name in METRIC_NAMES}


def _replica_rows(draw: Any, parts: int, batch_size: Any) -> tf.Tensor:
    """``draw(rows)``'s ``parts * batch_size`` rows for this replica.

    Under ``tf.distribute`` every replica holds a copy of the seed state and would draw the
    *same* values; instead each draws one global tensor (``parts`` blocks of the global
    batch) and keeps its own slice of every block, so R replicas see exactly the rows one
    default-strategy step on the global batch would.
    """
    ctx = tf.distribute.get_replica_context()
    replicas = 1 if ctx is None else ctx.num_replicas_in_sync
    if replicas == 1:
        return draw(parts * batch_size)
    full = draw(parts * batch_size * replicas)
    tail = tf.shape(full)[1:]
    full = tf.reshape(full, tf.concat([[parts, replicas, batch_size], tail], 0))
    mine = tf.gather(full, ctx.replica_id_in_sync_group, axis=1)
    return tf.reshape(mine, tf.concat([[parts * batch_size], tail], 0))


def _check_noise_width(generator: keras.Model, width: int) -> None:
    """Refuse a generator whose noise input does not take ``width`` columns (latent, plus the
    anchor day for an anchored generator): a mismatch would surface as a shape error deep in
    the first training step."""
    got = generator.inputs[0].shape[-1]
    if got != width:
        raise ValueError(f"the generator's noise input has {got} columns, the GAN feeds {width} "
                         "(latent_dim, plus the day width when anchor_days are given): an "
                         "anchored generator needs anchor_days and a plain one none")


def _last_hidden(discriminator: keras.Model) -> Any:
    """The symbolic input of D's output layer (its last Dense, spectrally normalised or not)."""
    for layer in reversed(discriminator.layers):
        if isinstance(layer, (keras.layers.Dense, keras.layers.SpectralNormalization)):
            return layer.input
    raise TsganError("feature matching needs a discriminator whose output layer is Dense")


def _output_activation(model: keras.Model) -> str:
    """Name of the last layer's activation ('linear', 'sigmoid', ...)."""
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    return getattr(activation, "__name__", "linear") if activation is not None else "linear"


def _check_critic(discriminator: keras.Model) -> None:
    """TsganError unless ``discriminator`` can be a WGAN-GP critic (:func:`check_critic` on
    its output activation and batch normalisation); the numeric settings are checked by
    ``check_loss_settings``."""
    check_critic(_output_activation(discriminator),
                 any(isinstance(layer, keras.layers.BatchNormalization)
                     for layer in _all_layers(discriminator)))


def _all_layers(model: keras.Model) -> list[keras.layers.Layer]:
    layers = []
    for layer in model.layers:
        layers.append(layer)
        if isinstance(layer, keras.Model):
            layers.extend(_all_layers(layer))
    return layers
