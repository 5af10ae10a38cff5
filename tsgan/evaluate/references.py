"""Reference ensembles a day-ahead price forecast is judged against.

Each function returns an array (len(dates), n, 24) in EUR/MWh: n members for each requested
delivery day D. ``days`` is a day frame (DatetimeIndex ``date``, naive midnights, columns
``h00`` … ``h23``; other columns are ignored except the exogenous series LEAR-lite reads), with
possible gaps. A delivery day must be a date of ``days`` or the day right after its last date,
and ``dates`` must be strictly increasing. No reference reads a price dated D or later when
it forecasts D (climatology reads only days before ``train_end``, which may not come after the
first delivery day). Rows whose 24 prices are not all finite are not used as history.

The references, from most to least informed:

* LEAR-lite: the per-hour asinh ridge of :class:`tsgan.model.linear.LearLite`, refitted every
  ``refit_every`` delivery days, plus joint residual vectors;
* last 8 of day type: the 8 most recent days of D's day type (weekday, Saturday, Sunday or
  public holiday);
* last 28 days: the 28 most recent days;
* climatology: days drawn from the whole training period.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tsgan import checks
from tsgan.checks import Stream, integer_at_least, positive_integer
from tsgan.data.days import HOUR_COLUMNS, calendar_features, require_day_frame
from tsgan.errors import TsganError

REFERENCE_NAMES: tuple[str, ...] = ("LEAR-lite", "last 8 of day type", "last 28 days",
                                    "climatology")


#: Day types of :func:`day_types`.
WEEKDAY, SATURDAY, SUNDAY_OR_HOLIDAY = 0, 1, 2


# --------------------------------------------------------------------------- inputs
def _history(days: pd.DataFrame) -> pd.DataFrame:
    """The usable price days of ``days``: checked, sorted by date, rows with all 24 prices."""
    prices = require_day_frame(days)[HOUR_COLUMNS].astype("float64")
    return prices[np.isfinite(prices.to_numpy()).all(axis=1)]


def _delivery_dates(days: pd.DataFrame, dates: Sequence[pd.Timestamp] | pd.DatetimeIndex
                    ) -> pd.DatetimeIndex:
    """``dates`` as naive midnights after checking they are forecastable from ``days``."""
    index = pd.DatetimeIndex(dates)
    if index.tz is not None:
        index = index.tz_localize(None)
    index = index.normalize()
    if len(index) == 0:
        raise TsganError("no delivery dates given")
    if not index.is_monotonic_increasing or index.has_duplicates:
        raise TsganError("delivery dates must be strictly increasing")
    if len(days.index) == 0:
        raise TsganError("days hold no history")
    after = days.index.max() + pd.Timedelta(days=1)
    unknown = index[~index.isin(days.index) & (index != after)]
    if len(unknown):
        raise TsganError(f"delivery day {unknown[0].date()} is neither in the days nor the day "
                         f"after them ({after.date()})")
    return index


def _spread(rows: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` picks from ``rows``, each row used as equally often as possible.

    Every row appears n // len(rows) times, and n % len(rows) further rows are drawn without
    replacement; the picks are shuffled so that any leading subset is a fair draw.
    """
    repeats, rest = divmod(n, len(rows))
    picks = np.concatenate([np.tile(rows, repeats), rng.choice(rows, size=rest, replace=False)])
    return rng.permutation(picks)


def day_types(dates: pd.DatetimeIndex) -> np.ndarray:
    """Day type of each date: 0 weekday (Mon-Fri, no holiday), 1 Saturday (no holiday),
    2 Sunday or German public holiday; days of a type share a typical price shape."""
    features = calendar_features(pd.DatetimeIndex(dates))
    weekday = features["weekday"].to_numpy()
    holiday = features["holiday"].to_numpy().astype(bool)
    types = np.where(weekday == 5, SATURDAY, WEEKDAY)
    types[(weekday == 6) | holiday] = SUNDAY_OR_HOLIDAY
    return types


def _recent(history: pd.DataFrame, dates: pd.DatetimeIndex, n: int, rng: np.random.Generator,
            size: int, what: str, mask: np.ndarray | None = None,
            wanted: np.ndarray | None = None) -> np.ndarray:
    """Members spread over the ``size`` most recent history rows before each date (of the
    date's type ``wanted[i]`` when ``mask`` gives each history row's type)."""
    prices = history.to_numpy()
    ends = history.index.searchsorted(dates, side="left")
    out = np.empty((len(dates), n, len(HOUR_COLUMNS)))
    for i, (date, end) in enumerate(zip(dates, ends, strict=True)):
        rows = np.arange(end)
        if mask is not None and wanted is not None:
            rows = rows[mask[:end] == wanted[i]]
        if len(rows) < size:
            raise TsganError(f"delivery day {date.date()} has only {len(rows)} {what} before it, "
                             f"needs {size}")
        out[i] = prices[_spread(rows[-size:], n, rng)]
    return out


