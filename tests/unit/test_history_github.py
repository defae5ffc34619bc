"""The previous run from GitHub against the GitHub emulator on loopback: the newest completed
run of the workflow on the branch and its `tmsaction-results` artifact; and every way that can be
missing (no run, no artifact, expired, 403, too large, corrupt, no results file inside)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from tmsaction.clients.github import GitHubClient
from tmsaction.history.github import (
    ARTIFACT_NAME,
    MAX_RUNS_CHECKED,
    read_previous_from_github,
    workflow_file,
)
from tmsaction.history.model import NoHistory, PreviousResults
from tmsaction.inputs import RunContext
from tmsaction.model import Outcome
from tmsaction.sandbox.github import GitHubEmulator, seed_demo
from tmsaction.sandbox.github_actions import zip_files
from tmsaction.sandbox.github_state import WorkflowRun
from tmsaction.sandbox.server import matching

from tests.github_sandbox import Switchboard, plug, switchboard_fixture
from tests.history_support import results_json

switchboard = switchboard_fixture()

REPO = "acme/shop"
P, F = Outcome.PASSED, Outcome.FAILED
PREVIOUS = [("Cart", "adds", F), ("Cart", "totals", P)]


class World:
    """The demo GitHub with the CI workflow, and a client on it."""

    def __init__(self, github: GitHubEmulator, url: str) -> None:
        self.github = github
        self.url = url
        self.workflow = next(iter(github.repo(REPO).actions.workflows.values()))

    def run(self, branch: str = "main", *, status: str = "completed", **extra: str) -> WorkflowRun:
        return self.github.actions.add_run(
            REPO,
            self.workflow.id,
            head_branch=branch,
            head_sha=extra.get("sha", "b" * 40),
            status=status,
            conclusion=extra.get("conclusion", "success"),
        )

    def keep(self, run: WorkflowRun, tests: list[tuple[str, str, Outcome]] = PREVIOUS) -> None:
        self.github.actions.add_artifact(
            REPO, run.id, ARTIFACT_NAME, {"tmsaction-results.json": results_json(tests)}
        )

    def read(self, current: WorkflowRun, branch: str = "main", **options: int) -> object:
        client = GitHubClient.connect(self.url, "demo-token", sleep=lambda _s: None)
        context = RunContext(
            workspace=Path("/ws"), repository=REPO, run_id=str(current.id), workflow="CI"
        )
        try:
            return read_previous_from_github(
                client, context, branch=branch, workflow="ci.yml", **options
            )
        finally:
            client.close()


@pytest.fixture
def world(switchboard: tuple[Switchboard, str]) -> World:
    github = seed_demo()
    return World(github, plug(switchboard, github))


def note(found: object) -> str:
    assert isinstance(found, NoHistory), found
    return found.note


def test_the_newest_earlier_run_on_the_branch_with_its_results(world: World) -> None:
    older = world.run()
    world.keep(older, [("Cart", "old", P)])
    wanted = world.run(sha="c" * 40)
    world.keep(wanted)
    world.keep(world.run("feature/x"))  # another branch
    failed = world.run(conclusion="failure")  # a red run is a previous run too
    world.keep(failed, [("Cart", "failing run", F)])
    current = world.run(status="in_progress")
    world.keep(world.run())  # a later run, finished before this one: not "previous"
    found = world.read(current)
    assert isinstance(found, PreviousResults)
    assert sorted(k.rsplit("\x1f", 1)[-1] for k in found.side.outcomes) == ["failing run"]
    # Without the red run: the newest earlier one on main with an artifact.
    world.github.repo(REPO).actions.runs.pop(failed.id)
    found = world.read(current)
    assert isinstance(found, PreviousResults)
    assert found.run.label == f"CI #{wanted.run_number} on main"
    assert (
        found.run.url == found.run.run_url == f"https://github.com/{REPO}/actions/runs/{wanted.id}"
    )
    assert (found.run.source, found.run.branch, found.run.sha) == ("github", "main", "c" * 40)
    assert found.side.kind == "test"
    assert sorted(found.side.outcomes.values()) == sorted([F, P])


def test_this_run_itself_and_reruns_of_it_are_not_the_previous_run(world: World) -> None:
    world.keep(world.run())
    current = world.run()  # completed, with its own artifact (a rerun attempt of this run)
    world.keep(current, [("Cart", "this run", F)])
    found = world.read(current)
    assert isinstance(found, PreviousResults)
    assert all("this run" not in key for key in found.side.outcomes)


def test_a_run_without_the_artifact_is_skipped_for_an_older_one(world: World) -> None:
    kept = world.run()
    world.keep(kept)
    world.run()  # failed before the upload step
    found = world.read(world.run(status="in_progress"))
    assert isinstance(found, PreviousResults)
    assert found.run.url is not None
    assert found.run.url.endswith(f"/{kept.id}")


def test_no_artifact_in_the_last_runs(world: World) -> None:
    world.keep(world.run())
    for _ in range(MAX_RUNS_CHECKED):
        world.run()
    text = note(world.read(world.run(status="in_progress")))
    assert f"The last {MAX_RUNS_CHECKED} runs of CI on main kept no tmsaction-results" in text
    assert "add the upload step" in text


def test_no_earlier_run_at_all(world: World) -> None:
    text = note(world.read(world.run(status="in_progress"), branch="release/2"))
    assert text == "No earlier completed run of CI on release/2 to compare with."


def test_no_artifact_in_any_earlier_run(world: World) -> None:
    world.run()
    text = note(world.read(world.run(status="in_progress")))
    assert "The earlier runs of CI on main kept no tmsaction-results artifact" in text


def test_an_expired_artifact(world: World) -> None:
    previous = world.run()
    world.github.actions.add_artifact(
        REPO, previous.id, ARTIFACT_NAME, {"tmsaction-results.json": b"{}"}, expired=True
    )
    text = note(world.read(world.run(status="in_progress")))
    assert "has expired (artifact retention)" in text
    assert f"CI #{previous.run_number} on main" in text


def test_an_artifact_that_expires_between_listing_and_download(world: World) -> None:
    world.keep(world.run())
    world.github.faults.fail_next(
        410, body='{"message": "Artifact has expired"}', match=matching("GET", r"/zip\?")
    )
    assert "has expired" in note(world.read(world.run(status="in_progress")))


def test_forbidden_says_which_permission_to_add(world: World) -> None:
    world.keep(world.run())
    world.github.faults.fail_next(
        403,
        body='{"message": "Resource not accessible by integration"}',
        match=matching("GET", r"/actions/workflows/"),
    )
    text = note(world.read(world.run(status="in_progress")))
    assert "(403)" in text
    assert "the permission actions: read" in text


def test_an_unknown_workflow_is_no_history(world: World) -> None:
    client = GitHubClient.connect(world.url, "demo-token", sleep=lambda _s: None)
    context = RunContext(workspace=Path("/ws"), repository=REPO, run_id="424242", workflow="CI")
    found = read_previous_from_github(client, context, branch="main", workflow="nope.yml")
    assert "(404)" in note(found)
    # Without the workflow file, this run's own record names the workflow: unknown run, 404.
    assert "(404)" in note(read_previous_from_github(client, context, branch="main"))
    client.close()


def test_the_workflow_is_found_from_this_runs_own_record(world: World) -> None:
    world.keep(world.run())
    current = world.run(status="in_progress")
    client = GitHubClient.connect(world.url, "demo-token", sleep=lambda _s: None)
    context = RunContext(workspace=Path("/ws"), repository=REPO, run_id=str(current.id))
    found = read_previous_from_github(client, context, branch="main")
    client.close()
    assert isinstance(found, PreviousResults)
    assert world.github.count("GET", "workflow_run") == 1


def test_too_large_archives_and_results_files_are_not_read(world: World) -> None:
    world.keep(world.run())
    current = world.run(status="in_progress")
    text = note(world.read(current, max_archive_bytes=100))
    assert "more than the 100 tmsaction reads" in text
    assert world.github.count("GET", "artifact_download") == 0  # the listing's size was enough
    text = note(world.read(current, max_results_bytes=100))
    assert "tmsaction-results.json is" in text
    assert "more than the 100 tmsaction reads" in text


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (None, "could not be read (not a valid zip archive)"),
        (
            {"a.json": b"{}", "b.json": b"{}"},
            "could not be read (it holds no tmsaction-results.json)",
        ),
        ({"tmsaction-results.json": b"<html>"}, "could not be read (it is not JSON)"),
        (
            {"tmsaction-results.json": b'{"version": 9, "tests": []}'},
            "could not be read (it has format version 9; this tmsaction reads version 1)",
        ),
    ],
)
def test_corrupt_archives_and_unreadable_results(
    world: World, files: dict[str, bytes] | None, expected: str
) -> None:
    previous = world.run()
    artifact = world.github.actions.add_artifact(REPO, previous.id, ARTIFACT_NAME, files or {})
    if files is None:
        artifact.data = b"PK\x03\x04 this is not a zip archive"
    assert expected in note(world.read(world.run(status="in_progress")))


def test_the_results_file_may_sit_in_a_folder_or_be_the_only_json(world: World) -> None:
    previous = world.run()
    data = results_json(PREVIOUS)
    world.github.actions.add_artifact(
        REPO, previous.id, ARTIFACT_NAME, {"out/tmsaction-results.json": data, "log.txt": b"x"}
    )
    assert isinstance(world.read(world.run(status="in_progress")), PreviousResults)
    other = world.run()
    world.github.actions.add_artifact(REPO, other.id, ARTIFACT_NAME, {"results.json": data})
    assert isinstance(world.read(world.run(status="in_progress")), PreviousResults)


def test_a_zip_entry_cannot_lie_about_its_size(world: World) -> None:
    """An archive claiming its 50,000-byte file holds 10 bytes passes the size check, and is
    then read no further than 10 bytes: zipfile stops there and finds the CRC wrong."""
    data = bytearray(zip_files({"tmsaction-results.json": b" " * 50_000}))
    struct.pack_into("<I", data, data.index(b"PK\x01\x02") + 24, 10)  # central directory
    struct.pack_into("<I", data, data.index(b"PK\x03\x04") + 22, 10)  # local header
    previous = world.run()
    artifact = world.github.actions.add_artifact(REPO, previous.id, ARTIFACT_NAME, {})
    artifact.data = bytes(data)
    text = note(world.read(world.run(status="in_progress"), max_results_bytes=1000))
    assert "could not be read (not a valid zip archive)" in text


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("acme/shop/.github/workflows/ci.yml@refs/heads/main", "ci.yml"),
        ("acme/shop/.github/workflows/nightly tests.yaml@refs/pull/7/merge", "nightly tests.yaml"),
        ("", None),
        ("acme/shop/ci.yml@refs/heads/main", None),
    ],
)
def test_the_workflow_file_from_github_workflow_ref(ref: str, expected: str | None) -> None:
    assert workflow_file(ref) == expected
