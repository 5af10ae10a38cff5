"""Tidy hourly prices → one 24-value vector per Europe/Berlin delivery day.

A delivery day is a local calendar day in Europe/Berlin, so its hours are grouped by local
date and local clock hour (``h00`` … ``h23``):

* spring DST day (23 hours): 02:00 does not exist; ``h02`` is the linear interpolation of
  ``h01`` and ``h03`` (always, it is not counted as a gap);
* autumn DST day (25 hours): 02:00 occurs twice (CEST, then CET); ``h02`` is their mean;
* quarter-hourly input is first aggregated to hourly means (hours with some but not all
  four quarter-hours count as missing);
* up to ``max_gap_hours`` missing hours in a day are filled by linear interpolation within
  the day (the nearest value at the day's edges); days with more are dropped and reported.

Everything is vectorised: the bundled 8-year series (~72k hours) converts in a few ms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tsgan.errors import TsganError

TIMEZONE = "Europe/Berlin"
HOUR_COLUMNS: list[str] = [f"h{h:02d}" for h in range(24)]
QUARTERS_PER_HOUR = 4


@dataclass
class DayReport:
    """What happened while turning prices into days.

    ``n_days`` = days seen (any price, or inside the span), ``n_complete`` = days returned
    (including the repaired ones), ``n_repaired`` = returned days that had gaps filled,
    ``n_dropped`` = days left out (too many missing hours), ``n_dst_short`` / ``n_dst_long``
    = 23- and 25-hour days among those returned.
    """

    n_days: int = 0
    n_complete: int = 0
    n_repaired: int = 0
    n_dropped: int = 0
    dropped_dates: list[str] = field(default_factory=list)
    n_dst_short: int = 0
    n_dst_long: int = 0

    def summary(self) -> str:
        """One line for logs and CLI output."""
        dropped = ""
        if self.dropped_dates:
            shown = ", ".join(self.dropped_dates[:5])
            more = f", … (+{len(self.dropped_dates) - 5})" if len(self.dropped_dates) > 5 else ""
            dropped = f" ({shown}{more})"
        return (f"{self.n_complete} complete days of {self.n_days} "
                f"({self.n_repaired} repaired, {self.n_dropped} dropped{dropped}; "
                f"DST days: {self.n_dst_short} short, {self.n_dst_long} long)")


def _check_prices(prices: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Validate the tidy frame; return (UTC timestamps, float prices) without missing rows."""
    if not isinstance(prices, pd.DataFrame):
        raise TsganError("prices must be a pandas DataFrame with timestamp_utc, price_eur_mwh")
    missing = {"timestamp_utc", "price_eur_mwh"} - set(prices.columns)
    if missing:
        raise TsganError(f"prices lack column(s) {', '.join(sorted(missing))}")
    stamps = pd.to_datetime(prices["timestamp_utc"], utc=True)
    values = pd.to_numeric(prices["price_eur_mwh"], errors="coerce").astype("float64")
    keep = stamps.notna().to_numpy() & values.notna().to_numpy()
    stamps, values = stamps[keep], values[keep]
    if stamps.empty:
        raise TsganError("no prices to turn into days")
    if not np.isfinite(values.to_numpy()).all():
        raise TsganError("prices contain infinite values")
    if stamps.duplicated().any():
        first = stamps[stamps.duplicated()].iloc[0]
        raise TsganError(f"duplicate timestamp {first.isoformat()} in prices")
    return stamps.reset_index(drop=True), values.reset_index(drop=True)


