"""Scale-out with TensorFlow's own engine, ``tf.distribute``: strategies by name and the
multi-worker bookkeeping (``TF_CONFIG``, who is chief, where non-chief workers write).

* ``default``: no distribution; :func:`tsgan.training.loop.train` takes its fast single-device
  path (resident data, fused steps).
* ``mirrored``: :class:`tf.distribute.MirroredStrategy` over every local GPU, or over every
  logical CPU device when there is no GPU (``TSGAN_CPU_DEVICES=N`` splits the CPU into N
  logical devices, see :func:`setup_logical_cpus`; useful for tests and measurements).
* ``multiworker``: :class:`tf.distribute.MultiWorkerMirroredStrategy`, one process per
  machine, the cluster described by the ``TF_CONFIG`` environment variable (without it: a
  single local worker). It must be created before TensorFlow runs any operation.

``batch_size`` is always the *global* batch: each of the R replicas gets ``batch_size / R``
rows per step and the per-example losses are averaged over the global batch, so one step
makes the same update as one default-strategy step on the same rows.

Only the chief writes the run directory. Every worker still calls the save code (saving may
need collective communication), non-chief workers into a temporary directory that is removed
afterwards: ``dirname(run_dir)/workertemp_<index>/basename(run_dir)``, the convention of
TensorFlow's multi-worker tutorials (:func:`task_run_dir`).

TensorFlow is imported lazily: parsing ``TF_CONFIG`` and deciding who writes cost nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsgan import checks
from tsgan.errors import TsganError

STRATEGY_NAMES = ("default", "mirrored", "multiworker")
#: Environment variable: split the CPU into this many logical devices (mirrored, no GPU).
CPU_DEVICES_ENV = "TSGAN_CPU_DEVICES"


@dataclass(frozen=True)
class TaskInfo:
    """This process's place in a multi-worker cluster (from ``TF_CONFIG``).

    ``task_type`` is None without ``TF_CONFIG`` (a single, local process: the chief).
    """

    task_type: str | None = None
    task_index: int = 0
    cluster: dict[str, list[str]] = field(default_factory=dict)

    @property
    def num_workers(self) -> int:
        """Training processes in the cluster (chief + workers; 1 without TF_CONFIG)."""
        return max(1, len(self.cluster.get("chief", [])) + len(self.cluster.get("worker", [])))

    @property
    def is_chief(self) -> bool:
        """True for the task that writes checkpoints and the run directory.

        That is the ``chief`` task if the cluster has one, else ``worker`` 0 (TensorFlow's
        rule), and the only process when there is no ``TF_CONFIG``.
        """
        if self.task_type is None or self.task_type == "chief":
            return True
        return self.task_type == "worker" and self.task_index == 0 \
            and "chief" not in self.cluster


def parse_tf_config(text: str | None = None) -> TaskInfo:
    """Parse ``TF_CONFIG`` (default: the environment variable) into a :class:`TaskInfo`.

    Missing or empty → a single local chief. Malformed JSON, a task missing from the cluster
    or an index out of range raise TsganError (one line).
    """
    if text is None:
        text = os.environ.get("TF_CONFIG", "")
    if not text.strip():
        return TaskInfo()
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TsganError(f"TF_CONFIG is not valid JSON: {exc.msg} at character {exc.pos}") \
            from None
    if not isinstance(config, Mapping):
        raise TsganError("TF_CONFIG must be a JSON object with 'cluster' and 'task'")
    cluster = config.get("cluster") or {}
    task = config.get("task") or {}
    if not isinstance(cluster, Mapping) or not isinstance(task, Mapping):
        raise TsganError("TF_CONFIG 'cluster' and 'task' must be JSON objects")
    clean: dict[str, list[str]] = {}
    for kind, addresses in cluster.items():
        if isinstance(addresses, str) or not isinstance(addresses, list) \
                or not all(isinstance(a, str) for a in addresses):
            raise TsganError(f"TF_CONFIG cluster '{kind}' must be a list of 'host:port' strings")
        clean[str(kind)] = list(addresses)
    if not task:
        return TaskInfo(None, 0, clean)
    task_type = task.get("type")
    index = task.get("index", 0)
    if not isinstance(task_type, str) or isinstance(index, bool) or not isinstance(index, int):
        raise TsganError("TF_CONFIG task needs a string 'type' and an integer 'index'")
    if task_type not in clean or not 0 <= index < len(clean[task_type]):
        raise TsganError(f"TF_CONFIG task {task_type}:{index} is not in the cluster "
                         f"({', '.join(f'{k}×{len(v)}' for k, v in clean.items()) or 'empty'})")
    return TaskInfo(task_type, index, clean)


def is_chief(task: TaskInfo | None = None) -> bool:
    """Whether this process writes the run (``task`` default: from ``TF_CONFIG``)."""
    return (task or parse_tf_config()).is_chief


def worker_temp_dir(run_dir: str | os.PathLike[str], task: TaskInfo | None = None) -> Path:
    """Where a non-chief worker writes instead of ``run_dir``.

    ``dirname(run_dir)/workertemp_<index>/basename(run_dir)`` (TensorFlow's convention;
    ``<index>`` includes the task type when it is not ``worker``).
    """
    task = task or parse_tf_config()
    run_dir = Path(run_dir)
    kind = "" if task.task_type in (None, "worker") else f"{task.task_type}_"
    return run_dir.parent / f"workertemp_{kind}{task.task_index}" / run_dir.name


@contextlib.contextmanager
def task_run_dir(run_dir: str | os.PathLike[str],
                 task: TaskInfo | None = None) -> Iterator[Path]:
    """Yield where this task writes the run: ``run_dir`` for the chief, else a temporary
    :func:`worker_temp_dir`, removed (with its ``workertemp_*`` parent) on exit."""
    task = task or parse_tf_config()
    if task.is_chief:
        yield Path(run_dir)
        return
    temp = worker_temp_dir(run_dir, task)
    try:
        temp.mkdir(parents=True, exist_ok=True)
        yield temp
    finally:
        shutil.rmtree(temp.parent, ignore_errors=True)


def setup_logical_cpus(n: int) -> list[str]:
    """Split the first physical CPU into ``n`` logical devices; their names.

    Must run before TensorFlow initialises its devices (the first operation); afterwards a
    different split raises TsganError. ``n == 1`` leaves the configuration alone.
    """
    import tensorflow as tf

    n = checks.integer_at_least(n, "the number of logical CPU devices", 1)
    cpu = tf.config.list_physical_devices("CPU")[0]
    if n > 1:
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)])
        except RuntimeError:
            have = len(tf.config.list_logical_devices("CPU"))
            if have != n:
                raise TsganError(f"cannot split the CPU into {n} logical devices: TensorFlow "
                                 f"already runs with {have}; set it up before training") \
                    from None
    return [d.name for d in tf.config.list_logical_devices("CPU")]


def _env_cpu_devices() -> int | None:
    text = os.environ.get(CPU_DEVICES_ENV, "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise TsganError(f"{CPU_DEVICES_ENV} must be an integer, got {text!r}") from None


def make_strategy(name: str = "default", cpu_devices: int | None = None) -> Any:
    """The ``tf.distribute`` strategy called ``name`` (see the module docstring).

    ``default`` returns None (training takes the single-device fast path). For ``mirrored``
    on a machine without GPUs, ``cpu_devices`` (or ``TSGAN_CPU_DEVICES``) logical CPU devices
    are set up first and all logical CPUs are mirrored. Unknown names raise TsganError.
    """
    checks.choice(name, "strategy", STRATEGY_NAMES)
    if name == "default":
        return None
    import tensorflow as tf

    cpu_devices = cpu_devices if cpu_devices is not None else _env_cpu_devices()
    if name == "multiworker":
        parse_tf_config()  # a clear one-line error for a malformed TF_CONFIG
        try:
            return tf.distribute.MultiWorkerMirroredStrategy()
        except (RuntimeError, ValueError) as exc:
            raise TsganError(f"cannot start multi-worker training: {exc}".splitlines()[0]) \
                from None
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return tf.distribute.MirroredStrategy()
    devices = setup_logical_cpus(cpu_devices or 1)
    return tf.distribute.MirroredStrategy(devices)


def resolve_strategy(strategy: Any) -> Any:
    """A strategy from a name (:func:`make_strategy`), a ``tf.distribute.Strategy`` (as is)
    or None (None)."""
    if strategy is None or not isinstance(strategy, str):
        return strategy
    return make_strategy(strategy)


def num_replicas(strategy: Any) -> int:
    """Replicas in sync under ``strategy`` (1 for None)."""
    return 1 if strategy is None else int(strategy.num_replicas_in_sync)


def check_global_batch(batch_size: int, strategy: Any) -> None:
    """Raise TsganError unless the global ``batch_size`` splits evenly over the replicas."""
    replicas = num_replicas(strategy)
    if batch_size % replicas:
        raise TsganError(f"batch_size {batch_size} does not split evenly over {replicas} "
                         f"replicas; use a multiple of {replicas} (it is the global batch)")


def scope(strategy: Any) -> contextlib.AbstractContextManager[Any]:
    """``strategy.scope()``, or a no-op context for None."""
    return strategy.scope() if strategy is not None else contextlib.nullcontext()


def is_multi_worker(strategy: Any) -> bool:
    """Whether ``strategy`` is a :class:`tf.distribute.MultiWorkerMirroredStrategy`."""
    if strategy is None:
        return False
    import tensorflow as tf

    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


@contextlib.contextmanager
def save_dir(run_dir: str | os.PathLike[str], strategy: Any = None) -> Iterator[Path]:
    """Where to save a run trained under ``strategy``: :func:`task_run_dir` for multi-worker
    training (the chief's ``run_dir``, a removed temporary directory elsewhere), else
    ``run_dir`` itself (a stray ``TF_CONFIG`` does not matter then)."""
    if is_multi_worker(strategy):
        with task_run_dir(run_dir) as out:
            yield out
    else:
        yield Path(run_dir)
