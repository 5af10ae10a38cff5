"""SMARD.de chart-data client: day-ahead prices and day-ahead forecasts as tidy frames.

The API (https://www.smard.de/app/chart_data) serves one index per filter/region/resolution
listing weekly chunks (Monday 00:00 Europe/Berlin, UTC epoch milliseconds) and one JSON file
per chunk with ``[interval start ms, value or null]`` points. ``null`` means "not (yet)
published" and is dropped, never read as 0. One client (:class:`SmardClient`) serves every
filter and region: prices (:func:`fetch_prices`, EUR/MWh), any series
(:func:`fetch_series`), and the German day-ahead forecasts of load, wind and solar
(:func:`fetch_exogenous`, MWh per hour; see docs/exogenous.md).

Design choices:

* The index is never cached: it is small and grows every day. It is requested on every fetch,
  except when every week of the requested range is complete in the cache; then nothing is
  requested at all (repeat runs work offline).
* Raw chunk bodies are cached on disk exactly as received, after validation, written
  atomically. A cached chunk is reused only when it is complete: every point published and its
  week over. Weeks that still hold ``null`` are re-requested. Corrupt cache files are ignored.
* Every request has a timeout and is retried with exponential backoff on connection errors,
  timeouts, 429 (honouring ``Retry-After``, capped) and 5xx, and on bodies that are not valid
  chunk JSON (truncated, HTML maintenance pages). 404 and other 4xx fail at once.

Data: Bundesnetzagentur | SMARD.de, licensed under CC BY 4.0.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import requests
from tqdm import tqdm

from tsgan.data import io
from tsgan.errors import TsganError

DEFAULT_BASE_URL = "https://www.smard.de/app/chart_data"
BERLIN = ZoneInfo("Europe/Berlin")
RESOLUTIONS: dict[str, int] = {"hour": 3_600_000, "quarterhour": 900_000}
MAX_RETRY_AFTER_S = 60.0
USER_AGENT = "tsgan (SMARD chart-data client; python-requests)"


@dataclass(frozen=True)
class Zone:
    """A SMARD series: the chart-data filter id and the region it is published under."""

    filter_id: int
    region: str


@dataclass(frozen=True)
class Forecast:
    """A SMARD day-ahead forecast series: filter, region and what it holds (docs/exogenous.md).

    Values are energy per interval (MWh per hour, MWh per quarter-hour), so quarter-hours
    add up to hours.
    """

    filter_id: int
    region: str
    title: str


ZONES: dict[str, Zone] = {
    "DE-LU": Zone(4169, "DE-LU"),
    "DE-AT-LU": Zone(251, "DE-AT-LU"),
    "AT": Zone(4170, "DE-LU"),
    "FR": Zone(254, "DE-LU"),
    "NL": Zone(256, "DE-LU"),
    "BE": Zone(4996, "DE-LU"),
    "DK1": Zone(252, "DE-LU"),
    "DK2": Zone(253, "DE-LU"),
    "PL": Zone(257, "DE-LU"),
    "CH": Zone(259, "DE-LU"),
    "SI": Zone(260, "DE-LU"),
    "CZ": Zone(261, "DE-LU"),
    "HU": Zone(262, "DE-LU"),
    "IT-North": Zone(255, "DE-LU"),
    "NO2": Zone(4997, "DE-LU"),
    "DE-LU-neighbours": Zone(5078, "DE-LU"),
}

EXOGENOUS: dict[str, Forecast] = {
    "load": Forecast(411, "DE", "Prognostizierter Stromverbrauch: Gesamt (Netzlast)"),
    "wind_onshore": Forecast(123, "DE", "Prognostizierte Erzeugung: Wind Onshore"),
    "wind_offshore": Forecast(3791, "DE", "Prognostizierte Erzeugung: Wind Offshore"),
    "solar": Forecast(125, "DE", "Prognostizierte Erzeugung: Photovoltaik"),
    "wind_solar": Forecast(5097, "DE", "Prognostizierte Erzeugung: Wind und Photovoltaik"),
}
REGION_PATTERN = r"[A-Za-z0-9][A-Za-z0-9-]{0,31}"


class _Retryable(Exception):
    """A failed attempt worth retrying; ``reason`` ends up in the final error message."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


