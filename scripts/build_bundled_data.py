"""Build the bundled SMARD price series ``data/smard_de_hourly.csv.gz`` from raw exports.

Reads the four raw SMARD CSV exports described in ``../shared/data/SOURCE.md`` with the
tsgan readers (``tsgan.data.sources.load_prices``), joins them into one hourly series
(DE-AT-LU before 2018-10-01, DE-LU from then on), checks that every overlap agrees exactly,
that the result is gap-free and spans 2018-01-01 … 2026-03-01 (Europe/Berlin), and writes

* ``data/smard_de_hourly.csv.gz``: tidy ``timestamp_utc,price_eur_mwh``, gzip with mtime 0
  (the same input always gives the same bytes),
* ``data/README.md``: source, licence, span, counts and how to rebuild or refresh.

Any disagreement stops the build with a message and exit code 1; nothing is written then.

    python scripts/build_bundled_data.py [--raw-dir ../shared/data] [--out-dir data]

Data: Bundesnetzagentur | SMARD.de, licensed under CC BY 4.0.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import sys
from pathlib import Path

try:
    import tsgan  # noqa: F401
except ImportError:  # running from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd

from tsgan.data import io as tsgan_io
from tsgan.data.days import TIMEZONE, to_day_vectors
from tsgan.data.sources import BUNDLED_FILE, load_prices
from tsgan.errors import TsganError

REPO = Path(__file__).resolve().parents[1]
RAW_FILES = (  # (file name, what it contributes)
    ("Day-ahead_prices_2018-2019.csv", "English export; DE-AT-LU until 2018-09-30, DE-LU after"),
    ("Day-ahead_prices_2020.csv", "English export; DE-LU 2020-01-01 … 2020-06-30"),
    ("DAprices_201810010000_202505140000_hourly.csv", "re-saved German export; DE-LU"),
    ("Gro_handelspreise_202403010000_202603020000_Stunde.csv",
     "SMARD Downloadcenter export; DE-LU (Berechnete Auflösungen)"),
)
FIRST_DAY, LAST_DAY = "2018-01-01", "2026-03-01"


def read_sources(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """Each raw file's DE(-AT)-LU prices as a tidy frame, keyed by file name."""
    frames = {}
    for name, _ in RAW_FILES:
        path = raw_dir / name
        if not path.is_file():
            raise TsganError(f"raw export {path} is missing (see ../shared/data/SOURCE.md)")
        frames[name] = load_prices(path)
    return frames


def combine(frames: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, list[str]]:
    """One series from all files; overlapping hours must agree exactly, else TsganError."""
    long = pd.concat([f.assign(source=name) for name, f in frames.items()], ignore_index=True)
    stats = long.groupby("timestamp_utc")["price_eur_mwh"].agg(["min", "max", "size"])
    disagree = stats[(stats["max"] - stats["min"]).abs() > 1e-9]
    if not disagree.empty:
        when = disagree.index[0].tz_convert(TIMEZONE)
        raise TsganError(f"the raw files disagree on {len(disagree)} hours, first {when}: "
                         f"{disagree['min'].iloc[0]} vs {disagree['max'].iloc[0]}")
    notes = []
    names = list(frames)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            common = frames[a]["timestamp_utc"].isin(frames[b]["timestamp_utc"]).sum()
            if common:
                notes.append(f"{a} ∩ {b}: {common:,} hours, identical")
    series = stats["min"].rename("price_eur_mwh").reset_index()
    return series, notes


def check_complete(series: pd.DataFrame) -> None:
    """Gap-free hourly UTC series covering exactly FIRST_DAY … LAST_DAY local days."""
    start = pd.Timestamp(FIRST_DAY, tz=TIMEZONE).tz_convert("UTC")
    end = (pd.Timestamp(LAST_DAY, tz=TIMEZONE) + pd.Timedelta(days=1)).tz_convert("UTC")
    expected = pd.date_range(start, end, freq="h", inclusive="left")
    got = pd.DatetimeIndex(series["timestamp_utc"])
    missing = expected.difference(got)
    extra = got.difference(expected)
    if len(missing) or len(extra):
        raise TsganError(f"combined series is not gap-free over {FIRST_DAY} … {LAST_DAY}: "
                         f"{len(missing)} hours missing, {len(extra)} outside the span")


