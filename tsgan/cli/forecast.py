"""``tsgan forecast``: scenarios of given delivery days (or coherent paths) from a forecast run.

A thin shell over :meth:`tsgan.forecast.ForecastGAN.forecast` and
:meth:`~tsgan.forecast.ForecastGAN.paths`: every check that needs no model runs before the
model is loaded, and the output file is written atomically.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tsgan.checks import EXIT_OK, non_negative_int, positive_int
from tsgan.cli.common import quiet_tensorflow
from tsgan.errors import TsganError

#: A scenario more than this many times the largest price of the history has diverged.
DIVERGENCE_FACTOR = 100.0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "forecast",
        help="scenarios of given delivery days from a run trained with --preset forecast",
        description=(
            "Write -n scenarios of every delivery day from --start to --end (columns date, "
            "scenario, h00..h23, EUR/MWh). Day D's scenarios use only what was known before "
            "its auction: the history's prices dated before D and its exogenous series dated "
            "D and D-1. With --paths: -n coherent trajectories of --days days from --start, "
            "each day reading its own path's previous days (columns path, date, h00..h23)."
        ),
    )
    p.add_argument("--run", required=True, metavar="DIR",
                   help="run directory from 'tsgan train --preset forecast'")
    p.add_argument("--history", required=True, metavar="FILE",
                   help="the prices before the delivery days (and the run's exogenous "
                        "series): wide daily CSV/Parquet, tidy hourly CSV/Parquet or SMARD "
                        "CSV export")
    p.add_argument("--column", metavar="NAME",
                   help="zone column to use when the history file holds several")
    p.add_argument("--start", required=True, metavar="DATE",
                   help="first delivery day (YYYY-MM-DD)")
    p.add_argument("--end", metavar="DATE",
                   help="last delivery day, included; at most the history's last day + 1 "
                        "(required unless --paths)")
    p.add_argument("-n", type=positive_int, required=True, metavar="M",
                   help="scenarios per delivery day (with --paths: number of paths)")
    p.add_argument("--seed", type=non_negative_int, default=0, metavar="N",
                   help="random seed; the same seed gives the same file (default: 0)")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="output file, .csv or .parquet (written atomically)")
    p.add_argument("--paths", action="store_true",
                   help="write coherent multi-day paths instead of per-day scenarios")
    p.add_argument("--days", type=positive_int, metavar="K",
                   help="with --paths: days per path")
    p.set_defaults(func=cmd_forecast)


def check_out_file(text: str) -> Path:
    """``--out`` as a path, refused before anything is loaded when it cannot take the file."""
    out = Path(text)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise TsganError(f"--out must end in .csv or .parquet, got {out.name!r}")
    if out.is_dir():
        raise TsganError(f"--out {out} is a directory; give a file name ending in {out.suffix}")
    blocker = next((p for p in out.parents if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise TsganError(f"cannot write {out}: {blocker} is a file, not a folder")
    return out


def _check_mode(args: argparse.Namespace) -> None:
    """``--paths`` takes ``--days`` and no ``--end``; per-day scenarios the other way round."""
    if args.paths:
        if args.end is not None:
            raise TsganError("--end does not apply to --paths: paths run --days days from "
                             "--start")
        if args.days is None:
            raise TsganError("--paths needs --days K (days per path)")
    else:
        if args.days is not None:
            raise TsganError("--days applies to --paths only; give --end DATE for the "
                             "scenarios of every day from --start to --end")
        if args.end is None:
            raise TsganError("give --end DATE (the last delivery day), or --paths --days K")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def check_scenarios(frame: Any, history: Any, paths: bool = False) -> None:
    """One line instead of a file when the model produced non-finite or runaway prices
    (an undertrained model's paths can feed their own errors back until they overflow)."""
    import numpy as np

    from tsgan.data.days import HOUR_COLUMNS

    values = frame[HOUR_COLUMNS].to_numpy(np.float64)
    limit = DIVERGENCE_FACTOR * max(float(np.nanmax(np.abs(history[HOUR_COLUMNS].to_numpy()))), 1.0)
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(values) <= limit).all(axis=1)
    if bad.any():
        first = frame.loc[bad, "date"].min()
        raise TsganError(f"the model produced non-finite or runaway prices (from "
                         f"{first:%Y-%m-%d} on, beyond {limit:,.0f} EUR/MWh); it is likely "
                         f"undertrained: train with more --iterations"
                         + (" or ask for fewer --days" if paths else ""))


def write_forecast(frame: Any, out: Path) -> None:
    """Write the frame atomically, dates as ``YYYY-MM-DD`` (prices with 2 decimals in CSV)."""
    import pandas as pd

    from tsgan.data.io import atomic_path, write_frame
    from tsgan.scenarios import PRICE_CSV_FORMAT

    frame = frame.copy()
    frame["date"] = pd.DatetimeIndex(frame["date"]).strftime("%Y-%m-%d")
    if out.suffix.lower() == ".csv":
        with atomic_path(out) as tmp:
            frame.to_csv(tmp, index=False, float_format=PRICE_CSV_FORMAT)
    else:
        write_frame(frame, out)


def cmd_forecast(args: argparse.Namespace) -> int:
    """``tsgan forecast``."""
    out = check_out_file(args.out)
    _check_mode(args)
    from tsgan.data.days import delivery_day

    start = delivery_day(args.start, "--start")
    end = None if args.paths else delivery_day(args.end, "--end")
    if end is not None and start > end:
        raise TsganError(f"--start {start.date()} is after --end {end.date()}")
    quiet_tensorflow()
    import warnings

    from tsgan.data.sources import load_days
    from tsgan.forecast import ForecastGAN, read_forecast_config

    config = read_forecast_config(args.run)  # not a forecast run: one line, before TensorFlow
    history = load_days(args.history, column=args.column, exogenous=config.exogenous)
    model = ForecastGAN.load(args.run)
    with warnings.catch_warnings():  # overflow in runaway paths: check_scenarios says it
        warnings.simplefilter("ignore", RuntimeWarning)
        if args.paths:
            frame = model.paths(history, start, args.days, args.n, args.seed)
            what = f"{_count(args.n, 'path')} x {_count(args.days, 'day')}"
        else:
            frame = model.forecast(history, start, end, args.n, args.seed)
            what = f"{_count(frame['date'].nunique(), 'day')} x {_count(args.n, 'scenario')}"
    check_scenarios(frame, history, paths=args.paths)
    write_forecast(frame, out)
    print(f"wrote {what} to {out}", file=sys.stderr)
    return EXIT_OK
