"""Download SMARD.de day-ahead prices (same as ``tsgan fetch``).

Example, with the German day-ahead load and solar forecasts next to the prices::

    python scripts/fetch_smard.py --start 2025-10-20 --end 2025-10-26 \\
        --exogenous load,solar --out prices.csv --daily days.csv

Data: Bundesnetzagentur | SMARD.de, licensed under CC BY 4.0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

try:
    import tsgan  # noqa: F401
except ImportError:  # running from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tsgan.data.fetch import add_fetch_arguments, run_fetch
from tsgan.errors import TsganError


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, fetch, and turn a TsganError into one line on stderr (exit 2)."""
    parser = argparse.ArgumentParser(
        prog="fetch_smard.py", description=__doc__.split("\n\n")[0],
    )
    add_fetch_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run_fetch(args)
    except TsganError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