def _hourly(stamps: pd.Series, values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Aggregate sub-hourly stamps to hourly means; hourly input passes through untouched."""
    if not (stamps.dt.minute.to_numpy() | stamps.dt.second.to_numpy()).any():
        return stamps, values
    hours = stamps.dt.floor("h")
    sub = (stamps != hours).rename("sub")
    grouped = pd.DataFrame({"h": hours, "v": values, "sub": sub}).groupby("h", sort=True)
    agg = grouped.agg(mean=("v", "mean"), count=("v", "size"), sub=("sub", "any"))
    agg = agg[~agg["sub"] | (agg["count"] == QUARTERS_PER_HOUR)]
    return pd.Series(agg.index, name="timestamp_utc"), agg["mean"].reset_index(drop=True)


def day_lengths(dates: pd.DatetimeIndex) -> np.ndarray:
    """Length in hours (23, 24 or 25) of each Europe/Berlin delivery day in ``dates``."""
    start = dates.tz_localize(TIMEZONE)
    end = (dates + pd.Timedelta(days=1)).tz_localize(TIMEZONE)
    return ((end - start) / pd.Timedelta(hours=1)).to_numpy().astype(int)


def _wide(stamps: pd.Series, values: pd.Series) -> pd.DataFrame:
    """Local (date, hour) table, the two autumn 02:00 hours averaged; absent hours are NaN."""
    local = stamps.dt.tz_convert(TIMEZONE).dt.tz_localize(None)
    dates = local.dt.floor("D")
    frame = pd.DataFrame({"date": dates, "hour": local.dt.hour, "v": values})
    wide = frame.groupby(["date", "hour"], sort=True)["v"].mean().unstack("hour")
    wide = wide.reindex(columns=range(24))
    full = pd.date_range(wide.index[0], wide.index[-1], freq="D", name="date", unit="ns")
    wide = wide.reindex(full)
    wide.columns = HOUR_COLUMNS
    return wide.astype("float64")


def fill_rows(matrix: np.ndarray) -> np.ndarray:
    """Linearly interpolate NaNs along each row (nearest value at the edges), in place.

    Rows that are entirely NaN are left as they are.
    """
    hours = np.arange(matrix.shape[1])
    for row in np.flatnonzero(np.isnan(matrix).any(axis=1)):
        known = ~np.isnan(matrix[row])
        if known.any():
            matrix[row] = np.interp(hours, hours[known], matrix[row, known])
    return matrix


def repair_days(wide: pd.DataFrame, max_gap_hours: int = 2,
                short_days: np.ndarray | None = None) -> tuple[pd.DataFrame, np.ndarray,
                                                                np.ndarray]:
    """Fill days with at most ``max_gap_hours`` missing hours, drop the others.

    ``short_days`` marks spring DST days, whose missing ``h02`` is expected and not a gap.
    Returns (kept days, boolean mask of kept rows, boolean mask of repaired rows) where the
    masks refer to the rows of ``wide``.
    """
    if int(max_gap_hours) != max_gap_hours or max_gap_hours < 0:
        raise TsganError(f"max_gap_hours must be a whole number >= 0, got {max_gap_hours!r}")
    matrix = wide.to_numpy(dtype="float64", copy=True)
    missing = np.isnan(matrix)
    gaps = missing.sum(axis=1)
    if short_days is not None:
        gaps = gaps - (short_days & missing[:, 2])
    keep = gaps <= max_gap_hours
    keep &= ~missing.all(axis=1)
    repaired = keep & (gaps > 0)
    matrix = fill_rows(matrix[keep])
    index = pd.DatetimeIndex(wide.index[keep], name="date").as_unit("ns")
    out = pd.DataFrame(matrix, index=index, columns=HOUR_COLUMNS)
    return out, keep, repaired


def to_day_vectors(prices: pd.DataFrame, max_gap_hours: int = 2) -> tuple[pd.DataFrame,
                                                                           DayReport]:
    """Turn a tidy hourly (or quarter-hourly) price frame into Europe/Berlin day vectors.

    Returns the day frame (index ``date``, columns ``HOUR_COLUMNS``, float64, no NaN) and a
    :class:`DayReport` with the counts of repaired and dropped days.
    """
    stamps, values = _hourly(*_check_prices(prices))
    wide = _wide(stamps, values)
    lengths = day_lengths(wide.index)
    days, keep, repaired = repair_days(wide, max_gap_hours, short_days=lengths == 23)
    report = DayReport(
        n_days=len(wide), n_complete=int(keep.sum()), n_repaired=int(repaired.sum()),
        n_dropped=int((~keep).sum()),
        dropped_dates=[d.strftime("%Y-%m-%d") for d in wide.index[~keep]],
        n_dst_short=int((lengths[keep] == 23).sum()), n_dst_long=int((lengths[keep] == 25).sum()),
    )
    return days, report


def calendar_features(dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Weekday (0 = Monday), month, weekend and German nationwide public holiday flags.

    Useful for conditioning generators or slicing evaluations by day type; holidays come
    from the ``holidays`` package (country DE, no state-specific days).
    """
    import holidays

    index = pd.DatetimeIndex(dates)
    if index.tz is not None:
        index = index.tz_convert(TIMEZONE).tz_localize(None)
    index = index.normalize()
    years = sorted({int(y) for y in index.year}) if len(index) else []
    german = holidays.country_holidays("DE", years=years)
    holiday_days = pd.DatetimeIndex(sorted(pd.Timestamp(d) for d in german))
    weekday = index.day_of_week.to_numpy()
    return pd.DataFrame({
        "weekday": weekday.astype("int64"),
        "month": index.month.to_numpy().astype("int64"),
        "weekend": (weekday >= 5).astype("int64"),
        "holiday": index.isin(holiday_days).astype("int64"),
    }, index=pd.DatetimeIndex(dates, name=getattr(dates, "name", None) or "date"))


def delivery_day(value: object, name: str) -> pd.Timestamp:
    """``value`` (``YYYY-MM-DD``, a date or a timestamp at midnight) as a naive midnight; one
    TsganError line naming ``name`` for anything else."""
    import datetime as dt

    if isinstance(value, bool) or not isinstance(
            value, (str, dt.date, np.datetime64, pd.Timestamp)):
        raise TsganError(f"{name} {value!r} is not a date (YYYY-MM-DD)")
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError):
        raise TsganError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None
    if pd.isna(stamp):
        raise TsganError(f"{name} {value!r} is not a date (YYYY-MM-DD)")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    if stamp != stamp.normalize():
        raise TsganError(f"{name} {value!r} is not a date: it has a time of day (YYYY-MM-DD)")
    return stamp


def require_day_frame(days: object, what: str = "days") -> pd.DataFrame:
    """``days`` checked as a day frame (DatetimeIndex of dates, ``h00`` … ``h23``, no date
    twice) and sorted by date; a time-zone-aware index is read as its local dates. Bad input
    is one TsganError line that starts with ``what``."""
    if not isinstance(days, pd.DataFrame) or not isinstance(days.index, pd.DatetimeIndex):
        raise TsganError(f"{what} must be a DataFrame indexed by date (a day frame, "
                         "e.g. tsgan.load_days())")
    missing = [c for c in HOUR_COLUMNS if c not in days.columns]
    if missing:
        raise TsganError(f"{what} lack the price column {missing[0]}")
    if days.index.tz is not None:  # local dates carry no offset in a day frame
        days = days.set_axis(days.index.tz_localize(None))
    if days.index.has_duplicates:
        first = days.index[days.index.duplicated()][0]
        raise TsganError(f"{what} contain the date {first.date()} twice")
    return days.sort_index()
