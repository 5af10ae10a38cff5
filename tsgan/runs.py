"""The run directory: write, validate and read a trained model (see docs/interfaces.md).

Layout: ``config.json`` (format_version, versions, data fingerprint, full config, ...),
``generator.keras``, ``discriminator.keras``, ``scaler.json``, ``history.csv``, ``data.npz``,
``snapshots.npz``, ``selection.csv`` and ``marginal_map.json`` where used (+ ``plots/``,
``metrics.json``, ... written by other commands).

Every file is written atomically (temporary file + rename) and ``config.json`` is written
last, so a directory without it is not a (finished) run. A run being trained with checkpoints
(:func:`write_run_start`) already holds ``scaler.json``, ``data.npz`` and a ``config.json``
with ``"complete": false`` plus ``checkpoint/`` (see :mod:`tsgan.training.checkpoints`): everything
``tsgan train --resume`` needs; loading it says so instead of failing on missing models.
Models load with Keras safe mode and no custom objects; data files load with
``allow_pickle=False``. Anything wrong with a run directory raises a one-line :class:`TsganError`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tsgan import __version__
from tsgan.data import io as tsgan_io
from tsgan.errors import TsganError
from tsgan.model.config import GANConfig

FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
REQUIRED_FILES = ("generator.keras", "discriminator.keras", "scaler.json", "history.csv",
                  "data.npz")
SELECTION_FILE = "selection.csv"
MARGINAL_FILE = "marginal_map.json"
OPTIONAL_FILES = ("snapshots.npz", SELECTION_FILE, MARGINAL_FILE)
RESUME_FILES = ("scaler.json", "data.npz")
HISTORY_COLUMNS = ("step", "d_loss", "g_loss", "d_acc_real", "d_acc_fake")


def _empty_history() -> pd.DataFrame:
    return pd.DataFrame(columns=list(HISTORY_COLUMNS))


@dataclass
class RunState:
    """The fitted state of a run: everything a run directory holds besides its configuration.

    A fresh state (only ``columns``) is an unfitted model's; ``PriceGAN.fit`` builds a new
    one per fit, :func:`read_run` / :func:`read_run_start` rebuild one from a run directory
    (with the :class:`~tsgan.model.config.GANConfig` beside it).
    """

    #: value columns (original units), e.g. h00..h23
    columns: list[str]
    #: :class:`tsgan.model.scaling.Scaler` fitted on the training rows
    scaler: Any = None
    #: training and held-out rows (smard: indexed by date)
    train_data: pd.DataFrame | None = None
    test_data: pd.DataFrame | None = None
    #: conditional runs: raw conditions (same index as the data) and their encoder
    train_conditions: pd.DataFrame | None = None
    test_conditions: pd.DataFrame | None = None
    condition_encoder: Any = None
    #: the Keras models (None before training / in an unfinished run)
    generator: Any = None
    discriminator: Any = None
    history: pd.DataFrame = field(default_factory=_empty_history)
    snapshots: dict[str, np.ndarray] = field(default_factory=dict)
    #: model selection: the validation curve and the kept step
    selection: pd.DataFrame | None = None
    best_step: int | None = None
    #: marginal calibration (:mod:`tsgan.model.marginals`); None when off
    marginal_map: Any = None
    #: data provenance
    data_source: str | None = None
    data_fingerprint: str | None = None
    split: dict[str, Any] = field(default_factory=dict)
    #: timings (ms_per_step, compile_seconds and steps_trained are not stored in a run)
    train_seconds: float = 0.0
    ms_per_step: float = float("nan")
    compile_seconds: float = float("nan")
    steps_trained: int = 0
    created_utc: str | None = None


def fingerprint(*arrays: np.ndarray) -> str:
    """sha256 over the float64 bytes of ``arrays`` (the training and test data)."""
    digest = hashlib.sha256()
    for arr in arrays:
        arr = np.ascontiguousarray(np.asarray(arr, dtype=np.float64))
        digest.update(str(arr.shape).encode())
        digest.update(arr.tobytes())
    return digest.hexdigest()


#: Preset name of forecast runs (:mod:`tsgan.forecast`), whose directories differ.
FORECAST_PRESET = "forecast"


def is_forecast_run(run_dir: str | os.PathLike[str]) -> bool:
    """Whether ``run_dir`` holds a run of the forecast preset (its config.json says so)."""
    try:
        data = json.loads((Path(run_dir) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("preset") == FORECAST_PRESET


def package_versions() -> dict[str, str]:
    """Versions of the packages that decide a run's numbers."""
    import keras
    import tensorflow as tf

    return {"python": platform.python_version(), "tensorflow": tf.__version__,
            "keras": keras.__version__, "numpy": np.__version__, "pandas": pd.__version__,
            "tsgan": __version__}


