"""``tsgan generate``: write N synthetic scenarios of a trained run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tsgan.checks import EXIT_OK, non_negative_int, positive_int
from tsgan.cli.common import quiet_tensorflow
from tsgan.errors import TsganError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "generate",
        help="write N synthetic samples from a trained run",
        description=(
            "Write N synthetic samples in original units (EUR/MWh days with columns "
            "scenario,h00..h23 for prices; x,y for quadratic; height in inches for heights). "
            "Generation and writing happen in chunks, so N can be millions."
        ),
    )
    p.add_argument("--run", required=True, metavar="DIR", help="run directory from tsgan train")
    p.add_argument("-n", type=positive_int, metavar="N",
                   help="number of scenarios (required unless --condition-file gives one row "
                        "per scenario)")
    p.add_argument("--seed", type=non_negative_int, metavar="N",
                   help="random seed (same seed, same scenarios)")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="output file, .csv or .parquet (written atomically)")
    g = p.add_argument_group(
        "conditions (runs trained with --conditions; unnamed conditions follow the training "
        "days that match the named ones)")
    g.add_argument("--month", metavar="M", help="month(s): 1-12 or jan-dec, lists and ranges "
                   "(e.g. 1 or dec,jan,feb or 6-8)")
    g.add_argument("--weekday", metavar="D", help="weekday(s): mon-sun or 0-6 (0 = Monday), "
                   "lists and ranges (e.g. sat or mon-fri)")
    g.add_argument("--holiday", metavar="0|1", help="German public holiday (1) or not (0)")
    g.add_argument("--level", metavar="EUR", help="mean price of the 7 days before, EUR/MWh")
    g.add_argument("--condition", action="append", default=[], metavar="NAME=VALUE",
                   help="any condition of the run, e.g. a user column (repeatable)")
    g.add_argument("--condition-file", metavar="FILE",
                   help="CSV with one row of conditions per scenario (columns: the run's "
                        "conditions; a 'date' column fills in month, weekday and holiday)")
    p.set_defaults(func=cmd_generate)


def _generate_conditions(args: argparse.Namespace) -> Any:
    """The conditions ``tsgan generate`` asks for: None, a mapping or a frame (from a file)."""
    given: dict[str, Any] = {}
    for name in ("month", "weekday", "holiday", "level"):
        if getattr(args, name) is not None:
            given[name] = getattr(args, name)
    for item in args.condition:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise TsganError(f"--condition expects NAME=VALUE, got {item!r}")
        given[key.strip()] = value.strip()
    if args.condition_file:
        if given:
            raise TsganError("--condition-file cannot be combined with --month/--weekday/"
                             "--holiday/--level/--condition")
        from tsgan.data.sources import read_condition_file

        return read_condition_file(args.condition_file)
    return given or None


def cmd_generate(args: argparse.Namespace) -> int:
    """``tsgan generate``."""
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise TsganError(f"--out must end in .csv or .parquet, got {out.name!r}")
    if out.is_dir():  # fail before loading the model, not after
        raise TsganError(f"--out {out} is a directory; give a file name ending in {out.suffix}")
    blocker = next((p for p in out.parents if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise TsganError(f"cannot write {out}: {blocker} is a file, not a folder")
    quiet_tensorflow()
    from tsgan.cli.common import load_calendar_run
    from tsgan.scenarios import PRICE_CSV_FORMAT, write_scenarios

    conditions = _generate_conditions(args)
    n = args.n
    if n is None:
        if conditions is None or not hasattr(conditions, "columns"):
            raise TsganError("give -n N (or --condition-file with one row per scenario)")
        n = len(conditions)
    elif hasattr(conditions, "columns") and len(conditions) not in (1, n):
        raise TsganError(f"--condition-file has {len(conditions)} rows but -n is {n}; drop -n "
                         f"to get one scenario per row")
    model = load_calendar_run(args.run)
    if hasattr(conditions, "columns"):  # check, complete and repeat the rows up front
        conditions = model.conditions_for(n, conditions)
    float_format = PRICE_CSV_FORMAT if model.config.preset == "smard" else None
    write_scenarios(model, n, out, seed=args.seed, float_format=float_format,
                    conditions=conditions)
    print(f"wrote {n} scenarios to {out}", file=sys.stderr)
    return EXIT_OK
