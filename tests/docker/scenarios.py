"""The act scenarios: one row per real workflow run, each with its assertions. Table-driven.

The scenarios that sync for real: `pr-sync` (a pull_request run against the TestRail, Jira and
GitHub emulators, then its re-run: one TestRail run per suite, each result and defect once, one
comment updated in place) and `testrail-shards` (three matrix shards at once into ONE TestRail
run, then a job that re-sends everything, adds nothing and closes the run).

How to add a scenario:
1. Write the workflow in tests/docker/workflows/<name>.yml as a user would, with `uses: ./` after
   `actions/checkout` (pinned by SHA). It runs in a throwaway repository holding the action, the
   example reports under `reports/` (see act.py) and any `files` you add.
2. Reach the emulators the way users reach their real instances: `testrail_url: ${{
   vars.TESTRAIL_URL }}`, `testrail_user: ${{ vars.TESTRAIL_USER }}`, `testrail_api_key: ${{
   secrets.TESTRAIL_API_KEY }}`, likewise `vars.JIRA_URL`, `vars.JIRA_USER`, `secrets.JIRA_TOKEN`;
   the PR comment goes to `GITHUB_API_URL`, which the harness points at the GitHub emulator, with
   the token `github.token` (the `github_token` input's default). sandbox.py has the full table.
   Every emulator `registry.build_emulators()` returns is started for each scenario, on loopback.
3. Add a `Scenario` to SCENARIOS with a check that asserts on what the run left behind: the
   emulators' state (`run.sandbox.emulators["testrail"]`), step outputs, the job summary, the
   annotations, exit codes (`run.act`, see actlog.py). `attempts=2` runs the same workflow again
   (GITHUB_RUN_ATTEMPT=2) against the same emulators: the re-run scenario's "nothing duplicated".
   `event="pull_request"` sends a payload for PR #7 (`event_payload`).
4. `make test-docker` (or `... -k <name>` through the driver) runs it; act's whole log is kept in
   the run directory when something fails.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from tmsaction.__main__ import main as tmsaction_main
from tmsaction.ghactions import parse_outputs

from tests.conftest import ROOT
from tests.docker.act import (
    REPOSITORY,
    ActEnvironment,
    Invocation,
    head_sha,
    make_workspace,
    run_act,
)
from tests.docker.actlog import ActRun, Job
from tests.docker.sandbox import GITHUB_TOKEN, JIRA_TOKEN, SANDBOX_USER, TESTRAIL_API_KEY, Sandbox

WORKFLOWS = Path(__file__).with_name("workflows")
RUN_ID = "4242"
RUN_NUMBER = "17"
PR_NUMBER = 7


@dataclass
class ScenarioRun:
    """Everything a check may look at after the scenario's act runs."""

    runs: list[ActRun]  # one per attempt
    sandbox: Sandbox
    workspace: Path
    sha: str

    @property
    def act(self) -> ActRun:
        return self.runs[-1]


@dataclass(frozen=True)
class Scenario:
    name: str
    workflow: str  # file in tests/docker/workflows
    check: Callable[[ScenarioRun], None]
    event: str = "push"
    exit_code: int = 0  # act's: 1 when any job failed
    attempts: int = 1
    bind: bool = False  # mount the workspace, so files the action writes can be read afterwards
    files: Mapping[str, str | Path] = field(default_factory=dict)  # extra workspace files
    env: Mapping[str, str] = field(default_factory=dict)  # act --env; "{probe}" -> emulator URL


def event_payload(event: str, sha: str) -> dict[str, Any]:
    """The parts of GitHub's webhook payload the action reads (GITHUB_EVENT_PATH)."""
    repository = {"full_name": REPOSITORY, "html_url": f"https://github.com/{REPOSITORY}"}
    if event == "pull_request":
        return {
            "action": "synchronize",
            "number": PR_NUMBER,
            "pull_request": {
                "number": PR_NUMBER,
                "html_url": f"https://github.com/{REPOSITORY}/pull/{PR_NUMBER}",
                "head": {"ref": "feature/cart", "sha": sha},
                "base": {"ref": "main"},
            },
            "repository": repository,
        }
    return {"ref": "refs/heads/main", "after": sha, "repository": repository}


