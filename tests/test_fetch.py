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
