"""Property test: random malformed CSV text never makes the loaders raise anything but TsganError.

Whatever ``tsgan.data.sources.load_prices`` / ``load_days`` are given, they either raise
:class:`~tsgan.errors.TsganError` with a one-line message or return a frame that meets the
contracts of docs/interfaces.md (no NaN, sorted unique timestamps / dates).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tsgan.data.days import HOUR_COLUMNS
from tsgan.data.sources import load_days, load_prices
from tsgan.errors import TsganError

HEADERS = [
    "timestamp_utc,price_eur_mwh", "timestamp;price", "timestamp_local,value", "datetime,price",
    "time,price_eur_mwh", "date," + ",".join(HOUR_COLUMNS), "a,b", "", "price_eur_mwh",
    "Datum von;Datum bis;Deutschland/Luxemburg [€/MWh] Originalauflösungen;Frankreich [€/MWh]",
    "Datum von;Deutschland/Luxemburg [€/MWh] Berechnete Auflösungen",
    "Date;Time of day;Germany/Luxembourg [€/MWh] Original resolutions",
    "timestamp_utc,price_eur_mwh,timestamp_utc",
]
STAMPS = [
    "2024-06-03T00:00:00Z", "2024-06-03T01:00:00+02:00", "2024-03-31T02:00:00+01:00",
    "2024-06-03 05:00", "2024-06-03", "03.06.2024 00:00", "31.03.2024 02:00", "27.10.2024 02:00",
    "Jun 3, 2024", "12:00 AM", "1:00 PM", "2024-02-30T00:00:00Z", "9999-12-31T23:00:00Z",
    "0001-01-01T00:00:00Z", "1717372800", "yesterday", "NaT", "", "-", "2024-06-03T00:00:00",
    "2262-04-12T00:00:00Z", "+05:00", "Z",
]
NUMBERS = [
    "1", "-500", "12,5", "1.234,56", "1,234.5", "3.000", "nan", "NaN", "inf", "-inf", "1e12",
    "1e400", "-1e-400", "0x10", "", "-", " 7 ", "1_000", "٣", "½", "\"5\"", "5;6", "null", "None",
    "1e5", "-99999.9", "100001",
]


def _hourly_rows(start: pd.Timestamp, count: int, values: list[str], sep: str) -> list[str]:
    stamps = pd.date_range(start, periods=count, freq="h")
    return [f"{s:%Y-%m-%dT%H:%M:%SZ}{sep}{values[i % len(values)]}"
            for i, s in enumerate(stamps)]


@st.composite
def csv_text(draw: st.DrawFn) -> str:
    """A CSV-ish text: a header, plausible or broken rows, random noise, odd line endings."""
    sep = draw(st.sampled_from([",", ";", "\t", "|", " ", ",,"]))
    header = draw(st.sampled_from(HEADERS))
    if draw(st.booleans()):
        header = header.replace(",", sep).replace(";", sep)
    lines = [header]
    if draw(st.booleans()):  # a run of mostly good hours, so some inputs get deep
        start = pd.Timestamp(draw(st.sampled_from(["2024-06-03", "2024-03-30", "2024-10-26"])))
        values = draw(st.lists(st.sampled_from(NUMBERS[:3] + ["42.5"]), min_size=1, max_size=3))
        lines += _hourly_rows(start, draw(st.integers(0, 80)), values, sep)
    cell = st.one_of(st.sampled_from(STAMPS), st.sampled_from(NUMBERS),
                     st.text(max_size=8))
    for _ in range(draw(st.integers(0, 4))):
        cells = draw(st.lists(cell, min_size=0, max_size=26))
        lines.insert(draw(st.integers(1, len(lines))), sep.join(cells))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), "")
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 3]))
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text


def _check_prices(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == ["timestamp_utc", "price_eur_mwh"]
    stamps = frame["timestamp_utc"]
    assert str(stamps.dt.tz) == "UTC"
    assert stamps.is_monotonic_increasing and stamps.is_unique
    assert not frame["price_eur_mwh"].isna().any()
    assert np.isfinite(frame["price_eur_mwh"].to_numpy()).all()


def _check_days(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == HOUR_COLUMNS
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.tz is None
    assert frame.index.is_monotonic_increasing and frame.index.is_unique
    assert len(frame) > 0 and np.isfinite(frame.to_numpy(np.float64)).all()


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=csv_text(), raw=st.booleans(), encoding=st.sampled_from(["utf-8", "cp1252"]))
def test_random_csv_gives_tsgan_error_or_valid_frames(text: str, raw: bool,
                                                      encoding: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prices.csv"
        data = text.encode(encoding, errors="replace")
        if raw:  # a few stray bytes: invalid UTF-8, NUL
            data = data[: len(data) // 2] + b"\xff\x00\xfe" + data[len(data) // 2:]
        path.write_bytes(data)
        for loader, check in ((load_prices, _check_prices), (load_days, _check_days)):
            try:
                frame = loader(path)
            except TsganError as exc:
                message = str(exc)
                assert message and "\n" not in message
                event(f"{loader.__name__}: TsganError")
            else:
                check(frame)
                event(f"{loader.__name__}: frame")


@settings(max_examples=40, deadline=None, derandomize=True)
@given(rows=st.lists(st.tuples(st.sampled_from(STAMPS), st.sampled_from(NUMBERS)),
                     min_size=1, max_size=30))
def test_tidy_rows_of_odd_stamps_and_numbers(rows: list[tuple[str, str]]) -> None:
    """A well-formed tidy file whose cells are drawn from the odd-value lists."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tidy.csv"
        body = "".join(f'"{s}","{v}"\n' for s, v in rows)
        path.write_text("timestamp_utc,price_eur_mwh\n" + body, encoding="utf-8")
        try:
            _check_prices(load_prices(path))
        except TsganError as exc:
            assert "\n" not in str(exc)