def _index_strings(frame: pd.DataFrame) -> np.ndarray:
    if isinstance(frame.index, pd.DatetimeIndex):
        return np.asarray(frame.index.strftime("%Y-%m-%d"), dtype=str)
    return np.asarray(frame.index, dtype=np.int64)


def _save_model(model: Any, target: Path) -> None:
    with tsgan_io.atomic_path(target, suffix=".keras") as tmp, warnings.catch_warnings():
        # Keras' own saving code trips numpy 2's __array__(copy=...) deprecation; not ours.
        warnings.filterwarnings("ignore", message=".*__array__ implementation",
                                category=DeprecationWarning)
        model.save(tmp, overwrite=True)


def _save_npz(target: Path, **arrays: np.ndarray) -> None:
    with tsgan_io.atomic_path(target, suffix=".npz") as tmp, open(tmp, "wb") as handle:
        np.savez(handle, **arrays)


def _make_run_dir(run_dir: Path) -> None:
    if run_dir.exists() and not run_dir.is_dir():
        raise TsganError(f"run directory {run_dir} exists and is not a directory")
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TsganError(f"cannot create run directory {run_dir}: {exc.strerror or exc}") \
            from None


def _write_inputs(config: GANConfig, state: RunState, run_dir: Path) -> None:
    """scaler.json and data.npz: what training (and a resume) starts from."""
    tsgan_io.write_json(run_dir / "scaler.json", state.scaler.to_dict())
    train, test = state.train_data, state.test_data
    assert train is not None and test is not None
    extra: dict[str, np.ndarray] = {}
    if config.conditions:  # raw conditions; the encoder is refitted from them on load
        assert state.train_conditions is not None and state.test_conditions is not None
        extra = {"train_conditions": state.train_conditions.to_numpy(np.float64),
                 "test_conditions": state.test_conditions.to_numpy(np.float64),
                 "condition_names": np.asarray(list(config.conditions), dtype=str)}
    _save_npz(run_dir / "data.npz", train=train.to_numpy(np.float64),
              test=test.to_numpy(np.float64), train_index=_index_strings(train),
              test_index=_index_strings(test), columns=np.asarray(state.columns, dtype=str),
              **extra)


def write_run_start(config: GANConfig, state: RunState, run_dir: str | os.PathLike[str],
                    checkpoint_every: int = 0) -> Path:
    """Before training with checkpoints: scaler.json, data.npz, then config.json marked
    ``"complete": false`` (with ``checkpoint_every``), so a resume has everything."""
    run_dir = Path(run_dir)
    _make_run_dir(run_dir)
    _write_inputs(config, state, run_dir)
    record = _record(config, state, complete=False) | {"checkpoint_every": int(checkpoint_every)}
    tsgan_io.write_json(run_dir / CONFIG_FILE, record)
    return run_dir


