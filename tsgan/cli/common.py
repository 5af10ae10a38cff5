"""What every ``tsgan`` command module shares: the one-line-error argument parser, the preset
names and keeping TensorFlow's start-up log lines off stderr.

Nothing heavy is imported here (``tsgan --help`` must not import TensorFlow).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.abc
import importlib.util
import os
import sys
from collections.abc import Iterator
from typing import Any

from tsgan.checks import EXIT_USAGE
from tsgan.errors import TsganError

PRESET_NAMES = ("smard", "quadratic", "heights")


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line instead of a usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


@contextlib.contextmanager
def _stderr_to_devnull() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for the block (C++ libraries write there)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
        finally:
            os.close(devnull)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _QuietLoader(importlib.abc.Loader):
    """Wraps TensorFlow's loader: its package import runs with stderr on /dev/null."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        try:
            with _stderr_to_devnull():
                self._loader.exec_module(module)
        finally:
            module.__loader__ = self._loader
            if getattr(module, "__spec__", None) is not None:
                module.__spec__.loader = self._loader


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    """Meta path hook: the first ``import tensorflow``, wherever it happens, is quiet."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "tensorflow":
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def quiet_tensorflow() -> None:
    """Keep TensorFlow's start-up log lines off stderr (one-line-error contract).

    TensorFlow >= 2.19 prints absl/oneDNN INFO lines when it is imported, even with
    ``TF_CPP_MIN_LOG_LEVEL=2`` (tensorflow/tensorflow#100442). A meta path hook runs that
    import, whenever a command first needs it, with file descriptor 2 on /dev/null; nothing
    is imported here, so commands that fail early stay fast. ``TSGAN_DEBUG=1`` keeps it all.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules or os.environ.get("TSGAN_DEBUG"):
        return
    if not any(isinstance(f, _QuietTensorFlowFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowFinder())


def load_calendar_run(run_dir: str) -> Any:
    """``PriceGAN.load(run_dir)`` for the commands of calendar-conditioned runs; a forecast
    run gets one line that names the commands made for it."""
    from tsgan.api import PriceGAN
    from tsgan.runs import is_forecast_run

    if is_forecast_run(run_dir):
        raise TsganError(f"{run_dir} is a forecast run (--preset forecast): use tsgan forecast "
                         "for its scenarios and tsgan backtest to score it")
    return PriceGAN.load(run_dir)


def comma_list(text: str | None) -> list[str]:
    """``"load, wind"`` -> ``["load", "wind"]`` (None or blank: nothing)."""
    if text is None:
        return []
    return [name.strip() for name in text.split(",") if name.strip()]