# --------------------------------------------------------------------------- arguments
def resolve_zone(zone: str) -> Zone:
    """Look up a zone name (case-insensitive); unknown names raise a TsganError listing all."""
    for name, value in ZONES.items():
        if name.lower() == str(zone).lower():
            return value
    raise TsganError(f"unknown zone {zone!r}; valid zones: {', '.join(ZONES)}")


def resolve_exogenous(names: str | Sequence[str]) -> list[str]:
    """Canonical forecast names from a comma list or a sequence (case-insensitive, in order).

    Unknown names raise a TsganError listing the valid ones; repeated names raise too.
    """
    if isinstance(names, str):
        items = names.split(",")
    elif isinstance(names, Sequence):
        items = list(names)
    else:
        raise TsganError(f"exogenous series must be a comma list or a list of names, got "
                         f"{names!r}")
    out: list[str] = []
    for item in items:
        want = str(item).strip().lower()
        if want not in EXOGENOUS:
            raise TsganError(f"unknown exogenous series {str(item).strip()!r}; valid series: "
                             f"{', '.join(EXOGENOUS)}")
        if want in out:
            raise TsganError(f"exogenous series {want!r} is named twice")
        out.append(want)
    if not out:
        raise TsganError(f"no exogenous series named; valid series: {', '.join(EXOGENOUS)}")
    return out


def check_series(filter_id: int, region: str) -> Zone:
    """A validated filter id (positive integer) and region (a SMARD region token such as DE)."""
    if isinstance(filter_id, bool) or not isinstance(filter_id, int) or filter_id <= 0:
        raise TsganError(f"SMARD filter id must be a positive integer, got {filter_id!r}")
    if not isinstance(region, str) or not re.fullmatch(REGION_PATTERN, region):
        raise TsganError(f"SMARD region {region!r} is not a region name such as DE or DE-LU")
    return Zone(filter_id, region)


def check_resolution(resolution: str) -> int:
    """Return the step in milliseconds of ``resolution`` ('hour' or 'quarterhour')."""
    if resolution not in RESOLUTIONS:
        raise TsganError(
            f"unknown resolution {resolution!r}; valid resolutions: {', '.join(RESOLUTIONS)}"
        )
    return RESOLUTIONS[resolution]


def parse_day(value: date | str, name: str = "date") -> date:
    """Parse a delivery day given as ``datetime.date`` or ``YYYY-MM-DD`` text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise TsganError(f"{name} {value!r} is not a valid date; use YYYY-MM-DD, e.g. 2025-10-20")


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/tsgan/smard``, else ``~/.cache/tsgan/smard``."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "tsgan" / "smard"


# --------------------------------------------------------------------------- time helpers
def _local_midnight_ms(day: date) -> int:
    """UTC epoch milliseconds of 00:00 Europe/Berlin on ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=BERLIN).timestamp() * 1000)


def _ms_to_day(ms: int) -> date:
    return datetime.fromtimestamp(ms / 1000, tz=BERLIN).date()


def _week_end_ms(ts: int) -> int:
    """End (exclusive) of the chunk starting at ``ts``: 7 local calendar days later."""
    return _local_midnight_ms(_ms_to_day(ts) + timedelta(days=7))


# --------------------------------------------------------------------------- HTTP
def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER_S)
    except ValueError:
        return None


