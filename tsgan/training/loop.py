"""The training loop: many fused steps per compiled call, history, snapshots, callbacks.

GAN training here is thousands of tiny steps, so the cost is framework overhead, not
arithmetic. One ``tf.function`` runs a whole chunk of steps in a graph loop; Python only sees
the chunk's mean metrics (one host sync per chunk), which feed the history every
``log_every`` steps, the NaN guard, the progress bar and the optional callback.

Single device (the default): the training data stay resident in a variable and each step
gathers a random batch with indices from the model's seeded random stream — no iterator,
no host round trip. With ``config.jit_compile`` the whole chunk loop is one XLA computation
(``JIT_UNROLL`` steps per loop iteration). Under another ``tf.distribute`` strategy batches
come from a prefetched ``tf.data`` pipeline, each step runs under ``strategy.run`` and the
per-replica metrics are summed (losses are already averaged over the global batch).
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from tsgan import checks
from tsgan.errors import TsganError
from tsgan.model.config import GANConfig
from tsgan.model.gan import GAN, METRIC_NAMES
from tsgan.training import checkpoints as ckpt
from tsgan.training.selection import ModelSelector

HISTORY_COLUMNS = ["step", *METRIC_NAMES]
#: Steps traced per loop iteration of an XLA-compiled chunk. Measured on 2 CPU cores
#: (quadratic / smard ms per step): 1 step 0.45 / 3.8, 2 steps 0.066 / 1.31, 4 steps
#: 0.064 / 1.44; without XLA 0.38 / 1.44. Two keeps compile time low (≈ 3-4 s).
JIT_UNROLL = 2


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
    """A compiled function running ``n`` train steps on a ``tf.data`` ``iterator``.

    The general (distributed) path: each step runs under ``strategy.run`` and the
    per-replica metrics are summed. The step itself may be XLA-compiled (``jit_compile``);
    the loop around it (iterator reads) stays a normal graph loop. With ``ema_decay`` the
    generator's weight average is updated after each ``strategy.run``, in cross-replica
    context. Returns mean metrics.
    """
    step = tf.function(gan.train_step, jit_compile=True) if jit_compile else gan.train_step
    sum_ = tf.distribute.ReduceOp.SUM

    gan.ema_outside_step = bool(gan.ema_decay)

    def one_step(iterator: Any) -> tf.Tensor:
        logs = strategy.run(step, args=(next(iterator),))
        if gan.ema_decay:  # mirrored weights are equal after the step: average once, here
            gan.update_ema()
        return tf.stack([strategy.reduce(sum_, logs[k], axis=None) for k in METRIC_NAMES])

    @tf.function
    def run_chunk(iterator: Any, n: tf.Tensor) -> tf.Tensor:
        total = tf.zeros([len(METRIC_NAMES)], tf.float32)
        for _ in tf.range(n):
            total += tf.cast(one_step(iterator), tf.float32)
        return total / tf.cast(n, tf.float32)

    return run_chunk


def make_resident_chunk_function(gan: GAN, data: tf.Variable, batch_size: int,
                                 jit_compile: bool = False,
                                 unroll: int = 1) -> Callable[[tf.Tensor], tf.Tensor]:
    """A compiled function running ``n`` train steps on a resident data tensor.

    The fast single-device path: each step gathers ``batch_size`` rows at indices drawn
    uniformly (with replacement) from the model's seeded random stream, so there is no
    iterator and no host round trip inside a chunk. The metrics are summed in loop
    variables and reduced once per chunk. With ``jit_compile`` the whole chunk loop is one
    XLA computation; ``unroll`` steps are traced per loop iteration (the remainder runs in a
    second loop), which lets XLA fuse across steps. Returns the chunk's mean metrics, (4,).
    """
    n_rows = int(data.shape[0])
    names = METRIC_NAMES
    unroll = max(1, int(unroll))

    def one_step(totals: tuple[tf.Tensor, ...]) -> tuple[tf.Tensor, ...]:
        index = keras.random.randint((batch_size,), 0, n_rows, seed=gan.noise_seed)
        logs = gan.train_step(tf.gather(data, index))
        return tuple(t + tf.cast(logs[k], tf.float32) for t, k in zip(totals, names, strict=True))

    def run_chunk(n: tf.Tensor) -> tf.Tensor:
        # explicit counters, not tf.range: XLA would take the range limit as a compile-time
        # constant and recompile for every new chunk length
        totals = tuple(tf.zeros([], tf.float32) for _ in names)
        i = tf.constant(0, n.dtype)
        while i < n // unroll:
            for _ in range(unroll):
                totals = one_step(totals)
            i += 1
        if unroll > 1:
            j = tf.constant(0, n.dtype)
            while j < n % unroll:
                totals = one_step(totals)
                j += 1
        return tf.stack(totals) / tf.cast(n, tf.float32)

    return tf.function(run_chunk, jit_compile=jit_compile)


#: ``callback(step, model, train_seconds) -> bool``: True stops training early.
Callback = Callable[[int, Any, float], bool]


def step_boundaries(config: GANConfig, callback_every: int = 0,
                    checkpoint_every: int = 0, select_every: int = 0) -> list[int]:
    """Steps after which Python regains control: chunk ends, log steps, snapshots, callbacks,
    checkpoints, model selection, the end."""
    total = config.iterations
    stops = set(range(config.steps_per_execution, total, config.steps_per_execution))
    stops.update(range(config.log_every, total, config.log_every))
    if config.snapshot_every:
        stops.update(range(config.snapshot_every, total, config.snapshot_every))
    if callback_every:
        stops.update(range(callback_every, total, callback_every))
    for every in (checkpoint_every, select_every):
        if every:
            stops.update(range(every, total, every))
    stops.add(total)
    return sorted(stops)


def train(gan: GAN, data: np.ndarray, config: GANConfig, progress: bool = False,
          to_original: Callable[[np.ndarray], np.ndarray] | None = None,
          snapshot_real: np.ndarray | None = None,
          strategy: tf.distribute.Strategy | None = None,
          callback: Callback | None = None, callback_every: int = 0,
          callback_model: Any = None,
          checkpointer: ckpt.Checkpointer | None = None,
          selector: ModelSelector | None = None) -> TrainResult:
    """Train ``gan`` (compiled) on ``data`` (model space) for ``config.iterations`` steps.

    Snapshots (if ``config.snapshot_every``) are G's samples from one fixed noise batch at
    step 0, every ``snapshot_every`` steps and at the end, mapped to original units by
    ``to_original``, together with D's accuracy on ``snapshot_real`` (model-space training
    rows; a conditional GAN generates under those rows' conditions) and on those samples.
    With ``ema_decay`` the samples come from G's weight average. A NaN/Inf loss stops
    training with a TsganError.

    ``callback(step, callback_model or gan, train_seconds)`` runs after every
    ``callback_every`` steps (model selection, early stopping, time-to-quality); returning
    True stops training there. ``train_seconds`` and the result's timings exclude the time
    spent in callbacks (and in snapshots' host work is included, as before).

    Under the default (single-device) strategy the data stay resident in the graph and each
    step gathers a random batch (:func:`make_resident_chunk_function`); under another
    ``tf.distribute`` strategy batches come from :func:`make_dataset`.

    ``checkpointer`` (:class:`tsgan.training.checkpoints.Checkpointer`): write ``RUN/checkpoint/``
    every ``checkpointer.every`` steps (0 = only on a signal) with all variables (models,
    optimisers, the GAN's random state) and the history and snapshots so far; with
    ``checkpointer.resume`` start from that checkpoint instead of step 0. SIGINT / SIGTERM
    then only set a flag; at the next chunk boundary a checkpoint is saved and
    :class:`tsgan.training.checkpoints.TrainingInterrupted` raised. Chunk boundaries depend only
    on the config and ``checkpointer.every``, so on the single-device path a resumed run ends with
    the same weights, bit for bit, as an uninterrupted one.

    ``selector`` (:class:`tsgan.training.selection.ModelSelector`): score the model
    (``callback_model``, required) every ``selector.every`` steps and at the last one (also
    when a callback stops early), stop when it says so, and restore its best weights at the end.
    Its time counts as training time but not in ``ms_per_step``; the checkpoint keeps its state. The
    history, the snapshots and the final metrics still describe every step up to the last.
    """
    from tqdm.auto import tqdm

    callback_every = (checks.positive_integer(callback_every, "callback_every")
                      if callback is not None else 0)
    if selector is not None and callback_model is None:
        raise TsganError("model selection needs callback_model (the PriceGAN it samples from)")
    to_original = to_original or (lambda z: z)
    data = np.asarray(data, dtype=np.float32)
    if len(data) < config.batch_size:
        raise TsganError(f"the training data has {len(data)} rows, fewer than the batch size "
                         f"{config.batch_size}; lower batch_size or give more data")
    if strategy is None and not tf.distribute.has_strategy():
        resident = tf.Variable(data, trainable=False, name="training_data")
        chunk = make_resident_chunk_function(gan, resident, config.batch_size,
                                             config.jit_compile,
                                             JIT_UNROLL if config.jit_compile else 1)

        def run_chunk(n: int) -> tf.Tensor:
            return chunk(tf.constant(n, tf.int64))
    else:
        strategy = strategy or tf.distribute.get_strategy()
        dataset = make_dataset(data, config.batch_size, config.seed)
        iterator = iter(strategy.experimental_distribute_dataset(dataset))
        # XLA cannot address other replicas' variables: compile only a 1-replica step.
        jit = config.jit_compile and strategy.num_replicas_in_sync == 1
        dist_chunk = make_chunk_function(gan, strategy, jit)

        def run_chunk(n: int) -> tf.Tensor:
            return dist_chunk(iterator, tf.constant(n, tf.int64))

    snap_rng = checks.rng(config.seed, checks.Stream.SNAPSHOTS)
    snap_noise = snap_rng.standard_normal((config.snapshot_size, config.latent_dim))
    if snapshot_real is None:
        pick = snap_rng.choice(len(data), size=min(len(data), config.snapshot_size),
                               replace=False)
        snapshot_real = data[pick]
    if gan.condition_dim:  # one generated day per real day: under that day's conditions
        n_snap = min(len(snapshot_real), len(snap_noise))
        snapshot_real, snap_noise = snapshot_real[:n_snap], snap_noise[:n_snap]
    snap_noise = tf.constant(snap_noise, tf.float32)
    snap_real, snap_cond = gan.split_batch(tf.constant(np.asarray(snapshot_real, np.float32)))
    if gan.anchored:  # fixed anchors too, so the snapshots show one set of days evolving
        column = snap_rng.integers(0, gan.anchor_choices, int(snap_noise.shape[0]))
        snap_noise = gan.with_anchors(snap_noise, snap_cond, tf.constant(column, tf.int32))
    snapshots: dict[str, list[Any]] = {"steps": [], "samples": [], "acc_real": [],
                                       "acc_fake": []}

    def take_snapshot(step: int) -> None:
        sampler = gan.sampling_generator
        fake = sampler([snap_noise, snap_cond] if gan.condition_dim else snap_noise,
                       training=False)
        out_fake = gan.score(fake, snap_cond)
        out_real = gan.score(snap_real, snap_cond)
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
    seconds_before = 0.0
    checkpoint_every = checkpointer.every if checkpointer is not None else 0
    if checkpointer is not None and checkpointer.resume:
        state = ckpt.load(checkpointer.run_dir, gan)
        if not 0 < state.step <= config.iterations:
            raise TsganError(f"checkpoint in {checkpointer.run_dir} is at step {state.step}, "
                             f"outside 1..{config.iterations}; train again")
        step, rows, window_steps = state.step, state.rows, state.window_steps
        if state.window:
            window = np.asarray(state.window, np.float64)
        seconds_before = state.seconds
        if selector is not None and state.selection is not None:
            selector.load_state(state.selection, state.best_weights, gan)
        for key in snapshots:
            snapshots[key] = list(state.snapshots.get(key, []))
        checkpointer.last_step = step

    def save_checkpoint() -> None:
        assert checkpointer is not None
        ckpt.save(checkpointer.run_dir, gan, ckpt.TrainState(
            step=step, rows=rows, window=[float(x) for x in window],
            window_steps=window_steps,
            seconds=seconds_before + time.perf_counter() - start - callback_seconds,
            snapshots=snapshots,
            selection=selector.state() if selector is not None else None,
            best_weights=selector.best_weights if selector is not None else None))
        checkpointer.last_step = step

    callback_seconds = 0.0
    selection_seconds = 0.0  # this session's scoring: training time, but not per-step speed
    start = time.perf_counter()
    first_chunk_end = None
    first_chunk_steps = 0
    bar = tqdm(total=config.iterations, initial=step, disable=not progress, unit="it",
               dynamic_ncols=True, mininterval=0.25, desc=f"training {config.preset}")
    watching = checkpointer.watching() if checkpointer is not None \
        else contextlib.nullcontext(None)
    first_step = step
    try:
        flag = watching.__enter__()
        if config.snapshot_every and step == 0:
            take_snapshot(0)
        select_every = selector.every if selector is not None else 0
        for stop in step_boundaries(config, callback_every, checkpoint_every, select_every):
            if stop <= step:
                continue
            n = stop - step
            means = run_chunk(n).numpy().astype(np.float64)
            if first_chunk_end is None:
                first_chunk_end, first_chunk_steps = time.perf_counter(), n
            step = stop
            if not np.all(np.isfinite(means[:2])):
                bad = METRIC_NAMES[int(np.argmin(np.isfinite(means[:2])))]
                kept = ""
                if checkpointer is not None and checkpointer.last_step is not None:
                    kept = (f"the last good checkpoint (step {checkpointer.last_step}) stays in "
                            f"{checkpointer.run_dir / ckpt.CHECKPOINT_DIR}; ")
                elif checkpointer is not None:
                    kept = "no checkpoint was written before that; "
                raise TsganError(
                    f"training diverged at step {step}: {bad} became {means[:2]} (NaN/Inf); "
                    f"{kept}try a lower learning rate (now {config.learning_rate:g})")
            window += means * n
            window_steps += n
            stop_now = False
            if callback_every and step % callback_every == 0:
                cb_start = time.perf_counter()
                elapsed = cb_start - start - callback_seconds
                stop_now = bool(callback(step, callback_model if callback_model is not None
                                         else gan, elapsed))
                callback_seconds += time.perf_counter() - cb_start
            if selector is not None and (step % select_every == 0 or stop_now
                                         or step == config.iterations):
                scoring_start = time.perf_counter()
                stop_now = selector.update(step, callback_model, gan) or stop_now
                selection_seconds += time.perf_counter() - scoring_start
            last = stop_now or step == config.iterations
            if step % config.log_every == 0 or last:
                rows.append([step, *(window / window_steps)])
                window[:] = 0.0
                window_steps = 0
            if config.snapshot_every and (step % config.snapshot_every == 0 or last):
                take_snapshot(step)
            bar.update(n)
            bar.set_postfix(d_loss=f"{means[0]:.3f}", g_loss=f"{means[1]:.3f}",
                            refresh=False)
            if checkpointer is not None and step < config.iterations and not stop_now:
                signum = flag.signum if flag is not None else None
                if signum is not None or (checkpoint_every and step % checkpoint_every == 0):
                    save_checkpoint()
                if signum is not None:
                    bar.close()
                    raise ckpt.TrainingInterrupted(step, config.iterations,
                                                   checkpointer.run_dir, signum)
            if stop_now:
                break
    finally:
        watching.__exit__(None, None, None)
        bar.close()
    if selector is not None:
        selector.restore(gan)
    end = time.perf_counter()
    seconds = seconds_before + end - start - callback_seconds
    history = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    history["step"] = history["step"].astype(np.int64)
    snaps: dict[str, np.ndarray] = {}
    if snapshots["steps"]:
        snaps = {"steps": np.asarray(snapshots["steps"], np.int64),
                 "samples": np.stack(snapshots["samples"]),
                 "acc_real": np.asarray(snapshots["acc_real"]),
                 "acc_fake": np.asarray(snapshots["acc_fake"])}
    timed_steps = step - first_step - first_chunk_steps
    compile_seconds = (first_chunk_end or start) - start
    timed_seconds = (end - (first_chunk_end or start) - callback_seconds - selection_seconds
                     if timed_steps else 0.0)
    return TrainResult(history=history, snapshots=snaps, seconds=seconds,
                       compile_seconds=compile_seconds, steps=step,
                       extra={"timed_steps": timed_steps, "timed_seconds": timed_seconds,
                              "callback_seconds": callback_seconds,
                              "selection_seconds": selection_seconds,
                              "stopped_early": step < config.iterations})
