"""tsgan.data.smard against a real local HTTP server serving recorded SMARD responses
(prices) and derived ones (the day-ahead forecast filters, see tests/fixtures/smard/README.md)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from tests.smard_server import FIXTURES, Fault, SmardServer
from tsgan.data import smard
from tsgan.data.smard import ZONES, check_resolution, fetch_prices, parse_day, resolve_zone
from tsgan.errors import TsganError

WEEK = 1760911200000  # Monday 2025-10-20 00:00 Europe/Berlin (recorded, DST-end week)
INDEX = "4169/DE-LU/index_hour.json"
CHUNK = f"4169/DE-LU/4169_DE-LU_hour_{WEEK}.json"
QCHUNK = f"4169/DE-LU/4169_DE-LU_quarterhour_{WEEK}.json"
NEXT = "4169/DE-LU/4169_DE-LU_hour_1761519600000.json"  # synthetic week 2025-10-27


def recorded(path: str) -> list[list]:
    """The series of a recorded fixture file."""
    return json.loads((FIXTURES / path).read_text())["series"]


@pytest.fixture
def server() -> Iterator[SmardServer]:
    with SmardServer() as srv:
        yield srv


@pytest.fixture
def fetch(server: SmardServer, tmp_path: Path):
    """fetch_prices bound to the local server, a private cache and tiny retry delays."""

    def call(start: str = "2025-10-20", end: str = "2025-10-26", **kw) -> pd.DataFrame:
        opts = {"base_url": server.base_url, "cache_dir": tmp_path / "cache",
                "progress": False, "backoff": 0.001, "retries": 3, **kw}
        return fetch_prices(start, end, **opts)

    return call


def cache_file(tmp_path: Path, path: str = CHUNK) -> Path:
    return tmp_path / "cache" / path


# --------------------------------------------------------------------------- arguments
def test_zone_table_and_unknown_zone_lists_valid_ones() -> None:
    assert resolve_zone("de-lu").filter_id == 4169
    assert (resolve_zone("DE-AT-LU").filter_id, resolve_zone("DE-AT-LU").region) == (
        251, "DE-AT-LU")
    assert resolve_zone("NO2").filter_id == 4997 and resolve_zone("NO2").region == "DE-LU"
    with pytest.raises(TsganError, match="unknown zone 'XX'.*DE-LU.*DE-LU-neighbours"):
        resolve_zone("XX")
    assert len(ZONES) == 16


def test_resolution_and_date_parsing() -> None:
    assert check_resolution("quarterhour") == 900_000
    with pytest.raises(TsganError, match="unknown resolution 'day'"):
        check_resolution("day")
    assert parse_day("2025-10-20") == date(2025, 10, 20)
    for bad in ("2025-13-01", "20.10.2025", "yesterday", "2025-10-20T00:00"):
        with pytest.raises(TsganError, match="not a valid date"):
            parse_day(bad)


def test_start_after_end_and_range_beyond_index(fetch, server: SmardServer) -> None:
    with pytest.raises(TsganError, match="start date 2025-10-26 is after end date 2025-10-20"):
        fetch("2025-10-26", "2025-10-20")
    assert server.log == []  # rejected before any request
    with pytest.raises(TsganError, match="end date 2027-01-01 is beyond .* ends on 2026-10-11"):
        fetch("2026-12-01", "2027-01-01")
    with pytest.raises(TsganError, match="starts on 2018-10-01.*DE-AT-LU"):
        fetch("2018-09-24", "2018-10-02")


# --------------------------------------------------------------------------- data
def test_hour_week_matches_recorded_json(fetch) -> None:
    frame = fetch()
    series = recorded(CHUNK)
    assert list(frame.columns) == ["timestamp_utc", "price_eur_mwh"]
    assert str(frame["timestamp_utc"].dtype) == "datetime64[ns, UTC]"
    assert frame["price_eur_mwh"].dtype == "float64"
    assert len(frame) == 169 == len(series)  # DST end: 25-hour Sunday
    expected_ms = [t for t, _ in series]
    assert (frame["timestamp_utc"].astype("int64") // 10**6).tolist() == expected_ms
    assert frame["price_eur_mwh"].tolist() == [v for _, v in series]
    assert frame["timestamp_utc"].is_monotonic_increasing


def test_partial_range_requests_only_overlapping_chunks(fetch, server: SmardServer) -> None:
    frame = fetch("2025-10-22", "2025-10-23")
    assert len(frame) == 48
    assert frame["timestamp_utc"].iloc[0] == pd.Timestamp("2025-10-21 22:00", tz="UTC")
    assert set(server.chunk_counts()) == {CHUNK}
    frame = fetch("2025-10-26", "2025-10-27")  # Sunday + Monday: two chunks
    assert len(frame) == 25 + 24
    assert set(server.chunk_counts()) == {CHUNK, NEXT}


def test_quarterhour_resolution_and_hourly_agreement(fetch) -> None:
    quarter = fetch(resolution="quarterhour")
    hour = fetch()
    assert len(quarter) == 676
    means = quarter.groupby(quarter["timestamp_utc"].dt.floor("h"))["price_eur_mwh"].mean()
    assert (means.index == pd.DatetimeIndex(hour["timestamp_utc"])).all()
    assert abs(means.to_numpy() - hour["price_eur_mwh"].to_numpy()).max() <= 0.005 + 1e-9


def test_de_at_lu_zone(fetch) -> None:
    frame = fetch("2018-09-24", "2018-09-30", zone="DE-AT-LU")
    series = recorded("251/DE-AT-LU/251_DE-AT-LU_hour_1537740000000.json")
    assert len(frame) == 168
    assert frame["price_eur_mwh"].iloc[0] == series[0][1] == 26.15


# --------------------------------------------------------------------------- cache
def test_second_fetch_requests_no_complete_week(fetch, server: SmardServer,
                                                tmp_path: Path) -> None:
    first = fetch("2025-10-06", "2025-11-02")
    assert len(first) == 28 * 24 + 1
    assert all(n == 1 for n in server.chunk_counts().values()) and len(server.chunk_counts()) == 4
    second = fetch("2025-10-06", "2025-11-02")
    pd.testing.assert_frame_equal(first, second)
    assert sum(server.chunk_counts().values()) == 4  # nothing new
    assert server.count(INDEX) == 1  # every week complete in the cache: no request at all
    cache_file(tmp_path, "4169/DE-LU/4169_DE-LU_hour_1760306400000.json").unlink()
    fetch("2025-10-06", "2025-11-02")  # one week missing: index asked again, 1 new chunk
    assert server.count(INDEX) == 2
    assert sum(server.chunk_counts().values()) == 5


def test_week_with_nulls_is_refetched_and_nulls_dropped(fetch, server: SmardServer,
                                                        tmp_path: Path) -> None:
    series = recorded(CHUNK)
    partial = [[t, v if i < 100 else None] for i, (t, v) in enumerate(series)]
    server.overrides[CHUNK] = json.dumps({"meta_data": {}, "series": partial}).encode()
    frame = fetch()
    assert len(frame) == 100 and not frame["price_eur_mwh"].isna().any()
    assert (frame["price_eur_mwh"] != 0).sum() == (pd.Series([v for _, v in series[:100]]) != 0
                                                  ).sum()
    fetch()
    assert server.count(CHUNK) == 2  # still holds nulls: asked again
    del server.overrides[CHUNK]
    assert len(fetch()) == 169 and server.count(CHUNK) == 3
    fetch()
    assert server.count(CHUNK) == 3  # complete now: served from cache


def test_all_null_week(fetch, server: SmardServer) -> None:
    nulls = [[t, None] for t, _ in recorded(CHUNK)]
    server.overrides[CHUNK] = json.dumps({"meta_data": {}, "series": nulls}).encode()
    with pytest.raises(TsganError, match="no published prices for DE-LU hour between "
                                         "2025-10-20 and 2025-10-26"):
        fetch()
    frame = fetch("2025-10-13", "2025-11-02")  # the null week simply has no rows
    days = frame["timestamp_utc"].dt.tz_convert("Europe/Berlin").dt.date
    assert sorted(set(days)) == [date(2025, 10, 13) + pd.Timedelta(days=d) for d in range(7)] + [
        date(2025, 10, 27) + pd.Timedelta(days=d) for d in range(7)]


def test_corrupt_cache_file_is_ignored(fetch, server: SmardServer, tmp_path: Path) -> None:
    fetch()
    cache_file(tmp_path).write_bytes(b'{"meta_data":{},"series":[[17609')
    assert len(fetch()) == 169
    assert server.count(CHUNK) == 2
    assert cache_file(tmp_path).read_bytes() == (FIXTURES / CHUNK).read_bytes()


# --------------------------------------------------------------------------- faults
def test_one_500_then_success(fetch, server: SmardServer) -> None:
    server.add_faults(CHUNK, Fault.http(500))
    assert len(fetch()) == 169
    assert server.count(CHUNK) == 2


def test_retry_after_is_honoured(fetch, server: SmardServer) -> None:
    server.add_faults(CHUNK, Fault.http(429, Retry_After="1"))
    assert len(fetch(backoff=0.001)) == 169
    first, second = server.times(CHUNK)
    assert second - first >= 0.95


def test_index_5xx_and_reset_are_retried(fetch, server: SmardServer) -> None:
    server.add_faults(INDEX, Fault.http(503), Fault.reset())
    assert len(fetch()) == 169
    assert server.count(INDEX) == 3


@pytest.mark.parametrize("fault", [Fault.reset(), Fault.cut()], ids=["reset", "cut"])
def test_connection_errors_are_retried(fetch, server: SmardServer, fault: Fault) -> None:
    server.add_faults(CHUNK, fault)
    assert len(fetch()) == 169
    assert server.count(CHUNK) == 2


def test_timeout_is_retried(fetch, server: SmardServer) -> None:
    server.add_faults(CHUNK, Fault.slow(1.0))
    assert len(fetch(timeout=0.2)) == 169
    assert server.count(CHUNK) == 2  # the slow answer was given up on, not waited for
    server.add_faults(NEXT, *[Fault.slow(0.4)] * 2)  # CHUNK is cached now; NEXT is not
    with pytest.raises(TsganError, match="could not download .*_1761519600000.json: timed out "
                                         ".after 2 attempts"):
        fetch("2025-10-27", "2025-11-02", timeout=0.2, retries=1)


def test_bad_base_url_and_retry_settings(fetch) -> None:
    with pytest.raises(TsganError, match="base URL 'smard.de' must start with http"):
        fetch(base_url="smard.de")
    with pytest.raises(TsganError, match="retries and backoff must be >= 0"):
        fetch(retries=-1)


def test_persistent_500_fails_with_one_line_naming_url(fetch, server: SmardServer,
                                                       tmp_path: Path, monkeypatch) -> None:
    server.add_faults(CHUNK, *[Fault.http(500)] * 4)
    waits: list[float] = []
    monkeypatch.setattr(smard, "time", SimpleNamespace(sleep=waits.append, time=time.time))
    with pytest.raises(TsganError) as info:
        fetch(backoff=0.01)
    message = str(info.value)
    assert "\n" not in message
    assert f"{server.base_url}/{CHUNK}" in message and "HTTP 500" in message
    assert "4 attempts" in message and server.count(CHUNK) == 4
    assert waits == [0.01, 0.02, 0.04]  # exponential backoff
    assert not cache_file(tmp_path).exists()


@pytest.mark.parametrize("fault", [Fault.truncate(), Fault.html(),
                                   Fault.json_body({"error": "maintenance"}),
                                   Fault.json_body({"series": [[1, 2, 3]]})],
                         ids=["truncated", "html", "wrong-shape", "bad-point"])
def test_bad_bodies_are_retried_and_never_cached(fetch, server: SmardServer, tmp_path: Path,
                                                 fault: Fault) -> None:
    server.add_faults(CHUNK, *[fault] * 4)
    with pytest.raises(TsganError, match=f"could not download .*{CHUNK}"):
        fetch()
    assert server.count(CHUNK) == 4
    assert not cache_file(tmp_path).exists()
    assert not any(p.name.startswith(".") for p in (tmp_path / "cache").rglob("*"))
    server.add_faults(CHUNK, fault)
    assert len(fetch()) == 169
    assert cache_file(tmp_path).read_bytes() == (FIXTURES / CHUNK).read_bytes()


def test_404_fails_at_once(fetch, server: SmardServer) -> None:
    server.add_faults(CHUNK, Fault.http(404))
    with pytest.raises(TsganError, match="404 Not Found for http://127.0.0.1:.*hour_1760911200000"):
        fetch()
    assert server.count(CHUNK) == 1


def test_missing_index_is_a_clear_404(fetch) -> None:
    pattern = "404 Not Found for .*/253/DE-LU/index_hour.json .*no hour series"
    with pytest.raises(TsganError, match=pattern):
        fetch(zone="DK2")


def test_connection_refused_names_url(tmp_path: Path) -> None:
    with SmardServer() as srv:
        base = srv.base_url
    with pytest.raises(TsganError, match="could not download http://127.0.0.1.*connection failed"):
        fetch_prices("2025-10-20", "2025-10-26", base_url=base, cache_dir=tmp_path,
                     progress=False, retries=1, backoff=0.001)


def test_zone_names_are_case_insensitive_in_messages(fetch) -> None:
    with pytest.raises(TsganError, match="SMARD DE-LU hour data starts on 2018-10-01"):
        fetch("2018-01-01", "2018-01-07", zone="de-lu")


def test_nan_prices_count_as_unpublished(fetch, server: SmardServer) -> None:
    series = [[t, float("nan") if i == 5 else v] for i, (t, v) in enumerate(recorded(CHUNK))]
    server.overrides[CHUNK] = json.dumps({"meta_data": {}, "series": series}).encode()
    frame = fetch()
    assert len(frame) == 168 and frame["price_eur_mwh"].notna().all()
    fetch()
    assert server.count(CHUNK) == 2  # incomplete week: asked again


# --------------------------------------------------------------------------- any series
SYNTHETIC = FIXTURES / "_synthetic"
FORECASTS = {"load": 411, "wind_onshore": 123, "wind_offshore": 3791, "solar": 125,
             "wind_solar": 5097}
LOAD_INDEX = "411/DE/index_hour.json"
LOAD_CHUNK = f"411/DE/411_DE_hour_{WEEK}.json"


def synthetic(path: str) -> list[list]:
    """The series of a derived fixture file."""
    return json.loads((SYNTHETIC / path).read_text())["series"]


@pytest.fixture
def exogenous(server: SmardServer, tmp_path: Path):
    """fetch_exogenous bound to the local server, a private cache and tiny retry delays."""

    def call(names="load", start: str = "2025-10-20", end: str = "2025-10-26", **kw):
        opts = {"base_url": server.base_url, "cache_dir": tmp_path / "cache",
                "progress": False, "backoff": 0.001, "retries": 3, **kw}
        return smard.fetch_exogenous(names, start, end, **opts)

    return call


def test_exogenous_table_matches_the_api_ids() -> None:
    assert {name: spec.filter_id for name, spec in smard.EXOGENOUS.items()} == FORECASTS
    assert {spec.region for spec in smard.EXOGENOUS.values()} == {"DE"}
    assert smard.resolve_exogenous(" Load, SOLAR ") == ["load", "solar"]
    assert smard.resolve_exogenous(["wind_solar"]) == ["wind_solar"]
    with pytest.raises(TsganError, match="unknown exogenous series 'temp'; valid series: load, "
                                         "wind_onshore, wind_offshore, solar, wind_solar"):
        smard.resolve_exogenous("load,temp")
    with pytest.raises(TsganError, match="'solar' is named twice"):
        smard.resolve_exogenous("solar,Solar")
    with pytest.raises(TsganError, match="no exogenous series named"):
        smard.resolve_exogenous([])
    with pytest.raises(TsganError, match="must be a comma list or a list of names, got 411"):
        smard.resolve_exogenous(411)


def test_fetch_series_any_filter(server: SmardServer, tmp_path: Path) -> None:
    frame = smard.fetch_series(411, "DE", "2025-10-20", "2025-10-26", base_url=server.base_url,
                               cache_dir=tmp_path / "cache", progress=False)
    series = synthetic(LOAD_CHUNK)
    assert list(frame.columns) == ["timestamp_utc", "value"] and len(frame) == 169
    assert frame["value"].tolist() == [v for _, v in series]
    assert (tmp_path / "cache" / LOAD_CHUNK).read_bytes() == (SYNTHETIC / LOAD_CHUNK).read_bytes()
    prices = smard.fetch_series(4169, "DE-LU", "2025-10-20", "2025-10-26",
                                base_url=server.base_url, cache_dir=tmp_path / "cache",
                                progress=False)  # a price zone through the same door
    assert prices["value"].tolist() == [v for _, v in recorded(CHUNK)]
    assert server.count(CHUNK) == 1


@pytest.mark.parametrize("filter_id, region, message", [
    (0, "DE", "filter id must be a positive integer, got 0"),
    ("411", "DE", "filter id must be a positive integer, got '411'"),
    (True, "DE", "filter id must be a positive integer"),
    (411, "../DE", "region '../DE' is not a region name"),
    (411, "", "region '' is not a region name"),
])
def test_fetch_series_rejects_bad_ids(server: SmardServer, tmp_path: Path, filter_id,
                                      region, message: str) -> None:
    with pytest.raises(TsganError, match=message):
        smard.fetch_series(filter_id, region, "2025-10-20", "2025-10-26",
                           base_url=server.base_url, cache_dir=tmp_path, progress=False)
    assert server.log == []


def test_fetch_series_unknown_filter_is_a_clear_404(server: SmardServer, tmp_path: Path) -> None:
    with pytest.raises(TsganError, match="404 Not Found for .*/715/DE/index_hour.json .*no hour "
                                         "series for this filter and region"):
        smard.fetch_series(715, "DE", "2025-10-20", "2025-10-26", base_url=server.base_url,
                           cache_dir=tmp_path, progress=False)


def test_exogenous_hourly_values_and_sum(exogenous) -> None:
    frame = exogenous(list(FORECASTS))
    assert list(frame.columns) == ["timestamp_utc", *FORECASTS] and len(frame) == 169
    assert (frame.dtypes[1:] == "float64").all()
    for name, fid in FORECASTS.items():
        assert frame[name].tolist() == [v for _, v in synthetic(f"{fid}/DE/{fid}_DE_hour_{WEEK}"
                                                                ".json")]
    parts = frame["wind_onshore"] + frame["wind_offshore"] + frame["solar"]
    assert (frame["wind_solar"] == parts).all()  # 5097 = 123 + 3791 + 125
    local = frame["timestamp_utc"].dt.tz_convert("Europe/Berlin")
    assert (frame.loc[(local.dt.hour < 6).to_numpy(), "solar"] == 0).all()
    assert frame["load"].between(40_000, 70_000).all()


def test_exogenous_quarterhours_are_summed(exogenous) -> None:
    quarter = exogenous("load,solar", resolution="quarterhour")
    hour = exogenous("load,solar")
    pd.testing.assert_frame_equal(quarter, hour)  # hour = sum of its 4 quarter-hours
    raw = synthetic(f"411/DE/411_DE_quarterhour_{WEEK}.json")
    assert len(raw) == 676 and quarter["load"].iloc[0] == sum(v for _, v in raw[:4])


def test_hourly_sums_keeps_only_complete_hours() -> None:
    stamps = pd.date_range("2025-10-26 00:00", periods=7, freq="15min", tz="UTC")
    frame = pd.DataFrame({"timestamp_utc": stamps, "value": [1.0, 2.0, 3.0, 6.0, 10.0, 20.0,
                                                             30.0]})
    out = smard.hourly_sums(frame)
    assert out["timestamp_utc"].tolist() == [pd.Timestamp("2025-10-26 00:00", tz="UTC")]
    assert out["value"].tolist() == [12.0]


def test_exogenous_outer_join_keeps_every_hour(exogenous, server: SmardServer) -> None:
    series = synthetic(f"125/DE/125_DE_hour_{WEEK}.json")
    cut = [[t, v if i < 100 else None] for i, (t, v) in enumerate(series)]
    server.overrides[f"125/DE/125_DE_hour_{WEEK}.json"] = json.dumps(
        {"meta_data": {}, "series": cut}).encode()
    frame = exogenous("load,solar")
    assert len(frame) == 169 and frame["load"].notna().all()
    assert frame["solar"].notna().sum() == 100


def test_exogenous_cache_is_shared_and_reused(exogenous, server: SmardServer,
                                              tmp_path: Path) -> None:
    first = exogenous("load", "2025-10-06", "2025-11-02")
    assert len(first) == 28 * 24 + 1
    assert sorted(p.name for p in (tmp_path / "cache" / "411" / "DE").iterdir())[0] == (
        "411_DE_hour_1759701600000.json")
    again = exogenous("load", "2025-10-06", "2025-11-02")
    pd.testing.assert_frame_equal(first, again)
    assert server.count(LOAD_INDEX) == 1 and sum(server.chunk_counts().values()) == 4


def test_exogenous_range_outside_the_index_names_the_series(exogenous,
                                                            server: SmardServer) -> None:
    with pytest.raises(TsganError, match=r"SMARD load forecast \(411/DE\) hour data starts on "
                                         "2025-10-06; choose a start on or after it$"):
        exogenous("load", "2025-09-29", "2025-10-12")
    stamps = json.loads((SYNTHETIC / LOAD_INDEX).read_text())["timestamps"][:2]
    server.overrides["123/DE/index_hour.json"] = json.dumps({"timestamps": stamps}).encode()
    with pytest.raises(TsganError, match=r"end date 2025-10-26 is beyond the SMARD wind_onshore "
                                         r"forecast \(123/DE\) hour index, which ends on "
                                         "2025-10-19"):
        exogenous("load,wind_onshore")
    assert server.chunk_counts()["123/DE/123_DE_hour_1760911200000.json"] == 0


def test_exogenous_retries_and_empty_series(exogenous, server: SmardServer) -> None:
    server.add_faults(LOAD_CHUNK, Fault.http(503), Fault.html())
    assert len(exogenous()) == 169 and server.count(LOAD_CHUNK) == 3
    nulls = [[t, None] for t, _ in synthetic(f"125/DE/125_DE_hour_{WEEK}.json")]
    server.overrides[f"125/DE/125_DE_hour_{WEEK}.json"] = json.dumps(
        {"meta_data": {}, "series": nulls}).encode()
    with pytest.raises(TsganError, match=r"no published values for solar forecast \(125/DE\) "
                                         "hour between 2025-10-20 and 2025-10-26"):
        exogenous("solar")