def _attempt(session: requests.Session, url: str, timeout: float, validate: Any,
             not_found: str) -> tuple[bytes, Any]:
    """One GET: return (body, validated payload), raise _Retryable or (final) TsganError."""
    try:
        response = session.get(url, timeout=timeout)
        body = response.content
    except requests.Timeout as exc:
        raise _Retryable("timed out") from exc
    except requests.RequestException as exc:
        raise _Retryable(f"connection failed ({type(exc).__name__})") from exc
    status = response.status_code
    if status == 404:
        raise TsganError(f"SMARD answered 404 Not Found for {url} ({not_found})")
    if status == 429:
        raise _Retryable("HTTP 429 Too Many Requests", wait=_retry_after(response))
    if status >= 500:
        raise _Retryable(f"HTTP {status} {response.reason or ''}".strip())
    if status != 200:
        raise TsganError(f"SMARD answered HTTP {status} {response.reason or ''} for {url}")
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise _Retryable("response is not valid JSON (truncated or an HTML page)") from exc
    problem = validate(payload)
    if problem:
        raise _Retryable(f"unexpected JSON: {problem}")
    return body, payload


def _get_json(session: requests.Session, url: str, *, validate: Any, not_found: str,
              retries: int, backoff: float, timeout: float) -> tuple[bytes, Any]:
    """GET ``url`` with retries; return (raw body, parsed and validated JSON)."""
    reason = "no attempt made"
    for attempt in range(retries + 1):
        try:
            return _attempt(session, url, timeout, validate, not_found)
        except _Retryable as exc:
            reason = exc.reason
            if attempt < retries:
                time.sleep(exc.wait if exc.wait is not None else backoff * 2**attempt)
    raise TsganError(f"could not download {url}: {reason} (after {retries + 1} attempts)")


# --------------------------------------------------------------------------- validation
def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _index_problem(payload: Any) -> str | None:
    stamps = payload.get("timestamps") if isinstance(payload, dict) else None
    if not isinstance(stamps, list) or not stamps:
        return "no 'timestamps' list"
    if not all(_is_int(t) for t in stamps):
        return "'timestamps' must be integers"
    return None


def _chunk_validator(ts: int) -> Any:
    """Validator for the chunk starting at ``ts``: a 'series' of [ms, number|null] in its week."""
    limit = _week_end_ms(ts) + 86_400_000  # a day of slack; SMARD weeks end at the Monday

    def problem(payload: Any) -> str | None:
        series = payload.get("series") if isinstance(payload, dict) else None
        if not isinstance(series, list):
            return "no 'series' list"
        for point in series:
            if not (isinstance(point, list) and len(point) == 2 and _is_int(point[0])):
                return f"malformed point {point!r}"
            if not (ts <= point[0] < limit):
                return f"point {point[0]} outside the chunk starting {ts}"
            value = point[1]
            if value is not None and (isinstance(value, bool)
                                      or not isinstance(value, int | float)):
                return f"non-numeric value {value!r}"
        return None

    return problem


def _published(value: Any) -> bool:
    """A real value: not ``null`` (unpublished) and finite."""
    return value is not None and math.isfinite(value)


def _is_complete(series: list[list[Any]], ts: int, step_ms: int, now_ms: int) -> bool:
    """True when the week is over and every interval of it holds a published value."""
    end = _week_end_ms(ts)
    expected = (end - ts) // step_ms
    published = {p[0] for p in series if _published(p[1])}
    return now_ms >= end and len(published) == expected


