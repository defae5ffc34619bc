"""Every TestRail problem a user can meet, through `main()`: one line saying what and how to fix,
the results kept as unsent in results_json and listed in the summary, the exit code following
`fail_on`, the API key nowhere, and whatever can still be sent, sent."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from tmsaction.render.escape import inline
from tmsaction.sandbox.testrail import DEMO_API_KEY, TestRailEmulator, seed_demo

from tests.testrail_support import serve
from tests.testrail_sync_support import Case, Run, posts, run_action, workspace

TESTS = [Case("addsItem", case_id=101), Case("merges", case_id=102, failure="boom")]


def assert_unsent_everywhere(run: Run, message: str) -> None:
    """The one message, in the log, the summary and each test's results_json entry."""
    assert run.code == 1, run.log
    assert f"::warning title=TestRail::{message}" in run.log
    assert inline(message, 500) in run.summary  # escaped for Markdown, as every untrusted text
    for name in ("addsItem", "merges"):
        assert run.sync(name) == {
            "status": "unsent",
            "case_id": None,
            "run_id": None,
            "test_id": None,
            "result_id": None,
            "error": message,
        }
    assert "(2 test results not sent)" in run.summary
    assert DEMO_API_KEY not in run.log + run.summary + str(run.results)


def test_a_wrong_url(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"TEST-x.xml": TESTS})
    emulator = seed_demo(TestRailEmulator(path_prefix="/testrail"))
    with serve(emulator) as (_, url):
        run = run_action(root, url + "/qa")
    assert_unsent_everywhere(
        run,
        f"No TestRail API at {url}/qa (HTTP 404 for index.php?/api/v2/get_projects) while listing "
        "projects: set testrail_url to the address TestRail opens at, e.g. "
        "https://acme.testrail.io, without /index.php, using https://.",
    )


def test_bad_credentials(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"TEST-x.xml": TESTS})
    with serve() as (emulator, url):
        run = run_action(root, url, testrail_api_key="not-the-key")
        written = posts(emulator)
    assert written == []
    assert_unsent_everywhere(
        run,
        "TestRail rejected the credentials of user 'demo@example.com' (HTTP 401) while listing "
        "projects: set testrail_user to the TestRail login email and testrail_api_key to an API "
        'key from My Settings → API Keys (click "Save Settings" after adding the key).',
    )
    assert "not-the-key" not in run.log + run.summary


def test_an_unreachable_server(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = workspace(tmp_path / "ws", {"TEST-x.xml": TESTS})
    run = run_action(root, f"http://127.0.0.1:{port}")
    assert run.code == 1
    message = run.sync("addsItem")["error"]
    assert message.startswith(f"TestRail at http://127.0.0.1:{port} could not be reached while ")
    assert message.endswith(
        "Check testrail_url and that this runner can reach it (proxy, VPN, firewall)."
    )


def test_a_missing_project_names_the_close_ones(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"TEST-x.xml": TESTS})
    with serve() as (_, url):
        run = run_action(root, url, testrail_project="Shopp")
    assert_unsent_everywhere(
        run,
        "TestRail project 'Shopp' was not found among the projects user 'demo@example.com' can "
        "see; did you mean 'Shop'? Known: 'Shop', 'Legacy'. Set testrail_project to one of them "
        "(name or id).",
    )


def test_a_missing_suite_names_the_close_ones(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"TEST-x.xml": TESTS})
    with serve() as (_, url):
        run = run_action(root, url, testrail_suite="Backendd")
    assert_unsent_everywhere(
        run,
        "TestRail suite 'Backendd' was not found in project 'Shop'; did you mean 'Backend'? "
        "Known: 'Backend', 'Web'. Set testrail_suite to one of them.",
    )


def test_an_unknown_run_id(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"TEST-x.xml": TESTS})
    with serve() as (_, url):
        run = run_action(root, url, testrail_run_id="999")
    assert_unsent_everywhere(
        run,
        "TestRail run R999 does not exist or this user cannot see it: check testrail_run_id.",
    )


def test_an_unknown_case_id_is_unsent_and_the_others_are_sent(tmp_path: Path) -> None:
    root = workspace(
        tmp_path / "ws", {"TEST-x.xml": [*TESTS, Case("ghost", case_id=999, failure="x")]}
    )
    with serve() as (emulator, url):
        strict = run_action(root, url)
        relaxed = run_action(root, url, fail_on="nothing", env={"GITHUB_RUN_ATTEMPT": "2"})
        [tr_run] = emulator.runs()
        results = emulator.results(tr_run["id"])
    message = (
        "TestRail case C999 does not exist in Shop › Backend (or is in another suite): fix or "
        "remove the case id in the test or the mapping config"
    )
    assert (strict.code, relaxed.code) == (1, 0)
    assert strict.sync("ghost")["status"] == "unsent"
    assert strict.sync("ghost")["error"] == message
    assert strict.sync("merges")["status"] == "sent"
    assert len(results) == 2
    assert f"| com.acme.shop.CartTest › ghost | {message} |" in strict.summary


def test_missing_credentials(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"TEST-x.xml": TESTS})
    with serve() as (emulator, url):
        real = run_action(root, url, testrail_api_key="")
        dry = run_action(root, url, testrail_api_key="", dry_run="true")
        requests = list(emulator.requests)
    assert requests == []
    assert real.code == 1
    assert real.sync("addsItem")["error"].startswith(
        "testrail_url is set but testrail_user or testrail_api_key is empty"
    )
    # A dry run without credentials (a pull request from a fork) plans from the reports alone.
    assert dry.code == 0, dry.log
    assert "sync" not in dry.results["tests"][0]


@pytest.mark.parametrize("fail_on", ["sync-errors", "nothing"])
def test_the_exit_code_follows_fail_on(tmp_path: Path, fail_on: str) -> None:
    root = workspace(tmp_path / "ws", {"TEST-x.xml": TESTS})
    with serve() as (_, url):
        run = run_action(root, url, testrail_project="Nope", fail_on=fail_on)
    assert run.code == (1 if fail_on == "sync-errors" else 0)
    assert run.sync("addsItem")["status"] == "unsent"
