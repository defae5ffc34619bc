"""PyGithub, GitHub's most used Python client (written by no one here), against the emulator.

If PyGithub can read the repository and the pull request, page through comments and create,
edit and delete them, the emulator speaks GitHub's REST shapes closely enough to trust the tests
that use it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from github import Auth, Github, GithubException
from tmsaction.sandbox.github import DEMO_HEAD_SHA, GitHubEmulator, seed_demo

from tests.github_sandbox import Switchboard, plug, switchboard_fixture

switchboard = switchboard_fixture()  # one loopback server for the module


@pytest.fixture
def github() -> GitHubEmulator:
    return seed_demo()


def connect(url: str, token: str) -> Github:
    # No client-side throttling: the emulator is local (PyGithub waits 1 s between writes).
    return Github(
        base_url=url,
        auth=Auth.Token(token),
        per_page=100,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


@pytest.fixture
def url(github: GitHubEmulator, switchboard: tuple[Switchboard, str]) -> str:
    return plug(switchboard, github)


@pytest.fixture
def client(url: str) -> Iterator[Github]:
    gh = connect(url, "demo-token")
    yield gh
    gh.close()


def test_pygithub_reads_the_repository_and_the_pull_request(client: Github) -> None:
    repo = client.get_repo("acme/shop")
    assert repo.full_name == "acme/shop"
    assert repo.default_branch == "main"
    assert repo.private is True
    pull = repo.get_pull(7)
    assert pull.number == 7
    assert pull.state == "open"
    assert pull.head.ref == "feature/cart"
    assert pull.head.sha == DEMO_HEAD_SHA
    assert pull.base.repo.full_name == "acme/shop"
    assert [p.number for p in repo.get_pulls(state="open", head="acme:feature/cart")] == [7]
    assert [p.number for p in repo.get_commit(DEMO_HEAD_SHA).get_pulls()] == [7]


def test_pygithub_pages_creates_edits_and_deletes_comments(
    client: Github, github: GitHubEmulator
) -> None:
    for index in range(130):
        github.add_comment("acme/shop", 7, f"old {index}")
    pull = client.get_repo("acme/shop").get_pull(7)
    assert [c.body for c in pull.get_issue_comments()] == [f"old {i}" for i in range(130)]

    created = pull.create_issue_comment("<!-- tmsaction:comment key=CI/test -->\nhello")
    assert created.user.login == "github-actions[bot]"
    created.edit("<!-- tmsaction:comment key=CI/test -->\nupdated")
    stored = github.issue_comments("acme/shop", 7)
    assert len(stored) == 131
    assert stored[-1].id == created.id
    assert stored[-1].body.endswith("\nupdated")
    assert stored[-1].login == "github-actions[bot]"

    github.comments[stored[0].id].body = "changed elsewhere"
    assert pull.get_issue_comment(stored[0].id).body == "changed elsewhere"
    created.delete()
    assert [c.id for c in github.issue_comments("acme/shop", 7)][-1] == stored[-2].id


def test_pygithub_sees_permission_and_validation_errors(url: str, github: GitHubEmulator) -> None:
    fork = connect(url, "fork-token")
    pull = fork.get_repo("acme/shop").get_pull(7)
    with pytest.raises(GithubException) as denied:
        pull.create_issue_comment("from a fork")
    assert denied.value.status == 403
    assert denied.value.data["message"] == "Resource not accessible by integration"
    writer = connect(url, "demo-token")
    with pytest.raises(GithubException) as too_long:
        writer.get_repo("acme/shop").get_pull(7).create_issue_comment("x" * 65_537)
    assert too_long.value.status == 422
    fork.close()
    writer.close()
    assert github.issue_comments("acme/shop", 7) == []
