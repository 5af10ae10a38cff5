"""Reading every supported price file, checked against values in the raw SMARD exports."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsgan.data.days import HOUR_COLUMNS, to_day_vectors
from tsgan.data.sources import (
    bundled_data_path,
    load_days,
    load_prices,
    pick_column,
    write_days,
    write_prices,
)
from tsgan.errors import TsganError

REPO = Path(__file__).resolve().parents[1]
IMPORTS = REPO / "tests" / "fixtures" / "imports"
GERMAN = IMPORTS / "smard_grosshandel_excerpt.csv"
RESAVED = IMPORTS / "smard_resaved_2col_excerpt.csv"
ENGLISH = IMPORTS / "smard_english_excerpt.csv"
RAW = Path(__file__).resolve().parents[2] / "shared" / "data"
RAW_FILES = {  # name: (hours, local days)
    "DAprices_201810010000_202505140000_hourly.csv": (58008, 2417),
    "Gro_handelspreise_202403010000_202603020000_Stunde.csv": (17544, 731),
    "Day-ahead_prices_2018-2019.csv": (17520, 730),
    "Day-ahead_prices_2020.csv": (4367, 182),
}
needs_raw = pytest.mark.skipif(not RAW.is_dir(), reason="../shared/data not available")


def price_at(prices: pd.DataFrame, utc: str) -> float:
    row = prices[prices["timestamp_utc"] == pd.Timestamp(utc, tz="UTC")]
    assert len(row) == 1, utc
    return float(row["price_eur_mwh"].iloc[0])


# --------------------------------------------------------------------------- SMARD exports
def test_resaved_two_column_export() -> None:
    prices = load_prices(RESAVED)
    assert prices["timestamp_utc"].dt.tz is not None and prices["timestamp_utc"].is_unique
    assert price_at(prices, "2023-07-02 12:00") == -500.0  # 14:00 CEST
    days = load_days(RESAVED)
    assert days.loc["2023-07-02", "h14"] == -500.0
    assert days.loc["2023-07-01", "h00"] == price_at(prices, "2023-06-30 22:00")
    assert len(days) == 4 and "4 complete days" in days.attrs["report"]


def test_downloadcenter_export_values_and_dst() -> None:
    prices = load_prices(GERMAN)
    assert len(prices) == 24 + 24 + 23 + 25
    assert price_at(prices, "2024-12-12 16:00") == 936.28  # 17:00 CET
    assert price_at(prices, "2025-10-26 00:00") == 3.19  # first 02:00 label = CEST
    assert price_at(prices, "2025-10-26 01:00") == 2.02  # second 02:00 label = CET
    days = load_days(GERMAN)
    assert days.loc["2024-12-12", "h17"] == 936.28
    assert days.loc["2025-10-26", "h02"] == pytest.approx(2.605)
    spring = days.loc["2025-03-30"]
    assert spring["h02"] == pytest.approx((spring["h01"] + spring["h03"]) / 2)


def test_thousands_separator_and_column_picker() -> None:
    days = load_days(GERMAN, column="Slowenien")
    assert days.loc["2024-08-29", "h19"] == 1022.27  # cell "1.022,27"
    de = load_days(GERMAN)
    for name in ("Deutschland/Luxemburg", "deutschland", "DE-LU"):
        assert load_days(GERMAN, column=name).equals(de)
    france = load_days(GERMAN, column="Frankreich")
    assert france.equals(load_days(GERMAN, column="fr"))
    assert france.equals(load_days(GERMAN, column="FRANK"))
    assert not france.equals(de)


def test_column_picker_errors() -> None:
    columns = ["Dänemark 1 [€/MWh] Originalauflösungen", "Dänemark 2 [€/MWh] Originalauflösungen"]
    assert pick_column(columns, "dänemark 2") == columns[1]
    with pytest.raises(TsganError, match="ambiguous"):
        pick_column(columns, "Dänemark")
    with pytest.raises(TsganError, match="no column 'Mars'"):
        load_days(GERMAN, column="Mars")
    with pytest.raises(TsganError, match="ambiguous"):
        load_days(ENGLISH, column="Germany")


def test_english_export_de_at_lu_then_de_lu() -> None:
    prices = load_prices(ENGLISH)
    raw = ENGLISH.read_bytes()
    assert b"\r\n" in raw and raw.startswith(b"\xef\xbb\xbf")
    days = load_days(ENGLISH)
    assert len(days) == 4 and not days.isna().any().any()
    assert days.loc["2018-09-30", "h23"] == 60.87  # DE-AT-LU column (DE-LU is "-")
    assert days.loc["2018-10-01", "h00"] == 59.53  # DE-LU column
    assert days.loc["2018-10-28", "h02"] == pytest.approx((41.62 + 41.59) / 2)
    assert days.loc["2019-03-31", "h02"] == pytest.approx((33.95 + 31.95) / 2)
    assert price_at(prices, "2018-10-28 00:00") == 41.62 and price_at(
        prices, "2018-10-28 01:00") == 41.59
    france = load_days(ENGLISH, column="France")
    assert france.loc["2018-10-28", "h00"] == 64.47
    de_at_lu = load_days(ENGLISH, column="Germany/Austria/Luxembourg")  # "-" from 10-01
    assert de_at_lu.index.strftime("%Y-%m-%d").tolist() == ["2018-09-30"]
    assert de_at_lu.loc["2018-09-30"].equals(days.loc["2018-09-30"])


@needs_raw
@pytest.mark.parametrize("name", sorted(RAW_FILES))
def test_full_raw_exports(name: str) -> None:
    prices = load_prices(RAW / name)
    days, report = to_day_vectors(prices)
    hours, n_days = RAW_FILES[name]
    assert len(prices) == hours and len(days) == n_days and report.n_dropped == 0


@needs_raw
def test_full_raw_extremes() -> None:
    days = load_days(RAW / "DAprices_201810010000_202505140000_hourly.csv")
    assert days.loc["2023-07-02", "h14"] == -500.0 and days.loc["2024-12-12", "h17"] == 936.28
    assert days.loc["2022-08-29", "h19"] == 871.0
    autumn = load_days(RAW / "Gro_handelspreise_202403010000_202603020000_Stunde.csv")
    assert autumn.loc["2025-10-26", "h02"] == pytest.approx(2.605)


# --------------------------------------------------------------------------- tidy and wide
def test_tidy_csv_and_parquet_round_trip(tmp_path: Path) -> None:
    prices = load_prices(GERMAN)
    for suffix in (".csv", ".parquet"):
        path = tmp_path / f"prices{suffix}"
        write_prices(prices, path)
        back = load_prices(path)
        pd.testing.assert_frame_equal(back, prices)
    text = (tmp_path / "prices.csv").read_text().splitlines()
    assert text[0] == "timestamp_utc,timestamp_local,price_eur_mwh"
    assert "2025-10-26T01:00:00+00:00,2025-10-26T02:00:00+01:00,2.02" in text


def test_tidy_with_offsets_only(tmp_path: Path) -> None:
    path = tmp_path / "offsets.csv"
    stamps = pd.date_range("2024-06-03", periods=24, freq="h", tz="Europe/Berlin")
    pd.DataFrame({"timestamp": [s.isoformat() for s in stamps], "price": range(24)}).to_csv(
        path, index=False)
    days = load_days(path)
    assert days.loc["2024-06-03"].tolist() == [float(h) for h in range(24)]


def test_wide_daily_csv_and_parquet(tmp_path: Path) -> None:
    days = load_days(GERMAN)
    for suffix in (".csv", ".parquet"):
        path = tmp_path / f"days{suffix}"
        write_days(days, path)
        back = load_days(path)
        pd.testing.assert_frame_equal(back, days, check_freq=False)
    assert (tmp_path / "days.csv").read_text().splitlines()[1].startswith("2024-08-29,")


def test_wide_daily_gaps_repaired_or_dropped(tmp_path: Path) -> None:
    frame = pd.DataFrame(np.arange(72, dtype=float).reshape(3, 24), columns=HOUR_COLUMNS,
                         index=pd.date_range("2024-01-01", periods=3, name="date"))
    frame.iloc[0, 5] = np.nan
    frame.iloc[1, :5] = np.nan
    path = tmp_path / "wide.csv"
    frame.to_csv(path)
    days = load_days(path)
    assert len(days) == 2 and days.iloc[0, 5] == 5.0 and "1 dropped" in days.attrs["report"]


# --------------------------------------------------------------------------- bad input
def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


TIDY_HEAD = "timestamp_utc,price_eur_mwh\n"


def day_rows(values: list[str], start: str = "2024-06-03T00:00:00Z") -> str:
    stamps = pd.date_range(start, periods=len(values), freq="h")
    return "".join(f"{s:%Y-%m-%dT%H:%M:%SZ},{v}\n" for s, v in zip(stamps, values, strict=True))


BAD_INPUTS = {
    "empty file": ("empty.csv", "", "is empty"),
    "blank file": ("blank.csv", "\n\n", "is empty"),
    "header only": ("header.csv", TIDY_HEAD, "no data rows"),
    "german header only": ("de.csv", "\ufeffDatum von;Deutschland/Luxemburg [€/MWh] x\n",
                           "no data rows"),
    "unknown columns": ("cols.csv", "a,b\n1,2\n", "not a recognised price file"),
    "non-numeric": ("text.csv", TIDY_HEAD + day_rows(["1"] * 5 + ["abc"] + ["1"] * 18),
                    "non-numeric price 'abc'"),
    "NaN": ("nan.csv", TIDY_HEAD + day_rows(["nan"] + ["1"] * 23), "NaN price"),
    "Inf": ("inf.csv", TIDY_HEAD + day_rows(["inf"] + ["1"] * 23), "infinite"),
    "duplicate": ("dup.csv", TIDY_HEAD + day_rows(["1"] * 24) + day_rows(["2"]),
                  "duplicate timestamp"),
    "all null": ("null.csv", TIDY_HEAD + day_rows([""] * 24), "holds no prices"),
    "absurd": ("big.csv", TIDY_HEAD + day_rows(["1"] * 23 + ["250000"]), "absurd price"),
    "less than a day": ("short.csv", TIDY_HEAD + day_rows(["1"] * 10), "single complete day"),
    "bad timestamp": ("ts.csv", TIDY_HEAD + "yesterday,1\n", "cannot read timestamp"),
    "naive local": ("naive.csv", "timestamp,price\n2024-06-03 00:00,1\n", "no UTC offset"),
    "german bad number": ("de2.csv", "Datum von;Deutschland/Luxemburg [€/MWh] x\n"
                          "01.06.2024 00:00;12,5x\n", "non-numeric"),
    "german bad date": ("de3.csv", "Datum von;Deutschland/Luxemburg [€/MWh] x\n"
                        "31.02.2024 00:00;12,5\n", "cannot read 'Datum von'"),
    "german duplicate": ("de4.csv", "Datum von;Deutschland/Luxemburg [€/MWh] x\n"
                         "01.06.2024 00:00;1\n01.06.2024 00:00;2\n", "duplicate timestamp"),
    "nonexistent local": ("de5.csv", "Datum von;Deutschland/Luxemburg [€/MWh] x\n"
                          "31.03.2024 02:00;1\n", "does not exist"),
    "ragged csv": ("ragged.csv", 'timestamp_utc,price_eur_mwh\n"2024,1\n', "cannot parse"),
    "wide duplicate dates": ("wide.csv", "date," + ",".join(HOUR_COLUMNS) + "\n"
                             + ("2024-01-01," + ",".join(["1"] * 24) + "\n") * 2,
                             "duplicate date"),
    "garbage parquet": ("bad.parquet", "not parquet at all", "cannot read"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_gives_one_line_error(tmp_path: Path, case: str) -> None:
    name, text, message = BAD_INPUTS[case]
    path = write(tmp_path, name, text)
    with pytest.raises(TsganError) as info:
        load_days(path)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_missing_file_directory_and_gzip_garbage(tmp_path: Path) -> None:
    for path, message in ((tmp_path / "nope.csv", "does not exist"),
                          (tmp_path, "is a directory")):
        for loader in (load_days, load_prices):
            with pytest.raises(TsganError, match=message):
                loader(path)
    gz = tmp_path / "x.csv.gz"
    gz.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(TsganError, match="cannot read"):
        load_prices(gz)
    wide = tmp_path / "w.csv"
    write_days(load_days(GERMAN), wide)
    with pytest.raises(TsganError, match="load_days"):
        load_prices(wide)


def test_parquet_with_nan_and_unknown_columns(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pd.DataFrame({"x": [1.0], "y": [2.0]}).to_parquet(path)
    with pytest.raises(TsganError, match="not a recognised"):
        load_days(path)
    stamps = pd.date_range("2024-06-03", periods=24, freq="h", tz="UTC")
    pd.DataFrame({"timestamp_utc": stamps, "price_eur_mwh": [np.inf] * 24}).to_parquet(path)
    with pytest.raises(TsganError, match="infinite"):
        load_days(path)


# --------------------------------------------------------------------------- bundled data
def test_bundled_data_meets_the_criteria() -> None:
    path = bundled_data_path()
    assert path.is_file() and path.name == "smard_de_hourly.csv.gz"
    assert path.stat().st_size < 3_000_000
    days = load_days()
    assert len(days) >= 2950 and not days.isna().any().any()
    assert list(days.columns) == HOUR_COLUMNS and days.index.is_monotonic_increasing
    assert str(days.index[0].date()) == "2018-01-01" and str(days.index[-1].date()) == "2026-03-01"
    assert days.loc["2023-07-02", "h14"] == -500.0 and days.loc["2024-12-12", "h17"] == 936.28
    assert days.loc["2018-01-01", "h00"] == -5.27  # DE-AT-LU
    assert days.loc["2025-10-26", "h02"] == pytest.approx(2.605)


def test_bundled_data_is_packaged() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"]["tsgan.data.bundled"] == "data"
    assert "tsgan.data.bundled" in config["packages"]
    assert any(p.endswith(".csv.gz") for p in config["package-data"]["tsgan.data.bundled"])
    assert bundled_data_path().parent.name == "data"
    assert "CC BY 4.0" in (REPO / "data" / "README.md").read_text()


@needs_raw
def test_build_script_is_deterministic_and_fails_loudly(tmp_path: Path) -> None:
    script = REPO / "scripts" / "build_bundled_data.py"
    done = subprocess.run([sys.executable, str(script), "--out-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    built = (tmp_path / "smard_de_hourly.csv.gz").read_bytes()
    assert built == bundled_data_path().read_bytes()
    bad = subprocess.run([sys.executable, str(script), "--raw-dir", str(tmp_path),
                          "--out-dir", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "missing" in bad.stderr
    assert not (tmp_path / "out").exists()
