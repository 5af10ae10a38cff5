"""Conditions of a day: calendar, price level and user columns, and their encoding.

A conditional GAN learns p(day | conditions). The conditions of a delivery day are

* ``month`` (1-12), ``weekday`` (0 = Monday … 6 = Sunday), ``holiday`` (German nationwide
  public holiday, 0/1) — the calendar, from :func:`tsgan.data.days.calendar_features`;
* ``level`` — the mean price (EUR/MWh) of the ``level_days`` calendar days *before* the day
  (the previous week by default): known before the day, so usable for scenarios of
  tomorrow, and it tells the model which price regime it is in (the 2021-22 crisis);
* any other name — a numeric column of the user's day frame (temperature, gas price, …).

Raw conditions are a frame with one column per name (in the run's order). The network sees
them encoded (:class:`ConditionEncoder`): month and weekday one-hot, holiday as 0/1, level
and user columns standardised with the training days' mean and standard deviation.

For sampling, :func:`request_conditions` turns what the user asks for into one raw row per
wanted day: nothing (draw training days' conditions), fixed values or sets of values
(``{"month": 1, "weekday": [0, 1, 2, 3, 4]}``: draw among training days that match, so
unnamed conditions follow their distribution *given* the named ones), or a frame with one
row per day (a ``date`` column fills in the calendar).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tsgan import checks
from tsgan.errors import TsganError

CALENDAR = ("month", "weekday", "holiday")
LEVEL = "level"
#: Conditions with a finite set of values (drawn by matching); the rest are numbers.
DISCRETE = CALENDAR
CATEGORIES = {"month": list(range(1, 13)), "weekday": list(range(7)), "holiday": [0, 1]}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")


def check_names(names: list[str]) -> list[str]:
    """Validated condition names (strings, unique, not an hour column); TsganError if not."""
    if not isinstance(names, (list, tuple)):
        raise TsganError(f"conditions must be a list of names, got {names!r}")
    out = []
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise TsganError(f"condition names must be non-empty strings, got {name!r}")
        if name.startswith("h") and name[1:].isdigit():
            raise TsganError(f"condition {name!r} is an hour column, not a condition")
        if name in out:
            raise TsganError(f"condition {name!r} is listed twice")
        out.append(name)
    return out


def condition_frame(days: pd.DataFrame, names: list[str], level_days: int = 7,
                    hour_columns: list[str] | None = None) -> pd.DataFrame:
    """Raw conditions of every day of ``days`` (indexed by date), columns ``names``.

    ``level`` is NaN for a day with no day of the frame in its look-back window (the first
    day); user columns must exist in ``days`` and be numeric (TsganError otherwise).
    """
    from tsgan.data.days import HOUR_COLUMNS, calendar_features

    if not isinstance(days.index, pd.DatetimeIndex):
        raise TsganError("conditions need a day frame indexed by date")
    out = pd.DataFrame(index=days.index)
    calendar = calendar_features(days.index) if any(n in CALENDAR for n in names) else None
    for name in names:
        if name in CALENDAR:
            assert calendar is not None
            out[name] = calendar[name].to_numpy()
        elif name == LEVEL:
            out[name] = previous_level(days[hour_columns or HOUR_COLUMNS], level_days)
        else:
            if name not in days.columns:
                hours = set(hour_columns or HOUR_COLUMNS)
                others = [str(c) for c in days.columns if c not in hours][:30]
                raise TsganError(f"condition column {name!r} is not in the data; its other "
                                 f"columns: {', '.join(others) or 'none (only the hours)'}; "
                                 f"built in: {', '.join((*CALENDAR, LEVEL))}")
            values = pd.to_numeric(days[name], errors="coerce")
            if values.isna().any():
                bad = days.index[values.isna()][0]
                raise TsganError(f"condition column {name!r} is missing or not a number on "
                                 f"{_date(bad)}")
            out[name] = values.astype(np.float64).to_numpy()
    return out


def previous_level(prices: pd.DataFrame, level_days: int = 7) -> np.ndarray:
    """Mean of all hourly prices in the ``level_days`` calendar days before each day."""
    level_days = checks.positive_integer(level_days, "level_days")
    daily = prices.mean(axis=1)
    order = np.argsort(daily.index.to_numpy(), kind="stable")
    ordered = daily.iloc[order]
    rolled = ordered.rolling(f"{level_days}D", closed="left").mean().to_numpy()
    out = np.empty(len(daily))
    out[order] = rolled
    return out


def _date(stamp: Any) -> str:
    return pd.Timestamp(stamp).strftime("%Y-%m-%d")


# --------------------------------------------------------------------------- encoding
@dataclass
class ConditionEncoder:
    """Raw conditions → network inputs: one-hot calendar, standardised numbers."""

    names: list[str]
    centre: dict[str, float] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)

    @classmethod
    def fit(cls, raw: pd.DataFrame, names: list[str]) -> ConditionEncoder:
        """Mean and standard deviation of the numeric conditions of the training days."""
        check_raw(raw, names)
        encoder = cls(list(names))
        for name in names:
            if name not in DISCRETE:
                values = raw[name].to_numpy(np.float64)
                std = float(values.std())
                encoder.centre[name] = float(values.mean())
                encoder.scale[name] = std if std > 0 else 1.0
        return encoder

    @property
    def width(self) -> int:
        """Number of encoded columns."""
        return len(self.labels())

    def labels(self) -> list[str]:
        """Names of the encoded columns (``month=1`` …, ``weekday=0`` …, ``holiday``, …)."""
        labels: list[str] = []
        for name in self.names:
            if name in ("month", "weekday"):
                labels += [f"{name}={v}" for v in CATEGORIES[name]]
            else:
                labels.append(name)
        return labels

    def encode(self, raw: pd.DataFrame) -> np.ndarray:
        """Float32 matrix (rows of ``raw``, :attr:`width`); raw values are checked first."""
        check_raw(raw, self.names)
        parts = []
        for name in self.names:
            values = raw[name].to_numpy()
            if name in ("month", "weekday"):
                cats = np.asarray(CATEGORIES[name])
                parts.append(values.astype(np.int64)[:, None] == cats[None, :])
            elif name == "holiday":
                parts.append(values.astype(np.float64)[:, None])
            else:
                z = (values.astype(np.float64) - self.centre[name]) / self.scale[name]
                parts.append(z[:, None])
        if not parts:
            return np.zeros((len(raw), 0), np.float32)
        return np.hstack([p.astype(np.float32) for p in parts])


def check_raw(raw: pd.DataFrame, names: list[str]) -> None:
    """TsganError unless ``raw`` has every condition with valid values."""
    missing = [n for n in names if n not in raw.columns]
    if missing:
        raise TsganError(f"conditions lack {', '.join(missing)} (this model is conditioned "
                         f"on {', '.join(names)})")
    for name in names:
        values = pd.to_numeric(raw[name], errors="coerce").to_numpy(np.float64)
        bad = ~np.isfinite(values)
        if name in DISCRETE:
            bad |= ~np.isin(values, CATEGORIES[name])
        if bad.any():
            shown = raw[name].to_numpy()[np.argmax(bad)]
            shown = shown.item() if isinstance(shown, np.generic) else shown
            valid = _valid_text(name)
            raise TsganError(f"condition {name} has invalid value {shown!r}; {valid}")


def _valid_text(name: str) -> str:
    if name == "month":
        return "valid: 1-12 or jan-dec"
    if name == "weekday":
        return "valid: 0-6 (0 = Monday) or mon-sun"
    if name == "holiday":
        return "valid: 0 or 1"
    return "it must be a finite number"


# --------------------------------------------------------------------------- requests
def parse_value(name: str, value: Any) -> list[float] | float:
    """A user's value for condition ``name``: a set of allowed values (calendar) or a number.

    Calendar values take numbers, names (``sat``, ``saturday``, ``jan``), comma lists and
    ranges (``mon-fri``, ``6-8``); numeric conditions take one number.
    """
    if name in DISCRETE:
        items = value if isinstance(value, (list, tuple, set, np.ndarray)) else [value]
        allowed: list[float] = []
        for item in items:
            for part in str(item).split(","):
                allowed += _parse_part(name, part.strip())
        if not allowed:
            raise TsganError(f"condition {name}: no value given")
        return sorted(set(allowed))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TsganError(f"condition {name} must be a number, got {value!r}") from None
    if not np.isfinite(number):
        raise TsganError(f"condition {name} must be a finite number, got {value!r}")
    return number


def _parse_part(name: str, text: str) -> list[float]:
    lo, sep, hi = text.partition("-")
    if sep and lo and hi:
        a, b = _parse_one(name, lo), _parse_one(name, hi)
        if b < a:
            raise TsganError(f"condition {name}: range {text!r} runs backwards")
        return [float(v) for v in range(int(a), int(b) + 1)]
    return [_parse_one(name, text)]


def _parse_one(name: str, text: str) -> float:
    key = text.strip().lower()
    names = {"weekday": WEEKDAYS, "month": MONTHS}.get(name, ())
    full = {"weekday": _WEEKDAY_NAMES, "month": _MONTH_NAMES}.get(name, ())
    for i, (short, long) in enumerate(zip(names, full, strict=True)):
        if key in (short, long):
            return float(i + (1 if name == "month" else 0))
    if name == "holiday" and key in ("yes", "true"):
        return 1.0
    if name == "holiday" and key in ("no", "false"):
        return 0.0
    try:
        number = float(key)
    except ValueError:
        raise TsganError(f"condition {name} has invalid value {text!r}; "
                         f"{_valid_text(name)}") from None
    if number not in CATEGORIES[name]:
        raise TsganError(f"condition {name} has invalid value {text!r}; {_valid_text(name)}")
    return number


def matching(raw: pd.DataFrame, wanted: Mapping[str, Any]) -> np.ndarray:
    """Boolean mask of the rows of ``raw`` whose calendar conditions lie in the sets
    ``wanted`` asks for (values as :func:`parse_value` takes them; numeric conditions in
    ``wanted`` do not filter)."""
    keep = np.ones(len(raw), bool)
    for name, value in wanted.items():
        if name in DISCRETE and value is not None:
            keep &= np.isin(raw[name].to_numpy(np.float64), parse_value(name, value))
    return keep


def request_conditions(train_raw: pd.DataFrame, names: list[str], n: int,
                       rng: np.random.Generator,
                       given: Mapping[str, Any] | pd.DataFrame | None = None) -> pd.DataFrame:
    """One raw condition row per wanted day (``n`` rows, columns ``names``).

    ``given``: None → training days' conditions drawn with replacement; a mapping → fixed
    values / sets (see :func:`parse_value`) with the other conditions drawn from training
    days that match the calendar sets (if none match, from all training days, with the
    calendar values drawn from the sets); a frame → its rows (one row is repeated ``n``
    times), with ``month`` / ``weekday`` / ``holiday`` taken from a ``date`` column when
    not given, and conditions it leaves out (``level``) drawn from training days with the
    row's calendar values.
    """
    if isinstance(given, pd.DataFrame):
        return _rows_from_frame(given, names, n, train_raw, rng)
    given = dict(given or {})
    unknown = [k for k in given if k not in names]
    if unknown:
        what = ", ".join(names) if names else "nothing (an unconditional run)"
        raise TsganError(f"unknown condition {', '.join(map(str, unknown))}; this model is "
                         f"conditioned on {what}")
    wanted = {k: parse_value(k, v) for k, v in given.items() if v is not None}
    pool = train_raw.reset_index(drop=True)
    match = matching(pool, wanted)
    rows = pool[match] if match.any() else pool
    out = rows.iloc[rng.integers(0, len(rows), size=n)].reset_index(drop=True)
    out = out[names].copy()
    for name, allowed in wanted.items():
        if name in DISCRETE:
            if not match.any():
                out[name] = rng.choice(np.asarray(allowed), size=n)
        else:
            out[name] = float(allowed)  # type: ignore[arg-type]
    for name in DISCRETE:
        if name in out:
            out[name] = out[name].astype(np.int64)
    check_raw(out, names)
    return out


def _rows_from_frame(frame: pd.DataFrame, names: list[str], n: int | None,
                     train_raw: pd.DataFrame | None = None,
                     rng: np.random.Generator | None = None) -> pd.DataFrame:
    frame = frame.reset_index(drop=True).copy()
    if "date" in frame.columns:
        dates = pd.to_datetime(frame["date"], errors="coerce")
        if dates.isna().any():
            bad = frame["date"][dates.isna()].iloc[0]
            raise TsganError(f"condition date {bad!r} is not a date (use YYYY-MM-DD)")
        from tsgan.data.days import calendar_features

        calendar = calendar_features(pd.DatetimeIndex(dates))
        for name in CALENDAR:
            if name in names and name not in frame.columns:
                frame[name] = calendar[name].to_numpy()
    for name in DISCRETE:
        if name in frame.columns and frame[name].dtype == object:
            frame[name] = [_single(name, v) for v in frame[name]]
    if n is not None and len(frame) not in (1, n):
        raise TsganError(f"the conditions have {len(frame)} rows; give one row per wanted day "
                         f"({n}) or a single row for all")
    if n is not None and len(frame) == 1 and n > 1:
        frame = frame.loc[np.zeros(n, np.int64)].reset_index(drop=True)
    missing = [name for name in names if name not in frame.columns]
    if missing and train_raw is not None and rng is not None:
        _draw_missing(frame, missing, names, train_raw, rng)
    check_raw(frame, names)
    out = frame[names].copy()
    for name in names:
        out[name] = pd.to_numeric(out[name])
        out[name] = out[name].astype(np.int64 if name in DISCRETE else np.float64)
    return out


def _draw_missing(frame: pd.DataFrame, missing: list[str], names: list[str],
                  train_raw: pd.DataFrame, rng: np.random.Generator) -> None:
    """Fill conditions a frame leaves out (e.g. ``level``) from training days that match each
    row's calendar columns (all training days when none match), in place."""
    given = [name for name in DISCRETE if name in names and name in frame.columns
             and name not in missing]
    pool = train_raw.reset_index(drop=True)
    for name in given:
        check_raw(frame[[name]], [name])
    filled = {name: np.empty(len(frame), dtype=np.float64) for name in missing}
    keys = frame[given].to_numpy(np.float64) if given else np.zeros((len(frame), 0))
    for key in np.unique(keys, axis=0):
        rows = np.flatnonzero((keys == key).all(axis=1))
        match = (pool[given].to_numpy(np.float64) == key).all(axis=1) if given \
            else np.ones(len(pool), bool)
        source = pool[match] if match.any() else pool
        picks = source.iloc[rng.integers(0, len(source), size=len(rows))]
        for name in missing:
            filled[name][rows] = picks[name].to_numpy(np.float64)
    for name in missing:
        frame[name] = filled[name]


def _single(name: str, value: Any) -> float:
    allowed = parse_value(name, value)
    if not isinstance(allowed, list) or len(allowed) != 1:
        raise TsganError(f"condition {name}: one value per row, got {value!r}")
    return allowed[0]
