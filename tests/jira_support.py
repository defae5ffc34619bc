"""Helpers for the Jira tests: a controllable clock, a sleep that records instead of waiting, the
demo emulator on loopback, and a connected client.

Stopping a `SandboxServer` waits for its poll interval (half a second), so the Jira tests share one
loopback server whose `Relay` hands every request to the fresh emulator the current test made.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from tmsaction.clients.jira import JiraClient
from tmsaction.http import RetryPolicy
from tmsaction.sandbox.jira.emulator import JiraEmulator
from tmsaction.sandbox.jira.seed import DEMO_EMAIL, DEMO_PAT, DEMO_TOKEN, seed_demo
from tmsaction.sandbox.jira.world import Deployment
from tmsaction.sandbox.server import Emulator, Request, Response, SandboxServer

CLOUD_AUTH = (DEMO_EMAIL, DEMO_TOKEN)
DC_BEARER = {"Authorization": f"Bearer {DEMO_PAT}"}


class FakeClock:
    """Monotonic time the test moves by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class Relay(Emulator):
    """Forwards every request, faults and logs included, to the emulator of the current test."""

    name = "relay"

    def __init__(self) -> None:
        super().__init__()
        self.target: Emulator | None = None

    def dispatch(self, request: Request) -> Response:
        if self.target is None:
            return Response.json(503, {"error": "no emulator is attached"})
        return self.target.dispatch(request)


_shared: list[tuple[Relay, SandboxServer]] = []
_shared_lock = threading.Lock()


def _relay() -> tuple[Relay, SandboxServer]:
    with _shared_lock:
        if not _shared:
            relay = Relay()
            server = SandboxServer(relay).start()
            atexit.register(server.stop)
            _shared.append((relay, server))
        return _shared[0]


@contextmanager
def running(
    deployment: Deployment = "cloud", **options: Any
) -> Iterator[tuple[JiraEmulator, SandboxServer]]:
    """A fresh demo Jira on loopback for the duration of the block."""
    relay, server = _relay()
    emulator = seed_demo(deployment, **options)
    relay.target = emulator
    try:
        yield emulator, server
    finally:
        relay.target = None


def connect(
    server: SandboxServer,
    *,
    user: str | None = DEMO_EMAIL,
    token: str = DEMO_TOKEN,
    sleep: FakeSleep | None = None,
    attempts: int = 6,
) -> JiraClient:
    return JiraClient.connect(
        server.url,
        user,
        token,
        sleep=sleep or FakeSleep(),
        retry=RetryPolicy(max_attempts=attempts),
    )


def adf(*texts: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": t}]} for t in texts],
    }


def api(server: SandboxServer, version: int = 3) -> str:
    return f"{server.url}/rest/api/{version}"


def bug(summary: str = "Checkout total is wrong", **fields: Any) -> dict[str, Any]:
    """A create body for a Bug in SHOP."""
    return {
        "fields": {
            "project": {"key": "SHOP"},
            "issuetype": {"name": "Bug"},
            "summary": summary,
            **fields,
        }
    }


def create(server: SandboxServer, summary: str = "Checkout total is wrong", **fields: Any) -> str:
    response = requests.post(f"{api(server)}/issue", json=bug(summary, **fields), auth=CLOUD_AUTH)
    assert response.status_code == 201, response.text
    return str(response.json()["key"])
