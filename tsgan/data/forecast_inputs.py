"""What is known before day D's auction: the inputs of a forecast for delivery day D.

The day-ahead auction for D closes at noon of D-1, so a forecast of D may use the prices of
days dated before D (here D-1, D-2 and D-7, :data:`PRICE_LAGS`), D's calendar, and
exogenous hourly series dated D and D-1 (day-ahead forecasts of load, wind, solar: published
before the auction). Nothing dated D or later is read from the prices, and nothing dated after
D from the exogenous series: every function here selects rows by ``D - lag`` before reading.

An exogenous series ``NAME`` is the 24 columns ``NAME_h00`` … ``NAME_h23`` of the day frame
(:func:`tsgan.data.sources.exogenous_columns`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tsgan.data.days import HOUR_COLUMNS, calendar_features
from tsgan.data.sources import exogenous_columns
from tsgan.errors import TsganError

#: Price days a forecast of D reads, as days before D.
PRICE_LAGS: tuple[int, ...] = (1, 2, 7)
#: Days before D whose exogenous values a forecast of D reads (0 = D itself).
EXOGENOUS_LAGS: tuple[int, ...] = (0, 1)
#: Width of the calendar block: one-hot weekday (7) and month (12).
CALENDAR_WIDTH = 19


@dataclass
class ForecastInputs:
    """Inputs of the forecasts of ``dates`` (n delivery days), in original units.

    ``prices`` (n, len(PRICE_LAGS), 24): the prices of D-1, D-2, D-7. ``exogenous``
    (n, k, len(EXOGENOUS_LAGS), 24): series k at D and D-1. ``calendar`` (n, 19): one-hot
    weekday and month of D. ``holiday`` (n,): German public holiday flag of D.
    """

    dates: pd.DatetimeIndex
    prices: np.ndarray
    exogenous: np.ndarray
    calendar: np.ndarray
    holiday: np.ndarray


def _as_dates(dates: Sequence[pd.Timestamp] | pd.DatetimeIndex) -> pd.DatetimeIndex:
    index = pd.DatetimeIndex(dates)
    if index.tz is not None:
        index = index.tz_localize(None)
    return index.normalize()


def _lagged(frame: pd.DataFrame, dates: pd.DatetimeIndex, lag: int) -> np.ndarray:
    """Rows of ``frame`` dated ``lag`` days before each date (NaN where absent)."""
    return frame.reindex(dates - pd.Timedelta(days=lag)).to_numpy(np.float64)


def calendar_block(dates: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """One-hot weekday and month of ``dates`` (n, 19), and their holiday flags (n,)."""
    features = calendar_features(dates)
    block = np.zeros((len(dates), CALENDAR_WIDTH))
    rows = np.arange(len(dates))
    block[rows, features["weekday"].to_numpy()] = 1.0
    block[rows, 7 + features["month"].to_numpy() - 1] = 1.0
    return block, features["holiday"].to_numpy(np.float64)


def require_exogenous(days: pd.DataFrame, exogenous: Sequence[str]) -> None:
    """Raise a one-line TsganError when ``days`` lacks a column of an exogenous series."""
    for name in exogenous:
        missing = [c for c in exogenous_columns(name) if c not in days.columns]
        if missing:
            raise TsganError(f"the history lacks the exogenous series {name!r} "
                             f"(no column {missing[0]})")


def forecast_inputs(days: pd.DataFrame, dates: Sequence[pd.Timestamp] | pd.DatetimeIndex,
                    exogenous: Sequence[str] = ()) -> ForecastInputs:
    """The inputs of the forecasts of ``dates`` read from the day frame ``days``.

    Raises TsganError naming the first date the inputs need that ``days`` lacks (a missing
    price day, or a missing or incomplete exogenous day).
    """
    index = _as_dates(dates)
    require_exogenous(days, exogenous)
    price_frame = days[HOUR_COLUMNS]
    prices = np.stack([_lagged(price_frame, index, lag) for lag in PRICE_LAGS], axis=1)
    exo = np.zeros((len(index), len(exogenous), len(EXOGENOUS_LAGS), 24))
    for k, name in enumerate(exogenous):
        frame = days[exogenous_columns(name)]
        for j, lag in enumerate(EXOGENOUS_LAGS):
            exo[:, k, j] = _lagged(frame, index, lag)
    _raise_first_gap(index, prices, exo, exogenous)
    calendar, holiday = calendar_block(index)
    return ForecastInputs(dates=index, prices=prices, exogenous=exo, calendar=calendar,
                          holiday=holiday)


def _raise_first_gap(index: pd.DatetimeIndex, prices: np.ndarray, exo: np.ndarray,
                     exogenous: Sequence[str]) -> None:
    """One line naming the earliest day the inputs need and do not have."""
    gaps: list[tuple[pd.Timestamp, str]] = []
    price_gap = ~np.isfinite(prices).all(axis=2)  # (n, lags)
    for j, lag in enumerate(PRICE_LAGS):
        for row in np.flatnonzero(price_gap[:, j]):
            gaps.append((index[row] - pd.Timedelta(days=lag), "prices"))
    if exo.size:
        exo_gap = ~np.isfinite(exo).all(axis=3)  # (n, k, lags)
        for k, name in enumerate(exogenous):
            for j, lag in enumerate(EXOGENOUS_LAGS):
                for row in np.flatnonzero(exo_gap[:, k, j]):
                    gaps.append((index[row] - pd.Timedelta(days=lag), f"series {name!r}"))
    if gaps:
        day, what = min(gaps)
        raise TsganError(f"the history lacks {what} for {day.date()}, needed from "
                         f"{min(index).date()} on (first missing date)")


def available_dates(days: pd.DataFrame, exogenous: Sequence[str] = ()) -> pd.DatetimeIndex:
    """Dates of ``days`` whose own prices and every forecast input exist: the days a
    forecasting model can be trained on."""
    require_exogenous(days, exogenous)
    index = _as_dates(days.index)
    ok = np.isfinite(days[HOUR_COLUMNS].to_numpy(np.float64)).all(axis=1)
    price_frame = days[HOUR_COLUMNS]
    for lag in PRICE_LAGS:
        ok &= np.isfinite(_lagged(price_frame, index, lag)).all(axis=1)
    for name in exogenous:
        frame = days[exogenous_columns(name)]
        for lag in EXOGENOUS_LAGS:
            ok &= np.isfinite(_lagged(frame, index, lag)).all(axis=1)
    return index[ok]
