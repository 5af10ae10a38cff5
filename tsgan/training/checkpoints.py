"""Training checkpoints: save and restore everything a run needs to continue bit for bit.

A checkpoint is the folder ``RUN/checkpoint/`` holding

- ``variables.npz``: every variable of the generator, the discriminator, both optimisers
  (slots, iteration counters, learning-rate variables) and the GAN's random state (the
  ``noise_seed`` SeedGenerator that draws batch indices and noise), keyed ``v0000, ...`` in a
  fixed order, plus ``names`` and a ``shapes`` check; loaded with ``allow_pickle=False``;
- ``state.json``: the step, the history rows so far (and the partly filled log window), the
  training seconds so far and the snapshots' scalar parts;
- ``snapshots.npz``: the snapshot samples so far (if any);
- ``best.npz``: with model selection, the best weights kept so far (the selection's curve
  and best step are in ``state.json``).

It is written atomically as a folder: into ``RUN/.checkpoint.tmp-PID`` first, then the old
``checkpoint`` is renamed to ``.checkpoint.old``, the new one renamed into place and the old
one removed; a crash between the renames leaves ``.checkpoint.old``, which :func:`load` uses.
No pickle anywhere: arrays are ``.npz`` without object arrays, the rest is JSON (floats
round-trip exactly through ``repr``).

Signals: :class:`SignalFlag` installs SIGINT / SIGTERM handlers that only record the signal;
the training loop looks at the flag at chunk boundaries (every <= ``steps_per_execution``
steps), saves a checkpoint and raises :class:`TrainingInterrupted`, which the CLI turns into
exit 130 / 143 and one line saying how to resume.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np

from tsgan.checks import EXIT_INTERRUPTED, EXIT_TERMINATED
from tsgan.errors import TsganError

CHECKPOINT_DIR = "checkpoint"
OLD_DIR = ".checkpoint.old"
FORMAT_VERSION = 1
#: Exit codes of an interrupted ``tsgan train``: 128 + the signal number.
EXIT_CODES = {signal.SIGINT: EXIT_INTERRUPTED, signal.SIGTERM: EXIT_TERMINATED}


class TrainingInterrupted(TsganError):
    """Training stopped on SIGINT / SIGTERM after saving a checkpoint (exit 130 / 143)."""

    interrupted = True

    def __init__(self, step: int, total: int, run_dir: Path, signum: int) -> None:
        self.step, self.total, self.run_dir, self.signum = step, total, Path(run_dir), signum
        super().__init__(f"interrupted at step {step} of {total}; checkpoint saved; resume "
                         f"with: tsgan train --resume {run_dir}",
                         exit_code=EXIT_CODES.get(signal.Signals(signum), 128 + int(signum)))


class SignalFlag:
    """Context manager: SIGINT / SIGTERM set :attr:`signum` instead of stopping the process.

    Handlers are installed only in the main thread (Python allows no other) and the previous
    handlers are restored on exit.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self._saved: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is None:
            self.signum = signum

    def __enter__(self) -> SignalFlag:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._saved[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)
        self._saved.clear()


@dataclass
class TrainState:
    """The training loop's host-side state at a step (what the history and snapshots hold)."""

    step: int = 0
    rows: list[list[float]] = field(default_factory=list)
    window: list[float] = field(default_factory=list)
    window_steps: int = 0
    seconds: float = 0.0
    snapshots: dict[str, list[Any]] = field(default_factory=dict)
    #: model selection (:class:`tsgan.training.selection.ModelSelector`): its state and kept weights
    selection: dict[str, Any] | None = None
    best_weights: list[np.ndarray] | None = None


def gan_variables(gan: Any) -> list[Any]:
    """Every variable training changes, in a fixed order: G, D, both optimisers, random state
    (and G's weight average with ``ema_decay``).

    ``Layer.variables`` includes the layers' own seed generators (dropout); the GAN's
    ``noise_seed`` state draws the batches and the noise of the resident (single-device)
    training path.
    """
    seen: set[int] = set()
    out = []
    groups = (gan.generator.variables, gan.discriminator.variables, gan.d_optimizer.variables,
              gan.g_optimizer.variables, [gan.noise_seed.state],
              gan.ema_generator.variables if gan.ema_generator is not None else [])
    for group in groups:
        for var in group:
            if id(var) not in seen:
                seen.add(id(var))
                out.append(var)
    return out


def variable_name(var: Any) -> str:
    """The name a checkpoint records for ``var`` (its Keras path, else its name)."""
    return str(getattr(var, "path", None) or getattr(var, "name", "?"))


