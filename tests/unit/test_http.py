"""The HTTP funnel against a real loopback server with injected faults."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from tmsaction.errors import HttpError, OutcomeUnknown
from tmsaction.http import (
    HttpClient,
    RateBudget,
    Redactor,
    RetryPolicy,
    parse_retry_after,
    write_once,
)
from tmsaction.sandbox.server import Emulator, Request, Response, SandboxServer, matching


class Notes(Emulator):
    """A tiny stateful API: POST /notes appends, GET /notes lists, GET /echo-auth leaks the header."""

    name = "notes"

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[str] = []

    def handle(self, request: Request) -> Response:
        if request.path == "/notes" and request.method == "POST":
            with self.lock:
                self.notes.append(request.json()["text"])
            return Response.json(201, {"count": len(self.notes)})
        if request.path == "/notes":
            return Response.json(200, {"notes": self.notes})
        if request.path == "/echo-auth":
            return Response.json(400, {"error": f"bad header {request.header('authorization')}"})
        return Response.json(404, {"error": "no such endpoint"})


class FakeSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(Notes()) as running:
        yield running


def client(server: SandboxServer, sleep: FakeSleep, **kwargs: object) -> HttpClient:
    return HttpClient("Notes", server.url, sleep=sleep, seed=1, **kwargs)  # type: ignore[arg-type]


def notes_of(server: SandboxServer) -> list[str]:
    emulator = server.emulator
    assert isinstance(emulator, Notes)
    return emulator.notes


def test_get_is_retried_on_503_and_connection_is_reused(server: SandboxServer) -> None:
    sleep = FakeSleep()
    server.emulator.faults.fail_next(503, match=matching("GET", "^/notes"), times=2)
    response = client(server, sleep).request("GET", "/notes")
    assert response.status == 200
    assert response.json() == {"notes": []}
    assert len(sleep.calls) == 2
    assert server.emulator.count("GET") == 3


def test_429_is_retried_for_posts_after_retry_after(server: SandboxServer) -> None:
    sleep = FakeSleep()
    server.emulator.faults.fail_next(429, retry_after=7, match=matching("POST"))
    http = client(server, sleep)
    http.request("POST", "/notes", json={"text": "one"})
    assert sleep.calls == [7.0]
    assert http.stats.throttled == 1
    assert notes_of(server) == ["one"]


def test_post_whose_response_is_lost_is_not_resent_blindly(server: SandboxServer) -> None:
    sleep = FakeSleep()
    server.emulator.faults.lose_next_response(match=matching("POST"))
    http = client(server, sleep)
    with pytest.raises(OutcomeUnknown, match="may have been applied"):
        http.request("POST", "/notes", json={"text": "one"})
    assert notes_of(server) == ["one"]  # it was applied; the client just cannot know


def test_write_once_checks_the_server_before_sending_again(server: SandboxServer) -> None:
    sleep = FakeSleep()
    http = client(server, sleep)

    def send() -> object:
        return http.request("POST", "/notes", json={"text": "two"}).json()

    def verify() -> object | None:
        notes = http.request("GET", "/notes").json()["notes"]
        return {"count": len(notes)} if "two" in notes else None

    server.emulator.faults.lose_next_response(match=matching("POST"))
    assert write_once(send, verify, sleep=sleep) == {"count": 1}
    server.emulator.faults.reset_next(match=matching("POST"))  # dropped before it was applied
    http2 = client(server, sleep)
    assert write_once(
        lambda: http2.request("POST", "/notes", json={"text": "three"}).json(),
        lambda: None,
        sleep=sleep,
    ) == {"count": 2}
    assert notes_of(server) == ["two", "three"]


def test_post_5xx_is_an_unknown_outcome(server: SandboxServer) -> None:
    server.emulator.faults.fail_next(502, match=matching("POST"))
    with pytest.raises(OutcomeUnknown, match="HTTP 502"):
        client(server, FakeSleep()).request("POST", "/notes", json={"text": "x"})


def test_error_messages_never_carry_the_secret(server: SandboxServer) -> None:
    http = client(server, FakeSleep(), auth=("qa@example.com", "s3cr3t-api-key"))
    with pytest.raises(HttpError) as caught:
        http.request("GET", "/echo-auth")
    message = str(caught.value)
    assert message.startswith("Notes GET /echo-auth: HTTP 400: bad header Basic ***")
    assert "s3cr3t" not in message
    assert caught.value.status == 400


def test_connection_refused_is_retried_then_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleep = FakeSleep()
    http = HttpClient(
        "TestRail", f"http://127.0.0.1:{port}", sleep=sleep, retry=RetryPolicy(max_attempts=3)
    )
    with pytest.raises(HttpError, match=r"gave up after 3 attempts: cannot connect"):
        http.request("POST", "/x", json={})
    assert len(sleep.calls) == 2


def test_rate_budget_spaces_requests_to_the_per_minute_limit() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    budget = RateBudget(120, clock=lambda: now[0], sleep=sleep, burst=10)
    for _ in range(130):
        budget.acquire()
    # 10 from the burst, then 2 per second: 120 more take 60 seconds.
    assert now[0] == pytest.approx(60.0, abs=0.6)
    budget.pause(5)
    before = now[0]
    budget.acquire()
    assert now[0] - before >= 5


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None


def test_redactor_masks_longest_secret_first() -> None:
    redact = Redactor(["abcd", "abcdef"])
    assert redact("x abcdef y abcd") == "x *** y ***"