def to_gzip_csv(series: pd.DataFrame) -> bytes:
    """Deterministic gzip (mtime 0, no file name) of the tidy two-column CSV."""
    values = series["price_eur_mwh"]
    if ((values * 100).round() / 100 - values).abs().max() > 1e-9:
        raise TsganError("prices with more than 2 decimals; the bundled CSV writes 2")
    text = pd.DataFrame({
        "timestamp_utc": series["timestamp_utc"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "price_eur_mwh": values.map("{:.2f}".format),
    }).to_csv(index=False, lineterminator="\n")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    return buffer.getvalue()


def readme(series: pd.DataFrame, blob: bytes, notes: list[str]) -> str:
    """The text of data/README.md with the numbers of this build."""
    _, report = to_day_vectors(series)
    prices = series["price_eur_mwh"]
    local = series["timestamp_utc"].dt.tz_convert(TIMEZONE)
    first, last = f"{local.iloc[0]:%Y-%m-%d %H:%M}", f"{local.iloc[-1]:%Y-%m-%d %H:%M}"
    files = "\n".join(f"| `{name}` | {what} |" for name, what in RAW_FILES)
    overlaps = "\n".join(f"- {note}" for note in notes)
    return f"""# Bundled data: German day-ahead electricity prices (SMARD)

`{BUNDLED_FILE}` is the default dataset of `tsgan train` and `tsgan.data.sources.load_days()`:
hourly day-ahead auction prices for Germany, EUR/MWh, one row per hour.

**Source and licence.** Bundesnetzagentur | SMARD.de (www.smard.de), licensed under
[CC BY 4.0](https://creativecommons.org/licenses/by/4.0/). Credit: "Bundesnetzagentur | SMARD.de".
The prices were converted (joined, time stamps turned into UTC, re-encoded), not changed.

## Contents
- Format: gzip-compressed CSV, header `timestamp_utc,price_eur_mwh`; `timestamp_utc` is the
  start of the delivery hour in UTC (ISO 8601, `Z`), prices with 2 decimals.
- Bidding zone: **DE-AT-LU** (Germany/Austria/Luxembourg) until 2018-09-30, **DE-LU**
  (Germany/Luxembourg) from 2018-10-01, the day the zone was split.
- Span (Europe/Berlin delivery days): {first} … {last}
  ({report.n_complete:,} days, {report.n_dst_short} spring and {report.n_dst_long} autumn DST days).
- Rows: {len(series):,} hours, none missing; min {prices.min():.2f}, max {prices.max():.2f},
  mean {prices.mean():.2f} EUR/MWh; {int((prices < 0).sum()):,} negative hours.
- Since 2025-10-01 the auction clears in 15-minute products; the hourly values from then on are
  SMARD's "Berechnete Auflösungen" (the mean of the four quarter-hours, rounded to 2 decimals).
- File size {len(blob):,} bytes, sha256 `{hashlib.sha256(blob).hexdigest()}`.

## How it was built
`python scripts/build_bundled_data.py` reads these raw SMARD exports (their provenance is
documented in `../shared/data/SOURCE.md`) with `tsgan.data.sources.load_prices` (default column:
Germany/Luxembourg, completed with Germany/Austria/Luxembourg before 2018-10-01):

| raw file | contribution |
|---|---|
{files}

The overlaps were checked and agree exactly:
{overlaps}

The union is checked to be gap-free over {FIRST_DAY} … {LAST_DAY} and written with gzip
mtime 0, so a rebuild from the same raw files gives the same bytes. The build stops with an
error (and writes nothing) when the files disagree or leave a gap.

## Refreshing with newer prices
Download newer days from the SMARD chart-data API and use them directly, for example

    python scripts/fetch_smard.py --start 2026-03-02 --end 2026-06-30 --out prices.csv
    tsgan train --data prices.csv

(`--daily days.csv` also writes the day vectors). To change the bundled file itself, add the
new export to the raw files, extend `RAW_FILES`/`LAST_DAY` in `scripts/build_bundled_data.py`
and rerun it.
"""


def main(argv: list[str] | None = None) -> int:
    """Build and write the bundled data; a TsganError prints one line and exits 1."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw-dir", type=Path, default=REPO.parent / "shared" / "data",
                        help="folder with the raw SMARD exports (default ../shared/data)")
    parser.add_argument("--out-dir", type=Path, default=REPO / "data",
                        help="where to write the bundled file and README (default data/)")
    args = parser.parse_args(argv)
    try:
        series, notes = combine(read_sources(args.raw_dir))
        check_complete(series)
        blob = to_gzip_csv(series)
        text = readme(series, blob, notes)
        tsgan_io.write_bytes(args.out_dir / BUNDLED_FILE, blob)
        tsgan_io.write_text(args.out_dir / "README.md", text)
        for name in (BUNDLED_FILE, "README.md"):  # temp files are 0600; data is public
            (args.out_dir / name).chmod(0o644)
    except TsganError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(series):,} hours ({len(blob):,} bytes) to {args.out_dir / BUNDLED_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