def save(run_dir: str | os.PathLike[str], gan: Any, state: TrainState) -> Path:
    """Write ``RUN/checkpoint/`` atomically (the previous one stays until this one is whole)."""
    run_dir = Path(run_dir)
    final = run_dir / CHECKPOINT_DIR
    tmp = run_dir / f".checkpoint.tmp-{os.getpid()}"
    old = run_dir / OLD_DIR
    try:
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        variables = gan_variables(gan)
        arrays = {f"v{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(variables)}
        with open(tmp / "variables.npz", "wb") as handle:
            names = np.asarray([variable_name(v) for v in variables], dtype=str)
            np.savez(handle, names=names, **arrays)
        snaps = state.snapshots or {}
        if snaps.get("samples"):
            with open(tmp / "snapshots.npz", "wb") as handle:
                np.savez(handle, samples=np.stack(snaps["samples"]))
        if state.best_weights is not None:
            with open(tmp / "best.npz", "wb") as handle:
                np.savez(handle, **{f"v{i:04d}": w for i, w in enumerate(state.best_weights)})
        record = {
            "format_version": FORMAT_VERSION, "step": int(state.step),
            "rows": [[float(x) for x in row] for row in state.rows],
            "window": [float(x) for x in state.window], "window_steps": int(state.window_steps),
            "seconds": float(state.seconds),
            "snapshots": {k: [float(x) for x in snaps.get(k, [])]
                          for k in ("steps", "acc_real", "acc_fake")},
            "selection": state.selection,
        }
        (tmp / "state.json").write_text(json.dumps(record) + "\n", encoding="utf-8")
        for path in tmp.iterdir():  # durable before it replaces the previous checkpoint
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        if final.exists():
            if old.exists():
                shutil.rmtree(old)
            os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)
        raise TsganError(f"cannot write checkpoint in {run_dir}: {exc.strerror or exc}") \
            from None
    return final


def find(run_dir: str | os.PathLike[str]) -> Path | None:
    """The checkpoint folder of ``run_dir`` (or the previous one a crash left), else None."""
    run_dir = Path(run_dir)
    for name in (CHECKPOINT_DIR, OLD_DIR):
        if (run_dir / name / "state.json").is_file():
            return run_dir / name
    return None


def load(run_dir: str | os.PathLike[str], gan: Any) -> TrainState:
    """Assign the checkpoint's values to ``gan``'s variables; the host-side state."""
    folder = find(run_dir)
    if folder is None:
        raise TsganError(f"{run_dir} holds no checkpoint to resume from (no {CHECKPOINT_DIR}/ "
                         f"folder); train again")
    try:
        record = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        with np.load(folder / "variables.npz", allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        samples = None
        if (folder / "snapshots.npz").is_file():
            with np.load(folder / "snapshots.npz", allow_pickle=False) as npz:
                samples = npz["samples"]
        best = None
        if (folder / "best.npz").is_file():
            with np.load(folder / "best.npz", allow_pickle=False) as npz:
                best = [npz[f"v{i:04d}"] for i in range(len(npz.files))]
    except (OSError, ValueError, KeyError, EOFError, json.JSONDecodeError) as exc:
        raise TsganError(f"checkpoint {folder} is corrupt: {exc}") from None
    if not isinstance(record, dict) or record.get("format_version") != FORMAT_VERSION:
        raise TsganError(f"checkpoint {folder} has an unknown format; train again")
    variables = gan_variables(gan)
    values = [arrays.get(f"v{i:04d}") for i in range(len(variables))]
    if len(arrays) - 1 != len(variables) or any(
            v is None or tuple(v.shape) != tuple(var.shape)
            for v, var in zip(values, variables, strict=True)):
        raise TsganError(f"checkpoint {folder} does not fit the run's model (variables or "
                         f"shapes differ); train again")
    for var, value in zip(variables, values, strict=True):
        var.assign(value)
    snaps: dict[str, list[Any]] = {"steps": [], "samples": [], "acc_real": [], "acc_fake": []}
    stored = record.get("snapshots") or {}
    snaps["steps"] = [int(s) for s in stored.get("steps", [])]
    snaps["acc_real"] = list(stored.get("acc_real", []))
    snaps["acc_fake"] = list(stored.get("acc_fake", []))
    if samples is not None:
        snaps["samples"] = list(samples)
    return TrainState(step=int(record["step"]), rows=[list(r) for r in record["rows"]],
                      window=list(record["window"]), window_steps=int(record["window_steps"]),
                      seconds=float(record["seconds"]), snapshots=snaps,
                      selection=record.get("selection"), best_weights=best)


def remove(run_dir: str | os.PathLike[str]) -> None:
    """Delete the checkpoint (after the finished run is saved)."""
    for name in (CHECKPOINT_DIR, OLD_DIR):
        shutil.rmtree(Path(run_dir) / name, ignore_errors=True)
    for tmp in Path(run_dir).glob(".checkpoint.tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class Checkpointer:
    """What :func:`tsgan.training.loop.train` needs to checkpoint: where, how often, resume?"""

    run_dir: Path
    every: int = 0
    resume: bool = False
    signals: bool = True
    #: the step of the last checkpoint written or loaded (None: none yet)
    last_step: int | None = None

    @contextlib.contextmanager
    def watching(self) -> Iterator[SignalFlag | None]:
        """The signal flag while training runs (None when signals are not handled)."""
        if not self.signals:
            yield None
            return
        with SignalFlag() as flag:
            yield flag
