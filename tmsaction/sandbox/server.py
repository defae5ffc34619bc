"""What every API emulator shares: a loopback HTTP server, request/response values, rate limiting,
per-request latency, and fault injection.

An emulator is a plain class with in-memory state and `handle(request) -> Response`; `SandboxServer`
serves it on 127.0.0.1 (port 0 = any free port) with HTTP/1.1 keep-alive, so clients reuse
connections as they do against the real services.

Faults (`emulator.faults`):
- `fail_next(status, retry_after=..., body=..., match=...)`: answer the next matching request with an
  error, without applying it;
- `reset_next(match=...)`: drop the connection before applying the request;
- `lose_next_response(match=...)`: apply the request, then drop the connection (the client cannot
  know whether its write landed: the case idempotent writes must survive);
- `random(seed, rate, kinds)`: a seeded stream of the above, for "nothing lost" tests.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # without the query string, percent-encoding kept
    query: str  # raw query string (TestRail routes live in it)
    headers: Mapping[str, str]  # lower-cased names
    body: bytes = b""

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        return json.loads(self.body) if self.body.strip() else None

    def params(self) -> dict[str, str]:
        return dict(parse_qsl(self.query, keep_blank_values=True))


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def json(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response:
        body = b"" if payload is None else json.dumps(payload).encode()
        merged = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        return Response(status, body, merged)


class DropConnection(Exception):
    """Raised by fault handling: close the socket without answering."""


Matcher = Callable[[Request], bool]


def matching(method: str | None = None, path: str | None = None) -> Matcher:
    """A request predicate: method equality and a regex searched in `path?query`."""
    pattern = re.compile(path) if path else None

    def match(request: Request) -> bool:
        if method and request.method != method.upper():
            return False
        return not pattern or bool(pattern.search(f"{request.path}?{request.query}"))

    return match


@dataclass
class _Fault:
    kind: str  # "status", "reset", "lose"
    match: Matcher
    status: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class Faults:
    """Fault injection, by call or seeded at random."""

    def __init__(self) -> None:
        self._queue: list[_Fault] = []
        self._rng: random.Random | None = None
        self._rate = 0.0
        self._kinds: tuple[str, ...] = ()
        self._random_match: Matcher = lambda _request: True
        self.injected: Counter[str] = Counter()
        self._lock = threading.Lock()

    def fail_next(
        self,
        status: int,
        *,
        retry_after: float | None = None,
        body: bytes | str | None = None,
        match: Matcher | None = None,
        times: int = 1,
    ) -> None:
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        payload = body.encode() if isinstance(body, str) else (body or b"")
        if payload.startswith(b"{"):
            headers["Content-Type"] = "application/json; charset=utf-8"
        elif payload:
            headers["Content-Type"] = "text/html; charset=utf-8"
        with self._lock:
            self._queue.append(
                _Fault("status", match or (lambda _r: True), status, payload, headers, times)
            )

    def reset_next(self, *, match: Matcher | None = None, times: int = 1) -> None:
        with self._lock:
            self._queue.append(_Fault("reset", match or (lambda _r: True), times=times))

    def lose_next_response(self, *, match: Matcher | None = None, times: int = 1) -> None:
        with self._lock:
            self._queue.append(_Fault("lose", match or (lambda _r: True), times=times))

    def random(
        self,
        seed: int,
        rate: float,
        kinds: tuple[str, ...] = ("503", "429", "reset", "lose"),
        match: Matcher | None = None,
    ) -> None:
        """Inject one of `kinds` into a `rate` share of matching requests, reproducibly."""
        with self._lock:
            self._rng = random.Random(seed)
            self._rate = rate
            self._kinds = kinds
            self._random_match = match or (lambda _r: True)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._rng = None

    def take(self, request: Request) -> _Fault | None:
        with self._lock:
            for fault in self._queue:
                if fault.match(request):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._queue.remove(fault)
                    self.injected[fault.kind] += 1
                    return fault
            if self._rng and self._random_match(request) and self._rng.random() < self._rate:
                kind = self._rng.choice(self._kinds)
                self.injected[kind] += 1
                if kind.isdigit():
                    headers = {"Retry-After": "1"} if kind in ("429", "503") else {}
                    return _Fault("status", lambda _r: True, int(kind), b"", headers)
                return _Fault(kind, lambda _r: True)
        return None


class RateLimit:
    """At most `limit` requests per `window` seconds (sliding window), else 429 + Retry-After."""

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ):
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: deque[float] = deque()
        self._lock = threading.Lock()
        self.rejected = 0

    def check(self) -> float | None:
        """None when the request may proceed, else the seconds to wait."""
        with self._lock:
            now = self._clock()
            while self._hits and self._hits[0] <= now - self.window:
                self._hits.popleft()
            if len(self._hits) >= self.limit:
                self.rejected += 1
                return max(1.0, self._hits[0] + self.window - now)
            self._hits.append(now)
            return None


class Emulator:
    """Base of the TestRail, Jira and GitHub emulators: logging, faults, rate limit, latency."""

    name = "emulator"

    def __init__(self) -> None:
        self.lock = threading.RLock()  # guards the emulated state
        self.faults = Faults()
        self.rate_limit: RateLimit | None = None
        self.latency = 0.0  # seconds added to every request (benchmarks)
        self.requests: list[tuple[str, str]] = []  # (method, route) of every request received
        self._log_lock = threading.Lock()

    # -- hooks for subclasses -------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def route_of(self, request: Request) -> str:
        """A short name for the endpoint, used in `requests` and benchmark tables."""
        return request.path

    def rate_limited(self, retry_after: float) -> Response:
        return Response.json(429, {"error": "rate limited"}, {"Retry-After": f"{retry_after:.0f}"})

    # -- dispatch -------------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        with self._log_lock:
            self.requests.append((request.method, self.route_of(request)))
        if self.latency:
            time.sleep(self.latency)
        fault = self.faults.take(request)
        if fault is not None and fault.kind == "reset":
            raise DropConnection
        if fault is not None and fault.kind == "status":
            return Response(fault.status, fault.body, dict(fault.headers))
        if self.rate_limit is not None:
            wait = self.rate_limit.check()
            if wait is not None:
                return self.rate_limited(wait)
        response = self.handle(request)
        if fault is not None and fault.kind == "lose":
            raise DropConnection
        return response

    def count(self, method: str | None = None, route: str | None = None) -> int:
        with self._log_lock:
            return sum(
                1
                for m, r in self.requests
                if (method is None or m == method) and (route is None or r == route)
            )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the client's delayed
    # ACK stalls every response by ~40 ms. Real servers flush whole responses; so do we.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: tests and the demo read state, not access logs

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        request = Request(
            method=self.command,
            path=path,
            query=query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        try:
            response = self.server.emulator.dispatch(request)
        except DropConnection:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        super().__init__(address, _Handler)


class SandboxServer:
    """Serve one emulator on loopback in a background thread: `with SandboxServer(e) as s: s.url`."""

    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.emulator = emulator
        self._server = _Server((host, port), emulator)
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name=f"sandbox-{emulator.name}"
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = str(self._server.server_address[0])
        return f"http://{host}:{self.port}"

    def start(self) -> SandboxServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """Form parts of a `multipart/form-data` body: name -> (filename, content)."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            parts[name] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return parts
