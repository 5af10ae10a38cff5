"""``tsgan fetch``: download day-ahead prices (and German day-ahead forecasts) from SMARD.de."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    from tsgan.data.fetch import add_fetch_arguments

    p = sub.add_parser(
        "fetch",
        help="download day-ahead prices from SMARD.de",
        description=(
            "Download hourly day-ahead prices from the SMARD.de chart-data API "
            "(Bundesnetzagentur | SMARD.de, CC BY 4.0), cache the raw weekly chunks, and "
            "write a tidy hourly CSV/Parquet and optionally one 24-hour vector per day. "
            "--exogenous adds German day-ahead forecasts of load, wind and solar "
            "(docs/exogenous.md)."
        ),
    )
    add_fetch_arguments(p)
    p.set_defaults(func=cmd_fetch)


def cmd_fetch(args: argparse.Namespace) -> int:
    """``tsgan fetch`` (same implementation as scripts/fetch_smard.py)."""
    from tsgan.data.fetch import run_fetch

    return run_fetch(args)
