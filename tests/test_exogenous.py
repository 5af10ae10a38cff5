"""Exogenous hourly series (day-ahead forecasts) read next to prices by ``load_days``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsgan.data.days import HOUR_COLUMNS
from tsgan.data.sources import (
    exogenous_columns,
    exogenous_days,
    exogenous_names,
    load_days,
    write_days,
    write_prices,
)
from tsgan.errors import TsganError

GERMAN = Path(__file__).resolve().parent / "fixtures" / "imports" / "smard_grosshandel_excerpt.csv"
LOAD = exogenous_columns("load")


def hourly(first: str, last: str) -> pd.DataFrame:
    """Tidy hourly frame over the Europe/Berlin days [first, last]: price = hour number,
    load = 50,000 + 10 x hour number (so every value is known exactly)."""
    start = pd.Timestamp(first, tz="Europe/Berlin")
    end = pd.Timestamp(last, tz="Europe/Berlin") + pd.Timedelta(days=1)
    stamps = pd.date_range(start.tz_convert("UTC"), end.tz_convert("UTC"), freq="h",
                           inclusive="left")
    n = np.arange(len(stamps), dtype="float64")
    return pd.DataFrame({"timestamp_utc": stamps, "price_eur_mwh": n, "load": 50_000 + 10 * n})


def local_load(frame: pd.DataFrame, day: str, hour: int) -> list[float]:
    """Load values whose Europe/Berlin start is ``day`` at ``hour`` (two on the autumn 02:00)."""
    local = frame["timestamp_utc"].dt.tz_convert("Europe/Berlin")
    hit = (local.dt.strftime("%Y-%m-%d") == day) & (local.dt.hour == hour)
    return frame.loc[hit.to_numpy(), "load"].tolist()


def wide_frame(days: int = 4) -> pd.DataFrame:
    """Wide daily table: date, h00..h23, load_h00..load_h23, a temperature."""
    dates = pd.date_range("2025-01-06", periods=days, freq="D")
    prices = np.arange(days * 24, dtype="float64").reshape(days, 24)
    frame = pd.DataFrame(prices, columns=HOUR_COLUMNS)
    frame.insert(0, "date", dates.strftime("%Y-%m-%d"))
    for h, col in enumerate(LOAD):
        frame[col] = 40_000.0 + 1000 * h + np.arange(days)
    frame["temperature"] = np.linspace(-2.0, 4.0, days)
    return frame


# --------------------------------------------------------------------------- helpers
def test_column_helpers() -> None:
    assert exogenous_columns("load") == [f"load_h{h:02d}" for h in range(24)]
    assert exogenous_columns("wind_solar")[-1] == "wind_solar_h23"
    columns = [*HOUR_COLUMNS, *exogenous_columns("solar"), "load_h00", "temperature"]
    assert exogenous_names(columns) == ["solar"]  # load has one column only: not a block


# --------------------------------------------------------------------------- tidy hourly
def test_tidy_csv_with_both_dst_days(tmp_path: Path) -> None:
    frame = pd.concat([hourly("2025-03-29", "2025-03-31"), hourly("2025-10-25", "2025-10-27")])
    frame = frame.reset_index(drop=True)
    path = tmp_path / "prices.csv"
    write_prices(frame, path)
    days = load_days(path, exogenous=["load"])
    assert list(days.columns) == HOUR_COLUMNS + LOAD
    assert (days.dtypes == "float64").all()
    assert days.index.strftime("%Y-%m-%d").tolist()[:3] == ["2025-03-29", "2025-03-30",
                                                            "2025-03-31"]
    assert not days[HOUR_COLUMNS].isna().any().any()
    spring = days.loc["2025-03-30"]
    assert local_load(frame, "2025-03-30", 2) == []  # 02:00 does not exist
    assert spring["load_h02"] == pytest.approx((spring["load_h01"] + spring["load_h03"]) / 2)
    assert spring["load_h03"] == local_load(frame, "2025-03-30", 3)[0]
    autumn = days.loc["2025-10-26"]
    twice = local_load(frame, "2025-10-26", 2)
    assert len(twice) == 2 and autumn["load_h02"] == pytest.approx(sum(twice) / 2)
    assert autumn["load_h23"] == local_load(frame, "2025-10-26", 23)[0]
    assert days.loc["2025-10-27", "load_h00"] == local_load(frame, "2025-10-27", 0)[0]
    assert "2025-10-24" not in days.index.strftime("%Y-%m-%d")  # gap between the spans
    # the exogenous days are built exactly like the prices are
    assert days.loc["2025-10-26", "h02"] == pytest.approx((twice[0] - 50_000) / 20
                                                          + (twice[1] - 50_000) / 20)


def test_parquet_and_daily_round_trips_agree(tmp_path: Path) -> None:
    frame = hourly("2025-10-24", "2025-10-28")
    frame.loc[7, "load"] = np.nan  # one gap: repaired
    csv, parquet = tmp_path / "p.csv", tmp_path / "p.parquet"
    write_prices(frame, csv)
    write_prices(frame, parquet)
    from_csv = load_days(csv, exogenous="load")  # one name as a plain string
    pd.testing.assert_frame_equal(load_days(parquet, exogenous=["load"]), from_csv,
                                  check_freq=False)
    for daily in (tmp_path / "d.csv", tmp_path / "d.parquet"):
        write_days(from_csv, daily)
        again = load_days(daily, exogenous=["load"])
        pd.testing.assert_frame_equal(again, from_csv, check_freq=False)
    header = (tmp_path / "d.csv").read_text().splitlines()[0].split(",")
    assert header == ["date", *HOUR_COLUMNS, *LOAD]


def test_case_insensitive_column_keeps_the_given_name(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    write_prices(hourly("2025-01-06", "2025-01-07").rename(columns={"load": "Load"}), path)
    days = load_days(path, exogenous=["load"])
    assert list(days.columns[24:]) == LOAD


def test_nan_policy_tidy(tmp_path: Path) -> None:
    frame = hourly("2025-01-06", "2025-01-09")
    local = frame["timestamp_utc"].dt.tz_convert("Europe/Berlin")
    day = local.dt.strftime("%Y-%m-%d")
    frame.loc[(day == "2025-01-07") & local.dt.hour.isin([5, 6]), "load"] = np.nan  # 2 gaps
    frame.loc[(day == "2025-01-08") & local.dt.hour.isin([1, 2, 3]), "load"] = np.nan  # 3
    frame.loc[(day == "2025-01-09") & (local.dt.hour >= 12), "load"] = np.nan  # ends early
    path = tmp_path / "p.csv"
    write_prices(frame, path)
    days = load_days(path, exogenous=["load"])
    assert len(days) == 4 and not days[HOUR_COLUMNS].isna().any().any()
    assert days.loc["2025-01-07", LOAD].notna().all()
    mid = days.loc["2025-01-07"]
    assert mid["load_h05"] == pytest.approx(mid["load_h04"] + (mid["load_h07"]
                                                               - mid["load_h04"]) / 3)
    assert days.loc["2025-01-08", LOAD].isna().all()  # all 24 NaN, never a part
    assert days.loc["2025-01-09", LOAD].isna().all()
    assert days.loc["2025-01-06", LOAD].notna().all()
    assert days.attrs["report"].endswith("; load: 2 days without values")
    strict = load_days(path, exogenous=["load"], max_gap_hours=0)
    assert strict.loc["2025-01-07", LOAD].isna().all()
    assert len(strict) == 4  # prices keep their days whatever the forecasts do


def test_missing_price_hours_do_not_hide_exogenous_values(tmp_path: Path) -> None:
    frame = hourly("2025-01-06", "2025-01-07")
    frame.loc[3, "price_eur_mwh"] = np.nan  # price gap (repaired), load is there
    path = tmp_path / "p.csv"
    write_prices(frame, path)
    days = load_days(path, exogenous=["load"])
    assert days.loc["2025-01-06", "load_h03"] == 50_030.0


# --------------------------------------------------------------------------- wide daily
def test_wide_file_columns_order_and_values(tmp_path: Path) -> None:
    path = tmp_path / "days.csv"
    wide_frame().to_csv(path, index=False)
    days = load_days(path, exogenous=["load"])
    assert list(days.columns) == HOUR_COLUMNS + LOAD + ["temperature"]
    assert days.loc["2025-01-07", "load_h03"] == 43_001.0
    plain = load_days(path)  # without exogenous= the columns are plain extras, as before
    assert "load_h03" in plain.columns


def test_nan_policy_wide(tmp_path: Path) -> None:
    table = wide_frame(5)
    table.loc[1, ["load_h05", "load_h06"]] = np.nan
    table.loc[2, ["load_h01", "load_h02", "load_h03"]] = np.nan
    table.loc[3, "h10"] = np.nan  # a price gap: repaired
    table.loc[4, ["h01", "h02", "h03"]] = np.nan  # price day dropped, load there
    path = tmp_path / "days.csv"
    table.to_csv(path, index=False)
    days = load_days(path, exogenous=["load"])
    assert days.index.strftime("%Y-%m-%d").tolist() == ["2025-01-06", "2025-01-07",
                                                        "2025-01-08", "2025-01-09"]
    assert days.loc["2025-01-07", "load_h05"] == pytest.approx(45_001.0)
    assert days.loc["2025-01-08", LOAD].isna().all()
    assert not days[HOUR_COLUMNS].isna().any().any()
    assert "load: 1 day without values" in days.attrs["report"]


def test_wide_parquet(tmp_path: Path) -> None:
    table = wide_frame()
    table["date"] = pd.to_datetime(table["date"])
    path = tmp_path / "days.parquet"
    table.to_parquet(path, index=False)
    days = load_days(path, exogenous=["load"])
    assert days.loc["2025-01-09", "load_h23"] == 40_000.0 + 23_000 + 3


def test_wide_missing_column_names_it(tmp_path: Path) -> None:
    path = tmp_path / "days.csv"
    wide_frame().drop(columns=["load_h07", "load_h09"]).to_csv(path, index=False)
    with pytest.raises(TsganError, match=f"{path} has no column 'load_h07' for exogenous "
                                         "series 'load'"):
        load_days(path, exogenous=["load"])


# --------------------------------------------------------------------------- errors
def test_tidy_missing_column_lists_columns(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    write_prices(hourly("2025-01-06", "2025-01-06"), path)
    with pytest.raises(TsganError, match="no column 'solar' for exogenous series 'solar'; "
                                         "columns: 'timestamp_utc', 'timestamp_local', "
                                         "'price_eur_mwh', 'load'"):
        load_days(path, exogenous=["load", "solar"])
    with pytest.raises(TsganError, match="'price_eur_mwh' is the price column"):
        load_days(path, exogenous=["price_eur_mwh"])
    with pytest.raises(TsganError, match="'timestamp_utc' is the timestamp column"):
        load_days(path, exogenous=["timestamp_utc"])


@pytest.mark.parametrize("names, message", [
    (["h05"], "collides with the day frame's own columns"),
    (["H23"], "collides"),
    (["date"], "collides"),
    (["1load"], "must start with a letter"),
    (["lo-ad"], "must start with a letter"),
    ([""], "must start with a letter"),
    ([5], "must start with a letter"),
    (["load", "LOAD"], "'LOAD' is given twice"),
    (5, "must be a name or a list of names, got 5"),
])
def test_invalid_names(tmp_path: Path, names: object, message: str) -> None:
    with pytest.raises(TsganError, match=message):
        load_days(tmp_path / "never-read.csv", exogenous=names)


@pytest.mark.parametrize("cell, message", [
    ("inf", "infinite value in column 'load'"),
    ("abc", "non-numeric value 'abc' in column 'load' of .*, line 4"),
])
def test_bad_cells(tmp_path: Path, cell: str, message: str) -> None:
    path = tmp_path / "p.csv"
    write_prices(hourly("2025-01-06", "2025-01-06"), path)
    lines = path.read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + "," + cell
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(TsganError, match=message):
        load_days(path, exogenous=["load"])


def test_empty_column_and_smard_export(tmp_path: Path) -> None:
    frame = hourly("2025-01-06", "2025-01-06")
    frame["load"] = np.nan
    path = tmp_path / "p.csv"
    write_prices(frame, path)
    with pytest.raises(TsganError, match="column 'load' of .* holds no values"):
        load_days(path, exogenous=["load"])
    with pytest.raises(TsganError, match="is a SMARD price export; exogenous series need a "
                                         "tidy hourly or a wide daily file"):
        load_days(GERMAN, exogenous=["load"])


def test_large_values_are_not_prices(tmp_path: Path) -> None:
    """The price plausibility limit (1e5) does not apply: a load in kWh is a valid series."""
    frame = hourly("2025-01-06", "2025-01-06")
    frame["load"] *= 1000
    path = tmp_path / "p.csv"
    write_prices(frame, path)
    assert load_days(path, exogenous=["load"]).iloc[0]["load_h00"] == 50_000_000.0


def test_exogenous_days_fills_requested_dates() -> None:
    frame = hourly("2025-01-06", "2025-01-07")
    dates = pd.DatetimeIndex(["2025-01-05", "2025-01-07"])
    out = exogenous_days(frame, ["load"], dates)
    assert list(out.columns) == LOAD and out.index.name == "date"
    assert out.loc["2025-01-05"].isna().all()
    assert out.loc["2025-01-07", "load_h00"] == 50_240.0
    frame["load"] = np.nan
    assert exogenous_days(frame, ["load"], dates).isna().all().all()
