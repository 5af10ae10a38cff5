"""``tsgan report``: one self-contained report.html for a run or for a forecast backtest."""

from __future__ import annotations

import argparse

from tsgan.checks import EXIT_OK
from tsgan.cli.common import quiet_tensorflow


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write one self-contained report.html for a run or a backtest",
        description="Write RUN/report.html (plots, metric table with baselines, configuration) "
                    "or DIR/report.html for a backtest (scores against the references, "
                    "Diebold-Mariano test, fan chart, PIT histograms, rolling scores).",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--run", metavar="DIR", help="run directory from tsgan train")
    which.add_argument("--backtest", metavar="DIR",
                       help="backtest directory from tsgan backtest --out DIR")
    p.add_argument("--out", metavar="FILE",
                   help="where to write (default: report.html in the run or backtest directory)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """``tsgan report``."""
    if args.backtest is not None:  # reads backtest.json and its plots: no TensorFlow
        from tsgan.viz.report import write_backtest_report

        print(write_backtest_report(args.backtest, args.out))
        return EXIT_OK
    quiet_tensorflow()
    from tsgan.viz.report import check_run_dir, write_report

    check_run_dir(args.run)  # no run there: the report's own message, before loading
    from tsgan.cli.common import load_calendar_run

    print(write_report(load_calendar_run(args.run), args.run, args.out))
    return EXIT_OK