# --------------------------------------------------------------------------- client
class SmardClient:
    """Downloads the index and weekly chunks of one series/resolution, with an on-disk cache.

    ``zone`` is a price zone name (``"DE-LU"``) or any :class:`Zone` (filter id and region,
    e.g. ``Zone(411, "DE")``); the cache keeps the API's layout, ``FILTER/REGION/FILE``, so
    every series shares one cache directory.
    """

    def __init__(self, zone: str | Zone = "DE-LU", resolution: str = "hour",
                 base_url: str = DEFAULT_BASE_URL, cache_dir: str | os.PathLike[str] | None = None,
                 session: requests.Session | None = None, retries: int = 5,
                 backoff: float = 1.0, timeout: float = 30) -> None:
        if isinstance(zone, Zone):
            self.zone = check_series(zone.filter_id, zone.region)
            self.zone_name = next((name for name, z in ZONES.items() if z == self.zone),
                                  f"{zone.filter_id}/{zone.region}")
        else:
            self.zone = resolve_zone(zone)
            self.zone_name = next(name for name, z in ZONES.items() if z == self.zone)
        self.resolution = resolution
        self.step_ms = check_resolution(resolution)
        if retries < 0 or backoff < 0 or timeout <= 0:
            raise TsganError("retries and backoff must be >= 0 and timeout > 0")
        if not re.match(r"https?://[^/]", str(base_url)):
            raise TsganError(f"base URL {base_url!r} must start with http:// or https://")
        self.base_url = base_url.rstrip("/")
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
        self.session = session
        self.retries, self.backoff, self.timeout = retries, backoff, timeout

    @property
    def _folder(self) -> str:
        return f"{self.zone.filter_id}/{self.zone.region}"

    def chunk_name(self, ts: int) -> str:
        """File name of the chunk starting at ``ts`` (as in the URL)."""
        z = self.zone
        return f"{z.filter_id}_{z.region}_{self.resolution}_{ts}.json"

    def _get(self, url: str, validate: Any, not_found: str) -> tuple[bytes, Any]:
        return _get_json(self.session, url, validate=validate, not_found=not_found,
                         retries=self.retries, backoff=self.backoff, timeout=self.timeout)

    def index(self) -> list[int]:
        """The sorted chunk timestamps (UTC ms); always downloaded fresh."""
        url = f"{self.base_url}/{self._folder}/index_{self.resolution}.json"
        _, payload = self._get(
            url, _index_problem,
            f"SMARD publishes no {self.resolution} series for this filter and region",
        )
        return sorted(set(payload["timestamps"]))

    def _cache_path(self, ts: int) -> Path:
        return self.cache_dir / self._folder / self.chunk_name(ts)

    def _cached_series(self, ts: int) -> list[list[Any]] | None:
        """The cached series of chunk ``ts`` if the file exists, parses and validates."""
        path = self._cache_path(ts)
        try:
            payload = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        if _chunk_validator(ts)(payload):
            return None
        return payload["series"]

    def cached_complete(self, ts: int, now_ms: int | None = None) -> list[list[Any]] | None:
        """The cached series of chunk ``ts`` if it is complete (never re-downloaded), else None."""
        now_ms = int(time.time() * 1000) if now_ms is None else now_ms
        cached = self._cached_series(ts)
        if cached is not None and _is_complete(cached, ts, self.step_ms, now_ms):
            return cached
        return None

    def chunk(self, ts: int, now_ms: int | None = None) -> tuple[list[list[Any]], bool]:
        """Series of the chunk starting at ``ts`` and whether it came from the cache."""
        cached = self.cached_complete(ts, now_ms)
        if cached is not None:
            return cached, True
        url = f"{self.base_url}/{self._folder}/{self.chunk_name(ts)}"
        body, payload = self._get(url, _chunk_validator(ts), "weekly chunk not found")
        try:
            io.write_bytes(self._cache_path(ts), body)
        except (TsganError, OSError):
            pass  # an unwritable cache slows later runs down but must not fail this one
        return payload["series"], False


# --------------------------------------------------------------------------- selection
def week_starts(first: date, last: date) -> list[int]:
    """Monday 00:00 Europe/Berlin (UTC ms) of every week touching the days [first, last]."""
    monday = first - timedelta(days=first.weekday())
    stamps = []
    while monday <= last:
        stamps.append(_local_midnight_ms(monday))
        monday += timedelta(days=7)
    return stamps


def select_chunks(index: list[int], start_ms: int, end_ms: int) -> list[int]:
    """Chunks ``[ts, next ts)`` (the last one a week long) overlapping ``[start_ms, end_ms)``."""
    bounds = [*index[1:], _week_end_ms(index[-1])]
    return [ts for ts, nxt in zip(index, bounds, strict=True) if ts < end_ms and nxt > start_ms]


