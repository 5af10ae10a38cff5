"""The ``fetch`` command: SMARD prices → tidy hourly file (and optionally day vectors).

Shared by ``tsgan fetch`` and ``scripts/fetch_smard.py``. ``--exogenous load,solar,…`` adds
German day-ahead forecasts (docs/exogenous.md) as further columns: MWh per hour in ``--out``
(quarter-hours are summed, since SMARD publishes energy per interval), ``NAME_h00`` …
``NAME_h23`` in ``--daily``. With ``--resolution quarterhour``
the quarter-hours are aggregated to hourly means before writing ``--out``, so that the file
always follows the tidy *hourly* contract (docs/interfaces.md); the mean of the four
quarter-hours is what SMARD itself publishes as the hourly value (there rounded to 2
decimals), so both resolutions give day vectors within 0.005 EUR/MWh of each other. Hours
with a quarter-hour missing are left out (see :func:`hourly_means`). Everything is downloaded and
computed before the first file is written, and each file is written atomically, so a failed
fetch leaves existing outputs untouched.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from tsgan.data.smard import (
    DEFAULT_BASE_URL,
    EXOGENOUS,
    RESOLUTIONS,
    ZONES,
    fetch_exogenous,
    fetch_prices,
    resolve_exogenous,
)
from tsgan.errors import TsganError

OUTPUT_SUFFIXES = (".csv", ".parquet")


def add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``fetch`` options to ``parser``."""
    parser.add_argument("--start", required=True, metavar="YYYY-MM-DD",
                        help="first delivery day (Europe/Berlin)")
    parser.add_argument("--end", required=True, metavar="YYYY-MM-DD",
                        help="last delivery day, inclusive")
    parser.add_argument("--zone", default="DE-LU",
                        help=f"bidding zone (default DE-LU): {', '.join(ZONES)}")
    parser.add_argument("--resolution", default="hour", metavar="{hour,quarterhour}",
                        help=f"SMARD series to download: {' or '.join(RESOLUTIONS)} "
                             "(quarter-hours are averaged to hours in --out)")
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL, help="chart-data API root")
    parser.add_argument("--cache-dir", default=None,
                        help="raw chunk cache (default $XDG_CACHE_HOME/tsgan/smard)")
    parser.add_argument("--out", required=True, metavar="PRICES.csv|.parquet",
                        help="tidy hourly prices, .csv or .parquet")
    parser.add_argument("--daily", default=None, metavar="DAYS.csv|.parquet",
                        help="also write one 24-hour vector per day, .csv or .parquet")
    parser.add_argument("--exogenous", default=None, metavar="NAMES",
                        help="also download German day-ahead forecasts, a comma list of "
                             f"{', '.join(EXOGENOUS)} (MWh per hour)")
    parser.add_argument("--max-gap-hours", type=int, default=2,
                        help="repair gaps up to this many hours per day; drop days with more")
    parser.add_argument("--retries", type=int, default=5, help="retries per request")
    parser.add_argument("--retry-backoff", type=float, default=1.0,
                        help="first retry delay in seconds, doubled each retry")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def _check_output(path: str | None, option: str) -> Path | None:
    """Fail early (before any download) on an output name we cannot write."""
    if path is None:
        return None
    target = Path(path)
    if target.suffix.lower() not in OUTPUT_SUFFIXES:
        raise TsganError(f"{option} {path} must end in .csv or .parquet")
    if target.is_dir():
        raise TsganError(f"{option} {path} is a directory")
    return target


def hourly_means(prices: pd.DataFrame, per_hour: int = 4) -> pd.DataFrame:
    """Hourly means of a quarter-hourly tidy frame, labelled by hour start.

    Hours with fewer than ``per_hour`` published values are left out rather than averaged
    over a part of the hour (which would bias them); the day-vector step repairs or drops
    such gaps like any other missing hour.
    """
    hours = prices["timestamp_utc"].dt.floor("h").rename("timestamp_utc")
    grouped = prices.groupby(hours, sort=True)["price_eur_mwh"].agg(["mean", "count"])
    grouped = grouped[grouped["count"] == per_hour]
    out = grouped["mean"].astype("float64").rename("price_eur_mwh").reset_index()
    out["timestamp_utc"] = out["timestamp_utc"].astype("datetime64[ns, UTC]")
    return out


def warn_if_truncated(prices: pd.DataFrame, end: str, what: str = "prices") -> None:
    """Say on stderr (even with --quiet) when SMARD has not yet published up to ``end``.

    The newest weekly chunk holds ``null`` for hours not yet auctioned; an unattended nightly
    fetch must not end early without a word. ``what`` names the series in the note.
    """
    import sys

    from tsgan.data.days import TIMEZONE

    wanted_end = pd.Timestamp(end).tz_localize(TIMEZONE) + pd.Timedelta(days=1)
    last = prices["timestamp_utc"].max()
    if pd.isna(last) or last + pd.Timedelta(hours=1) >= wanted_end:
        return
    last_local = last.tz_convert(TIMEZONE).strftime("%Y-%m-%d %H:%M %Z")
    print(f"note: SMARD has published {what} only up to {last_local}; the output's {what} "
          f"end there (--end {end})", file=sys.stderr)


def run_fetch(args: argparse.Namespace) -> int:
    """Download, convert and write; return the exit code (errors raise TsganError)."""
    out = _check_output(args.out, "--out")
    daily = _check_output(args.daily, "--daily")
    if args.max_gap_hours < 0:
        raise TsganError("--max-gap-hours must be >= 0")
    names = resolve_exogenous(args.exogenous) if args.exogenous is not None else []
    options = {"resolution": args.resolution, "base_url": args.base_url,
               "cache_dir": args.cache_dir, "progress": not args.quiet,
               "retries": args.retries, "backoff": args.retry_backoff,
               "timeout": args.timeout}
    prices = fetch_prices(args.start, args.end, zone=args.zone, **options)
    if args.resolution != "hour":
        prices = hourly_means(prices)
    forecasts = fetch_exogenous(names, args.start, args.end, **options) if names else None
    warn_if_truncated(prices, args.end)
    table = prices
    if forecasts is not None:
        for name in names:
            warn_if_truncated(forecasts.dropna(subset=[name]), args.end, f"{name} forecasts")
        table = prices.merge(forecasts, on="timestamp_utc", how="outer")
        table = table.sort_values("timestamp_utc").reset_index(drop=True)
    days = report = None
    if daily is not None:
        from tsgan.data.days import to_day_vectors

        days, report = to_day_vectors(prices, max_gap_hours=args.max_gap_hours)
        if forecasts is not None:
            from tsgan.data.sources import exogenous_days

            blocks = exogenous_days(forecasts, names, days.index, args.max_gap_hours)
            days = pd.concat([days, blocks], axis=1)
    from tsgan.data.sources import write_days, write_prices

    write_prices(table, out)
    if daily is not None:
        write_days(days, daily)
    if not args.quiet:
        extra = f" and {', '.join(names)} forecasts (MWh per hour)" if names else ""
        print(f"wrote {len(prices)} hourly prices{extra} to {out}")
        if report is not None:
            from tsgan.data.sources import exogenous_report

            blank = exogenous_report(days, names)
            print(f"wrote {len(days)} days to {daily}: {report.summary()}{blank}")
    return 0
