"""The training loop: tf.data input, many fused steps per compiled call, history, snapshots.

GAN training here is thousands of tiny steps, so the cost is framework overhead, not
arithmetic. One ``tf.function`` runs a whole chunk of ``steps_per_execution`` steps in a
graph loop over a prefetched ``tf.data`` iterator; Python only sees the chunk's mean metrics
(one host sync per chunk), which feed the history every ``log_every`` steps, the NaN guard
and the progress bar. Each step runs under ``strategy.run`` and the per-replica metrics are
summed (losses are already averaged over the global batch), so the same loop works under
``tf.distribute`` strategies.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import tensorflow as tf

from tsgan.config import GANConfig
from tsgan.errors import TsganError
from tsgan.gan import GAN, METRIC_NAMES

HISTORY_COLUMNS = ["step", *METRIC_NAMES]


@dataclass
class TrainResult:
    """What a training run produced besides the updated weights."""

    history: pd.DataFrame
    snapshots: dict[str, np.ndarray]
    seconds: float
    compile_seconds: float = 0.0
    steps: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ms_per_step(self) -> float:
        """Wall milliseconds per iteration after the first (tracing) chunk."""
        timed = self.extra.get("timed_steps", 0)
        return 1000.0 * self.extra.get("timed_seconds", 0.0) / timed if timed else float("nan")


def make_dataset(data: np.ndarray, batch_size: int, seed: int) -> tf.data.Dataset:
    """Endless shuffled batches of ``data`` (float32): shuffle(seed) → repeat → batch → prefetch.

    The whole array is the shuffle buffer (training sets here are small), reshuffled each
    pass; partial batches are dropped so every step sees ``batch_size`` rows.
    """
    data = np.asarray(data, dtype=np.float32)
    if len(data) < batch_size:
        raise TsganError(f"the training data has {len(data)} rows, fewer than the batch size "
                         f"{batch_size}; lower batch_size or give more data")
    ds = tf.data.Dataset.from_tensor_slices(data)
    ds = ds.shuffle(len(data), seed=seed, reshuffle_each_iteration=True).repeat()
    ds = ds.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
    options = tf.data.Options()
    options.deterministic = True
    return ds.with_options(options)


def make_chunk_function(gan: GAN, strategy: tf.distribute.Strategy,
                        jit_compile: bool = False) -> Callable[[Any, tf.Tensor], tf.Tensor]:
    """A compiled function running ``n`` train steps on ``iterator``; returns mean metrics.

    The step itself may be XLA-compiled (``jit_compile``); the loop around it (iterator
    reads) stays a normal graph loop, as in Keras' own ``steps_per_execution``.
    """
    step = tf.function(gan.train_step, jit_compile=True) if jit_compile else gan.train_step
    sum_ = tf.distribute.ReduceOp.SUM

    def one_step(iterator: Any) -> tf.Tensor:
        logs = strategy.run(step, args=(next(iterator),))
        return tf.stack([strategy.reduce(sum_, logs[k], axis=None) for k in METRIC_NAMES])

    @tf.function
    def run_chunk(iterator: Any, n: tf.Tensor) -> tf.Tensor:
        total = tf.zeros([len(METRIC_NAMES)], tf.float32)
        for _ in tf.range(n):
            total += tf.cast(one_step(iterator), tf.float32)
        return total / tf.cast(n, tf.float32)

    return run_chunk


def _boundaries(config: GANConfig) -> list[int]:
    """Steps after which Python regains control: chunk ends, log steps, snapshots, the end."""
    total = config.iterations
    stops = set(range(config.steps_per_execution, total, config.steps_per_execution))
    stops.update(range(config.log_every, total, config.log_every))
    if config.snapshot_every:
        stops.update(range(config.snapshot_every, total, config.snapshot_every))
    stops.add(total)
    return sorted(stops)


def train(gan: GAN, data: np.ndarray, config: GANConfig, progress: bool = False,
          to_original: Callable[[np.ndarray], np.ndarray] | None = None,
          snapshot_real: np.ndarray | None = None,
          strategy: tf.distribute.Strategy | None = None) -> TrainResult:
    """Train ``gan`` (compiled) on ``data`` (model space) for ``config.iterations`` steps.

    Snapshots (if ``config.snapshot_every``) are G's samples from one fixed noise batch at
    step 0, every ``snapshot_every`` steps and at the end, mapped to original units by
    ``to_original``, together with D's accuracy on ``snapshot_real`` (model space) and on
    those samples. A NaN/Inf loss stops training with a TsganError.
    """
    from tqdm.auto import tqdm

    strategy = strategy or tf.distribute.get_strategy()
    to_original = to_original or (lambda z: z)
    dataset = make_dataset(data, config.batch_size, config.seed)
    iterator = iter(strategy.experimental_distribute_dataset(dataset))
    run_chunk = make_chunk_function(gan, strategy, config.jit_compile)

    snap_rng = np.random.default_rng([config.seed, 7919])
    snap_noise = snap_rng.standard_normal((config.snapshot_size, config.latent_dim))
    snap_noise = tf.constant(snap_noise, tf.float32)
    if snapshot_real is None:
        pick = snap_rng.choice(len(data), size=min(len(data), config.snapshot_size),
                               replace=False)
        snapshot_real = np.asarray(data)[pick]
    snap_real = tf.constant(np.asarray(snapshot_real, np.float32))
    snapshots: dict[str, list[Any]] = {"steps": [], "samples": [], "acc_real": [],
                                       "acc_fake": []}

    def take_snapshot(step: int) -> None:
        fake = gan.generator(snap_noise, training=False)
        out_fake = gan.discriminator(fake, training=False)
        out_real = gan.discriminator(snap_real, training=False)
        acc_real = float(tf.reduce_mean(gan._says_real(out_real)))
        acc_fake = float(tf.reduce_mean(1.0 - gan._says_real(out_fake)))
        snapshots["steps"].append(step)
        snapshots["samples"].append(to_original(np.asarray(fake, dtype=np.float64)))
        snapshots["acc_real"].append(acc_real)
        snapshots["acc_fake"].append(acc_fake)
        if progress:
            bar.write(f"step {step:,}: discriminator accuracy on real {acc_real:.0%}, "
                      f"on generated {acc_fake:.0%}", file=sys.stderr)

    rows: list[list[float]] = []
    window = np.zeros(len(METRIC_NAMES))
    window_steps = 0
    step = 0
    start = time.perf_counter()
    first_chunk_end = None
    first_chunk_steps = 0
    bar = tqdm(total=config.iterations, disable=not progress, unit="it", dynamic_ncols=True,
               mininterval=0.25, desc=f"training {config.preset}")
    try:
        if config.snapshot_every:
            take_snapshot(0)
        for stop in _boundaries(config):
            n = stop - step
            means = run_chunk(iterator, tf.constant(n, tf.int64)).numpy().astype(np.float64)
            if first_chunk_end is None:
                first_chunk_end, first_chunk_steps = time.perf_counter(), n
            step = stop
            if not np.all(np.isfinite(means[:2])):
                bad = METRIC_NAMES[int(np.argmin(np.isfinite(means[:2])))]
                raise TsganError(
                    f"training diverged at step {step}: {bad} became {means[:2]} (NaN/Inf); "
                    f"try a lower learning rate (now {config.learning_rate:g})")
            window += means * n
            window_steps += n
            if step % config.log_every == 0 or step == config.iterations:
                rows.append([step, *(window / window_steps)])
                window[:] = 0.0
                window_steps = 0
            if config.snapshot_every and (step % config.snapshot_every == 0
                                          or step == config.iterations):
                take_snapshot(step)
            bar.update(n)
            bar.set_postfix(d_loss=f"{means[0]:.3f}", g_loss=f"{means[1]:.3f}",
                            refresh=False)
    finally:
        bar.close()
    seconds = time.perf_counter() - start
    history = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    history["step"] = history["step"].astype(np.int64)
    snaps: dict[str, np.ndarray] = {}
    if snapshots["steps"]:
        snaps = {"steps": np.asarray(snapshots["steps"], np.int64),
                 "samples": np.stack(snapshots["samples"]),
                 "acc_real": np.asarray(snapshots["acc_real"]),
                 "acc_fake": np.asarray(snapshots["acc_fake"])}
    timed_steps = config.iterations - first_chunk_steps
    compile_seconds = (first_chunk_end or start) - start
    return TrainResult(history=history, snapshots=snaps, seconds=seconds,
                       compile_seconds=compile_seconds, steps=config.iterations,
                       extra={"timed_steps": timed_steps,
                              "timed_seconds": time.perf_counter() - (first_chunk_end or start)
                              if timed_steps else 0.0})
