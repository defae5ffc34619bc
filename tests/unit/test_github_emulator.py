"""The GitHub emulator over real HTTP on loopback: auth, permissions, pagination, limits, actions."""

from __future__ import annotations

import io
import zipfile

import pytest
import requests
from requests.utils import parse_header_links
from tmsaction.sandbox.github import (
    DEMO_BASE_SHA,
    DEMO_HEAD_SHA,
    MAX_COMMENT,
    GitHubEmulator,
    seed_demo,
)
from tmsaction.sandbox.server import RateLimit

from tests.github_sandbox import Switchboard, plug, switchboard_fixture

switchboard = switchboard_fixture()  # one loopback server for the module

WRITE_TOKEN = "demo-token"  # seed_demo: may write to acme/shop


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def github(clock: FakeClock) -> GitHubEmulator:
    return seed_demo(GitHubEmulator(clock=clock))


@pytest.fixture
def url(github: GitHubEmulator, switchboard: tuple[Switchboard, str]) -> str:
    return plug(switchboard, github)


def auth(token: str = WRITE_TOKEN, scheme: str = "Bearer") -> dict[str, str]:
    return {"Authorization": f"{scheme} {token}", "Accept": "application/vnd.github+json"}


def test_token_schemes_bad_credentials_and_hidden_private_repos(url: str) -> None:
    for scheme in ("token", "Bearer"):
        answer = requests.get(f"{url}/repos/acme/shop", headers=auth(scheme=scheme), timeout=5)
        assert answer.status_code == 200
        assert answer.json()["full_name"] == "acme/shop"
        assert answer.json()["url"] == f"{url}/repos/acme/shop"
    bad = requests.get(f"{url}/repos/acme/shop", headers=auth("nope"), timeout=5)
    assert bad.status_code == 401
    assert bad.json()["message"] == "Bad credentials"
    anonymous = requests.get(f"{url}/repos/acme/shop", timeout=5)
    assert anonymous.status_code == 404  # GitHub hides private repositories
    unknown_pull = requests.get(f"{url}/repos/acme/shop/pulls/99", headers=auth(), timeout=5)
    assert unknown_pull.status_code == 404
    assert unknown_pull.json()["message"] == "Not Found"


def test_read_only_token_reads_but_cannot_write(url: str, github: GitHubEmulator) -> None:
    comments = f"{url}/repos/acme/shop/issues/7/comments"
    assert requests.get(comments, headers=auth("fork-token"), timeout=5).status_code == 200
    denied = requests.post(comments, json={"body": "x"}, headers=auth("fork-token"), timeout=5)
    assert denied.status_code == 403
    assert denied.json()["message"] == "Resource not accessible by integration"
    anonymous = requests.post(comments, json={"body": "x"}, timeout=5)
    assert anonymous.status_code == 401
    assert github.issue_comments("acme/shop", 7) == []


def test_create_update_delete_a_comment(url: str, github: GitHubEmulator) -> None:
    created = requests.post(
        f"{url}/repos/acme/shop/issues/7/comments",
        json={"body": "first"},
        headers=auth(),
        timeout=5,
    )
    assert created.status_code == 201
    comment = created.json()
    assert comment["user"]["login"] == "github-actions[bot]"
    assert comment["user"]["type"] == "Bot"
    assert created.headers["Location"] == comment["url"]
    edited = requests.patch(comment["url"], json={"body": "second"}, headers=auth(), timeout=5)
    assert edited.status_code == 200
    assert [c.body for c in github.issue_comments("acme/shop", 7)] == ["second"]
    assert requests.delete(comment["url"], headers=auth(), timeout=5).status_code == 204
    assert requests.delete(comment["url"], headers=auth(), timeout=5).status_code == 404
    assert github.issue_comments("acme/shop", 7) == []


def test_a_body_over_65536_characters_is_rejected_as_github_does(
    url: str, github: GitHubEmulator
) -> None:
    comments = f"{url}/repos/acme/shop/issues/7/comments"
    fits = requests.post(comments, json={"body": "é" * MAX_COMMENT}, headers=auth(), timeout=5)
    assert fits.status_code == 201  # characters, not bytes
    too_long = requests.post(
        comments, json={"body": "x" * (MAX_COMMENT + 1)}, headers=auth(), timeout=5
    )
    assert too_long.status_code == 422
    assert too_long.json()["message"] == "Validation Failed"
    assert too_long.json()["errors"] == [
        {
            "resource": "IssueComment",
            "code": "unprocessable",
            "field": "data",
            "message": "Body is too long (maximum is 65536 characters)",
        }
    ]
    missing = requests.post(comments, json={"text": "x"}, headers=auth(), timeout=5)
    assert missing.status_code == 422
    assert len(github.issue_comments("acme/shop", 7)) == 1


def test_comments_paginate_with_link_headers(url: str, github: GitHubEmulator) -> None:
    for index in range(250):
        github.add_comment("acme/shop", 7, f"comment {index}")
    first = requests.get(
        f"{url}/repos/acme/shop/issues/7/comments",
        params={"per_page": 500},  # capped at 100
        headers=auth(),
        timeout=5,
    )
    assert len(first.json()) == 100
    links = {link["rel"]: link["url"] for link in parse_header_links(first.headers["Link"])}
    assert set(links) == {"next", "last"}
    assert links["last"].endswith("page=3")
    bodies = [c["body"] for c in first.json()]
    next_url: str | None = links["next"]
    while next_url:
        answer = requests.get(next_url, headers=auth(), timeout=5)
        bodies += [c["body"] for c in answer.json()]
        found = {link["rel"]: link["url"] for link in parse_header_links(answer.headers["Link"])}
        assert "prev" in found
        assert "first" in found
        next_url = found.get("next")
    assert bodies == [f"comment {i}" for i in range(250)]


