"""A real local HTTP server that answers like the SMARD chart-data API, with fault injection.

It serves ``tests/fixtures/smard/`` (recorded) overlaid with ``tests/fixtures/smard/_synthetic/``
(derived) under ``http://127.0.0.1:PORT/app/chart_data/...``, listens on 127.0.0.1 only, and
records every request. A *fault plan* maps a path (relative to the API root, e.g.
``4169/DE-LU/index_hour.json``) to a queue of faults served one per request before the real
file is served again; ``overrides`` replace a file's body permanently.
"""

from __future__ import annotations

import json
import socket
import struct
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "smard"
ROOTS = (FIXTURES, FIXTURES / "_synthetic")
PREFIX = "/app/chart_data/"
HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Wartungsarbeiten</title></head>"
             b"<body><h1>SMARD is down for maintenance</h1></body></html>")


class _QuietServer(ThreadingHTTPServer):
    """Ignores clients that hang up (timeouts, kills); other handler errors still print."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass(frozen=True)
class Fault:
    """One bad answer: ``kind`` is status, reset, slow, cut, truncate or body."""

    kind: str
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    @staticmethod
    def http(status: int, **headers: str) -> Fault:
        """An HTTP error status (e.g. 500, 429 with Retry-After="1")."""
        items = tuple((k.replace("_", "-"), v) for k, v in headers.items())
        return Fault("status", status, items, f"error {status}".encode())

    @staticmethod
    def reset() -> Fault:
        """Close the socket with a TCP reset before answering."""
        return Fault("reset")

    @staticmethod
    def slow(seconds: float) -> Fault:
        """Wait ``seconds`` before serving the real file (to trigger client timeouts)."""
        return Fault("slow", body=str(seconds).encode())

    @staticmethod
    def cut() -> Fault:
        """Announce the full Content-Length, send half the body, close the connection."""
        return Fault("cut")

    @staticmethod
    def truncate() -> Fault:
        """A complete HTTP answer whose body is the first half of the real JSON."""
        return Fault("truncate")

    @staticmethod
    def html() -> Fault:
        """A 200 answer with an HTML maintenance page instead of JSON."""
        return Fault("body", 200, (("Content-Type", "text/html"),), HTML_PAGE)

    @staticmethod
    def json_body(obj: object) -> Fault:
        """A 200 answer with this JSON (e.g. of the wrong shape)."""
        return Fault("body", 200, (), json.dumps(obj).encode())


@dataclass
class SmardServer:
    """Context manager: ``with SmardServer() as srv: fetch(base_url=srv.base_url)``."""

    chunk_delay: float = 0.0
    faults: dict[str, deque[Fault]] = field(default_factory=dict)
    overrides: dict[str, bytes] = field(default_factory=dict)
    log: list[tuple[str, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,),
                                        daemon=True)

    @property
    def base_url(self) -> str:
        """The API root to pass as ``base_url``."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{PREFIX.rstrip('/')}"

    def __enter__(self) -> SmardServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def add_faults(self, path: str, *faults: Fault) -> None:
        """Queue ``faults`` for ``path``, served before the real file."""
        with self._lock:
            self.faults.setdefault(path, deque()).extend(faults)

    def count(self, path: str) -> int:
        """Requests received for ``path``."""
        with self._lock:
            return sum(1 for p, _ in self.log if p == path)

    def times(self, path: str) -> list[float]:
        """``time.monotonic()`` of each request for ``path``."""
        with self._lock:
            return [t for p, t in self.log if p == path]

    def chunk_counts(self) -> Counter[str]:
        """Requests per chunk path (everything but indexes)."""
        with self._lock:
            return Counter(p for p, _ in self.log if "index_" not in p)

    def _record(self, path: str) -> Fault | None:
        with self._lock:
            self.log.append((path, time.monotonic()))
            queue = self.faults.get(path)
            return queue.popleft() if queue else None

    def _body(self, path: str) -> bytes | None:
        if path in self.overrides:
            return self.overrides[path]
        for root in reversed(ROOTS):
            file = root / path
            if ".." not in path and file.is_file():
                return file.read_bytes()
        return None


def _handler_for(server: SmardServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            if not self.path.startswith(PREFIX):
                return self._send(404, b"not found")
            path = self.path[len(PREFIX):]
            fault = server._record(path)
            if server.chunk_delay and "index_" not in path:
                time.sleep(server.chunk_delay)
            body = server._body(path)
            if fault is not None:
                return self._fault(fault, body or b"")
            if body is None:
                return self._send(404, b"<html>404 Not Found</html>")
            self._send(200, body)

        def _send(self, status: int, body: bytes, headers: tuple = (),
                  length: int | None = None) -> None:
            self.send_response(status)
            names = {k.lower() for k, _ in headers}
            if "content-type" not in names:
                self.send_header("Content-Type", "application/json")
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            self.wfile.write(body)

        def _fault(self, fault: Fault, real: bytes) -> None:
            if fault.kind == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
            elif fault.kind == "cut":
                self._send(200, real[: len(real) // 2], length=len(real))
                self.close_connection = True
            elif fault.kind == "slow":
                time.sleep(float(fault.body))
                self._send(200, real)
            elif fault.kind == "truncate":
                self._send(200, real[: len(real) // 2])
            else:
                self._send(fault.status, fault.body, fault.headers)

    return Handler
