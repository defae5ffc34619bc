"""One loopback server per test module for the GitHub tests, with a fresh emulator per test.

Stopping a `SandboxServer` takes up to half a second (`serve_forever` polls every 0.5 s), so
the tests share one server and plug each test's emulator into it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tmsaction.sandbox.server import Emulator, Request, Response, SandboxServer


class Switchboard(Emulator):
    """Forwards every request to `target`, the emulator of the running test."""

    name = "switchboard"

    def __init__(self) -> None:
        super().__init__()
        self.target: Emulator | None = None

    def dispatch(self, request: Request) -> Response:
        assert self.target is not None, "no emulator plugged in"
        return self.target.dispatch(request)


def _serve() -> Iterator[tuple[Switchboard, str]]:
    board = Switchboard()
    with SandboxServer(board) as server:
        yield board, server.url


def switchboard_fixture() -> Any:
    """The module-scoped `switchboard` fixture: `switchboard = switchboard_fixture()` in a test
    module gives its tests `switchboard: tuple[Switchboard, str]`."""
    return pytest.fixture(scope="module", name="switchboard")(_serve)


def plug(switchboard: tuple[Switchboard, str], emulator: Emulator) -> str:
    """Serve `emulator` on the module's server; returns the server's URL."""
    board, url = switchboard
    board.target = emulator
    return url