def write_run(config: GANConfig, state: RunState, run_dir: str | os.PathLike[str]) -> Path:
    """Write every file of a trained run into ``run_dir`` (config.json last); its path."""
    run_dir = Path(run_dir)
    _make_run_dir(run_dir)
    # optional files the run lacks: a stale one from an earlier run in the same directory
    # would be read as this run's; removed first, so a failure writes nothing
    if state.selection is None:
        _remove_stale(run_dir / SELECTION_FILE)
    if state.marginal_map is None:
        _remove_stale(run_dir / MARGINAL_FILE)
    _save_model(state.generator, run_dir / "generator.keras")
    _save_model(state.discriminator, run_dir / "discriminator.keras")
    tsgan_io.write_frame(state.history, run_dir / "history.csv")
    if state.selection is not None:
        tsgan_io.write_frame(state.selection, run_dir / SELECTION_FILE)
    if state.marginal_map is not None:
        tsgan_io.write_json(run_dir / MARGINAL_FILE, state.marginal_map.to_dict())
    _write_inputs(config, state, run_dir)
    snaps = state.snapshots or {}
    if snaps:
        _save_npz(run_dir / "snapshots.npz",
                  **{k: np.asarray(v) for k, v in snaps.items()})
    tsgan_io.write_json(run_dir / CONFIG_FILE, _record(config, state, complete=True))
    return run_dir


