"""Shared checks and constants: integer and choice validation, exit codes, limits and the
named random streams every module draws from.

One home for them so that the same bad value gets the same one-line message everywhere
(library, CLI and scripts), and so that a run's random draws come from streams whose names
say what they are for: two parts of tsgan never share a stream by accident.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from tsgan.errors import TsganError

# ---------------------------------------------------------------------------- exit codes
#: Finished normally.
EXIT_OK = 0
#: Bad input, files or environment (a :class:`~tsgan.errors.TsganError`; argparse's usage
#: errors too).
EXIT_USAGE = 2
#: Stopped by Ctrl-C (SIGINT), the shell convention 128 + 2.
EXIT_INTERRUPTED = 130
#: Stopped by SIGTERM, the shell convention 128 + 15.
EXIT_TERMINATED = 143

# ---------------------------------------------------------------------------- limits
#: Memorisation an honest model shows on real days it never saw: the nearest-neighbour
#: quantile used by :func:`tsgan.evaluate.metrics.memorisation` is 5 %, so a set of unseen
#: real days scores about 0.05. KDE bandwidth choice and model selection treat more than
#: this as copying the training days.
MEMORISATION_LIMIT = 0.05


# ---------------------------------------------------------------------------- random streams
class Stream:
    """Named sub-streams of a run's seed: ``rng(seed, Stream.TEST_DATA)``.

    The numbers are part of reproducibility (a run's draws depend on them): never renumber.
    """

    TRAIN_DATA = 1          # toy presets: the training sample
    TEST_DATA = 2           # toy presets: the held-out sample
    BOOTSTRAP = 11          # baselines: resampled training rows
    KDE = 12                # baselines: the kernel density estimate
    GAUSSIAN = 13           # baselines: the multivariate normal
    SHUFFLED_HOURS = 14     # baselines: hours drawn from independent days
    KDE_VALIDATION = 15     # baselines: the validation rows of the KDE bandwidth choice
    KDE_SELECTION = 16      # baselines: subsampling in the KDE bandwidth choice
    SAMPLE = 17             # PriceGAN.sample: conditions and anchors of the generated rows
    TEST_CONDITIONS = 23    # evaluation: conditions drawn like the held-out days
    ANCHOR_POOL = 31        # anchors: training rows that estimate the typical distance
    GUARD_SAMPLE = 37       # anchors: query days of the copy-guard distance
    CALIBRATION = 43        # value map: the seed of the calibration sample
    FORECAST = 53           # ForecastGAN.forecast: noise of each delivery day (+ its date)
    PATHS = 59              # ForecastGAN.paths: noise of the paths (+ the start date)
    LEAR_LITE = 101         # backtest references: LEAR-lite's residual draws
    DAY_TYPE = 102          # backtest references: last days of the day type
    LAST_DAYS = 103         # backtest references: last 28 days
    CLIMATOLOGY = 104       # backtest references: training days at random
    SNAPSHOTS = 7919        # training: the fixed noise of the evolution snapshots


def rng(seed: int | None, stream: int) -> np.random.Generator:
    """A numpy generator for ``seed`` on the named ``stream`` (None = fresh entropy)."""
    return np.random.default_rng(None if seed is None else [int(seed), int(stream)])


# ---------------------------------------------------------------------------- values
def _is_whole(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    return float(value).is_integer()


def integer_at_least(value: Any, name: str, minimum: int, note: str = "") -> int:
    """``value`` as an int if it is a whole number >= ``minimum``, else a one-line
    TsganError ``NAME must be an integer >= MINIMUM{note}, got VALUE``."""
    if not _is_whole(value) or value < minimum:
        raise TsganError(f"{name} must be an integer >= {minimum}{note}, got {value!r}")
    return int(value)


def positive_integer(value: Any, name: str) -> int:
    """``value`` as an int if it is a whole number > 0, else a one-line TsganError."""
    if not _is_whole(value) or value <= 0:
        raise TsganError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def choice(value: Any, name: str, valid: Iterable[str]) -> str:
    """``value`` if it is one of ``valid``, else ``unknown NAME 'X'; valid: a, b``."""
    valid = tuple(valid)
    if value not in valid:
        raise TsganError(f"unknown {name} {value!r}; valid: {', '.join(valid)}")
    return value


# ---------------------------------------------------------------------------- argparse types
def _argparse_int(minimum: int, words: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {words}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {words}, got {value}")
        return value

    parse.__name__ = words.replace(" ", "_")
    parse.__doc__ = f"argparse type: {words}."
    return parse


#: argparse type: an integer > 0 (counts, sizes, steps).
positive_int = _argparse_int(1, "a positive integer")
#: argparse type: an integer >= 0 (seeds, offsets).
non_negative_int = _argparse_int(0, "an integer >= 0")
