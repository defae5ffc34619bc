"""All three sinks together against the sandbox: the order that lets each link to the other, and
the isolation that keeps one outage from costing the others' work."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tmsaction.__main__ import main
from tmsaction.pipeline import Services
from tmsaction.sandbox.server import matching
from tmsaction.sandbox.world import PULL_NUMBER, REPOSITORY, SandboxWorld

from tests.conftest import ROOT

NO_WAIT = Services(sleep=lambda _seconds: None)
FAILING = {
    "com.acme.shop.CartTest › appliesPercentageDiscount",
    "com.acme.shop.CheckoutTest › guestCheckoutCreatesOrder",
    "Checkout › An expired card is declined",
}


@dataclass
class Run:
    code: int
    log: str
    summary: str
    results: dict[str, object]


@pytest.fixture
def world() -> Iterator[SandboxWorld]:
    with SandboxWorld() as running:
        yield running


def run_action(world: SandboxWorld, workspace: Path, attempt: str = "1") -> Run:
    if not workspace.exists():
        shutil.copytree(ROOT / "examples", workspace)
    env = world.action_env(
        workspace,
        run_attempt=attempt,
        inputs={
            "reports": "reports/**/*.xml\nreports/**/*.json",
            "config": ".github/tmsaction.yml",
            "testrail_create_cases": "true",
            "jira_create_defects": "true",
            "fail_on": "sync-errors",
        },
    )
    Path(env["GITHUB_STEP_SUMMARY"]).write_text("", encoding="utf-8")
    out = io.StringIO()
    code = main([], env, stdout=out, cwd=workspace, services=NO_WAIT)
    results = json.loads((workspace / "tmsaction-results.json").read_text(encoding="utf-8"))
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    return Run(code, out.getvalue(), summary, results)


def display(test: dict[str, object]) -> str:
    owner = test["classname"] or (test["suite"][-1] if test["suite"] else "")  # type: ignore[index]
    return f"{owner} › {test['name']}"


def by_name(run: Run) -> dict[str, dict[str, object]]:
    return {display(test): test for test in run.results["tests"]}  # type: ignore[attr-defined]


def test_defect_keys_reach_testrail_and_testrail_tests_reach_the_defects(
    world: SandboxWorld, tmp_path: Path
) -> None:
    run = run_action(world, tmp_path / "ws")
    assert run.code == 0, run.log
    tests = by_name(run)
    results = {
        int(str(result["test_id"])): result
        for tr_run in world.testrail.runs()
        for result in world.testrail.results(int(str(tr_run["id"])))
    }
    for name in FAILING:
        sync = tests[name]["sync"]
        defect = sync["jira"]["defect"]  # type: ignore[index]
        testrail = sync["testrail"]  # type: ignore[index]
        # The TestRail result of this failure names its Jira defect ...
        assert results[testrail["test_id"]]["defects"] == defect
        # ... and the defect links back to that TestRail test and to the workflow run.
        links = {link.object["url"] for link in world.jira.issue(defect).remote_links}
        assert links == {
            f"{world.url('testrail')}/index.php?/tests/view/{testrail['test_id']}",
            f"https://github.com/{REPOSITORY}/actions/runs/8675309",
        }
    passing = [r for r in results.values() if r.get("defects")]
    assert len(passing) == len(FAILING)  # no defect keys on passing results
    # The screenshot the failing Surefire test names ([[ATTACHMENT|...]]) is on its result.
    discount = tests["com.acme.shop.CartTest › appliesPercentageDiscount"]["sync"]["testrail"]  # type: ignore[index]
    [attachment] = results[discount["test_id"]]["attachment_ids"]
    record, content = world.testrail.attachment(attachment)
    screenshot = ROOT / "examples" / "target" / "screenshots" / "appliesPercentageDiscount.png"
    assert (record["name"], content) == (screenshot.name, screenshot.read_bytes())
    assert len(world.github.issue_comments(REPOSITORY, PULL_NUMBER)) == 1


def test_a_rerun_of_the_workflow_run_duplicates_nothing(
    world: SandboxWorld, tmp_path: Path
) -> None:
    first = run_action(world, tmp_path / "ws")
    runs = [r["id"] for r in world.testrail.runs()]
    results = sum(len(world.testrail.results(int(str(r)))) for r in runs)
    issues = [issue.key for issue in world.jira.issues("SHOP")]
    second = run_action(world, tmp_path / "ws", attempt="2")
    assert (first.code, second.code) == (0, 0), second.log
    assert [r["id"] for r in world.testrail.runs()] == runs
    assert sum(len(world.testrail.results(int(str(r)))) for r in runs) == results == 17
    assert [issue.key for issue in world.jira.issues("SHOP")] == issues
    assert len(world.github.issue_comments(REPOSITORY, PULL_NUMBER)) == 1


def test_a_jira_outage_keeps_testrail_the_summary_and_the_comment(
    world: SandboxWorld, tmp_path: Path
) -> None:
    world.jira.faults.fail_next(503, body='{"errorMessages":["down"]}', times=10_000)
    run = run_action(world, tmp_path / "ws")
    assert run.code == 1  # fail_on: sync-errors
    results = [
        result
        for tr_run in world.testrail.runs()
        for result in world.testrail.results(int(str(tr_run["id"])))
    ]
    assert len(results) == 17
    assert not any(result.get("defects") for result in results)
    assert "jira" in run.summary.lower()
    assert "17 tests" in run.summary
    assert len(world.github.issue_comments(REPOSITORY, PULL_NUMBER)) == 1


def test_a_testrail_outage_keeps_jira_the_summary_and_the_comment(
    world: SandboxWorld, tmp_path: Path
) -> None:
    world.testrail.faults.fail_next(
        503, match=matching(path="api/v2"), body='{"error":"down"}', times=10_000
    )
    run = run_action(world, tmp_path / "ws")
    assert run.code == 1
    assert world.testrail.runs() == []
    created = [issue for issue in world.jira.issues("SHOP") if "tmsaction" in issue.labels]
    assert {issue.fields["summary"].split(": ", 1)[1] for issue in created} == FAILING
    for issue in created:  # linked to the workflow run only: there is no TestRail test
        assert [link.object["url"] for link in issue.remote_links] == [
            f"https://github.com/{REPOSITORY}/actions/runs/8675309"
        ]
    unsent = [t for t in run.results["tests"] if t["sync"]["testrail"]["status"] == "unsent"]  # type: ignore[attr-defined]
    assert len(unsent) == 17  # kept in results_json, listed in the summary
    assert "testrail" in run.summary.lower()
    assert len(world.github.issue_comments(REPOSITORY, PULL_NUMBER)) == 1


def test_make_demo_syncs_everything_and_its_rerun_creates_nothing() -> None:
    out = io.StringIO()
    assert main(["demo"], {}, stdout=out, services=NO_WAIT) == 0, out.getvalue()
    text = out.getvalue()
    first, rerun = text.split("── a re-run of the same workflow run", 1)
    assert 'TestRail  run R1 "Shop CI #42' in first
    assert "7 cases created" in first
    assert first.count("Jira      SHOP-") == 3
    assert "PR comment on acme/shop#7 created" in first
    assert "TestRail  no new run; results 17 → 17" in rerun
    assert "Jira      no new issue" in rerun
    assert "updated in place (1 comment on the PR)" in rerun
