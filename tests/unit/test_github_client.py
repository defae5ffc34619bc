"""The GitHub client on the HTTP funnel against the emulator: pagination, rate limits, errors."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from tmsaction.clients.github import GitHubClient
from tmsaction.errors import HttpError, OutcomeUnknown
from tmsaction.sandbox.github import GitHubEmulator, seed_demo
from tmsaction.sandbox.server import Request, Response, matching

from tests.github_sandbox import Switchboard, plug, switchboard_fixture

switchboard = switchboard_fixture()  # one loopback server for the module

WRITE_TOKEN = "demo-token"  # seed_demo: may write to acme/shop

SECONDARY = json.dumps(
    {
        "message": "You have exceeded a secondary rate limit. Please wait a few minutes before "
        "you try again.",
        "documentation_url": "https://docs.github.com/rest",
    }
)


class Time:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def time_() -> Time:
    return Time()


@pytest.fixture
def github(time_: Time) -> GitHubEmulator:
    return seed_demo(GitHubEmulator(clock=time_.clock))


@pytest.fixture
def server(github: GitHubEmulator, switchboard: tuple[Switchboard, str]) -> str:
    return plug(switchboard, github)


def connect(server: str, time_: Time, token: str = WRITE_TOKEN) -> GitHubClient:
    return GitHubClient.connect(server, token, sleep=time_.sleep, clock=time_.clock)


def test_every_page_of_comments_is_read(server: str, github: GitHubEmulator, time_: Time) -> None:
    for index in range(250):
        github.add_comment("acme/shop", 7, f"c{index}")
    client = connect(server, time_)
    assert [c.body for c in client.issue_comments("acme/shop", 7)] == [f"c{i}" for i in range(250)]
    assert github.count("GET", "comments") == 3  # 100 per page


def test_comment_round_trip_and_error_text(
    server: str, github: GitHubEmulator, time_: Time
) -> None:
    client = connect(server, time_)
    created = client.create_issue_comment("acme/shop", 7, "hello")
    assert created.author == "github-actions[bot]"
    client.update_issue_comment("acme/shop", created.id, "bye")
    assert [c.body for c in github.issue_comments("acme/shop", 7)] == ["bye"]
    with pytest.raises(HttpError) as too_long:
        client.update_issue_comment("acme/shop", created.id, "x" * 70_000)
    assert too_long.value.status == 422
    assert str(too_long.value).endswith(
        "HTTP 422: Validation Failed: Body is too long (maximum is 65536 characters)"
    )
    assert client.delete_issue_comment("acme/shop", created.id) is True
    assert client.delete_issue_comment("acme/shop", created.id) is False
    # Writes are spaced one second apart (GitHub: "pause between mutative requests").
    assert time_.sleeps == [1.0, 1.0, 1.0, 1.0]


def test_bad_token_and_read_only_token(server: str, time_: Time) -> None:
    with pytest.raises(HttpError) as bad:
        connect(server, time_, token="wrong-token-value").get_pull("acme/shop", 7)
    assert bad.value.status == 401
    assert "Bad credentials" in str(bad.value)
    assert "wrong-token-value" not in str(bad.value)
    with pytest.raises(HttpError) as read_only:
        connect(server, time_, token="fork-token").create_issue_comment("acme/shop", 7, "x")
    assert read_only.value.status == 403
    assert "Resource not accessible by integration" in str(read_only.value)


def test_secondary_rate_limit_is_waited_out(
    server: str, github: GitHubEmulator, time_: Time
) -> None:
    github.faults.fail_next(403, retry_after=7, body=SECONDARY, match=matching("POST"))
    github.faults.fail_next(403, body=SECONDARY, match=matching("POST"))  # no Retry-After
    client = connect(server, time_)
    client.create_issue_comment("acme/shop", 7, "once")
    assert [c.body for c in github.issue_comments("acme/shop", 7)] == ["once"]
    assert 7.0 in time_.sleeps
    assert 120.0 in time_.sleeps  # one minute, doubled on the second refusal


def test_429_with_retry_after_is_waited_out(
    server: str, github: GitHubEmulator, time_: Time
) -> None:
    github.faults.fail_next(429, retry_after=3, match=matching("GET"))
    assert connect(server, time_).get_pull("acme/shop", 7).number == 7
    assert time_.sleeps == [3.0]


def test_a_spent_primary_limit_is_not_waited_for_an_hour(
    server: str, github: GitHubEmulator, time_: Time
) -> None:
    github.add_token("small", hourly_limit=1)
    client = connect(server, time_, token="small")
    client.get_pull("acme/shop", 7)
    with pytest.raises(HttpError) as spent:
        client.get_pull("acme/shop", 7)
    assert "rate limit" in str(spent.value)
    assert "would allow it again in 3601 s" in str(spent.value)
    assert time_.sleeps == []


def test_a_spent_primary_limit_resetting_soon_is_waited_for(
    server: str, github: GitHubEmulator, time_: Time
) -> None:
    github.add_token("small", hourly_limit=1)
    client = connect(server, time_, token="small")
    client.get_pull("acme/shop", 7)
    github.tokens["small"].window_start -= 3590  # the hour ends in 10 s
    time_.now = github.tokens["small"].window_start + 3590
    assert client.get_pull("acme/shop", 7).number == 7
    assert time_.sleeps == [11.0]


def test_a_lost_create_response_is_reported_as_unknown(
    server: str, github: GitHubEmulator, time_: Time
) -> None:
    github.faults.lose_next_response(match=matching("POST"))
    with pytest.raises(OutcomeUnknown):
        connect(server, time_).create_issue_comment("acme/shop", 7, "maybe")
    assert [c.body for c in github.issue_comments("acme/shop", 7)] == ["maybe"]


class LeakyLinks(GitHubEmulator):
    """Answers with a next-page link to another host, as a hostile proxy might."""

    def handle(self, request: Request) -> Response:
        response = super().handle(request)
        response.headers["Link"] = '<http://203.0.113.9/steal?page=2>; rel="next"'
        return response


def test_pagination_never_follows_a_link_to_another_host(
    time_: Time, switchboard: tuple[Switchboard, str]
) -> None:
    client = connect(plug(switchboard, seed_demo(LeakyLinks())), time_)
    with pytest.raises(HttpError) as refused:
        list(client.issue_comments("acme/shop", 7))
    assert "refusing to send the token there" in str(refused.value)


def test_pull_lookups_runs_and_artifacts(server: str, github: GitHubEmulator, time_: Time) -> None:
    client = connect(server, time_)
    assert [p.number for p in client.open_pulls("acme/shop", head="acme:feature/cart")] == [7]
    assert client.open_pulls("acme/shop", head="acme:other") == []
    pull = client.pulls_for_commit("acme/shop", github.repo("acme/shop").pulls[7].head_sha)[0]
    assert (pull.number, pull.head_ref, pull.head_repo) == (7, "feature/cart", "acme/shop")
    workflow = next(iter(github.repo("acme/shop").actions.workflows.values()))
    run = next(client.workflow_runs("acme/shop", "ci.yml", branch="main", status="success"))
    assert run.workflow_id == workflow.id
    assert client.workflow_run("acme/shop", run.id).head_branch == "main"
    github.actions.add_artifact("acme/shop", run.id, "results", {"r.json": b"{}"})
    artifacts = client.run_artifacts("acme/shop", run.id, name="results")
    assert [a.name for a in artifacts] == ["results"]
    archive = client.download_artifact("acme/shop", artifacts[0].id)
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.read("r.json") == b"{}"
