"""``tsgan report``: one self-contained report.html for a run."""

from __future__ import annotations

import argparse

from tsgan.checks import EXIT_OK
from tsgan.cli.common import quiet_tensorflow


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write one self-contained report.html for a run",
        description="Write RUN/report.html: plots, metric table with baselines, configuration.",
    )
    p.add_argument("--run", required=True, metavar="DIR", help="run directory from tsgan train")
    p.add_argument("--out", metavar="FILE", help="where to write (default: RUN/report.html)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """``tsgan report``."""
    quiet_tensorflow()
    from tsgan.viz.report import check_run_dir, write_report

    check_run_dir(args.run)  # no run there: the report's own message, before loading
    from tsgan.api import PriceGAN

    print(write_report(PriceGAN.load(args.run), args.run, args.out))
    return EXIT_OK
