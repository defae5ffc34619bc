"""What changed, end to end: `main()` with a dict environment against the GitHub and TestRail
emulators on loopback. A first run says there is nothing to compare with; the next run on a pull
request shows new failures and fixed tests in the summary and the comment, from the previous
run's `tmsaction-results` artifact or from its TestRail run; history is only ever read."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from tmsaction.__main__ import main
from tmsaction.clients.testrail import TestRailClient
from tmsaction.history.github import ARTIFACT_NAME
from tmsaction.pipeline import RESULTS_JSON_NAME, Services
from tmsaction.runmarker import RunMarker
from tmsaction.sandbox.github import DEMO_HEAD_SHA, GitHubEmulator, seed_demo
from tmsaction.sandbox.github_state import WorkflowRun
from tmsaction.sandbox.testrail import DEMO_API_KEY, DEMO_USER

from tests.github_sandbox import Switchboard, plug, switchboard_fixture
from tests.testrail_support import serve

switchboard = switchboard_fixture()
REPO = "acme/shop"
NO_WAIT = Services(sleep=lambda _seconds: None)
Test = tuple[str, str | None, str | None]  # name, failure message (None: passed), case id


def junit(tests: list[Test]) -> str:
    cases = []
    for name, failure, case in tests:
        props = (
            f"<properties><property name='test_id' value='{case}'/></properties>" if case else ""
        )
        fail = f"<failure message={quoteattr(failure)}>trace</failure>" if failure else ""
        cases.append(
            f"<testcase classname='com.acme.Cart' name={quoteattr(name)}>{props}{fail}</testcase>"
        )
    return f"<testsuite name='Cart' tests='{len(tests)}'>{''.join(cases)}</testsuite>"


@dataclass
class Run:
    code: int
    log: str
    summary: str
    workspace: Path


class Workflow:
    """Runs tmsaction as one GitHub workflow (CI, ci.yml) of acme/shop would, run after run."""

    def __init__(self, tmp: Path, github: GitHubEmulator, api_url: str) -> None:
        self.tmp = tmp
        self.github = github
        self.api_url = api_url
        self.workflow = next(iter(github.repo(REPO).actions.workflows.values()))

    def __call__(
        self,
        tests: list[Test],
        *,
        branch: str = "main",
        pull: bool = False,
        keep_results: bool = True,
        **inputs: str,
    ) -> Run:
        record = self.github.actions.add_run(
            REPO, self.workflow.id, head_branch=branch, head_sha=DEMO_HEAD_SHA, status="in_progress"
        )
        workspace = self.tmp / f"run{record.id}"
        (workspace / "reports").mkdir(parents=True)
        (workspace / "reports" / "TEST-cart.xml").write_text(junit(tests), "utf-8")
        event = workspace / "event.json"
        event.write_text(json.dumps({"number": 7} if pull else {}), "utf-8")
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_STEP_SUMMARY": str(workspace / "summary.md"),
            "GITHUB_EVENT_NAME": "pull_request" if pull else "push",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_SHA": DEMO_HEAD_SHA,
            "GITHUB_REF": "refs/pull/7/merge" if pull else f"refs/heads/{branch}",
            "GITHUB_BASE_REF": "main" if pull else "",
            "GITHUB_RUN_ID": str(record.id),
            "GITHUB_RUN_NUMBER": str(record.run_number),
            "GITHUB_WORKFLOW": "CI",
            "GITHUB_WORKFLOW_REF": f"{REPO}/.github/workflows/ci.yml@refs/heads/{branch}",
            "GITHUB_JOB": "test",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_API_URL": self.api_url,
            "INPUT_REPORTS": "reports/*.xml",
            "INPUT_GITHUB_TOKEN": "demo-token",
            "INPUT_COMMENT": "always" if pull else "off",
            **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
        }
        out = io.StringIO()
        code = main([], env, stdout=out, services=NO_WAIT)
        self.finish(record, workspace if keep_results else None)
        return Run(code, out.getvalue(), (workspace / "summary.md").read_text("utf-8"), workspace)

    def finish(self, record: WorkflowRun, workspace: Path | None) -> None:
        """What the rest of the job does: `actions/upload-artifact` keeps the results file."""
        if workspace is not None:
            data = (workspace / RESULTS_JSON_NAME).read_bytes()
            self.github.actions.add_artifact(
                REPO, record.id, ARTIFACT_NAME, {RESULTS_JSON_NAME: data}
            )
        record.status, record.conclusion = "completed", "success"


@pytest.fixture
def github() -> GitHubEmulator:
    emulator = seed_demo()
    emulator.repo(REPO).actions.runs.clear()  # no earlier run: each test makes its own
    return emulator


@pytest.fixture
def workflow(
    tmp_path: Path, github: GitHubEmulator, switchboard: tuple[Switchboard, str]
) -> Workflow:
    return Workflow(tmp_path, github, plug(switchboard, github))


MAIN: list[Test] = [("adds", None, None), ("totals", "90 != 89", None), ("removes", None, None)]
PULL: list[Test] = [
    ("adds", "cart is empty", None),
    ("totals", None, None),
    ("discounts", None, None),
]


def test_a_first_run_says_so_and_the_next_pull_request_shows_what_changed(
    workflow: Workflow, github: GitHubEmulator
) -> None:
    first = workflow(MAIN)
    assert first.code == 0
    assert "<sub>🔄 No earlier completed run of CI on main to compare with.</sub>" in first.summary
    pull = workflow(PULL, pull=True)
    assert pull.code == 0
    summary = pull.summary
    assert (
        "### 🔄 What changed since [CI #\u20601 on main](https://github.com/acme/shop/actions/runs/"
        in summary
    )
    assert "**🆕 1 new failure** · **✅ 1 fixed** · ➕ 1 new test · ➖ 1 removed" in summary
    assert "| 🆕 new failure | com.acme.Cart › adds | cart is empty |" in summary
    assert "| ✅ fixed | com.acme.Cart › totals | failed in the previous run |" in summary
    assert "**➕ New tests (1):** com.acme.Cart › discounts" in summary
    assert "**➖ Removed tests (1):** com.acme.Cart › removes" in summary
    assert "pass rate 66.7% → 66.7% " not in summary
    comment = github.issue_comments(REPO, 7)[-1].body
    assert "**🔄 Since [CI #\u20601 on main](" in comment
    assert "🆕 **New failures:** com.acme.Cart › adds" in comment
    assert "✅ **Fixed:** com.acme.Cart › totals" in comment
    # History is read, never written: the only writes are the pull request's comment.
    assert github.count("POST") == 1
    assert github.count("PATCH") == github.count("DELETE") == 0


def test_pushes_compare_with_their_own_branch_and_dry_runs_read_too(
    workflow: Workflow, github: GitHubEmulator
) -> None:
    workflow(MAIN)
    feature = workflow(PULL, branch="feature/cart")
    assert "No earlier completed run of CI on feature/cart to compare with." in feature.summary
    again = workflow(MAIN, dry_run="true")  # main again: compared with main's run, not feature's
    assert (
        "Nothing changed: the same tests, with the same outcomes (1 test still failing)."
        in again.summary
    )
    back = workflow(MAIN, branch="feature/cart")  # compared with the feature branch's push
    assert "**🆕 1 new failure** · **✅ 1 fixed** · ➕ 1 new test · ➖ 1 removed" in back.summary
    assert "| 🆕 new failure | com.acme.Cart › totals | 90 != 89 |" in back.summary
    assert github.count("POST") == github.count("PATCH") == 0  # comment: off; history only reads


def test_a_missing_artifact_or_permission_is_a_note_never_a_failure(
    workflow: Workflow, github: GitHubEmulator
) -> None:
    workflow(MAIN, keep_results=False)
    no_artifact = workflow(MAIN, fail_on="sync-errors")
    assert no_artifact.code == 0
    assert "kept no tmsaction-results artifact" in no_artifact.summary
    github.faults.fail_next(403, body='{"message": "Resource not accessible by integration"}')
    forbidden = workflow(MAIN, fail_on="sync-errors")
    assert forbidden.code == 0
    assert "the permission actions: read" in forbidden.summary
    assert "Problems" not in forbidden.summary
    assert "demo-token" not in no_artifact.log + no_artifact.summary + forbidden.summary


def test_without_a_token_there_is_nothing_to_read(
    workflow: Workflow, github: GitHubEmulator
) -> None:
    workflow(MAIN)
    run = workflow(MAIN, github_token="")
    assert (
        "<sub>🔄 Without TestRail or a github_token there is nowhere to read the previous run "
        "from.</sub>" in run.summary
    )
    assert github.count("GET") == 1  # the first run's runs list; nothing for the second


def test_testrail_previous_run_by_case(tmp_path: Path) -> None:
    """With TestRail configured, the previous TestRail run of CI on main (found by its marker),
    compared by case; in a dry run TestRail is only read."""
    with serve() as (emulator, url):
        client = TestRailClient(url, DEMO_USER, DEMO_API_KEY, sleep=lambda _s: None)
        shop = next(p for p in emulator.world.projects.values() if p["name"] == "Shop")
        backend = next(
            s for s in emulator.world.suites.values()
            if s["project_id"] == shop["id"] and s["name"] == "Backend"
        )  # fmt: skip
        marker = RunMarker(REPO, "100", "CI", "refs/heads/main", "0123abc")
        previous = client.add_run(
            shop["id"], "Shop CI #41 (main)", [101, 102, 103], suite_id=backend["id"],
            description=marker.line(),
        )  # fmt: skip
        client.add_results_for_cases(
            previous["id"],
            [{"case_id": 101, "status_id": 1}, {"case_id": 102, "status_id": 5},
             {"case_id": 103, "status_id": 1}],
        )  # fmt: skip
        writes = emulator.count("POST")
        tests: list[Test] = [
            ("adds", "cart is empty", "C101"),
            ("merges", None, "C102"),
            ("recalculates", None, "C104"),
        ]
        workspace = tmp_path / "ws"
        (workspace / "reports").mkdir(parents=True)
        (workspace / "reports" / "TEST-cart.xml").write_text(junit(tests), "utf-8")
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_STEP_SUMMARY": str(workspace / "summary.md"),
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_REF": "refs/pull/7/merge",
            "GITHUB_BASE_REF": "main",
            "GITHUB_RUN_ID": "200",
            "GITHUB_WORKFLOW": "CI",
            "GITHUB_SERVER_URL": "https://github.com",
            "INPUT_REPORTS": "reports/*.xml",
            "INPUT_COMMENT": "off",
            "INPUT_DRY_RUN": "true",  # the sync would write its own run; history only reads
            "INPUT_TESTRAIL_URL": url,
            "INPUT_TESTRAIL_USER": DEMO_USER,
            "INPUT_TESTRAIL_API_KEY": DEMO_API_KEY,
            "INPUT_TESTRAIL_PROJECT": "Shop",
            "INPUT_TESTRAIL_SUITE": "Backend",
        }
        out = io.StringIO()
        assert main([], env, stdout=out, services=NO_WAIT) == 0
        summary = (workspace / "summary.md").read_text("utf-8")
        assert emulator.count("POST") == writes  # read only
        client.close()
    assert (
        f"### 🔄 What changed since [Shop CI #\u206041 (main)]({url}/index.php?/runs/view/"
        in summary
    )
    assert "| 🆕 new failure | C101 · com.acme.Cart › adds | cart is empty |" in summary
    assert "| ✅ fixed | C102 · com.acme.Cart › merges | failed in the previous run |" in summary
    assert "**➕ New tests (1):** C104 · com.acme.Cart › recalculates" in summary
    assert "**➖ Removed tests (1):** C103 · Applies a percentage discount" in summary
    assert "Compared by TestRail case with the previous TestRail run" in summary
    assert "([workflow run](https://github.com/acme/shop/actions/runs/100))" in summary
    assert DEMO_API_KEY not in out.getvalue() + summary
