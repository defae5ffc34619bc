"""`python -m tmsaction demo`: the whole action end to end against the built-in sandbox.

Starts the TestRail, Jira and GitHub emulators in this process (loopback only), runs the action the
way a `pull_request` workflow would over the example reports and config in `examples/`, prints the
job summary, the outputs and what was created, runs it a second time as a re-run of the same
workflow run to show that nothing is duplicated, and says how to point it at real instances.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tmsaction.ghactions import Console, parse_outputs
from tmsaction.pipeline import Services
from tmsaction.sandbox.world import PULL_NUMBER, REPOSITORY, SandboxWorld

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STATUS_NAMES = {1: "passed", 2: "blocked", 3: "untested", 4: "retest", 5: "failed"}

REAL_USE = """\
To run the same thing against your own instances, add a step after your tests:

    - uses: tmsaction/tmsaction@v1
      if: always()
      with:
        reports: "**/TEST-*.xml"
        config: .github/tmsaction.yml        # start from examples/.github/tmsaction.yml
        testrail_url: https://acme.testrail.io
        testrail_user: ${{ vars.TESTRAIL_USER }}
        testrail_api_key: ${{ secrets.TESTRAIL_API_KEY }}
        testrail_project: Shop
        jira_url: https://acme.atlassian.net
        jira_user: ${{ vars.JIRA_USER }}
        jira_token: ${{ secrets.JIRA_TOKEN }}
        jira_project: SHOP
        jira_create_defects: true

Try it first with `dry_run: true` (reads TestRail and Jira, writes nothing), or locally:
    python -m tmsaction --reports 'build/**/*.xml' --dry-run --testrail-url ... (see README)
"""


@dataclass(frozen=True)
class WorldState:
    """What the emulators hold, to tell what a run created."""

    runs: tuple[int, ...]
    results: int
    cases: int
    issues: tuple[str, ...]
    comments: int

    @staticmethod
    def of(world: SandboxWorld) -> WorldState:
        runs = tuple(int(str(run["id"])) for run in world.testrail.runs())
        return WorldState(
            runs=runs,
            results=sum(len(world.testrail.results(run_id)) for run_id in runs),
            cases=len(world.testrail.cases()),
            issues=tuple(issue.key for issue in world.jira.issues("SHOP")),
            comments=len(world.github.issue_comments(REPOSITORY, PULL_NUMBER)),
        )


def _section(console: Console, title: str) -> None:
    console.info(f"\n── {title} " + "─" * max(3, 76 - len(title)))


def _created(console: Console, world: SandboxWorld, before: WorldState) -> None:
    after = WorldState.of(world)
    new_runs = [run for run in world.testrail.runs() if int(str(run["id"])) not in before.runs]
    for run in new_runs:
        results = world.testrail.results(int(str(run["id"])))
        statuses = Counter(
            STATUS_NAMES.get(int(str(r["status_id"])), str(r["status_id"]))
            for r in results
            if r.get("status_id")
        )
        counts = ", ".join(f"{n} {name}" for name, n in statuses.most_common())
        console.info(
            f'TestRail  run R{run["id"]} "{run["name"]}": {len(results)} results '
            f"({counts}) · {run.get('url', '')}"
        )
    if not new_runs:
        console.info(f"TestRail  no new run; results {before.results} → {after.results}")
    if after.cases > before.cases:
        console.info(
            f"TestRail  {after.cases - before.cases} cases created (testrail_create_cases)"
        )
    for key in after.issues:
        if key not in before.issues:
            issue = world.jira.issue(key)
            console.info(
                f'Jira      {key} "{issue.fields.get("summary", "")}" ({world.jira.status_of(key)})'
            )
    if after.issues == before.issues:
        console.info("Jira      no new issue")
    comments = world.github.issue_comments(REPOSITORY, PULL_NUMBER)
    verb = "created" if after.comments > before.comments else "updated in place"
    if comments:
        console.info(
            f"GitHub    PR comment on {REPOSITORY}#{PULL_NUMBER} {verb} "
            f"({len(comments)} comment{'s' if len(comments) != 1 else ''} on the PR)"
        )


def _run_action(world: SandboxWorld, workspace: Path, attempt: str) -> tuple[int, str]:
    from tmsaction.__main__ import main  # the real entry point, as the runner starts it

    env = world.action_env(
        workspace,
        run_attempt=attempt,
        inputs={
            "reports": "reports/**/*.xml\nreports/**/*.json",
            "config": ".github/tmsaction.yml",
            "testrail_create_cases": "true",
            "jira_create_defects": "true",
            "comment": "always",
            "fail_on": "sync-errors",
        },
    )
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"):
        Path(env[name]).write_text("", encoding="utf-8")
    log = io.StringIO()
    code = main([], env, stdout=log, cwd=workspace)
    return code, log.getvalue()


def demo_command(
    args: list[str], env: dict[str, str], console: Console, cwd: Path, services: Services
) -> int:
    del args, env, cwd, services  # the demo is self-contained
    console.info(
        "tmsaction demo: the action end to end against the built-in sandbox "
        "(no accounts needed; nothing leaves this machine)"
    )
    with tempfile.TemporaryDirectory(prefix="tmsaction-demo-") as scratch, SandboxWorld() as world:
        workspace = Path(scratch) / "workspace"
        shutil.copytree(EXAMPLES, workspace)
        _section(console, "sandbox")
        console.info(
            f"TestRail  {world.url('testrail')}  project Shop (demo@example.com / demo-key)"
        )
        console.info(f"Jira      {world.url('jira')}  project SHOP (demo@example.com / demo-token)")
        console.info(f"GitHub    {world.url('github')}  {REPOSITORY}, pull request #{PULL_NUMBER}")
        console.info(
            "Reports   examples/reports (JUnit XML and Cucumber JSON); "
            "config examples/.github/tmsaction.yml"
        )

        before = WorldState.of(world)
        code, log = _run_action(world, workspace, attempt="1")
        _section(console, "action log (first run)")
        console.info(log.rstrip() or "(nothing)")
        _section(console, "job summary (GITHUB_STEP_SUMMARY)")
        console.info((workspace / ".tmsaction-summary.md").read_text(encoding="utf-8").rstrip())
        _section(console, "outputs (GITHUB_OUTPUT)")
        outputs = parse_outputs((workspace / ".tmsaction-output.txt").read_text(encoding="utf-8"))
        console.info(
            "\n".join(f"{name}={' '.join(value.split())}" for name, value in outputs.items())
        )
        _section(console, "what the first run created")
        _created(console, world, before)

        second_before = WorldState.of(world)
        second_code, second_log = _run_action(world, workspace, attempt="2")
        _section(console, "a re-run of the same workflow run (attempt 2)")
        _created(console, world, second_before)
        _section(console, "use it for real")
        console.info(REAL_USE.rstrip())
        if code or second_code:
            console.info(f"\nThe action exited with {code} / {second_code}; its log:\n{second_log}")
            return code or second_code
    return 0
