"""Subprocess worker for tests/test_distribute.py and scripts/bench_distribute.py.

TensorFlow fixes its device configuration (logical CPU devices) and collective set-up
(``TF_CONFIG``) at first use in a process, so every distributed check runs here, in a fresh
process, and prints one JSON line prefixed ``RESULT `` for the caller to parse.

Modes:

* ``equivalence --devices 2``: (a) ``tsgan.training.loop.train`` for N steps under the default
  strategy and under MirroredStrategy over 2 logical CPU devices, same seed, same initial
  weights, same global batch, the smard preset's feature matching and weight average on →
  both histories; (b) one SGD step from fixed real + noise
  tensors: the weight update of the default strategy, of tsgan's global-batch loss under
  mirroring, and of a hand-written ``tf.reduce_mean`` loss under mirroring (the pitfall).
* ``multiworker --run-dir DIR``: one worker of a ``TF_CONFIG`` cluster trains the quadratic
  preset a few steps with ``PriceGAN`` and saves; only the chief's run lands in ``DIR``.
* ``bench --strategy NAME --devices N``: ms per step of ``train`` on the smard preset.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _emit(result: dict[str, Any]) -> None:
    print("RESULT " + json.dumps(result), flush=True)


def _replica_noise_gan_class() -> type:
    """GAN whose noise is replica-aware: replica r takes its rows of one global draw.

    Without this, every replica's copy of the seed state draws the *same* noise, so mirrored
    training would see ``batch / R`` distinct latent vectors per step and could not match
    the default strategy. (If tsgan.model.gan.GAN is already replica-aware, it is used as is.)
    """
    import tensorflow as tf

    from tsgan.model.gan import GAN

    if getattr(GAN, "replica_aware_noise", False):
        return GAN

    class ReplicaNoiseGAN(GAN):
        def noise(self, batch_size: Any) -> tf.Tensor:
            ctx = tf.distribute.get_replica_context()
            replicas = 1 if ctx is None else ctx.num_replicas_in_sync
            if replicas == 1:
                return super().noise(batch_size)
            half = batch_size // 2  # train_step asks for 2 × the local batch (D and G halves)
            full = super().noise(batch_size * replicas)
            full = tf.reshape(full, [2, replicas, half, self.latent_dim])
            mine = tf.gather(full, ctx.replica_id_in_sync_group, axis=1)
            return tf.reshape(mine, [batch_size, self.latent_dim])

    return ReplicaNoiseGAN


def _build(config: Any, dim: int, strategy: Any, optimizer: str | None = None,
           anchors: Any = None) -> Any:
    """A compiled GAN built (models, optimisers, seed state) inside ``strategy.scope()``.

    An anchored preset (the smard default) draws its anchors from ``anchors`` (model-space
    days; no conditions here, so uniformly)."""
    import keras
    import numpy as np

    from tsgan.model.networks import build_discriminator, build_generator, build_optimizer

    cls = _replica_noise_gan_class()
    with strategy.scope():
        keras.utils.set_random_seed(config.seed)
        cfg = config.replace(optimizer=optimizer) if optimizer else config
        anchoring = {}
        if cfg.anchor_neighbours:
            anchoring = {"anchor_days": anchors,
                         "anchor_conditions": np.zeros((len(anchors), 0), np.float32),
                         "anchor_neighbours": cfg.anchor_neighbours, "copy_guard": 0.5}
        gan = cls(build_generator(cfg, dim), build_discriminator(cfg, dim), cfg.latent_dim,
                  seed=cfg.seed, feature_matching=cfg.feature_matching,
                  ema_decay=cfg.ema_decay, **anchoring)
        gan.compile(d_optimizer=build_optimizer(cfg, cfg.d_lr),
                    g_optimizer=build_optimizer(cfg, cfg.g_lr))
    return gan


def _weights(gan: Any) -> list[Any]:
    import numpy as np

    ema = gan.ema_generator.get_weights() if gan.ema_generator is not None else []
    return [np.asarray(w, np.float64) for w in
            gan.generator.get_weights() + gan.discriminator.get_weights() + ema]


def _copy_weights(src: Any, dst: Any) -> None:
    dst.generator.set_weights(src.generator.get_weights())
    dst.discriminator.set_weights(src.discriminator.get_weights())
    if src.ema_generator is not None:
        dst.ema_generator.set_weights(src.ema_generator.get_weights())


def equivalence(args: argparse.Namespace) -> dict[str, Any]:
    """Default vs mirrored: N-step histories and one-step updates (see module docstring)."""
    from tsgan.training.distribute import setup_logical_cpus

    devices = setup_logical_cpus(args.devices)
    import numpy as np
    import tensorflow as tf

    from tsgan.model.networks import generator_input_width
    from tsgan.model.presets import preset_config
    from tsgan.training.loop import train

    default = tf.distribute.get_strategy()
    mirrored = tf.distribute.MirroredStrategy(devices)
    config = preset_config("smard", iterations=args.steps, batch_size=args.batch,
                           snapshot_every=0, log_every=max(1, args.steps // 4),
                           steps_per_execution=max(1, args.steps // 4), seed=args.seed,
                           jit_compile=False)  # XLA steps cannot reach mirrored variables
    rng = np.random.default_rng(args.seed)
    data = rng.standard_normal((512, 24)).astype(np.float32)

    # (a) N steps of the real training loop, same seed, weights and global batches.
    gans = {"default": _build(config, 24, default, anchors=data),
            "mirrored": _build(config, 24, mirrored, anchors=data)}
    _copy_weights(gans["default"], gans["mirrored"])
    histories = {}
    for name, strategy in (("default", default), ("mirrored", mirrored)):
        result = train(gans[name], data, config, strategy=strategy)
        histories[name] = result.history[["d_loss", "g_loss", "d_acc_real",
                                          "d_acc_fake"]].to_numpy().tolist()
    weight_diff = max(float(np.max(np.abs(a - b))) for a, b in
                      zip(_weights(gans["default"]), _weights(gans["mirrored"]), strict=True))

    # (b) one plain-SGD step from fixed real + noise (SGD: the update is lr × gradient, so a
    # doubled gradient shows as a doubled update; Adam would normalise it away).
    real = tf.constant(rng.standard_normal((args.batch, 24)), tf.float32)
    width = generator_input_width(config, 24)  # an anchored generator's [noise | anchor]
    noise = tf.constant(rng.standard_normal((args.batch, width)), tf.float32)
    replicas = mirrored.num_replicas_in_sync
    local = args.batch // replicas

    def tsgan_step(gan: Any, x: tf.Tensor, z: tf.Tensor) -> tf.Tensor:
        return gan.discriminator_step(x, z)["d_loss"]

    def naive_step(gan: Any, x: tf.Tensor, z: tf.Tensor) -> tf.Tensor:
        weights = gan.discriminator.trainable_weights
        fake = gan.generator(z, training=False)
        with tf.GradientTape() as tape:
            out = gan.discriminator(tf.concat([x, fake], axis=0), training=True)
            n = tf.shape(x)[0]
            per_example = (gan.per_example_bce(1.0, out[:n])
                           + gan.per_example_bce(0.0, out[n:]))
            loss = tf.reduce_mean(per_example)  # the pitfall: a per-replica mean
        grads = tape.gradient(loss, weights)
        gan.d_optimizer.apply_gradients(zip(grads, weights, strict=True))
        return loss

    def d_update(strategy: Any, step: Any) -> np.ndarray:
        gan = _build(config, 24, strategy, optimizer="sgd", anchors=data)
        _copy_weights(gans["reference"], gan)
        before = _weights(gan)
        if strategy is default:
            tf.function(lambda: step(gan, real, noise))()
        else:
            x = strategy.experimental_distribute_values_from_function(
                lambda ctx: real[ctx.replica_id_in_sync_group * local:][:local])
            z = strategy.experimental_distribute_values_from_function(
                lambda ctx: noise[ctx.replica_id_in_sync_group * local:][:local])
            tf.function(lambda: strategy.run(lambda a, b: step(gan, a, b), args=(x, z)))()
        after = _weights(gan)
        # discriminator weights follow the generator's in _weights (then the weight average)
        n_g = len(gan.generator.get_weights())
        n_d = len(gan.discriminator.get_weights())
        return np.concatenate([(a - b).ravel() for a, b in
                               zip(after[n_g:n_g + n_d], before[n_g:n_g + n_d], strict=True)])

    gans["reference"] = _build(config, 24, default, optimizer="sgd", anchors=data)
    updates = {"default": d_update(default, tsgan_step),
               "mirrored_tsgan": d_update(mirrored, tsgan_step),
               "mirrored_reduce_mean": d_update(mirrored, naive_step)}
    ref = updates["default"]
    norm = float(np.linalg.norm(ref))
    ratios = {k: float(np.dot(v, ref) / np.dot(ref, ref)) for k, v in updates.items()}
    rel_err = {k: float(np.linalg.norm(v - ref) / norm) for k, v in updates.items()}
    return {"devices": devices, "replicas": replicas, "histories": histories,
            "final_weight_max_abs_diff": weight_diff, "update_norm": norm,
            "update_ratio": ratios, "update_rel_err": rel_err}


def multiworker(args: argparse.Namespace) -> dict[str, Any]:
    """One TF_CONFIG worker: PriceGAN quadratic under MultiWorkerMirroredStrategy, save."""
    from tsgan.training.distribute import make_strategy, parse_tf_config, worker_temp_dir

    task = parse_tf_config()
    start = time.perf_counter()
    strategy = make_strategy("multiworker")  # before any other TensorFlow operation
    from tsgan.api import PriceGAN

    model = PriceGAN("quadratic", strategy=strategy, iterations=args.steps,
                     batch_size=args.batch, log_every=max(1, args.steps // 2),
                     snapshot_every=args.steps, snapshot_size=50, train_size=2_000,
                     test_size=500, seed=args.seed, jit_compile=False)
    model.fit()  # models, optimisers and seed state are built inside strategy.scope()
    model.save(args.run_dir)  # non-chief workers write to a temporary folder, then remove it
    wrote = str(Path(args.run_dir) if task.is_chief else worker_temp_dir(args.run_dir, task))
    return {"task": [task.task_type, task.task_index], "chief": task.is_chief,
            "replicas": strategy.num_replicas_in_sync, "wrote": wrote,
            "temp_left": Path(wrote).exists() and not task.is_chief,
            "history": model.history.to_numpy().tolist(),
            "seconds": time.perf_counter() - start}


def bench(args: argparse.Namespace) -> dict[str, Any]:
    """ms per step of ``train`` (smard preset, after the tracing chunk) under a strategy."""
    from tsgan.training.distribute import make_strategy

    strategy = make_strategy(args.strategy, cpu_devices=args.devices)
    import numpy as np
    import tensorflow as tf

    from tsgan.data.sources import load_days
    from tsgan.model.presets import preset_config
    from tsgan.training.loop import train

    config = preset_config("smard", iterations=args.steps, batch_size=args.batch,
                           snapshot_every=0, log_every=args.steps, seed=args.seed,
                           jit_compile=args.jit and strategy is None)
    data = np.arcsinh(load_days(None).to_numpy(np.float64) / 50.0).astype(np.float32)
    gan = _build(config, 24, strategy or tf.distribute.get_strategy(), anchors=data)
    result = train(gan, data, config, strategy=strategy)
    return {"strategy": args.strategy, "devices": args.devices, "batch": args.batch,
            "replicas": 1 if strategy is None else strategy.num_replicas_in_sync,
            "ms_per_step": result.ms_per_step, "compile_seconds": result.compile_seconds,
            "steps": result.steps}


def main(argv: list[str] | None = None) -> int:
    """Parse the mode and its options, run it, print ``RESULT {json}``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("equivalence", "multiworker", "bench"))
    parser.add_argument("--devices", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--run-dir", default="")
    parser.add_argument("--strategy", default="mirrored")
    parser.add_argument("--jit", action="store_true", help="bench: XLA steps (default only)")
    args = parser.parse_args(argv)
    _emit({"equivalence": equivalence, "multiworker": multiworker, "bench": bench}[args.mode](args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