def _remove_stale(path: Path) -> None:
    """Remove ``path`` if it is there; a failure is a one-line TsganError."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise TsganError(f"cannot remove the stale {path}: {exc.strerror or exc}") from None


def _record(config: GANConfig, state: RunState, complete: bool) -> dict[str, Any]:
    """The config.json record of a run."""
    train, test = state.train_data, state.test_data
    assert train is not None and test is not None
    last = state.history.iloc[-1].to_dict() if complete and len(state.history) else {}
    return {
        "format_version": FORMAT_VERSION,
        "tsgan_version": __version__,
        "preset": config.preset,
        "config": config.to_dict(),
        "data": {"source": state.data_source, "fingerprint": state.data_fingerprint,
                 "n_train": len(train), "n_test": len(test), "columns": list(state.columns),
                 "split": state.split},
        "versions": package_versions(),
        "seed": config.seed,
        "created_utc": state.created_utc,
        "train_seconds": round(float(state.train_seconds), 3),
        "best_step": state.best_step,
        "metrics": {"final_" + k: float(v) for k, v in last.items() if k != "step"}
        | {"ms_per_step": _finite_or_none(state.ms_per_step)},
        "complete": bool(complete),
    }


def _finite_or_none(value: float) -> float | None:
    return round(float(value), 4) if np.isfinite(value) else None


# --------------------------------------------------------------------------- reading
def read_config(run_dir: str | os.PathLike[str],
                incomplete: bool = False) -> dict[str, Any]:
    """Validate ``run_dir`` and return its ``config.json`` record (TsganError if not a run).

    A run whose training did not finish (``"complete": false``) is an error unless
    ``incomplete`` (then only the files a resume needs are required).
    """
    run_dir = Path(run_dir)
    if not run_dir.exists():
        raise TsganError(f"run directory {run_dir} does not exist")
    if not run_dir.is_dir():
        raise TsganError(f"{run_dir} is not a directory")
    path = run_dir / CONFIG_FILE
    if not path.is_file():
        raise TsganError(f"{run_dir} holds no tsgan run (config.json missing; train one with "
                         f"'tsgan train --run-dir {run_dir}')")
    record = _read_json(path)
    if not isinstance(record, dict) or "format_version" not in record \
            or "tsgan_version" not in record or not isinstance(record.get("config"), dict):
        raise TsganError(f"{run_dir} is not a tsgan run directory (config.json lacks "
                         f"format_version / tsgan_version / config)")
    if record["format_version"] != FORMAT_VERSION:
        raise TsganError(f"{run_dir} has run format_version {record['format_version']!r}; "
                         f"this tsgan ({__version__}) reads format_version {FORMAT_VERSION}; "
                         f"retrain or use a matching tsgan version")
    if record.get("complete") is False and not incomplete:
        raise TsganError(f"run {run_dir}: training did not finish; resume with "
                         f"tsgan train --resume {run_dir}")
    required = RESUME_FILES if incomplete else REQUIRED_FILES
    missing = [name for name in required if not (run_dir / name).is_file()]
    if missing:
        raise TsganError(f"run {run_dir} is incomplete (half-written?): missing "
                         f"{', '.join(missing)}")
    return record


def _load_model(path: Path) -> Any:
    import keras

    import tsgan.model.networks  # noqa: F401 - registers tsgan's own layers (safe-mode loading)

    if not zipfile.is_zipfile(path):
        raise TsganError(f"{path} is corrupt (not a Keras .keras archive)")
    try:
        return keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as exc:  # noqa: BLE001 - Keras raises many types for a bad archive
        raise TsganError(f"{path} is corrupt or not a tsgan model: "
                         f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}") from None


def _load_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise TsganError(f"{path} is corrupt: {exc}") from None


def _frame(values: np.ndarray, index: np.ndarray, columns: list[str],
           preset: str) -> pd.DataFrame:
    if preset == "smard":
        idx = pd.DatetimeIndex(pd.to_datetime(index.astype(str)), name="date").as_unit("ns")
        return pd.DataFrame(values, index=idx, columns=columns)
    return pd.DataFrame(values, columns=columns)


def _read_csv(path: Path, columns: Sequence[str] = ()) -> pd.DataFrame:
    """A CSV a run wrote; unreadable or lacking ``columns`` → one-line TsganError."""
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise TsganError(f"{path} is corrupt: {exc}") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise TsganError(f"{path} is corrupt: no column {', '.join(missing)}")
    return frame


def read_run(run_dir: str | os.PathLike[str]) -> tuple[GANConfig, RunState]:
    """The configuration and fitted state of the finished run in ``run_dir`` (validated,
    safe loading); ``PriceGAN.load`` builds the model from them."""
    run_dir = Path(run_dir)
    record = read_config(run_dir)
    config, state = _read_inputs(run_dir, record)
    state.history = _read_csv(run_dir / "history.csv")
    if (run_dir / "snapshots.npz").is_file():
        state.snapshots = _load_npz(run_dir / "snapshots.npz")
    if (run_dir / SELECTION_FILE).is_file():
        from tsgan.training.selection import CURVE_COLUMNS

        state.selection = _read_csv(run_dir / SELECTION_FILE, CURVE_COLUMNS)
        state.best_step = record.get("best_step")
    state.generator = _load_model(run_dir / "generator.keras")
    state.discriminator = _load_model(run_dir / "discriminator.keras")
    _check_shapes(config, state, run_dir)
    state.train_seconds = float(record.get("train_seconds") or 0.0)
    state.created_utc = record.get("created_utc")
    if config.marginal_calibration:
        state.marginal_map = _read_marginal_map(run_dir)
    return config, state


def _read_json(path: Path) -> Any:
    """A JSON file a run wrote; unreadable or not JSON → one-line TsganError."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TsganError(f"{path} is corrupt: {exc}") from None


def _read_marginal_map(run_dir: Path) -> Any:
    """The run's marginal map (:mod:`tsgan.model.marginals`); missing or invalid → TsganError."""
    from tsgan.model.marginals import MarginalMap

    path = run_dir / MARGINAL_FILE
    if not path.is_file():
        raise TsganError(f"run {run_dir} is incomplete: {MARGINAL_FILE} is missing (its "
                         f"config has marginal_calibration on)")
    data = _read_json(path)
    try:
        return MarginalMap.from_dict(data)
    except TsganError as exc:
        raise TsganError(f"{path}: {exc}") from None


