"""The fetch command, run as a real subprocess (scripts/fetch_smard.py) against a local server."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.cli_helpers import REPO, assert_one_line_error
from tests.smard_server import FIXTURES, Fault, SmardServer

SCRIPT = REPO / "scripts" / "fetch_smard.py"
WEEK = 1760911200000
CHUNK = f"4169/DE-LU/4169_DE-LU_hour_{WEEK}.json"
HOURS = [f"h{h:02d}" for h in range(24)]


@pytest.fixture
def server() -> Iterator[SmardServer]:
    with SmardServer() as srv:
        yield srv


def command(server: SmardServer, tmp_path: Path, *args: str) -> list[str]:
    """The script's command line with the local server, a private cache and tiny retry delays."""
    return [sys.executable, str(SCRIPT), "--base-url", server.base_url,
            "--cache-dir", str(tmp_path / "cache"), "--retry-backoff", "0.001", *args]


def run(server: SmardServer, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    return subprocess.run(command(server, tmp_path, *args), capture_output=True, text=True,
                          timeout=120, env=env, cwd=tmp_path)


def read_days(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, index_col="date", parse_dates=["date"])


def local_values(path: str, day: str, hour: int) -> list[float]:
    """Recorded prices whose Europe/Berlin start falls on ``day`` at ``hour``."""
    series = json.loads((FIXTURES / path).read_text())["series"]
    stamps = pd.to_datetime([t for t, _ in series], unit="ms", utc=True).tz_convert(
        "Europe/Berlin")
    return [v for s, (_, v) in zip(stamps, series, strict=True)
            if str(s.date()) == day and s.hour == hour]


def test_fetch_week_with_dst_day(server: SmardServer, tmp_path: Path) -> None:
    result = run(server, tmp_path, "--start", "2025-10-20", "--end", "2025-10-26",
                 "--out", "prices.csv", "--daily", "days.csv")
    assert result.returncode == 0, result.stderr
    assert "wrote 169 hourly prices" in result.stdout and "7 days" in result.stdout
    prices = pd.read_csv(tmp_path / "prices.csv")
    assert {"timestamp_utc", "timestamp_local", "price_eur_mwh"} <= set(prices.columns)
    assert len(prices) == 169
    days = read_days(tmp_path / "days.csv")
    assert list(days.columns) == HOURS and len(days) == 7
    assert str(days.index[0].date()) == "2025-10-20" and str(days.index[-1].date()) == "2025-10-26"
    two_oclock = local_values(CHUNK, "2025-10-26", 2)
    assert len(two_oclock) == 2  # the repeated hour at DST end
    assert days.loc["2025-10-26", "h02"] == pytest.approx(sum(two_oclock) / 2, abs=1e-9)
    assert days.loc["2025-10-20", "h00"] == local_values(CHUNK, "2025-10-20", 0)[0] == 70.04


def test_quarterhour_agrees_with_hour(server: SmardServer, tmp_path: Path) -> None:
    for res in ("hour", "quarterhour"):
        result = run(server, tmp_path, "--start", "2025-10-20", "--end", "2025-10-26",
                     "--resolution", res, "--out", f"{res}.parquet", "--daily", f"{res}.csv",
                     "--quiet")
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""
    hour, quarter = read_days(tmp_path / "hour.csv"), read_days(tmp_path / "quarterhour.csv")
    assert hour.index.equals(quarter.index) and len(hour) == 7
    assert (hour - quarter).abs().to_numpy().max() <= 0.01
    hourly_q = pd.read_parquet(tmp_path / "quarterhour.parquet")
    assert len(hourly_q) == 169  # --out holds hourly means, not quarter-hours


def test_de_at_lu_zone(server: SmardServer, tmp_path: Path) -> None:
    result = run(server, tmp_path, "--zone", "DE-AT-LU", "--start", "2018-09-24",
                 "--end", "2018-09-30", "--out", "p.csv", "--daily", "d.csv")
    assert result.returncode == 0, result.stderr
    assert len(read_days(tmp_path / "d.csv")) == 7
    assert server.count("251/DE-AT-LU/251_DE-AT-LU_hour_1537740000000.json") == 1


def test_persistent_500_writes_nothing(server: SmardServer, tmp_path: Path) -> None:
    server.add_faults(CHUNK, *[Fault.http(500)] * 3)
    result = run(server, tmp_path, "--start", "2025-10-20", "--end", "2025-10-26",
                 "--retries", "2", "--out", "prices.csv", "--daily", "days.csv")
    line = assert_one_line_error(result)
    assert f"{server.base_url}/{CHUNK}" in line and "HTTP 500" in line
    assert result.returncode == 2
    assert not (tmp_path / "prices.csv").exists() and not (tmp_path / "days.csv").exists()


def test_all_null_week_is_one_line_error(server: SmardServer, tmp_path: Path) -> None:
    nulls = [[t, None] for t, _ in json.loads((FIXTURES / CHUNK).read_text())["series"]]
    server.overrides[CHUNK] = json.dumps({"meta_data": {}, "series": nulls}).encode()
    result = run(server, tmp_path, "--start", "2025-10-20", "--end", "2025-10-26",
                 "--out", "prices.csv")
    assert "no published prices for DE-LU hour" in assert_one_line_error(result)
    assert not (tmp_path / "prices.csv").exists()


@pytest.mark.parametrize("args, message", [
    (["--zone", "XX"], "unknown zone 'XX'; valid zones: DE-LU, DE-AT-LU"),
    (["--resolution", "day"], "unknown resolution 'day'"),
    (["--start", "2025-1-5"], "start date '2025-1-5' is not a valid date"),
    (["--end", "2025-02-30"], "end date '2025-02-30' is not a valid date"),
    (["--start", "2025-10-27"], "start date 2025-10-27 is after end date 2025-10-26"),
    (["--out", "prices.txt"], "must end in .csv or .parquet"),
    (["--daily", "days.json"], "must end in .csv or .parquet"),
    (["--end", "2030-01-01"], "is beyond the SMARD DE-LU hour index"),
])
def test_bad_input(server: SmardServer, tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "prices.csv"
    out.write_text("keep me\n")
    base = {"--start": "2025-10-20", "--end": "2025-10-26", "--out": "prices.csv"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = run(server, tmp_path, *[x for kv in base.items() for x in kv])
    assert message in assert_one_line_error(result)
    assert out.read_text() == "keep me\n"
    assert server.chunk_counts() == {}


def test_kill_and_resume(server: SmardServer, tmp_path: Path) -> None:
    """Killed midway, a rerun resumes from the cache and writes the same bytes."""
    span = ["--start", "2025-10-06", "--end", "2025-11-02", "--quiet"]
    (tmp_path / "clean").mkdir()
    clean = run(server, tmp_path / "clean", *span, "--out", str(tmp_path / "clean.csv"),
                "--daily", str(tmp_path / "clean_days.csv"))
    assert clean.returncode == 0, clean.stderr
    assert len(server.chunk_counts()) == 4

    server.log.clear()
    server.chunk_delay = 0.5
    out = ["--out", str(tmp_path / "p.csv"), "--daily", str(tmp_path / "d.csv")]
    proc = subprocess.Popen(command(server, tmp_path, *span, *out), cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cache = tmp_path / "cache"
    deadline = time.monotonic() + 60
    while not [p for p in cache.rglob("*.json") if not p.name.startswith(".")]:
        assert proc.poll() is None and time.monotonic() < deadline, "no chunk got cached"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    first_run = sum(server.chunk_counts().values())
    assert 1 <= first_run < 4 + 1
    assert not (tmp_path / "p.csv").exists()
    for file in cache.rglob("*.json"):  # whatever is cached is complete, valid JSON
        if not file.name.startswith("."):  # (a killed atomic write may leave a temp file)
            assert json.loads(file.read_bytes())["series"]

    server.chunk_delay = 0.0
    server.log.clear()
    resumed = run(server, tmp_path, *span, *out)
    assert resumed.returncode == 0, resumed.stderr
    assert sum(server.chunk_counts().values()) < 4
    assert (tmp_path / "p.csv").read_bytes() == (tmp_path / "clean.csv").read_bytes()
    assert (tmp_path / "d.csv").read_bytes() == (tmp_path / "clean_days.csv").read_bytes()


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal_only(server: SmardServer, tmp_path: Path) -> None:
    import fcntl
    import struct
    import termios

    def stderr_of(*extra: str) -> bytes:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        args = command(server, tmp_path, "--start", "2025-10-13", "--end", "2025-10-26",
                       "--out", "p.csv", *extra)
        subprocess.run(args, stderr=slave, stdout=subprocess.DEVNULL, cwd=tmp_path, timeout=60,
                       check=True)
        os.close(slave)
        data = b""
        with contextlib.suppress(OSError):
            while chunk := os.read(master, 65536):
                data += chunk
        os.close(master)
        return data

    assert stderr_of("--quiet") == b""
    shutil.rmtree(tmp_path / "cache")
    shown = stderr_of()
    assert b"SMARD DE-LU hour:   0%" in shown and b"| 0/2 [" in shown


def test_hourly_means_keeps_only_complete_hours() -> None:
    from tsgan.data.fetch import hourly_means

    stamps = pd.date_range("2025-10-26 00:00", periods=7, freq="15min", tz="UTC")
    prices = pd.DataFrame({"timestamp_utc": stamps,
                           "price_eur_mwh": [1.0, 2.0, 3.0, 6.0, 10.0, 20.0, 30.0]})
    out = hourly_means(prices)
    assert out["timestamp_utc"].tolist() == [pd.Timestamp("2025-10-26 00:00", tz="UTC")]
    assert out["price_eur_mwh"].tolist() == [3.0]
    assert str(out["timestamp_utc"].dtype) == "datetime64[ns, UTC]"


# --------------------------------------------------------------------------- exogenous
SPAN = ["--start", "2025-10-20", "--end", "2025-10-26"]
NAMES = ["load", "wind_onshore", "wind_offshore", "solar", "wind_solar"]
LOAD_CHUNK = f"411/DE/411_DE_hour_{WEEK}.json"


def block(name: str) -> list[str]:
    return [f"{name}_h{h:02d}" for h in range(24)]


def test_exogenous_round_trip_with_dst_day(server: SmardServer, tmp_path: Path) -> None:
    from tsgan.data.sources import load_days

    result = run(server, tmp_path, *SPAN, "--exogenous", ",".join(NAMES), "--out", "p.csv",
                 "--daily", "d.csv")
    assert result.returncode == 0, result.stderr
    assert ("wrote 169 hourly prices and load, wind_onshore, wind_offshore, solar, wind_solar "
            "forecasts (MWh per hour) to p.csv") in result.stdout
    prices = pd.read_csv(tmp_path / "p.csv")
    assert list(prices.columns) == ["timestamp_utc", "timestamp_local", "price_eur_mwh", *NAMES]
    assert len(prices) == 169 and prices.notna().all().all()
    header = (tmp_path / "d.csv").read_text().splitlines()[0].split(",")
    assert header == ["date", *HOURS, *[c for n in NAMES for c in block(n)]]
    from_daily = load_days(tmp_path / "d.csv", exogenous=NAMES)
    from_hourly = load_days(tmp_path / "p.csv", exogenous=NAMES)
    pd.testing.assert_frame_equal(from_daily, from_hourly, check_freq=False)
    twice = local_values("_synthetic/" + LOAD_CHUNK, "2025-10-26", 2)
    assert len(twice) == 2
    assert from_daily.loc["2025-10-26", "load_h02"] == pytest.approx(sum(twice) / 2)
    assert from_daily.loc["2025-10-20", "load_h00"] == local_values(
        "_synthetic/" + LOAD_CHUNK, "2025-10-20", 0)[0]
    assert from_daily.loc["2025-10-26", "h02"] == pytest.approx(
        sum(local_values(CHUNK, "2025-10-26", 2)) / 2)


def test_exogenous_quarterhour_parquet(server: SmardServer, tmp_path: Path) -> None:
    from tsgan.data.sources import load_days

    for res in ("hour", "quarterhour"):
        result = run(server, tmp_path, *SPAN, "--resolution", res, "--exogenous", "load,solar",
                     "--out", f"{res}.parquet", "--daily", f"{res}.parquet".replace(".", "_d."),
                     "--quiet")
        assert result.returncode == 0, result.stderr
    hour = load_days(tmp_path / "hour_d.parquet", exogenous=["load", "solar"])
    quarter = load_days(tmp_path / "quarterhour_d.parquet", exogenous=["load", "solar"])
    pd.testing.assert_frame_equal(hour[block("load") + block("solar")],
                                  quarter[block("load") + block("solar")])  # sums, not means
    tidy = pd.read_parquet(tmp_path / "quarterhour.parquet")
    assert len(tidy) == 169 and tidy["load"].between(40_000, 70_000).all()


def test_unknown_exogenous_name_is_one_line_before_any_request(server: SmardServer,
                                                              tmp_path: Path) -> None:
    result = run(server, tmp_path, *SPAN, "--exogenous", "load,temperature", "--out", "p.csv")
    line = assert_one_line_error(result)
    assert ("unknown exogenous series 'temperature'; valid series: load, wind_onshore, "
            "wind_offshore, solar, wind_solar") in line
    assert server.log == [] and not (tmp_path / "p.csv").exists()


def test_exogenous_index_without_the_range_writes_nothing(server: SmardServer,
                                                         tmp_path: Path) -> None:
    stamps = json.loads((FIXTURES / "_synthetic/411/DE/index_hour.json").read_text())
    server.overrides["411/DE/index_hour.json"] = json.dumps(
        {"timestamps": stamps["timestamps"][:2]}).encode()
    result = run(server, tmp_path, *SPAN, "--exogenous", "solar,load", "--out", "p.csv",
                 "--daily", "d.csv")
    line = assert_one_line_error(result)
    assert ("end date 2025-10-26 is beyond the SMARD load forecast (411/DE) hour index, which "
            "ends on 2025-10-19") in line
    assert not (tmp_path / "p.csv").exists() and not (tmp_path / "d.csv").exists()


def test_forecasts_beyond_the_last_price(server: SmardServer, tmp_path: Path) -> None:
    """Forecasts are published before the auction: their hours stay in --out, price empty."""
    from tsgan.data.sources import load_days, load_prices

    series = json.loads((FIXTURES / CHUNK).read_text())["series"]
    cut = [[t, v if i < 144 else None] for i, (t, v) in enumerate(series)]  # to Sat 23:00
    server.overrides[CHUNK] = json.dumps({"meta_data": {}, "series": cut}).encode()
    result = run(server, tmp_path, *SPAN, "--exogenous", "load", "--out", "p.csv",
                 "--daily", "d.csv")
    assert result.returncode == 0, result.stderr
    assert "SMARD has published prices only up to 2025-10-25 23:00 CEST" in result.stderr
    table = pd.read_csv(tmp_path / "p.csv")
    assert len(table) == 169 and table["price_eur_mwh"].isna().sum() == 25
    assert table["load"].notna().all()
    assert len(load_prices(tmp_path / "p.csv")) == 144
    days = load_days(tmp_path / "p.csv", exogenous=["load"])
    assert len(days) == 6 and days[block("load")].notna().all().all()
    assert "wrote 6 days" in result.stdout


def test_forecast_ending_early_leaves_its_days_empty(server: SmardServer, tmp_path: Path) -> None:
    from tsgan.data.sources import load_days

    series = json.loads((FIXTURES / "_synthetic" / LOAD_CHUNK).read_text())["series"]
    cut = [[t, v if i < 150 else None] for i, (t, v) in enumerate(series)]  # Sun 06:00 on
    server.overrides[LOAD_CHUNK] = json.dumps({"meta_data": {}, "series": cut}).encode()
    result = run(server, tmp_path, *SPAN, "--exogenous", "load", "--out", "p.csv",
                 "--daily", "d.csv")
    assert result.returncode == 0, result.stderr
    assert ("note: SMARD has published load forecasts only up to 2025-10-26 04:00 CET"
            in result.stderr)
    assert "wrote 7 days" in result.stdout and "; load: 1 day without values" in result.stdout
    days = load_days(tmp_path / "d.csv", exogenous=["load"])
    assert days.loc["2025-10-26", block("load")].isna().all()
    assert days.loc["2025-10-26", HOURS].notna().all()
