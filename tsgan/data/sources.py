"""Reading and writing price files; the bundled SMARD data.

Formats are recognised from the file content (Parquet also from its suffix):

* SMARD Downloadcenter CSV (German): ``Datum von;[Datum bis;]<zone> [€/MWh] …`` with
  ``;``, decimal comma, ``.`` thousands separator, ``-`` for no value, UTF-8 BOM. Labels are
  local Europe/Berlin interval starts without offset; on the autumn DST day the 02:00 label(s)
  appear twice, first CEST (UTC+2) then CET (UTC+1).
* The older SMARD English export: ``Date;Time of day;Germany/Luxembourg[€/MWh];…`` with
  ``Jan 1, 2018;12:00 AM`` labels, decimal point, CRLF.
* Tidy hourly CSV/Parquet: a timestamp column (``timestamp_utc``, or ISO 8601 with offset in
  ``timestamp``/``datetime``/``time``/``timestamp_local``) and a price column
  (``price_eur_mwh``/``price``/``value``) — what ``tsgan fetch`` writes.
* Wide daily CSV/Parquet: ``date,h00,…,h23`` (``load_days`` only).

Exogenous hourly series (day-ahead forecasts of load, wind, solar, …) travel next to the
prices: a numeric column ``NAME`` of a tidy hourly file, or the 24 columns ``NAME_h00`` …
``NAME_h23`` of a wide daily file. ``load_days(..., exogenous=[NAME])`` turns them into day
vectors exactly like prices (Europe/Berlin days, DST days, gaps up to ``max_gap_hours``
repaired); a day whose series cannot be repaired keeps NaN in all 24 of its columns, while
the prices stay NaN-free. See docs/exogenous.md.

In the SMARD exports ``column=`` picks the zone column (header zone name or a zone code such as
``FR``, case-insensitive prefix). The default is Germany/Luxembourg (DE-LU); where a DE/AT/LU
column exists too (English export), it fills the DE-LU hours before 2018-10-01, the date the
DE-AT-LU bidding zone was split, so such a file gives one gap-free German series.

Every problem with a file raises a one-line :class:`TsganError`, never a parser traceback.
"""

from __future__ import annotations

import gzip
import io
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tsgan.data import io as tsgan_io
from tsgan.data.days import HOUR_COLUMNS, TIMEZONE, fill_rows, repair_days, to_day_vectors
from tsgan.errors import TsganError

BUNDLED_FILE = "smard_de_hourly.csv.gz"
MAX_ABS_PRICE = 1e5
ZONE_SPLIT = pd.Timestamp("2018-10-01", tz=TIMEZONE)
MISSING_MARKS = ("", "-")
THOUSANDS_PATTERN = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?"
GERMAN_THOUSANDS_PATTERN = r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?"
TIMESTAMP_NAMES = ("timestamp_utc", "timestamp", "datetime", "time", "timestamp_local")
PRICE_NAMES = ("price_eur_mwh", "price", "value")
PARQUET_SUFFIXES = (".parquet", ".pq")
EXOGENOUS_NAME = r"[A-Za-z][A-Za-z0-9_]{0,63}"
RESERVED_NAMES = ("date", *HOUR_COLUMNS)
DE_LU_NAMES = ("deutschland/luxemburg", "germany/luxembourg")
DE_AT_LU_NAMES = ("de/at/lu", "germany/austria/luxembourg", "deutschland/österreich/luxemburg")
ZONE_ALIASES: dict[str, tuple[str, ...]] = {
    "de-lu": DE_LU_NAMES,
    "de-at-lu": DE_AT_LU_NAMES,
    "de-lu-neighbours": ("∅ anrainer de/lu",),
    "at": ("österreich", "austria"),
    "be": ("belgien", "belgium"),
    "ch": ("schweiz", "switzerland"),
    "cz": ("tschechien", "czech republic"),
    "dk1": ("dänemark 1", "denmark 1"),
    "dk2": ("dänemark 2", "denmark 2"),
    "fr": ("frankreich", "france"),
    "hu": ("ungarn", "hungary"),
    "it-north": ("italien (nord)", "northern italy"),
    "nl": ("niederlande", "netherlands"),
    "no2": ("norwegen 2", "norway 2"),
    "pl": ("polen", "poland"),
    "se4": ("schweden 4", "sweden 4"),
    "si": ("slowenien", "slovenia"),
}


# --------------------------------------------------------------------------- file access
def _check_path(path: str | os.PathLike[str]) -> Path:
    """The path as a Path, or a TsganError when it is missing or not a regular file."""
    file = Path(path)
    if not file.exists():
        raise TsganError(f"data file {file} does not exist")
    if file.is_dir():
        raise TsganError(f"data path {file} is a directory, not a file")
    return file