def _check_range(index: list[int], start: date, end: date, label: str) -> None:
    """Reject ranges outside what the index covers, with a one-line explanation."""
    first, last_end = index[0], _week_end_ms(index[-1])
    first_day, last_day = _ms_to_day(first), _ms_to_day(last_end) - timedelta(days=1)
    if _local_midnight_ms(start) < first:
        raise TsganError(
            f"SMARD {label} data starts on {first_day}; choose a start on or after it"
            + (" (use --zone DE-AT-LU before 2018-10-01)" if label.startswith("DE-LU ") else "")
        )
    if _local_midnight_ms(end + timedelta(days=1)) > last_end:
        raise TsganError(
            f"end date {end} is beyond the SMARD {label} index, which ends on {last_day}"
        )


def _to_frame(series: list[list[Any]], start_ms: int, end_ms: int,
              column: str = "price_eur_mwh") -> pd.DataFrame:
    """Tidy frame from raw points: nulls dropped, range-filtered, sorted, unique."""
    points = [(t, float(v)) for t, v in series if _published(v) and start_ms <= t < end_ms]
    frame = pd.DataFrame(points, columns=["timestamp_utc", column])
    frame = frame.drop_duplicates("timestamp_utc", keep="last").sort_values("timestamp_utc")
    stamps = pd.to_datetime(frame["timestamp_utc"].astype("int64"), unit="ms", utc=True)
    frame["timestamp_utc"] = stamps.astype("datetime64[ns, UTC]")
    frame[column] = frame[column].astype("float64")
    return frame.reset_index(drop=True)


def _from_cache_only(client: SmardClient, first: date, last: date) -> list[list[Any]] | None:
    """All points of [first, last] when every week is complete in the cache (no network)."""
    points: list[list[Any]] = []
    for ts in week_starts(first, last):
        series = client.cached_complete(ts)
        if series is None:
            return None
        points.extend(series)
    return points


def _download(client: SmardClient, first: date, last: date, label: str,
              progress: bool) -> list[list[Any]]:
    """Fetch the index, check the range, and get every overlapping chunk (cache first)."""
    index = client.index()
    _check_range(index, first, last, label)
    start_ms, end_ms = _local_midnight_ms(first), _local_midnight_ms(last + timedelta(days=1))
    points: list[list[Any]] = []
    chunks = select_chunks(index, start_ms, end_ms)
    bar = tqdm(chunks, desc=f"SMARD {label}", unit="week", file=sys.stderr,
               disable=True if not progress else None, leave=False)
    for ts in bar:
        series, _ = client.chunk(ts)
        points.extend(series)
    return points


def _days(start: date | str, end: date | str) -> tuple[date, date]:
    """The parsed delivery days [start, end]; a reversed range raises."""
    first, last = parse_day(start, "start date"), parse_day(end, "end date")
    if first > last:
        raise TsganError(f"start date {first} is after end date {last}")
    return first, last


def _fetch(client: SmardClient, first: date, last: date, label: str, progress: bool,
           column: str, what: str) -> pd.DataFrame:
    """Points of [first, last] (from the cache alone when it is complete) as a tidy frame."""
    start_ms, end_ms = _local_midnight_ms(first), _local_midnight_ms(last + timedelta(days=1))
    points = _from_cache_only(client, first, last)
    if points is None:
        points = _download(client, first, last, label, progress)
    frame = _to_frame(points, start_ms, end_ms, column)
    if frame.empty:
        raise TsganError(f"no published {what} for {label} between {first} and {last}")
    return frame


def fetch_prices(start: date | str, end: date | str, zone: str = "DE-LU",
                 resolution: str = "hour", base_url: str = DEFAULT_BASE_URL,
                 cache_dir: str | os.PathLike[str] | None = None, progress: bool = True,
                 session: requests.Session | None = None, retries: int = 5,
                 backoff: float = 1.0, timeout: float = 30) -> pd.DataFrame:
    """Download SMARD day-ahead prices for the Europe/Berlin delivery days [start, end].

    Returns the tidy frame (``timestamp_utc`` tz-aware UTC interval start, ``price_eur_mwh``),
    at the requested resolution. Unpublished intervals (``null``) are absent, not zero.
    """
    first, last = _days(start, end)
    client = SmardClient(zone, resolution, base_url, cache_dir, session, retries, backoff,
                         timeout)
    label = f"{client.zone_name} {resolution}"
    return _fetch(client, first, last, label, progress, "price_eur_mwh", "prices")