# --------------------------------------------------------------------------- references
def climatology(days: pd.DataFrame, dates: Sequence[pd.Timestamp] | pd.DatetimeIndex, n: int,
                rng: np.random.Generator, train_end: pd.Timestamp | str) -> np.ndarray:
    """Each delivery day gets ``n`` days drawn with replacement from all days dated before
    ``train_end``: the unconditional distribution of the (fixed) training period."""
    n = positive_integer(n, "n")
    history = _history(days)
    index = _delivery_dates(days, dates)
    end = pd.Timestamp(train_end)
    if index[0] < end:
        raise TsganError(f"delivery day {index[0].date()} comes before train_end {end.date()}: "
                         "climatology would use later days")
    pool = history[history.index < end].to_numpy()
    if len(pool) == 0:
        raise TsganError(f"no days before train_end {end.date()} for climatology")
    return pool[rng.integers(0, len(pool), size=(len(index), n))]


def last_days(days: pd.DataFrame, dates: Sequence[pd.Timestamp] | pd.DatetimeIndex, n: int,
              rng: np.random.Generator, window: int = 28) -> np.ndarray:
    """The ``window`` most recent days before each delivery day (by position in the sorted
    frame, so gaps are skipped), each used as equally often as ``n`` allows: every day
    n // window times, n % window more of them drawn without replacement."""
    n = positive_integer(n, "n")
    window = positive_integer(window, "window")
    history = _history(days)
    index = _delivery_dates(days, dates)
    return _recent(history, index, n, rng, window, "days")


def last_day_type(days: pd.DataFrame, dates: Sequence[pd.Timestamp] | pd.DatetimeIndex, n: int,
                  rng: np.random.Generator, count: int = 8) -> np.ndarray:
    """The ``count`` most recent days before each delivery day of its day type (weekday,
    Saturday, Sunday or public holiday: :func:`day_types`), spread over ``n`` members as in
    :func:`last_days`."""
    n = positive_integer(n, "n")
    count = positive_integer(count, "count")
    history = _history(days)
    index = _delivery_dates(days, dates)
    return _recent(history, index, n, rng, count, "days of its day type",
                   mask=day_types(history.index), wanted=day_types(index))


def lear_lite(days: pd.DataFrame, dates: Sequence[pd.Timestamp] | pd.DatetimeIndex, n: int,
              rng: np.random.Generator, refit_every: int = 28,
              exogenous: Sequence[str] = ()) -> np.ndarray:
    """LEAR-lite ensembles: the delivery days in blocks of ``refit_every``, the model refitted
    before each block on the days dated before the block's first day, then its point forecast
    plus ``n`` joint in-sample residual vectors per day (:meth:`LearLite.ensemble`).

    Exogenous series (columns ``NAME_h00`` …) are read at D and D-1, as the model does.
    """
    from tsgan.model.linear import LearLite

    n = positive_integer(n, "n")
    refit_every = positive_integer(refit_every, "refit_every")
    history = _history(days)
    index = _delivery_dates(days, dates)
    train = days.loc[history.index]
    out = np.empty((len(index), n, len(HOUR_COLUMNS)))
    for start in range(0, len(index), refit_every):
        block = index[start:start + refit_every]
        model = LearLite(exogenous=exogenous)
        try:
            model.fit(train, until=block[0])
            out[start:start + len(block)] = model.ensemble(days, block, n, rng)
        except TsganError as exc:
            raise TsganError(f"LEAR-lite for delivery day {block[0].date()}: {exc}") from None
    return out


def reference_ensembles(days: pd.DataFrame, dates: Sequence[pd.Timestamp] | pd.DatetimeIndex,
                        n: int, seed: int, train_end: pd.Timestamp | str,
                        exogenous: Sequence[str] = (), refit_every: int = 28
                        ) -> dict[str, np.ndarray]:
    """All four references of :data:`REFERENCE_NAMES` for ``dates``, each on its own random
    stream of ``seed``, so one reference's draws never depend on the others."""
    seed = integer_at_least(seed, "seed", 0)

    def stream(number: int) -> np.random.Generator:
        return checks.rng(seed, number)

    return {
        "LEAR-lite": lear_lite(days, dates, n, stream(Stream.LEAR_LITE),
                               refit_every=refit_every, exogenous=exogenous),
        "last 8 of day type": last_day_type(days, dates, n, stream(Stream.DAY_TYPE), count=8),
        "last 28 days": last_days(days, dates, n, stream(Stream.LAST_DAYS), window=28),
        "climatology": climatology(days, dates, n, stream(Stream.CLIMATOLOGY), train_end),
    }