def read_run_start(run_dir: str | os.PathLike[str]
                   ) -> tuple[GANConfig, RunState, dict[str, Any]]:
    """An unfinished run (for ``--resume``): its configuration, its state without models,
    and its record.

    A finished run, or one without a checkpoint, is a one-line TsganError.
    """
    from tsgan.training import checkpoints

    run_dir = Path(run_dir)
    record = read_config(run_dir, incomplete=True)
    if record.get("complete") is not False:
        raise TsganError(f"run {run_dir} finished training already; nothing to resume")
    if checkpoints.find(run_dir) is None:
        raise TsganError(f"run {run_dir} holds no checkpoint to resume from (interrupted before "
                         f"the first one was written?); train again")
    config, state = _read_inputs(run_dir, record)
    return config, state, record


def _read_inputs(run_dir: Path, record: dict[str, Any]) -> tuple[GANConfig, RunState]:
    """Config, scaler, data and data provenance of a run (no models, no history)."""
    from tsgan.model.scaling import Scaler

    config = GANConfig.from_dict(record["config"])
    scaler = Scaler.from_dict(_read_json(run_dir / "scaler.json"))
    data = _load_npz(run_dir / "data.npz")
    try:
        columns = [str(c) for c in data["columns"]]
        train = _frame(data["train"], data["train_index"], columns, config.preset)
        test = _frame(data["test"], data["test_index"], columns, config.preset)
    except (KeyError, ValueError, TypeError) as exc:
        raise TsganError(f"{run_dir / 'data.npz'} is invalid: {exc}") from None
    info = record.get("data") or {}
    state = RunState(columns=columns, scaler=scaler, train_data=train, test_data=test,
                     data_source=info.get("source"),
                     data_fingerprint=info.get("fingerprint"),
                     split=info.get("split") or {})
    if config.conditions:
        _read_conditions(config, state, data, run_dir)
    return config, state


def _read_conditions(config: GANConfig, state: RunState, data: dict[str, np.ndarray],
                     run_dir: Path) -> None:
    """Raw conditions of a conditional run and the encoder refitted from the training ones."""
    from tsgan.data.conditions import ConditionEncoder

    names = list(config.conditions)
    try:
        stored = [str(c) for c in data["condition_names"]]
        frames = [pd.DataFrame(data[key], columns=names, index=frame.index)
                  for key, frame in (("train_conditions", state.train_data),
                                     ("test_conditions", state.test_data))]
    except (KeyError, ValueError, TypeError) as exc:
        raise TsganError(f"{run_dir / 'data.npz'} lacks valid conditions: {exc}") from None
    if stored != names:
        raise TsganError(f"run {run_dir} is inconsistent: conditions {stored} in data.npz, "
                         f"{names} in config.json")
    for frame in frames:
        for name in ("month", "weekday", "holiday"):
            if name in frame:
                frame[name] = frame[name].astype(np.int64)
    state.train_conditions, state.test_conditions = frames
    state.condition_encoder = ConditionEncoder.fit(state.train_conditions, names)


def _input_widths(network: Any) -> list[int]:
    shapes = network.input_shape
    shapes = shapes if isinstance(shapes, list) else [shapes]
    return [int(shape[-1]) for shape in shapes]


def _check_shapes(config: GANConfig, state: RunState, run_dir: Path) -> None:
    dim = len(state.columns)
    width = state.condition_encoder.width if state.condition_encoder is not None else 0
    tail = [width] if width else []
    g_in = _input_widths(state.generator)
    g_out = state.generator.output_shape[-1]
    d_in = _input_widths(state.discriminator)
    from tsgan.model.networks import generator_input_width

    g_expected = [generator_input_width(config, dim), *tail]
    if g_in != g_expected or g_out != dim or d_in != [dim, *tail] \
            or state.scaler.n_features != dim:
        raise TsganError(f"run {run_dir} is inconsistent: generator {g_in}→{g_out}, "
                         f"discriminator input {d_in}, {dim} columns, latent_dim "
                         f"{config.latent_dim}, anchored "
                         f"{bool(config.anchor_neighbours)}, condition width {width}")
