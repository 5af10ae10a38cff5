"""The ``tsgan`` command: a thin shell over the Python API, one module per command
(:mod:`tsgan.cli.train`, ``generate``, ``forecast``, ``plot``, ``fetch``, ``evaluate``,
``backtest``, ``report``, ``anomalies``; shared parts in :mod:`tsgan.cli.common`).

Heavy libraries (TensorFlow, pandas, matplotlib) are imported inside the command
functions, so ``tsgan --help`` and ``tsgan CMD --help`` answer in well under a second.
Every :class:`~tsgan.errors.TsganError` becomes one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from tsgan import __version__
from tsgan.checks import EXIT_INTERRUPTED, non_negative_int, positive_int
from tsgan.cli import anomalies, backtest, evaluate, fetch, forecast, generate, plot, report, train
from tsgan.cli.anomalies import ANOMALY_SPLITS
from tsgan.cli.common import PRESET_NAMES, Parser
from tsgan.cli.train import parse_condition_list, parse_settings, prepare_run_dir
from tsgan.errors import TsganError

__all__ = ["ANOMALY_SPLITS", "PRESET_NAMES", "build_parser", "main", "non_negative_int",
           "parse_condition_list", "parse_settings", "positive_int", "prepare_run_dir"]

DESCRIPTION = """\
tsgan learns the shape of daily electricity price curves (24 hourly prices per day) with a
generative adversarial network and writes realistic synthetic price scenarios.

Typical session:
  tsgan train                       # train on the bundled German SMARD prices
  tsgan generate --run runs/RUN -n 1000 --out scenarios.csv
  tsgan evaluate --run runs/RUN     # numbers against held-out real days and baselines
  tsgan report --run runs/RUN       # one self-contained report.html
  tsgan train --preset forecast --run-dir runs/fc   # scenarios for given delivery days
  tsgan forecast --run runs/fc --history days.csv --start 2026-03-02 --end 2026-03-08 \\
      -n 100 --out week.csv        # 100 scenarios of each day, from the days before it
  tsgan backtest --cutoff 2025-01-01  # forecasts scored against LEAR-lite and other references

Prices: Bundesnetzagentur | SMARD.de (CC BY 4.0)."""


#: ``add_parser(sub)`` of every command, in the order ``tsgan --help`` lists them.
SUBCOMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = tuple(
    module.add_parser for module in (train, generate, forecast, plot, fetch, evaluate, backtest,
                                     report, anomalies)
)


def build_parser() -> argparse.ArgumentParser:
    """The full ``tsgan`` argument parser (no heavy imports)."""
    parser = Parser(
        prog="tsgan", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tsgan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tsgan`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except TsganError as exc:  # an interruption (checkpoint saved) is no error
        kind = "" if getattr(exc, "interrupted", False) else "error: "
        print(f"tsgan {args.command}: {kind}{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"tsgan {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 1
    except MemoryError:
        print(f"tsgan {args.command}: error: out of memory; try a smaller -n or batch",
              file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line, not a traceback
        if os.environ.get("TSGAN_DEBUG"):
            raise
        print(
            f"tsgan {args.command}: internal error: {type(exc).__name__}: {exc} "
            "(rerun with TSGAN_DEBUG=1 for a traceback and please report it)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
