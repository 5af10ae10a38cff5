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
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from tsgan.data import io as tsgan_io
from tsgan.data.days import HOUR_COLUMNS, TIMEZONE, repair_days, to_day_vectors
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
def _numbers(cells: pd.Series, file: Path, label: str, decimal_comma: bool) -> pd.Series:
    """Parse price cells; ``-`` and empty cells become NaN (missing), anything else odd fails."""
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
        raise TsganError(f"{kind} price {raw!r} in {label} of {file}, line {_line(pos)}")
    _check_values(arr, file, label)
    return values


def _check_values(arr: np.ndarray, file: Path, label: str) -> None:
    """Reject infinite and absurd (|price| > 1e5 EUR/MWh) values."""
    inf = np.isinf(arr)
    if inf.any():
        pos = int(np.flatnonzero(inf)[0])
        raise TsganError(f"infinite price in {label} of {file}, row {pos + 1}")
    absurd = np.abs(np.nan_to_num(arr)) > MAX_ABS_PRICE
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
    stamps = table[stamp_col]
    if pd.api.types.is_datetime64_any_dtype(stamps):
        if getattr(stamps.dt, "tz", None) is None:
            if not stamp_col.lower().endswith("utc"):
                raise TsganError(f"timestamps in {file} column {stamp_col!r} have no time zone;"
                                 " name the column timestamp_utc or store tz-aware values")
            stamps = stamps.dt.tz_localize("UTC")
        stamps = stamps.dt.tz_convert("UTC")
    else:
        stamps = _parse_utc(stamps.astype(str), file, stamp_col.lower().endswith("utc"))
    prices = table[price_col]
    if pd.api.types.is_numeric_dtype(prices):
        values = prices.astype("float64")
        _check_values(values.to_numpy(), file, f"column {price_col!r}")
    else:
        values = _numbers(prices.astype(str), file, f"column {price_col!r}", False)
    return _tidy(stamps, values, file)


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


def _wide_days(file: Path, table: pd.DataFrame, names: dict[str, str],
               max_gap_hours: int) -> pd.DataFrame:
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
    columns = {}
    for hour in HOUR_COLUMNS:
        cells = table[names[hour]]
        if pd.api.types.is_numeric_dtype(cells):
            values = cells.astype("float64")
            _check_values(values.to_numpy(), file, f"column {hour!r}")
        else:
            values = _numbers(cells.astype(str), file, f"column {hour!r}", False)
        columns[hour] = values.to_numpy()
    wide = pd.DataFrame(columns, index=pd.DatetimeIndex(index, name="date"))
    wide = wide.sort_index()
    days, keep, repaired = repair_days(wide, max_gap_hours)
    extras = _extra_columns(file, table, names, index)
    if not extras.empty:
        days = days.join(extras.sort_index())
    days.attrs["report"] = (f"{len(days)} complete days of {len(wide)} ({int(repaired.sum())} "
                            f"repaired, {int((~keep).sum())} dropped)")
    return days


def _extra_columns(file: Path, table: pd.DataFrame, names: dict[str, str],
                   index: pd.DatetimeIndex) -> pd.DataFrame:
    """Numeric columns of a wide daily table besides date and hours (conditions such as a
    temperature), parsed like prices (decimal comma, ``-`` = missing); columns that do not
    parse as numbers are left out."""
    used = set(names.values())
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
              max_gap_hours: int = 2) -> pd.DataFrame:
    """Day frame (index ``date``, ``h00``…``h23``, no NaN) from any supported file.

    ``path=None`` loads the bundled SMARD DE-LU data. ``frame.attrs["report"]`` holds the
    one-line summary of repaired and dropped days.
    """
    file = bundled_data_path() if path is None else _check_path(path)
    kind, content = _load_table(file)
    if kind in ("csv", "parquet"):
        names = _wide_columns([str(c) for c in content.columns])
        if names is not None:
            if column is not None:
                raise TsganError(f"{file} is a daily file; column={column!r} does not apply")
            return _require_days(_wide_days(file, content, names, max_gap_hours), file)
    days, report = to_day_vectors(_prices(file, kind, content, column), max_gap_hours)
    days.attrs["report"] = report.summary()
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

    Columns ``timestamp_utc``, ``timestamp_local`` (ISO 8601 with offset, Europe/Berlin) and
    ``price_eur_mwh``; readable again with :func:`load_prices`.
    """
    stamps = pd.to_datetime(frame["timestamp_utc"], utc=True)
    stamps = stamps.reset_index(drop=True)
    out = pd.DataFrame({
        "timestamp_utc": stamps,
        "timestamp_local": stamps.dt.tz_convert(TIMEZONE),
        "price_eur_mwh": frame["price_eur_mwh"].astype("float64").to_numpy(),
    })
    if Path(path).suffix.lower() == ".csv":
        out["timestamp_utc"] = _iso(out["timestamp_utc"])
        out["timestamp_local"] = _iso(out["timestamp_local"])
    tsgan_io.write_frame(out, path)


def _iso(stamps: pd.Series) -> pd.Series:
    """ISO 8601 text with a ``+HH:MM`` offset, e.g. ``2025-10-26T02:00:00+01:00``."""
    text = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    return text.str.replace(r"([+-]\d{2})(\d{2})$", r"\1:\2", regex=True)


def write_days(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a day frame as ``date,h00..h23`` CSV or Parquet (by suffix, atomically)."""
    out = frame[HOUR_COLUMNS].astype("float64").copy()
    out.index = pd.DatetimeIndex(frame.index, name="date")
    if Path(path).suffix.lower() == ".csv":
        out.index = out.index.strftime("%Y-%m-%d").rename("date")
    tsgan_io.write_frame(out, path, index=True)


