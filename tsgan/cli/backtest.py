"""``tsgan backtest``: forecast every day after a cutoff and score it against references."""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from tsgan.checks import EXIT_OK, non_negative_int, positive_int
from tsgan.cli.common import comma_list, quiet_tensorflow
from tsgan.errors import TsganError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backtest",
        help="forecast the days after a cutoff and score them against reference forecasts",
        description=(
            "Train the forecast model on the days before --cutoff, forecast every delivery "
            "day from the cutoff to --end (each from the days before it), score its "
            "scenarios and four reference forecasts (LEAR-lite, last 8 of day type, last 28 "
            "days, climatology) against what happened, and test tsgan against the best "
            "reference (Diebold-Mariano). Prints a table and writes DIR/backtest.json, "
            "daily_scores.csv, scenarios.parquet and three plots; 'tsgan report --backtest "
            "DIR' turns them into a report."
        ),
    )
    p.add_argument("--data", metavar="PATH",
                   help="price file: SMARD CSV export, tidy hourly CSV/Parquet or wide daily "
                        "CSV/Parquet (default: the bundled German SMARD prices)")
    p.add_argument("--column", metavar="NAME",
                   help="zone column to use when the file holds several (e.g. 'Frankreich')")
    p.add_argument("--exogenous", metavar="NAMES",
                   help="comma-separated exogenous hourly series of the data file the model "
                        "and LEAR-lite read (e.g. load,wind); see docs/exogenous.md")
    p.add_argument("--cutoff", required=True, metavar="DATE",
                   help="first delivery day (YYYY-MM-DD); the model trains on the days before")
    p.add_argument("--end", metavar="DATE",
                   help="last delivery day, included (default: the data's last day)")
    p.add_argument("--refit-every", type=positive_int, metavar="N",
                   help="retrain the model every N delivery days on all days before them "
                        "(default: train once at the cutoff)")
    p.add_argument("-n", type=positive_int, default=100, metavar="M",
                   help="scenarios per delivery day, at least 2 (default: 100)")
    p.add_argument("--preset", default="forecast", metavar="NAME",
                   help="model preset: forecast, the only one that forecasts given days "
                        "(default: forecast)")
    p.add_argument("--seed", type=non_negative_int, default=0, metavar="N",
                   help="random seed of training, scenarios and references (default: 0)")
    p.add_argument("--iterations", type=positive_int, metavar="N",
                   help="training iterations per fit (default: the model's)")
    p.add_argument("--out", metavar="DIR",
                   help="where to write (default: runs/backtest-<timestamp>)")
    p.add_argument("--json", action="store_true",
                   help="print backtest.json on stdout instead of the table")
    p.add_argument("--overwrite", action="store_true",
                   help="allow writing into a directory that already holds a backtest")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=cmd_backtest)


def _default_out() -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"backtest-{stamp}"


def check_out_dir(out: Path, overwrite: bool) -> None:
    """Fail before training, not after, when ``out`` cannot take the backtest."""
    if out.exists() and not out.is_dir():
        raise TsganError(f"--out {out} exists and is not a directory")
    if (out / "backtest.json").exists() and not overwrite:
        raise TsganError(f"{out} already holds a backtest; choose another --out or pass "
                         "--overwrite")
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not os.access(existing if str(existing) else ".", os.W_OK):
        raise TsganError(f"cannot write to {out}: {existing} is not writable")


def _command(args: argparse.Namespace, names: list[str], out: Path, cutoff: Any,
             end: Any) -> str:
    """The command line that repeats this backtest, with every choice spelt out."""
    parts = ["tsgan", "backtest"]
    if args.data:
        parts += ["--data", str(args.data)]
    if args.column:
        parts += ["--column", args.column]
    if names:
        parts += ["--exogenous", ",".join(names)]
    parts += ["--cutoff", cutoff.strftime("%Y-%m-%d")]
    if end is not None:
        parts += ["--end", end.strftime("%Y-%m-%d")]
    if args.refit_every is not None:
        parts += ["--refit-every", str(args.refit_every)]
    parts += ["-n", str(args.n), "--preset", args.preset, "--seed", str(args.seed)]
    if args.iterations is not None:
        parts += ["--iterations", str(args.iterations)]
    parts += ["--out", str(out)]
    return shlex.join(parts)


def cmd_backtest(args: argparse.Namespace) -> int:
    """``tsgan backtest``."""
    from tsgan.data.days import delivery_day
    from tsgan.evaluate.backtest import check_preset

    check_preset(args.preset)
    cutoff = delivery_day(args.cutoff, "--cutoff")
    end = delivery_day(args.end, "--end") if args.end is not None else None
    if end is not None and end < cutoff:
        raise TsganError(f"--end {end.date()} comes before --cutoff {cutoff.date()}")
    if args.n < 2:
        raise TsganError(f"-n must be at least 2 scenarios per delivery day, got {args.n}")
    out = Path(args.out) if args.out else _default_out()
    check_out_dir(out, args.overwrite)
    names = comma_list(args.exogenous)

    quiet_tensorflow()
    import json

    from tsgan.api import BUNDLED_SOURCE
    from tsgan.data.sources import load_days
    from tsgan.evaluate.backtest import backtest_record, format_table, run_backtest, write_backtest

    days = load_days(args.data, column=args.column, exogenous=names)
    source = str(args.data) if args.data else BUNDLED_SOURCE
    overrides = {} if args.iterations is None else {"iterations": args.iterations}

    def progress(message: str) -> None:
        print(f"tsgan backtest: {message}", file=sys.stderr, flush=True)

    result = run_backtest(days, cutoff, n=args.n, seed=args.seed,
                          refit_every=args.refit_every, exogenous=names, preset=args.preset,
                          end=end, overrides=overrides, source=source,
                          progress=None if args.quiet else progress)
    command = _command(args, names, out, cutoff, end)
    write_backtest(result, out, command)
    if args.json:
        print(json.dumps(backtest_record(result, command), indent=2))
        print(f"wrote {out}", file=sys.stderr)
    else:
        print(format_table(result))
        print(f"wrote {out} (report: tsgan report --backtest {shlex.quote(str(out))})")
    return EXIT_OK