def execute(scenario: Scenario, environment: ActEnvironment, sandbox: Sandbox) -> ScenarioRun:
    root = environment.work / scenario.name
    workspace = make_workspace(root / "workspace", WORKFLOWS / scenario.workflow, scenario.files)
    sha = head_sha(workspace)
    runs = []
    for attempt in range(1, scenario.attempts + 1):
        env = {
            "GITHUB_RUN_ID": RUN_ID,
            "GITHUB_RUN_NUMBER": RUN_NUMBER,
            "GITHUB_RUN_ATTEMPT": str(attempt),
            **sandbox.env(),
            **{name: value.format_map(sandbox.urls) for name, value in scenario.env.items()},
        }
        invocation = Invocation(
            event=scenario.event,
            payload=event_payload(scenario.event, sha),
            variables=sandbox.variables(),
            secrets=sandbox.secrets(),
            env=env,
            bind=scenario.bind,
        )
        runs.append(
            run_act(environment, workspace, scenario.workflow, invocation, f"attempt-{attempt}")
        )
    return ScenarioRun(runs, sandbox, workspace, sha)


# -- what the checks compare with ------------------------------------------------------------


def declared_outputs() -> list[str]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return list(action["outputs"])


def read_output_file(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT's `name<<delimiter` blocks."""
    return parse_outputs(text)


def cli_outputs(workspace: Path, reports: str) -> dict[str, str]:
    """The outputs the CLI computes in-process for the same reports: what the action in its
    container, started by act, must report too."""
    copy = workspace.parent / "expected" / reports.replace("/", "_").replace("*", "x")
    shutil.copytree(workspace / "reports", copy / "reports")
    env = {
        "GITHUB_WORKSPACE": str(copy),
        "GITHUB_OUTPUT": str(copy / "outputs.txt"),
        "GITHUB_STEP_SUMMARY": str(copy / "summary.md"),
        "INPUT_REPORTS": reports,
        "INPUT_DRY_RUN": "true",
        "INPUT_FAIL_ON": "nothing",
    }
    assert tmsaction_main([], env, stdout=io.StringIO()) == 0
    return read_output_file((copy / "outputs.txt").read_text(encoding="utf-8"))


def _counts(outputs: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(outputs[name] for name in ("total", "passed", "failed", "skipped", "flaky"))


def _succeeded(act: ActRun, job: Job, *steps: str) -> None:
    assert job.result == "success", act.describe()
    for step in steps:
        assert job.step(step).result == "success", act.describe()


# -- the checks ------------------------------------------------------------------------------


def check_single_job(run: ScenarioRun) -> None:
    """Outputs, summary and results_json of one job; a later step reads the outputs."""
    job = run.act.job("report")
    _succeeded(run.act, job, "tms")
    outputs = job.step("tms").outputs
    assert sorted(outputs) == sorted(declared_outputs())
    assert outputs == cli_outputs(run.workspace, "reports/**/*.xml")
    assert _counts(outputs) == ("12", "8", "2", "1", "1")
    summary = job.step("tms").summary
    headline = summary.splitlines()[0]
    assert headline.startswith("## ❌"), headline
    assert "(dry run)" in headline
    assert "**12 tests**" in summary
    assert "appliesPercentageDiscount" in summary
    assert f"https://github.com/{REPOSITORY}/actions/runs/{RUN_ID})" in summary
    assert "outputs total=12 failed=2 results_json=tmsaction-results.json" in job.printed
    results = json.loads((run.workspace / outputs["results_json"]).read_text(encoding="utf-8"))
    assert (results["repository"], results["sha"], results["run_id"]) == (
        REPOSITORY,
        run.sha,
        RUN_ID,
    )
    assert results["dry_run"] is True
    assert len(results["tests"]) == results["totals"]["total"] == 12


def check_rerun(run: ScenarioRun) -> None:
    """A re-run (attempt 2) of the same workflow: same results, the attempt in the context.
    With the TestRail/Jira/GitHub emulators this is where "nothing duplicated" is asserted."""
    first, second = (act.job("report") for act in run.runs)
    _succeeded(run.runs[0], first, "tms")
    _succeeded(run.runs[1], second, "tms")
    assert first.step("tms").outputs == second.step("tms").outputs
    assert f"/actions/runs/{RUN_ID}/attempts/2)" in second.step("tms").summary
    assert "/attempts/" not in first.step("tms").summary
    results = json.loads((run.workspace / "tmsaction-results.json").read_text(encoding="utf-8"))
    assert results["run_attempt"] == "2"


def check_matrix_shards(run: ScenarioRun) -> None:
    """Each shard reports its part; the follow-up job sees `needs` outputs and the whole set."""
    workflow = yaml.safe_load((WORKFLOWS / "matrix-shards.yml").read_text(encoding="utf-8"))
    globs = {
        row["shard"]: row["reports"]
        for row in workflow["jobs"]["shard"]["strategy"]["matrix"]["include"]
    }
    shards = run.act.matrix_jobs("shard")
    assert sorted(job.matrix["shard"] for job in shards) == [1, 2, 3], run.act.describe()
    totals = {}
    for job in shards:
        _succeeded(run.act, job, "tms")
        outputs = job.step("tms").outputs
        assert outputs == cli_outputs(run.workspace, globs[job.matrix["shard"]])
        assert f"**{outputs['total']} tests**" in job.step("tms").summary
        totals[job.matrix["shard"]] = outputs["total"]
    assert sum(int(t) for t in totals.values()) == 12
    assert all(int(t) > 0 for t in totals.values()), totals
    combine = run.act.job("combine")
    _succeeded(run.act, combine, "tms")
    [line] = [line for line in combine.printed if line.startswith("needs ")]
    needs = dict(part.split("=", 1) for part in line.split()[1:])
    assert needs["result"] == "success"
    assert needs["total"] in totals.values()  # one shard's value: GitHub's matrix output rule
    assert needs["results_json"] == "tmsaction-results.json"
    assert _counts(combine.step("tms").outputs) == ("12", "8", "2", "1", "1")
    assert "**12 tests**" in combine.step("tms").summary


def check_failing_tests(run: ScenarioRun) -> None:
    """`fail_on: test-failures` fails the step, yet the summary and outputs are written."""
    job = run.act.job("report")
    assert job.result == "failure", run.act.describe()
    tms = job.step("tms")
    assert tms.result == "failure"
    [error] = [
        a
        for a in tms.annotations
        if a.level == "error" and a.properties.get("title") == "tmsaction failed the step"
    ]
    assert error.message == "2 tests failed (fail_on: test-failures)"
    failed = {a.message.split(" failed", 1)[0] for a in tms.annotations if a.level == "error"}
    assert len(failed) == 3, failed  # the step's own error and one per failed test
    for name in ("appliesPercentageDiscount", "guestCheckoutCreatesOrder"):
        assert name in tms.summary
    assert _counts(tms.outputs) == ("12", "8", "2", "1", "1")
    assert "after outcome=failure failed=2" in job.printed


def check_prebuilt_image(run: ScenarioRun) -> None:
    """`uses: docker://<image>` with `with:` inputs works like `uses: ./` (no action.yml)."""
    job = run.act.job("report")
    _succeeded(run.act, job, "tms")
    outputs = job.step("tms").outputs
    assert outputs == cli_outputs(run.workspace, "reports/web/*.xml")
    assert _counts(outputs) == ("4", "4", "0", "0", "0")
    assert "outputs total=4 passed=4" in job.printed


def _credentials(authorization: str) -> tuple[str, str]:
    scheme, _, value = authorization.partition(" ")
    if scheme == "Basic":
        user, _, key = base64.b64decode(value).decode().partition(":")
        return user, key
    return scheme, value


def check_sandbox_reach(run: ScenarioRun) -> None:
    """The emulators saw the calls made from the action's container, with the passed URLs, users,
    secrets, the GitHub API URL and the PR number; the secret is masked in the log."""
    job = run.act.job("probe")
    _succeeded(run.act, job)
    probe = run.sandbox.emulators["probe"]
    assert [(r.method, r.path, r.query) for r in probe.received] == [  # type: ignore[attr-defined]
        ("GET", "/testrail/index.php", "/api/v2/get_projects"),
        ("GET", "/jira/rest/api/3/myself", ""),
        ("GET", f"/github/repos/{REPOSITORY}/issues/{PR_NUMBER}/comments", ""),
    ]
    credentials = [_credentials(r.header("authorization")) for r in probe.received]  # type: ignore[attr-defined]
    assert credentials == [
        (SANDBOX_USER, TESTRAIL_API_KEY),
        (SANDBOX_USER, JIRA_TOKEN),
        ("Bearer", GITHUB_TOKEN),
    ]
    assert "probe: testrail key is ***" in job.printed
    for secret in (TESTRAIL_API_KEY, JIRA_TOKEN, GITHUB_TOKEN):
        assert secret not in run.act.log_text


def _marker_runs(run: ScenarioRun) -> list[dict[str, Any]]:
    """This workflow run's TestRail runs (their description carries its marker)."""
    testrail = run.sandbox.emulators["testrail"]
    key = f"tmsaction-run: repo={REPOSITORY} run={RUN_ID} "
    return [r for r in testrail.runs() if key in str(r.get("description") or "")]  # type: ignore[attr-defined]


def _results_per_test(run: ScenarioRun, run_id: int) -> list[int]:
    testrail = run.sandbox.emulators["testrail"]
    results = testrail.results(run_id)  # type: ignore[attr-defined]
    counts: dict[int, int] = {}
    for result in results:
        counts[int(result["test_id"])] = counts.get(int(result["test_id"]), 0) + 1
    return sorted(counts.values())


def check_pr_sync(run: ScenarioRun) -> None:
    """TestRail, Jira and the PR comment from the action's container; the re-run (attempt 2)
    finds everything in place and adds nothing."""
    for act in run.runs:
        _succeeded(act, act.job("report"), "tms")
    first, second = (act.job("report").step("tms").outputs for act in run.runs)
    assert _counts(first) == _counts(second) == ("12", "8", "2", "1", "1")
    # TestRail: one run per suite the example config routes to (Backend, Web), each test once.
    runs = _marker_runs(run)
    assert sorted(str(r["name"]).split(" ")[0] for r in runs) == ["Shop", "Shop"], runs
    assert first["run_id"] == second["run_id"] == str(min(int(r["id"]) for r in runs))
    per_test = [n for r in runs for n in _results_per_test(run, int(r["id"]))]
    assert per_test == [1] * 12
    # Jira: the two failures filed once, by the first attempt only.
    jira = run.sandbox.emulators["jira"]
    defects = [i for i in jira.issues("SHOP") if "tmsaction" in i.labels]  # type: ignore[attr-defined]
    assert len(defects) == 2
    assert sorted(first["defects_created"].split(",")) == sorted(i.key for i in defects)
    assert second["defects_created"] == ""
    # GitHub: one comment on PR #7, updated in place by the re-run.
    github = run.sandbox.emulators["github"]
    comments = github.issue_comments(REPOSITORY, PR_NUMBER)  # type: ignore[attr-defined]
    assert len(comments) == 1
    assert "<!-- tmsaction" in comments[0].body
    assert "12 tests" in comments[0].body
    for secret in (TESTRAIL_API_KEY, JIRA_TOKEN):
        assert secret not in run.act.log_text


def check_testrail_shards(run: ScenarioRun) -> None:
    """Three shards at once, one TestRail run; the final job adds nothing and closes it."""
    shards = run.act.matrix_jobs("shard")
    assert sorted(job.matrix["shard"] for job in shards) == [1, 2, 3], run.act.describe()
    run_ids = set()
    for job in shards:
        _succeeded(run.act, job, "tms")
        run_ids.add(job.step("tms").outputs["run_id"])
    close = run.act.job("close-run")
    _succeeded(run.act, close, "tms")
    assert len(run_ids) == 1, run_ids  # every shard reported into the same run
    [tr_run] = _marker_runs(run)  # and no second run, no leftover helper run
    assert str(tr_run["id"]) in run_ids
    assert close.step("tms").outputs["run_id"] == str(tr_run["id"])
    assert tr_run["is_completed"] is True
    assert _results_per_test(run, int(tr_run["id"])) == [1] * 12  # every result, once
    testrail = run.sandbox.emulators["testrail"]
    all_runs = testrail.runs()  # type: ignore[attr-defined]
    assert len(all_runs) == 1, [r["name"] for r in all_runs]


SCENARIOS = (
    Scenario("single-job", "single-job.yml", check_single_job, bind=True),
    Scenario("re-run", "single-job.yml", check_rerun, attempts=2, bind=True),
    Scenario("matrix-shards", "matrix-shards.yml", check_matrix_shards),
    Scenario("failing-tests", "failing-tests.yml", check_failing_tests, exit_code=1),
    Scenario("prebuilt-image", "prebuilt-image.yml", check_prebuilt_image),
    Scenario(
        "sandbox-reach",
        "sandbox-reach.yml",
        check_sandbox_reach,
        event="pull_request",
        files={".github/probe.py": Path(__file__).with_name("probe.py")},
        env={"GITHUB_API_URL": "{probe}/github"},
    ),
    Scenario(
        "pr-sync",
        "pr-sync.yml",
        check_pr_sync,
        event="pull_request",
        attempts=2,
        files={".github/tmsaction.yml": ROOT / "examples" / ".github" / "tmsaction.yml"},
    ),
    Scenario("testrail-shards", "testrail-shards.yml", check_testrail_shards),
)
