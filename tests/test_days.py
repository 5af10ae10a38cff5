"""Day vectors: DST days, gaps, quarter-hours and calendar features, on real and exact data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsgan.data.days import HOUR_COLUMNS, TIMEZONE, calendar_features, to_day_vectors
from tsgan.data.sources import bundled_data_path, load_prices
from tsgan.errors import TsganError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
IMPORTS = FIXTURES / "imports"
CHUNKS = FIXTURES / "smard" / "4169" / "DE-LU"
WEEK = 1760911200000


def tidy(start_local: str, values: list[float], freq: str = "h") -> pd.DataFrame:
    """Consecutive UTC intervals from a local start (DST handled by working in UTC)."""
    start = pd.Timestamp(start_local, tz=TIMEZONE).tz_convert("UTC")
    stamps = pd.date_range(start, periods=len(values), freq=freq)
    return pd.DataFrame({"timestamp_utc": stamps, "price_eur_mwh": np.asarray(values, float)})


def chunk_frame(resolution: str) -> pd.DataFrame:
    series = json.loads((CHUNKS / f"4169_DE-LU_{resolution}_{WEEK}.json").read_text())["series"]
    return pd.DataFrame({
        "timestamp_utc": pd.to_datetime([t for t, _ in series], unit="ms", utc=True),
        "price_eur_mwh": [float(v) for _, v in series],
    })


def test_normal_day_passes_through_in_local_hours() -> None:
    values = list(range(48))
    days, report = to_day_vectors(tidy("2024-06-03", values))
    assert list(days.columns) == HOUR_COLUMNS and days.index.name == "date"
    assert days.dtypes.eq("float64").all()
    assert days.loc["2024-06-03"].tolist() == values[:24]
    assert days.loc["2024-06-04"].tolist() == values[24:]
    assert report.n_complete == 2 and report.n_repaired == 0 and report.n_dropped == 0


def test_spring_dst_day_interpolates_missing_two_oclock() -> None:
    days, report = to_day_vectors(tidy("2025-03-30", [10.0 * h for h in range(23)]))
    row = days.loc["2025-03-30"]
    assert row["h01"] == 10.0 and row["h03"] == 20.0  # 03:00 CEST is the third hour
    assert row["h02"] == pytest.approx(15.0)
    assert report.n_dst_short == 1 and report.n_repaired == 0  # expected, not a gap


def test_autumn_dst_day_averages_the_two_two_oclock_hours() -> None:
    values = [1.0, 2.0, 3.0, 5.0] + [float(h) for h in range(4, 25)]
    days, report = to_day_vectors(tidy("2025-10-26", values))
    row = days.loc["2025-10-26"]
    assert row["h02"] == pytest.approx(4.0) and row["h03"] == 4.0 and row["h23"] == 24.0
    assert report.n_dst_long == 1


def test_real_autumn_duplicate_labels_average_into_h02() -> None:
    prices = load_prices(IMPORTS / "smard_grosshandel_excerpt.csv")
    two = prices[prices["timestamp_utc"].isin(pd.to_datetime(
        ["2025-10-26 00:00", "2025-10-26 01:00"], utc=True))]
    assert two["price_eur_mwh"].tolist() == [3.19, 2.02]  # CEST first, then CET
    days, report = to_day_vectors(prices)
    assert days.loc["2025-10-26", "h02"] == pytest.approx((3.19 + 2.02) / 2)
    assert report.n_dst_long == 1 and report.n_dst_short == 1


def test_gap_repair_and_dropping() -> None:
    values = [float(h) for h in range(72)]
    frame = tidy("2024-06-03", values)
    frame = frame.drop(index=[5, 6] + [24 + 9, 24 + 10, 24 + 11] + [48 + 0])
    days, report = to_day_vectors(frame)
    assert days.index.strftime("%Y-%m-%d").tolist() == ["2024-06-03", "2024-06-05"]
    assert days.loc["2024-06-03", "h05"] == pytest.approx(5.0)  # linear interpolation
    assert days.loc["2024-06-03", "h06"] == pytest.approx(6.0)
    assert days.loc["2024-06-05", "h00"] == 49.0  # edge: nearest value of the day
    assert report.n_repaired == 2 and report.n_dropped == 1
    assert report.dropped_dates == ["2024-06-04"]
    assert "\n" not in report.summary() and "1 dropped" in report.summary()
    more, report3 = to_day_vectors(frame, max_gap_hours=3)
    assert len(more) == 3 and report3.n_dropped == 0
    none, report0 = to_day_vectors(frame, max_gap_hours=0)
    assert len(none) == 0 and report0.n_dropped == 3


def test_missing_whole_day_in_the_middle_is_reported() -> None:
    frame = tidy("2024-06-03", [1.0] * 72).drop(index=range(24, 48))
    days, report = to_day_vectors(frame)
    assert len(days) == 2 and report.dropped_dates == ["2024-06-04"]


def test_quarter_hours_aggregate_to_hourly_means() -> None:
    values = [float(i) for i in range(4 * 23)]  # spring DST day: 92 quarter-hours
    days, _ = to_day_vectors(tidy("2025-03-30", values, freq="15min"))
    row = days.loc["2025-03-30"]
    assert row["h00"] == pytest.approx(1.5) and row["h01"] == pytest.approx(5.5)
    assert row["h03"] == pytest.approx(9.5) and row["h02"] == pytest.approx(7.5)


def test_incomplete_quarter_hour_counts_as_missing() -> None:
    frame = tidy("2024-06-03", [1.0] * 96, freq="15min").drop(index=[40])  # hour 10
    frame.loc[frame.index > 40, "price_eur_mwh"] = 3.0
    days, report = to_day_vectors(frame)
    assert days.loc["2024-06-03", "h10"] == pytest.approx(2.0)  # interpolated, not 2.33
    assert report.n_repaired == 1


def test_real_quarter_hour_week_matches_hour_week() -> None:
    hour, _ = to_day_vectors(chunk_frame("hour"))
    quarter, report = to_day_vectors(chunk_frame("quarterhour"))
    assert len(hour) == 7 and hour.index.equals(quarter.index) and report.n_dst_long == 1
    assert np.abs(hour.to_numpy() - quarter.to_numpy()).max() <= 0.005 + 1e-9


def test_bad_prices_raise() -> None:
    with pytest.raises(TsganError, match="lack column"):
        to_day_vectors(pd.DataFrame({"time": [], "price": []}))
    with pytest.raises(TsganError, match="no prices"):
        to_day_vectors(pd.DataFrame({"timestamp_utc": pd.to_datetime([], utc=True),
                                     "price_eur_mwh": []}))
    frame = tidy("2024-06-03", [1.0] * 24)
    with pytest.raises(TsganError, match="duplicate"):
        to_day_vectors(pd.concat([frame, frame.iloc[:1]]))
    with pytest.raises(TsganError, match="max_gap_hours"):
        to_day_vectors(frame, max_gap_hours=-1)


def test_bundled_series_converts_whole() -> None:
    prices = load_prices(bundled_data_path())
    days, report = to_day_vectors(prices)
    assert len(days) == report.n_complete >= 2950 and not days.isna().any().any()
    assert report.n_dst_short == report.n_dst_long == 8


def test_calendar_features() -> None:
    dates = pd.DatetimeIndex(["2024-12-25", "2024-12-28", "2024-10-31", "2017-10-31",
                              "2024-05-20", "2024-06-03"], name="date")
    feats = calendar_features(dates)
    assert list(feats.columns) == ["weekday", "month", "weekend", "holiday"]
    assert feats.index.equals(dates)
    assert feats["holiday"].tolist() == [1, 0, 0, 1, 1, 0]  # 2017: Reformation Day nationwide
    assert feats["weekday"].tolist() == [2, 5, 3, 1, 0, 0]
    assert feats["weekend"].tolist() == [0, 1, 0, 0, 0, 0]
    assert feats["month"].tolist() == [12, 12, 10, 10, 5, 6]


def test_delivery_day_accepts_dates_and_refuses_the_rest():
    import datetime as dt

    from tsgan.data.days import delivery_day

    assert delivery_day("2025-01-05", "start") == pd.Timestamp("2025-01-05")
    assert delivery_day(dt.date(2025, 1, 5), "start") == pd.Timestamp("2025-01-05")
    for bad, message in (("soon", "start 'soon' is not a date"), (5, "is not a date"),
                         ("2025-01-05 13:00", "has a time of day")):
        with pytest.raises(TsganError, match=message):
            delivery_day(bad, "start")


def test_require_day_frame_checks_sorts_and_drops_the_zone():
    from tsgan.data.days import HOUR_COLUMNS, require_day_frame

    index = pd.DatetimeIndex(["2025-01-02", "2025-01-01"], name="date")
    frame = pd.DataFrame(np.ones((2, 24)), index=index, columns=HOUR_COLUMNS)
    assert list(require_day_frame(frame).index) == sorted(index)
    local = frame.set_axis(index.tz_localize("Europe/Berlin"))
    assert require_day_frame(local).index.tz is None
    with pytest.raises(TsganError, match="the history days lack the price column h05"):
        require_day_frame(frame.drop(columns="h05"), "the history days")
    with pytest.raises(TsganError, match="contain the date 2025-01-01 twice"):
        require_day_frame(pd.concat([frame, frame.iloc[[1]]]))
    with pytest.raises(TsganError, match="must be a DataFrame indexed by date"):
        require_day_frame(frame.reset_index())
