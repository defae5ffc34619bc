"""Helpers for the TestRail tests: a seeded emulator served on loopback, a raw API caller, and a fake
clock whose sleep advances time (so rate-limit tests never wait)."""

from __future__ import annotations

import atexit
import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from tmsaction.sandbox.server import Emulator, Request, Response, SandboxServer
from tmsaction.sandbox.testrail import DEMO_API_KEY, DEMO_USER, TestRailEmulator, seed_demo


class Switchboard(Emulator):
    """Serves whichever emulator a test plugged in. One loopback server then lasts the whole
    session: stopping a server costs up to half a second (the poll of `serve_forever`)."""

    name = "switchboard"

    def __init__(self) -> None:
        super().__init__()
        self.target: Emulator | None = None

    def dispatch(self, request: Request) -> Response:
        if self.target is None:
            return Response.json(503, {"error": "no emulator plugged in"})
        return self.target.dispatch(request)


@functools.cache
def _board() -> tuple[Switchboard, SandboxServer]:
    board = Switchboard()
    server = SandboxServer(board).start()
    atexit.register(server.stop)
    return board, server


@contextmanager
def serve(emulator: TestRailEmulator | None = None) -> Iterator[tuple[TestRailEmulator, str]]:
    """(emulator, base URL): a demo-seeded emulator (or the one given) on 127.0.0.1."""
    emulator = emulator if emulator is not None else seed_demo(TestRailEmulator())
    board, server = _board()
    board.target = emulator
    try:
        yield emulator, server.url
    finally:
        board.target = None


@dataclass
class Answer:
    status: int
    body: Any  # decoded JSON, or the text when it is not JSON
    headers: dict[str, str]
    raw: bytes = b""

    @property
    def error(self) -> str | None:
        return self.body.get("error") if isinstance(self.body, dict) else None


class Api:
    """Raw calls in TestRail's URL scheme, with nothing of tmsaction's client in between."""

    def __init__(self, url: str, user: str = DEMO_USER, key: str = DEMO_API_KEY) -> None:
        self.base = url + "/index.php?/api/v2/"
        self.auth: tuple[str, str] | None = (user, key)
        self.session = requests.Session()

    def get(self, route: str, **kwargs: Any) -> Answer:
        return self._answer(self.session.get(self.base + route, auth=self.auth, **kwargs))

    def post(self, route: str, body: Any = None, **kwargs: Any) -> Answer:
        if "data" not in kwargs and "files" not in kwargs:
            kwargs["json"] = {} if body is None else body
        return self._answer(self.session.post(self.base + route, auth=self.auth, **kwargs))

    @staticmethod
    def _answer(response: requests.Response) -> Answer:
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        return Answer(response.status_code, body, dict(response.headers), response.content)


class FakeClock:
    """Shared by the emulator's rate limit and the client's budget: sleeping moves time on."""

    def __init__(self, start: float = 1_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            # Tick at least a microsecond: http.RateBudget can ask for a wait below float
            # resolution (1 - 0.9999999999 tokens), which would not move a clock at 1000.0.
            self._now += max(seconds, 1e-6)
            self.slept.append(seconds)
