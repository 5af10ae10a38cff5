"""``tsgan plot``: redraw every plot of a saved run."""

from __future__ import annotations

import argparse

from tsgan.checks import EXIT_OK
from tsgan.cli.common import quiet_tensorflow


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plot",
        help="redraw every plot of a saved run",
        description="Redraw the overlay, loss curves and evolution plots into RUN/plots/.",
    )
    p.add_argument("--run", required=True, metavar="DIR", help="run directory from tsgan train")
    p.set_defaults(func=cmd_plot)


def cmd_plot(args: argparse.Namespace) -> int:
    """``tsgan plot``."""
    quiet_tensorflow()
    from tsgan.cli.common import load_calendar_run
    from tsgan.viz.plots import plot_run

    for path in plot_run(load_calendar_run(args.run), args.run):
        print(path)
    return EXIT_OK