def fetch_series(filter_id: int, region: str, start: date | str, end: date | str,
                 resolution: str = "hour", base_url: str = DEFAULT_BASE_URL,
                 cache_dir: str | os.PathLike[str] | None = None, progress: bool = True,
                 session: requests.Session | None = None, retries: int = 5,
                 backoff: float = 1.0, timeout: float = 30,
                 label: str | None = None) -> pd.DataFrame:
    """Download any SMARD chart-data series (filter id, region) for the days [start, end].

    Same cache, retries, validation and completeness rules as :func:`fetch_prices`. Returns
    ``timestamp_utc`` (tz-aware UTC interval start) and ``value`` (float64, as published, at
    the requested resolution); unpublished intervals are absent. ``label`` names the series
    in messages and the progress bar (default ``FILTER/REGION``).
    """
    first, last = _days(start, end)
    client = SmardClient(check_series(filter_id, region), resolution, base_url, cache_dir,
                         session, retries, backoff, timeout)
    name = label or client.zone_name
    return _fetch(client, first, last, f"{name} {resolution}", progress, "value", "values")


def hourly_sums(frame: pd.DataFrame, column: str = "value", per_hour: int = 4) -> pd.DataFrame:
    """Hourly totals of a quarter-hourly tidy frame (energy per interval), labelled by hour start.

    Hours with fewer than ``per_hour`` published values are left out rather than summed
    over a part of the hour (which would understate them), as for prices.
    """
    hours = frame["timestamp_utc"].dt.floor("h").rename("timestamp_utc")
    grouped = frame.groupby(hours, sort=True)[column].agg(["sum", "count"])
    grouped = grouped[grouped["count"] == per_hour]
    out = grouped["sum"].astype("float64").rename(column).reset_index()
    out["timestamp_utc"] = out["timestamp_utc"].astype("datetime64[ns, UTC]")
    return out


def fetch_exogenous(names: str | Sequence[str], start: date | str, end: date | str,
                    resolution: str = "hour", base_url: str = DEFAULT_BASE_URL,
                    cache_dir: str | os.PathLike[str] | None = None, progress: bool = True,
                    session: requests.Session | None = None, retries: int = 5,
                    backoff: float = 1.0, timeout: float = 30) -> pd.DataFrame:
    """Download German day-ahead forecasts (:data:`EXOGENOUS`) for the days [start, end].

    ``names`` is a comma list or sequence of ``load``, ``wind_onshore``, ``wind_offshore``,
    ``solar``, ``wind_solar``. Returns one tidy hourly frame: ``timestamp_utc`` and one
    float64 column per name in MWh per hour (quarter-hours are summed; hours missing a
    quarter are left out), outer-joined, so a series without a value at an hour holds NaN
    there. Every series is downloaded before the frame is built.
    """
    wanted = resolve_exogenous(names)
    step_ms = check_resolution(resolution)
    first, last = _days(start, end)
    frames = []
    for name in wanted:
        spec = EXOGENOUS[name]
        frame = fetch_series(spec.filter_id, spec.region, first, last, resolution, base_url,
                             cache_dir, progress, session, retries, backoff, timeout,
                             label=f"{name} forecast ({spec.filter_id}/{spec.region})")
        frame = frame.rename(columns={"value": name})
        if step_ms != RESOLUTIONS["hour"]:
            frame = hourly_sums(frame, name, RESOLUTIONS["hour"] // step_ms)
        frames.append(frame)
    merged = frames[0]
    for frame in frames[1:]:
        merged = merged.merge(frame, on="timestamp_utc", how="outer")
    merged = merged.sort_values("timestamp_utc").reset_index(drop=True)
    merged["timestamp_utc"] = merged["timestamp_utc"].astype("datetime64[ns, UTC]")
    return merged