def _read_text(file: Path, what: str = "data file") -> str:
    """The file's text (gzip transparently, UTF-8 with or without BOM, else cp1252)."""
    try:
        raw = file.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise TsganError(f"cannot read {file}: {exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if not text.strip():
        raise TsganError(f"{what} {file} is empty")
    return text


def _read_table(file: Path, text: str, sep: str, what: str = "data file") -> pd.DataFrame:
    """All cells as stripped strings; parser problems become a TsganError."""
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            na_filter=False, skipinitialspace=True)
    except (ValueError, pd.errors.ParserError) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise TsganError(f"cannot parse {file} as CSV: {detail}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise TsganError(f"{what} {file} has a header but no data rows")
    return frame


def _line(position: int) -> int:
    """File line number of data row ``position`` (the header is line 1)."""
    return position + 2


# --------------------------------------------------------------------------- numbers
def _numbers(cells: pd.Series, file: Path, label: str, decimal_comma: bool,
             what: str = "price", limit: float | None = MAX_ABS_PRICE) -> pd.Series:
    """Parse number cells; ``-`` and empty cells become NaN (missing), anything else odd fails.

    ``what`` names the values in messages; ``limit`` (None: no limit) rejects absurd sizes.
    """
    text = cells.astype(str).str.strip()
    missing = text.isin(MISSING_MARKS).to_numpy()
    if not decimal_comma and _comma_is_decimal(text, file, label):
        decimal_comma = True  # '12,5' in a ';' file: German decimal comma, not 125
    if decimal_comma:
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        text = text.str.replace(",", "", regex=False)
    values = pd.to_numeric(text.where(~missing), errors="coerce").astype("float64")
    arr = values.to_numpy()
    bad = np.isnan(arr) & ~missing
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raw = str(cells.iloc[pos]).strip()
        kind = "NaN" if raw.lower() in ("nan", "na", "n/a", "null", "none") else "non-numeric"
        raise TsganError(f"{kind} {what} {raw!r} in {label} of {file}, line {_line(pos)}")
    _check_values(arr, file, label, what, limit)
    return values


def _check_values(arr: np.ndarray, file: Path, label: str, what: str = "price",
                  limit: float | None = MAX_ABS_PRICE) -> None:
    """Reject infinite and absurd (|price| > 1e5 EUR/MWh; no limit when None) values."""
    inf = np.isinf(arr)
    if inf.any():
        pos = int(np.flatnonzero(inf)[0])
        raise TsganError(f"infinite {what} in {label} of {file}, row {pos + 1}")
    if limit is None:
        return
    absurd = np.abs(np.nan_to_num(arr)) > limit
    if absurd.any():
        pos = int(np.flatnonzero(absurd)[0])
        raise TsganError(f"absurd price {arr[pos]:g} EUR/MWh in {label} of {file}, row "
                         f"{pos + 1} (|price| > {MAX_ABS_PRICE:g}); wrong unit or column?")


def _comma_is_decimal(text: pd.Series, file: Path, label: str) -> bool:
    """True when a comma in the cells cannot be a thousands separator ('12,5', '-0,25').

    A thousands separator groups exactly three digits (``1,234.5``). Any other comma is a
    decimal comma when the column's points are German thousands separators (``1.234,5``)
    or absent; with other points the column mixes both styles and is refused. Reading such
    a comma as a separator would silently turn 12,5 into 125.
    """
    odd = (text.str.contains(",", regex=False)
           & ~text.str.fullmatch(THOUSANDS_PATTERN)).to_numpy()
    if not odd.any():
        return False
    dots = text.str.contains(".", regex=False).to_numpy()
    german = text.str.fullmatch(GERMAN_THOUSANDS_PATTERN).to_numpy()
    if (dots & ~german).any():
        pos = int(np.flatnonzero(odd)[0])
        raise TsganError(f"price {text.iloc[pos]!r} in {label} of {file}, line {_line(pos)} "
                         "uses a decimal comma while other prices use a decimal point")
    return True


def _uses_decimal_comma(cells: pd.Series) -> bool:
    """True when the column writes decimals with a comma (German style)."""
    return bool(cells.astype(str).str.contains(",", regex=False).any())


# --------------------------------------------------------------------------- timestamps
def _localize(naive: pd.Series, file: Path) -> pd.Series:
    """Europe/Berlin wall-clock labels → UTC; a repeated autumn label is first CEST, then CET."""
    first = ~naive.duplicated(keep="first").to_numpy()
    try:
        local = pd.DatetimeIndex(naive).tz_localize(TIMEZONE, ambiguous=first,
                                                    nonexistent="raise")
    except (ValueError, TypeError) as exc:  # pytz/zoneinfo NonExistentTimeError is ValueError
        raise TsganError(f"{file} holds a local time that does not exist in {TIMEZONE} "
                         f"(spring DST gap): {exc}") from exc
    return pd.Series(local.tz_convert("UTC"), index=naive.index)


def _parse_times(text: pd.Series, file: Path, fmt: str | None, what: str) -> pd.Series:
    """Parse timestamps with ``fmt``; unparseable cells raise with their line number."""
    try:
        stamps = pd.to_datetime(text, format=fmt, errors="coerce")
    except (ValueError, TypeError, OverflowError) as exc:
        raise TsganError(f"cannot read the {what} timestamps of {file}: {exc}") from exc
    bad = stamps.isna().to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise TsganError(f"cannot read {what} timestamp {str(text.iloc[pos])!r} in {file}, "
                         f"line {_line(pos)}")
    return stamps


def _parse_utc(text: pd.Series, file: Path, assume_utc: bool) -> pd.Series:
    """ISO 8601 timestamps → UTC; naive ones only when the column is declared UTC."""
    text = text.astype(str).str.strip()
    has_offset = text.str.contains(r"(?:[+-]\d{2}:?\d{2}|Z)$", regex=True)
    if not assume_utc and not has_offset.all():
        pos = int(np.flatnonzero(~has_offset.to_numpy())[0])
        raise TsganError(f"timestamp {text.iloc[pos]!r} in {file}, line {_line(pos)} has no "
                         "UTC offset; add one (e.g. +01:00) or name the column timestamp_utc")
    try:
        stamps = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
    except (ValueError, TypeError, OverflowError):
        stamps = pd.to_datetime(text, utc=True, errors="coerce", format="mixed")
    bad = stamps.isna().to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise TsganError(f"cannot read timestamp {text.iloc[pos]!r} in {file}, "
                         f"line {_line(pos)}")
    return stamps


# --------------------------------------------------------------------------- zone columns
def _zone_name(header: str) -> str:
    """``'Frankreich [€/MWh] Originalauflösungen'`` → ``'frankreich'``."""
    return header.split("[", 1)[0].strip().casefold()


def _find_zone(columns: list[str], names: tuple[str, ...]) -> str | None:
    """The first column whose zone name is one of ``names``."""
    for col in columns:
        if _zone_name(col) in names:
            return col
    return None


def pick_column(columns: list[str], column: str, file: Path | str = "the file") -> str:
    """The price column meant by ``column``: a zone name or code, case-insensitive prefix.

    An exact zone name wins over prefixes; no match or several matches raise a TsganError
    listing the zones in the file.
    """
    want = column.strip().casefold()
    zones = {col: _zone_name(col) for col in columns}
    aliases = ZONE_ALIASES.get(want, ())
    exact = [c for c, z in zones.items() if z == want or z in aliases or c.casefold() == want]
    matches = exact or [c for c, z in zones.items() if z.startswith(want) or
                        c.casefold().startswith(want)]
    choices = ", ".join(repr(col.split("[", 1)[0].strip()) for col in columns)
    if not matches:
        raise TsganError(f"no column {column!r} in {file}; columns: {choices}")
    if len(matches) > 1:
        names = ", ".join(repr(m.split("[", 1)[0].strip()) for m in matches)
        raise TsganError(f"column {column!r} is ambiguous in {file}: {names}")
    return matches[0]


def _zone_prices(price_cols: list[str], stamps: pd.Series, column: str | None, file: Path,
                 parse: Callable[[str], pd.Series]) -> pd.Series:
    """Prices of the picked zone; the default DE-LU column is completed with DE-AT-LU."""
    if not price_cols:
        raise TsganError(f"{file} has no price columns")
    if column is not None:
        return parse(pick_column(price_cols, column, file))
    de_lu = _find_zone(price_cols, DE_LU_NAMES)
    if de_lu is None:
        if len(price_cols) == 1:
            return parse(price_cols[0])
        raise TsganError(f"{file} has no Germany/Luxembourg column; pick one with column= "
                         f"(e.g. {_zone_name(price_cols[0])!r})")
    values = parse(de_lu)
    de_at_lu = _find_zone(price_cols, DE_AT_LU_NAMES)
    if de_at_lu is not None:
        before = (stamps < ZONE_SPLIT).to_numpy() & values.isna().to_numpy()
        if before.any():
            values = values.where(~before, parse(de_at_lu))
    return values


# --------------------------------------------------------------------------- formats
def _tidy(stamps: pd.Series, values: pd.Series, file: Path) -> pd.DataFrame:
    """Assemble, drop missing prices, check duplicates and emptiness, sort."""
    frame = pd.DataFrame({"timestamp_utc": stamps.to_numpy(), "price_eur_mwh":
                          values.to_numpy(dtype="float64")})
    frame["timestamp_utc"] = pd.to_datetime(frame["timestamp_utc"], utc=True).astype(
        "datetime64[ns, UTC]")
    dup = frame["timestamp_utc"].duplicated().to_numpy()
    if dup.any():
        when = frame["timestamp_utc"].iloc[int(np.flatnonzero(dup)[0])]
        local = when.tz_convert(TIMEZONE).strftime("%Y-%m-%d %H:%M %Z")
        raise TsganError(f"duplicate timestamp {local} in {file}")
    frame = frame.dropna(subset=["price_eur_mwh"])
    if frame.empty:
        raise TsganError(f"{file} holds no prices (every price cell is empty)")
    frame = frame.sort_values("timestamp_utc", kind="stable").reset_index(drop=True)
    return frame


def _smard_german(file: Path, text: str, column: str | None) -> pd.DataFrame:
    """SMARD Downloadcenter export (German headers, decimal comma)."""
    table = _read_table(file, text, ";")
    naive = _parse_times(table["Datum von"].str.strip(), file, "%d.%m.%Y %H:%M", "'Datum von'")
    stamps = _localize(naive, file)
    price_cols = [c for c in table.columns if c not in ("Datum von", "Datum bis") and c]

    def parse(col: str) -> pd.Series:
        return _numbers(table[col], file, f"column {col!r}", _uses_decimal_comma(table[col]))

    return _tidy(stamps, _zone_prices(price_cols, stamps, column, file, parse), file)


def _smard_english(file: Path, text: str, column: str | None) -> pd.DataFrame:
    """Older SMARD English export (``Jan 1, 2018;12:00 AM``, decimal point)."""
    table = _read_table(file, text, ";")
    labels = table["Date"].str.strip() + " " + table["Time of day"].str.strip()
    naive = _parse_times(labels, file, "%b %d, %Y %I:%M %p", "'Date'/'Time of day'")
    stamps = _localize(naive, file)
    price_cols = [c for c in table.columns if c not in ("Date", "Time of day") and c]

    def parse(col: str) -> pd.Series:
        return _numbers(table[col], file, f"column {col!r}", decimal_comma=False)

    return _tidy(stamps, _zone_prices(price_cols, stamps, column, file, parse), file)


def _columns_lower(columns: list[str]) -> dict[str, str]:
    return {str(c).strip().lower(): str(c) for c in columns}


def _tidy_columns(columns: list[str]) -> tuple[str, str] | None:
    """(timestamp column, price column) of a tidy table, or None."""
    lower = _columns_lower(columns)
    stamp = next((lower[n] for n in TIMESTAMP_NAMES if n in lower), None)
    price = next((lower[n] for n in PRICE_NAMES if n in lower), None)
    return (stamp, price) if stamp and price else None


def _wide_columns(columns: list[str]) -> dict[str, str] | None:
    """Mapping of ``date`` and ``h00``…``h23`` to the actual column names, or None."""
    lower = _columns_lower(columns)
    wanted = ["date", *HOUR_COLUMNS]
    if all(name in lower for name in wanted):
        return {name: lower[name] for name in wanted}
    return None


def _unknown_columns(file: Path, columns: list[str]) -> TsganError:
    shown = ", ".join(repr(str(c)) for c in list(columns)[:6])
    return TsganError(
        f"{file} is not a recognised price file (columns {shown}); expected a SMARD CSV "
        "export, a tidy file (timestamp_utc, price_eur_mwh) or a daily file (date, h00..h23)")


def _tidy_table(file: Path, table: pd.DataFrame, stamp_col: str, price_col: str,
                column: str | None) -> pd.DataFrame:
    """Tidy CSV/Parquet table (strings or typed columns) → tidy frame."""
    if column is not None and column.strip().lower() != price_col.lower():
        raise TsganError(f"{file} is a tidy file with one price column {price_col!r}; "
                         f"column={column!r} does not apply")
    stamps = _tidy_stamps(file, table, stamp_col)
    prices = table[price_col]
    if pd.api.types.is_numeric_dtype(prices):
        values = prices.astype("float64")
        _check_values(values.to_numpy(), file, f"column {price_col!r}")
    else:
        values = _numbers(prices.astype(str), file, f"column {price_col!r}", False)
    return _tidy(stamps, values, file)


def _tidy_stamps(file: Path, table: pd.DataFrame, stamp_col: str) -> pd.Series:
    """The UTC interval starts of a tidy table's timestamp column."""
    stamps = table[stamp_col]
    if pd.api.types.is_datetime64_any_dtype(stamps):
        if getattr(stamps.dt, "tz", None) is None:
            if not stamp_col.lower().endswith("utc"):
                raise TsganError(f"timestamps in {file} column {stamp_col!r} have no time zone;"
                                 " name the column timestamp_utc or store tz-aware values")
            stamps = stamps.dt.tz_localize("UTC")
        return stamps.dt.tz_convert("UTC")
    return _parse_utc(stamps.astype(str), file, stamp_col.lower().endswith("utc"))


def _sniff(text: str) -> tuple[str, list[str]]:
    """('german' | 'english' | 'csv', header fields) from the first line."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip("\r ")
    if first.startswith("Datum von;"):
        return "german", first.split(";")
    if first.startswith("Date;Time of day;"):
        return "english", first.split(";")
    sep = ";" if first.count(";") > first.count(",") else ","
    return "csv", [f.strip().strip('"') for f in first.split(sep)]


def _csv_sep(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _read_parquet(file: Path) -> pd.DataFrame:
    """A Parquet file as a frame (a ``date`` index becomes a column)."""
    try:
        frame = pd.read_parquet(file)
    except Exception as exc:  # pyarrow raises many types for foreign/corrupt files
        raise TsganError(f"cannot read {file} as Parquet: {type(exc).__name__}") from exc
    if frame.index.name and str(frame.index.name).lower() in ("date", *TIMESTAMP_NAMES):
        frame = frame.reset_index()
    if frame.empty:
        raise TsganError(f"Parquet file {file} holds no rows")
    return frame


def _is_parquet(file: Path) -> bool:
    if file.suffix.lower() in PARQUET_SUFFIXES:
        return True
    try:
        with file.open("rb") as handle:
            return handle.read(4) == b"PAR1"
    except OSError as exc:
        raise TsganError(f"cannot read {file}: {exc.strerror or exc}") from exc


def _load_table(file: Path) -> tuple[str, pd.DataFrame | str]:
    """('parquet', frame) | ('german'/'english', text) | ('csv', frame of strings)."""
    if _is_parquet(file):
        return "parquet", _read_parquet(file)
    text = _read_text(file)
    kind, _ = _sniff(text)
    if kind != "csv":
        return kind, text
    return "csv", _read_table(file, text, _csv_sep(text))


# --------------------------------------------------------------------------- public API
def _prices(file: Path, kind: str, content: pd.DataFrame | str,
            column: str | None) -> pd.DataFrame:
    """Tidy frame from a file already read by :func:`_load_table`."""
    if kind == "german":
        return _smard_german(file, content, column)
    if kind == "english":
        return _smard_english(file, content, column)
    columns = [str(c) for c in content.columns]
    tidy = _tidy_columns(columns)
    if tidy is None:
        if _wide_columns(columns) is not None:
            raise TsganError(f"{file} holds daily vectors (date, h00..h23), not hourly prices; "
                             "load it with load_days")
        raise _unknown_columns(file, columns)
    return _tidy_table(file, content, tidy[0], tidy[1], column)


def load_prices(path: str | os.PathLike[str], column: str | None = None) -> pd.DataFrame:
    """Read any supported price file into the tidy hourly frame (UTC, sorted, unique).

    Missing values (``-`` or empty cells) are left out, not read as 0, so that the day step
    repairs or drops them; every other oddity raises a one-line TsganError.
    """
    file = _check_path(path)
    kind, content = _load_table(file)
    return _prices(file, kind, content, column)


def _column_values(file: Path, cells: pd.Series, label: str, exogenous: bool) -> np.ndarray:
    """One column as float64: prices checked for size, exogenous values only for inf."""
    what, limit = ("value", None) if exogenous else ("price", MAX_ABS_PRICE)
    if pd.api.types.is_numeric_dtype(cells):
        values = cells.astype("float64").to_numpy()
        _check_values(values, file, label, what, limit)
        return values
    return _numbers(cells.astype(str), file, label, False, what, limit).to_numpy()


def _wide_days(file: Path, table: pd.DataFrame, names: dict[str, str],
               max_gap_hours: int, exogenous: list[str]) -> pd.DataFrame:
    """Wide daily table → day frame (gaps repaired or dropped like hourly input)."""
    dates = table[names["date"]]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        dates = _parse_times(dates.astype(str).str.strip(), file, "ISO8601", "date")
    index = pd.DatetimeIndex(dates)
    if index.tz is not None:
        index = index.tz_localize(None)
    if (index != index.normalize()).any():
        raise TsganError(f"the date column of {file} holds times of day, not dates")
    if index.duplicated().any():
        raise TsganError(f"duplicate date {index[index.duplicated()][0].date()} in {file}")
    columns = {hour: _column_values(file, table[names[hour]], f"column {hour!r}", False)
               for hour in HOUR_COLUMNS}
    wide = pd.DataFrame(columns, index=pd.DatetimeIndex(index, name="date"))
    wide = wide.sort_index()
    days, keep, repaired = repair_days(wide, max_gap_hours)
    used = set(names.values())
    blocks = []
    for name in exogenous:
        block, block_columns = _wide_exogenous(file, table, name, index, max_gap_hours)
        blocks.append(block.sort_index().reindex(days.index))
        used.update(block_columns)
    extras = _extra_columns(file, table, used, index)
    days = pd.concat([days, *blocks], axis=1) if blocks else days
    if not extras.empty:
        days = days.join(extras.sort_index())
    days.attrs["report"] = (f"{len(days)} complete days of {len(wide)} ({int(repaired.sum())} "
                            f"repaired, {int((~keep).sum())} dropped)"
                            + exogenous_report(days, exogenous))
    return days


def _wide_exogenous(file: Path, table: pd.DataFrame, name: str, index: pd.DatetimeIndex,
                    max_gap_hours: int) -> tuple[pd.DataFrame, list[str]]:
    """The ``NAME_h00..NAME_h23`` block of a wide table, repaired like prices or left NaN.

    Returns the block (rows in file order, unrepairable rows all NaN) and the file's
    column names it was read from.
    """
    lower = _columns_lower([str(c) for c in table.columns])
    wanted = exogenous_columns(name)
    missing = [col for col in wanted if col.lower() not in lower]
    if missing:
        raise TsganError(f"{file} has no column {missing[0]!r} for exogenous series {name!r} "
                         f"(a daily file needs {wanted[0]} … {wanted[-1]})")
    actual = [lower[col.lower()] for col in wanted]
    matrix = np.column_stack([_column_values(file, table[col], f"column {col!r}", True)
                              for col in actual])
    return _repair_or_blank(matrix, index, wanted, max_gap_hours), actual


def _repair_or_blank(matrix: np.ndarray, index: pd.DatetimeIndex, columns: list[str],
                     max_gap_hours: int) -> pd.DataFrame:
    """Fill rows with at most ``max_gap_hours`` NaNs (as prices are), blank the others."""
    matrix = matrix.astype("float64", copy=True)
    missing = np.isnan(matrix).sum(axis=1)
    good = (missing <= max_gap_hours) & (missing < matrix.shape[1])
    matrix[good] = fill_rows(matrix[good])
    matrix[~good] = np.nan
    return pd.DataFrame(matrix, index=pd.DatetimeIndex(index, name="date"), columns=columns)


def exogenous_report(days: pd.DataFrame, exogenous: Sequence[str]) -> str:
    """``; load: 3 days without values`` for each series with NaN days (empty otherwise).

    Appended to the day report so that days without forecasts are never silent.
    """
    parts = []
    for name in exogenous:
        blank = int(days[exogenous_columns(name)].isna().all(axis=1).sum())
        if blank:
            parts.append(f"{name}: {blank} day{'s' if blank != 1 else ''} without values")
    return "; " + "; ".join(parts) if parts else ""


def _extra_columns(file: Path, table: pd.DataFrame, used: set[str],
                   index: pd.DatetimeIndex) -> pd.DataFrame:
    """Numeric columns of a wide daily table besides date, hours and exogenous blocks
    (conditions such as a temperature), parsed like prices (decimal comma, ``-`` = missing);
    columns that do not parse as numbers are left out."""
    out = {}
    for name in table.columns:
        if name in used:
            continue
        cells = table[name]
        if pd.api.types.is_numeric_dtype(cells):
            out[str(name)] = cells.astype("float64").to_numpy()
            continue
        try:
            out[str(name)] = _numbers(cells, file, f"column {name!r}", False).to_numpy()
        except TsganError:
            continue  # text (a note, a label): not a condition
    return pd.DataFrame(out, index=pd.DatetimeIndex(index, name="date"))


# --------------------------------------------------------------------------- exogenous
def exogenous_columns(name: str) -> list[str]:
    """The 24 day-frame columns of exogenous series ``name``: ``NAME_h00`` … ``NAME_h23``."""
    return [f"{name}_h{h:02d}" for h in range(24)]


def exogenous_names(columns: Sequence[str]) -> list[str]:
    """Names whose 24 columns ``NAME_h00`` … ``NAME_h23`` are all in ``columns`` (in order)."""
    present = {str(c) for c in columns}
    names = []
    for col in map(str, columns):
        match = re.fullmatch(rf"({EXOGENOUS_NAME})_h00", col)
        if match and set(exogenous_columns(match.group(1))) <= present:
            names.append(match.group(1))
    return names


def check_exogenous(exogenous: str | Sequence[str] | None) -> list[str]:
    """Validated exogenous names (a single string is one name, None none).

    A name is a letter followed by letters, digits or ``_`` (it prefixes column names); it
    must not be ``date`` or an hour column (``h00`` …), nor be given twice.
    """
    if exogenous is None:
        return []
    if isinstance(exogenous, str):
        names = [exogenous]
    elif isinstance(exogenous, Sequence):
        names = list(exogenous)
    else:
        raise TsganError(f"exogenous must be a name or a list of names, got {exogenous!r}")
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str) or not re.fullmatch(EXOGENOUS_NAME, name):
            raise TsganError(f"exogenous name {name!r} must start with a letter and hold only "
                             "letters, digits and _ (at most 64 characters), e.g. load")
        if name.lower() in RESERVED_NAMES or re.fullmatch(r"h\d+", name, re.IGNORECASE):
            raise TsganError(f"exogenous name {name!r} collides with the day frame's own columns "
                             "(date, h00 … h23); choose another, e.g. load")
        if name.lower() in seen:
            raise TsganError(f"exogenous name {name!r} is given twice")
        seen.add(name.lower())
    return names


def exogenous_days(frame: pd.DataFrame, names: Sequence[str], dates: pd.DatetimeIndex,
                   max_gap_hours: int = 2) -> pd.DataFrame:
    """Day vectors of tidy hourly exogenous columns, one row per date of ``dates``.

    ``frame`` holds ``timestamp_utc`` and a numeric column per name (NaN = missing). Each
    series becomes ``NAME_h00`` … ``NAME_h23`` exactly as prices become day vectors
    (:func:`tsgan.data.days.to_day_vectors`: Europe/Berlin days, DST days, gaps up to
    ``max_gap_hours`` repaired); dates the series cannot fill stay NaN in all 24 columns.
    """
    index = pd.DatetimeIndex(dates, name="date").as_unit("ns")
    blocks = []
    for name in names:
        part = frame.loc[frame[name].notna(), ["timestamp_utc", name]]
        columns = exogenous_columns(name)
        if part.empty:
            blocks.append(pd.DataFrame(np.nan, index=index, columns=columns))
            continue
        days, _ = to_day_vectors(part.rename(columns={name: "price_eur_mwh"}), max_gap_hours)
        days.columns = columns
        blocks.append(days.reindex(index))
    if not blocks:
        return pd.DataFrame(index=index)
    return pd.concat(blocks, axis=1).astype("float64")


def _exogenous_column(file: Path, table: pd.DataFrame, name: str, stamp_col: str,
                      price_col: str) -> str:
    """The tidy table's column for exogenous series ``name`` (exact, else case-insensitive)."""
    columns = [str(c) for c in table.columns]
    actual = name if name in columns else _columns_lower(columns).get(name.lower())
    if actual is None:
        shown = ", ".join(repr(c) for c in columns)
        raise TsganError(f"{file} has no column {name!r} for exogenous series {name!r}; "
                         f"columns: {shown}")
    for role, col in (("timestamp", stamp_col), ("price", price_col)):
        if actual.lower() == col.lower():
            raise TsganError(f"exogenous series {name!r} is the {role} column of {file}")
    return actual


def _tidy_exogenous(file: Path, table: pd.DataFrame, stamp_col: str, price_col: str,
                    names: list[str]) -> pd.DataFrame:
    """``timestamp_utc`` and one float64 column per exogenous name from a tidy table."""
    out = {"timestamp_utc": _tidy_stamps(file, table, stamp_col).to_numpy()}
    for name in names:
        actual = _exogenous_column(file, table, name, stamp_col, price_col)
        label = f"column {actual!r}"
        values = _column_values(file, table[actual], label, True)
        if np.isnan(values).all():
            raise TsganError(f"{label} of {file} holds no values for exogenous series {name!r}")
        out[name] = values
    frame = pd.DataFrame(out)
    frame["timestamp_utc"] = pd.to_datetime(frame["timestamp_utc"], utc=True).astype(
        "datetime64[ns, UTC]")
    return frame


def read_condition_file(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A CSV (or Parquet) of conditions for ``tsgan generate``: one row per scenario.

    Cells stay as read; :func:`tsgan.data.conditions.request_conditions` checks them.
    """
    file = _check_path(path)
    if _is_parquet(file):
        frame = _read_parquet(file)
    else:
        text = _read_text(file, "condition file")
        frame = _read_table(file, text, _csv_sep(text), "condition file")
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise TsganError(f"condition file {file} has no rows")
    return frame.reset_index(drop=True)


def load_days(path: str | os.PathLike[str] | None = None, column: str | None = None,
              max_gap_hours: int = 2, exogenous: str | Sequence[str] = ()) -> pd.DataFrame:
    """Day frame (index ``date``, ``h00``…``h23``, no NaN) from any supported file.

    ``path=None`` loads the bundled SMARD DE-LU data. ``frame.attrs["report"]`` holds the
    one-line summary of repaired and dropped days. Each name in ``exogenous`` adds the
    float64 columns ``NAME_h00`` … ``NAME_h23`` right after the prices, read from a tidy
    file's column ``NAME`` (turned into days like the prices) or a daily file's 24 columns;
    a day whose series has more than ``max_gap_hours`` gaps holds NaN in all 24.
    """
    names = check_exogenous(exogenous)
    file = bundled_data_path() if path is None else _check_path(path)
    kind, content = _load_table(file)
    if kind in ("csv", "parquet"):
        wide = _wide_columns([str(c) for c in content.columns])
        if wide is not None:
            if column is not None:
                raise TsganError(f"{file} is a daily file; column={column!r} does not apply")
            return _require_days(_wide_days(file, content, wide, max_gap_hours, names), file)
    elif names:
        raise TsganError(f"{file} is a SMARD price export; exogenous series need a tidy "
                         "hourly or a wide daily file (docs/exogenous.md)")
    days, report = to_day_vectors(_prices(file, kind, content, column), max_gap_hours)
    if names:
        stamp_col, price_col = _tidy_columns([str(c) for c in content.columns])
        hourly = _tidy_exogenous(file, content, stamp_col, price_col, names)
        days = pd.concat([days, exogenous_days(hourly, names, days.index, max_gap_hours)],
                         axis=1)
    days.attrs["report"] = report.summary() + exogenous_report(days, names)
    return _require_days(days, file)


def _require_days(days: pd.DataFrame, file: Path) -> pd.DataFrame:
    """Fail with one line when not a single complete day is left."""
    if days.empty:
        raise TsganError(f"{file} does not hold a single complete day of 24 hourly prices")
    return days


def bundled_data_path() -> Path:
    """Path of the bundled SMARD DE-LU hourly series (installed package or repo checkout)."""
    from importlib import resources

    candidates = []
    try:
        candidates.append(Path(str(resources.files("tsgan.data.bundled") / BUNDLED_FILE)))
    except (ModuleNotFoundError, TypeError):
        pass
    candidates.append(Path(__file__).resolve().parents[2] / "data" / BUNDLED_FILE)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise TsganError(f"bundled data {BUNDLED_FILE} is missing from the installation; "
                     "reinstall tsgan or pass a data file")


def write_prices(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a tidy frame as CSV/Parquet (by suffix, atomically) with a local-time column.

    Columns ``timestamp_utc``, ``timestamp_local`` (ISO 8601 with offset, Europe/Berlin),
    ``price_eur_mwh``, then the frame's other numeric columns (exogenous series such as
    ``load``; NaN = missing, an empty CSV cell); readable again with :func:`load_prices`
    and, with ``exogenous=``, :func:`load_days`.
    """
    stamps = pd.to_datetime(frame["timestamp_utc"], utc=True)
    stamps = stamps.reset_index(drop=True)
    out = pd.DataFrame({
        "timestamp_utc": stamps,
        "timestamp_local": stamps.dt.tz_convert(TIMEZONE),
        "price_eur_mwh": frame["price_eur_mwh"].astype("float64").to_numpy(),
    })
    for name in frame.columns:
        if name not in out.columns and pd.api.types.is_numeric_dtype(frame[name]):
            out[str(name)] = frame[name].astype("float64").to_numpy()
    if Path(path).suffix.lower() == ".csv":
        out["timestamp_utc"] = _iso(out["timestamp_utc"])
        out["timestamp_local"] = _iso(out["timestamp_local"])
    tsgan_io.write_frame(out, path)


def _iso(stamps: pd.Series) -> pd.Series:
    """ISO 8601 text with a ``+HH:MM`` offset, e.g. ``2025-10-26T02:00:00+01:00``."""
    text = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    return text.str.replace(r"([+-]\d{2})(\d{2})$", r"\1:\2", regex=True)


def write_days(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a day frame as ``date,h00..h23`` CSV or Parquet (by suffix, atomically).

    Complete exogenous blocks (``NAME_h00`` … ``NAME_h23``, see :func:`exogenous_names`)
    follow the prices, NaN as empty CSV cells; other columns are not written.
    """
    blocks = [col for name in exogenous_names(frame.columns) for col in exogenous_columns(name)]
    out = frame[HOUR_COLUMNS + blocks].astype("float64").copy()
    out.index = pd.DatetimeIndex(frame.index, name="date")
    if Path(path).suffix.lower() == ".csv":
        out.index = out.index.strftime("%Y-%m-%d").rename("date")
    tsgan_io.write_frame(out, path, index=True)