def test_pull_lookups_by_head_and_by_commit(url: str, github: GitHubEmulator) -> None:
    github.add_pull("acme/shop", 8, head_ref="fix", head_sha="ab" * 20, head_repo="someone/shop")
    pull = requests.get(f"{url}/repos/acme/shop/pulls/7", headers=auth(), timeout=5).json()
    assert pull["head"]["sha"] == DEMO_HEAD_SHA
    assert pull["head"]["label"] == "acme:feature/cart"
    by_head = requests.get(
        f"{url}/repos/acme/shop/pulls",
        params={"state": "open", "head": "someone:fix"},
        headers=auth(),
        timeout=5,
    ).json()
    assert [p["number"] for p in by_head] == [8]
    assert by_head[0]["head"]["repo"]["fork"] is True
    by_commit = requests.get(
        f"{url}/repos/acme/shop/commits/{DEMO_HEAD_SHA}/pulls", headers=auth(), timeout=5
    ).json()
    assert [p["number"] for p in by_commit] == [7]
    github.push("acme/shop", 7, "cd" * 20)
    older = requests.get(
        f"{url}/repos/acme/shop/commits/{DEMO_HEAD_SHA}/pulls", headers=auth(), timeout=5
    ).json()
    assert older[0]["head"]["sha"] == "cd" * 20  # still listed, with its new head


def test_rate_limit_headers_and_the_primary_limit(
    url: str, github: GitHubEmulator, clock: FakeClock
) -> None:
    github.add_token("small", hourly_limit=2)
    first = requests.get(f"{url}/repos/acme/shop", headers=auth("small"), timeout=5)
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert first.headers["X-RateLimit-Reset"] == str(int(clock.now + 3600))
    requests.get(f"{url}/repos/acme/shop", headers=auth("small"), timeout=5)
    spent = requests.get(f"{url}/repos/acme/shop", headers=auth("small"), timeout=5)
    assert spent.status_code == 403
    assert spent.headers["X-RateLimit-Remaining"] == "0"
    assert spent.json()["message"].startswith("API rate limit exceeded")
    clock.now += 3600
    assert requests.get(f"{url}/repos/acme/shop", headers=auth("small"), timeout=5).ok


def test_secondary_limit_on_content_creation(url: str, github: GitHubEmulator) -> None:
    github.write_limit = RateLimit(1, window=60.0)
    comments = f"{url}/repos/acme/shop/issues/7/comments"
    assert requests.post(comments, json={"body": "a"}, headers=auth(), timeout=5).status_code == 201
    refused = requests.post(comments, json={"body": "b"}, headers=auth(), timeout=5)
    assert refused.status_code == 403
    assert "secondary rate limit" in refused.json()["message"]
    assert int(refused.headers["Retry-After"]) >= 1
    assert requests.get(comments, headers=auth(), timeout=5).ok  # reads are not limited
    github.secondary_status = 429
    also = requests.post(comments, json={"body": "c"}, headers=auth(), timeout=5)
    assert also.status_code == 429
    assert "Retry-After" in also.headers
    assert len(github.issue_comments("acme/shop", 7)) == 1


def test_workflow_runs_artifacts_and_the_zip_download(url: str, github: GitHubEmulator) -> None:
    repo = github.repo("acme/shop")
    workflow = next(iter(repo.actions.workflows.values()))
    failed = github.actions.add_run(
        "acme/shop", workflow.id, head_branch="main", head_sha="ee" * 20, conclusion="failure"
    )
    github.actions.add_run("acme/shop", workflow.id, head_branch="feature/cart", head_sha="ff" * 20)
    artifact = github.actions.add_artifact(
        "acme/shop", failed.id, "tmsaction-results", {"tmsaction-results.json": b'{"version":1}'}
    )
    runs = requests.get(
        f"{url}/repos/acme/shop/actions/workflows/ci.yml/runs",
        params={"branch": "main", "status": "completed"},
        headers=auth(),
        timeout=5,
    ).json()
    assert runs["total_count"] == 2
    assert [r["head_sha"] for r in runs["workflow_runs"]] == ["ee" * 20, DEMO_BASE_SHA]
    only_failures = requests.get(
        f"{url}/repos/acme/shop/actions/workflows/{workflow.id}/runs",
        params={"status": "failure"},
        headers=auth(),
        timeout=5,
    ).json()
    assert [r["id"] for r in only_failures["workflow_runs"]] == [failed.id]
    listed = requests.get(
        f"{url}/repos/acme/shop/actions/runs/{failed.id}/artifacts", headers=auth(), timeout=5
    ).json()
    assert [a["name"] for a in listed["artifacts"]] == ["tmsaction-results"]
    redirect = requests.get(
        listed["artifacts"][0]["archive_download_url"],
        headers=auth(),
        allow_redirects=False,
        timeout=5,
    )
    assert redirect.status_code == 302
    blob = requests.get(redirect.headers["Location"], timeout=5)  # no token needed
    with zipfile.ZipFile(io.BytesIO(blob.content)) as archive:
        assert archive.read("tmsaction-results.json") == b'{"version":1}'
    forged = requests.get(f"{url}/_blobs/artifacts/{artifact.id}?sig=0", timeout=5)
    assert forged.status_code == 403
    artifact.expired = True
    gone = requests.get(listed["artifacts"][0]["archive_download_url"], headers=auth(), timeout=5)
    assert gone.status_code == 410
