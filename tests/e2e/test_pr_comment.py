"""The PR comment end to end: `main()` with a dict environment against the GitHub emulator.

Every test asserts what GitHub holds afterwards (the emulator's comments), what the job summary
says and the exit code, for each mode, each event type, fork pull requests, pagination, races,
lost responses and reports big and hostile enough to hit GitHub's limits.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from tmsaction.__main__ import main
from tmsaction.clients.github import GitHubClient, IssueComment
from tmsaction.outputs import OUTPUT_NAMES
from tmsaction.pipeline import Services
from tmsaction.render.structure import check_html
from tmsaction.sandbox.github import DEMO_HEAD_SHA, GitHubEmulator, seed_demo
from tmsaction.sandbox.server import matching
from tmsaction.sinks.github import CommentPlan, upsert_comment
from tmsaction.sinks.github_comment import GREEN, comment_key, is_ours

from tests.e2e.test_dry_run import read_outputs
from tests.github_sandbox import Switchboard, plug, switchboard_fixture

switchboard = switchboard_fixture()  # one loopback server for the module

WRITE_TOKEN = "demo-token"
REPO = "acme/shop"
KEY = comment_key("CI", "test")
NO_WAIT = Services(sleep=lambda _seconds: None)

Case = tuple[str, str, str | None]  # classname, name, failure message (None: passed)


def junit(cases: list[Case], trace: str = "at Foo.bar(Foo.java:1)") -> str:
    body = []
    for classname, name, failure in cases:
        attrs = f"classname={quoteattr(classname)} name={quoteattr(name)} time='0.1'"
        if failure is None:
            body.append(f"<testcase {attrs}/>")
        else:
            body.append(
                f"<testcase {attrs}><failure message={quoteattr(failure)}>"
                f"{escape(trace)}</failure></testcase>"
            )
    return f"<testsuite name='s' tests='{len(cases)}'>{''.join(body)}</testsuite>"


GREEN_RUN: list[Case] = [("com.acme.Cart", "adds", None), ("com.acme.Cart", "totals", None)]
RED_RUN: list[Case] = [("com.acme.Cart", "adds", None), ("com.acme.Cart", "totals", "90 != 89")]


@dataclass
class Run:
    code: int
    log: str
    summary: str
    outputs: dict[str, str]


class Action:
    """Runs tmsaction like the runner would, against one emulated GitHub."""

    def __init__(self, tmp: Path, github: GitHubEmulator, api_url: str) -> None:
        self.tmp = tmp
        self.github = github
        self.api_url = api_url
        self.runs = 0

    def __call__(
        self,
        cases: list[Case],
        *,
        event: str = "pull_request",
        payload: dict[str, object] | None = None,
        trace: str = "at Foo.bar(Foo.java:1)",
        env: dict[str, str] | None = None,
        **inputs: str,
    ) -> Run:
        self.runs += 1
        workspace = self.tmp / f"run{self.runs}"
        (workspace / "reports").mkdir(parents=True)
        (workspace / "reports" / "TEST-cart.xml").write_text(junit(cases, trace), "utf-8")
        event_path = workspace / "event.json"
        event_path.write_text(json.dumps(payload if payload is not None else pr_payload()))
        full_env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_STEP_SUMMARY": str(workspace / "summary.md"),
            "GITHUB_OUTPUT": str(workspace / "output.txt"),
            "GITHUB_EVENT_NAME": event,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_SHA": DEMO_HEAD_SHA,
            "GITHUB_RUN_ID": str(1000 + self.runs),
            "GITHUB_RUN_NUMBER": str(self.runs),
            "GITHUB_WORKFLOW": "CI",
            "GITHUB_JOB": "test",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_API_URL": self.api_url,
            "INPUT_REPORTS": "reports/*.xml",
            "INPUT_GITHUB_TOKEN": WRITE_TOKEN,
            **(env or {}),
        }
        full_env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
        out = io.StringIO()
        code = main([], full_env, stdout=out, services=NO_WAIT)
        summary_file = workspace / "summary.md"
        return Run(
            code,
            out.getvalue(),
            summary_file.read_text("utf-8") if summary_file.exists() else "",
            read_outputs(workspace / "output.txt"),
        )

    def comments(self, number: int = 7) -> list[str]:
        return [c.body for c in self.github.issue_comments(REPO, number)]

    def ours(self, number: int = 7, key: str = KEY) -> list[str]:
        return [body for body in self.comments(number) if is_ours(body, key)]


def pr_payload(number: int = 7, head_repo: str = REPO) -> dict[str, object]:
    return {
        "number": number,
        "pull_request": {
            "number": number,
            "head": {"ref": "feature/cart", "sha": DEMO_HEAD_SHA, "repo": {"full_name": head_repo}},
            "base": {"ref": "main", "repo": {"full_name": REPO}},
        },
    }


@pytest.fixture
def github() -> GitHubEmulator:
    return seed_demo()


@pytest.fixture
def action(tmp_path: Path, github: GitHubEmulator, switchboard: tuple[Switchboard, str]) -> Action:
    return Action(tmp_path, github, plug(switchboard, github))


def test_first_run_creates_the_comment_and_reruns_update_it(action: Action) -> None:
    first = action(RED_RUN)
    assert first.code == 0
    assert len(action.ours()) == 1
    assert "### ❌ 1 of 2 tests failed" in action.ours()[0]
    assert "| ❌ | com.acme.Cart › totals | 90 != 89 |" in action.ours()[0]
    assert "Created the PR comment on #7" in first.log
    assert "💬 Created the PR comment on #\u20607: [view it](" in first.summary
    for _ in range(3):
        again = action(GREEN_RUN)
        assert again.code == 0
    assert len(action.ours()) == 1
    assert "### ✅ All 2 tests passed" in action.ours()[0]
    assert "Updated the PR comment on #7" in again.log
    assert WRITE_TOKEN not in again.log + again.summary + action.ours()[0]
    assert set(again.outputs) == set(OUTPUT_NAMES)


def test_mode_failures_comments_only_while_red_and_turns_green_when_fixed(action: Action) -> None:
    action(GREEN_RUN, comment="failures")
    assert action.comments() == []
    action(RED_RUN, comment="failures")
    assert "❌ 1 of 2 tests failed" in action.ours()[0]
    fixed = action(GREEN_RUN, comment="failures")
    assert len(action.ours()) == 1
    assert "✅ All 2 tests passed" in action.ours()[0]
    assert "Updated the PR comment on #7" in fixed.log


def test_mode_changes_writes_only_when_the_result_changes(
    action: Action, github: GitHubEmulator
) -> None:
    action(GREEN_RUN, comment="changes")
    assert action.comments() == []  # green, and nothing to compare with: stay quiet
    action(RED_RUN, comment="changes")
    first = action.ours()[0]
    writes = github.count("PATCH") + github.count("POST")
    same = action(RED_RUN, comment="changes")
    assert "the result is the same as the comment shows" in same.log
    assert action.ours() == [first]
    assert github.count("PATCH") + github.count("POST") == writes
    other: list[Case] = [("com.acme.Cart", "adds", "boom"), ("com.acme.Cart", "totals", None)]
    action(other, comment="changes")
    assert len(action.ours()) == 1
    assert "com.acme.Cart › adds" in action.ours()[0]


def test_mode_off_never_calls_github(action: Action, github: GitHubEmulator) -> None:
    run = action(RED_RUN, comment="off")
    assert run.code == 0
    assert github.requests == []
    assert "PR comment" not in run.summary


def test_each_workflow_and_job_keeps_its_own_comment(action: Action) -> None:
    action(RED_RUN)
    action(RED_RUN, env={"GITHUB_JOB": "e2e"})
    action(RED_RUN, env={"GITHUB_WORKFLOW": "Nightly"})
    action(GREEN_RUN, env={"GITHUB_RUN_ATTEMPT": "2"})
    assert len(action.comments()) == 3
    assert len(action.ours()) == 1
    assert "✅" in action.ours()[0]
    assert len(action.ours(key=comment_key("CI", "e2e"))) == 1
    assert len(action.ours(key=comment_key("Nightly", "test"))) == 1


@pytest.mark.parametrize(
    ("event", "payload", "number"),
    [
        ("pull_request_target", pr_payload(7, "someone/shop"), 7),
        ("issue_comment", {"issue": {"number": 7, "pull_request": {"url": "x"}}}, 7),
        (
            "workflow_run",
            {"workflow_run": {"pull_requests": [{"number": 7}], "head_sha": DEMO_HEAD_SHA}},
            7,
        ),
        (
            "workflow_run",  # a fork's pull request: GitHub leaves pull_requests empty
            {
                "repository": {"full_name": REPO},
                "workflow_run": {
                    "pull_requests": [],
                    "head_sha": "f0" * 20,
                    "head_branch": "fix",
                    "head_repository": {"full_name": "someone/shop", "owner": {"login": "someone"}},
                },
            },
            8,
        ),
        ("push", {"after": DEMO_HEAD_SHA}, 7),
    ],
)
def test_the_pull_request_is_found_from_each_event(
    action: Action, github: GitHubEmulator, event: str, payload: dict[str, object], number: int
) -> None:
    github.add_pull(REPO, 8, head_ref="fix", head_sha="f0" * 20, head_repo="someone/shop")
    run = action(RED_RUN, event=event, payload=payload)
    assert run.code == 0, run.log
    assert len(action.ours(number)) == 1
    assert action.ours(7 if number == 8 else 8) == []


def test_a_missing_payload_falls_back_to_the_pull_ref(action: Action) -> None:
    run = action(RED_RUN, payload={}, env={"GITHUB_REF": "refs/pull/7/merge"})
    assert run.code == 0
    assert len(action.ours()) == 1


@pytest.mark.parametrize(
    ("event", "payload", "reason"),
    [
        ("push", {"after": "ab" * 20}, "no open pull request has commit abababa as its head"),
        ("schedule", {}, "a schedule run belongs to no pull request"),
        ("workflow_dispatch", {}, "a workflow_dispatch run belongs to no pull request"),
    ],
)
def test_runs_without_a_pull_request_comment_nowhere(
    action: Action, github: GitHubEmulator, event: str, payload: dict[str, object], reason: str
) -> None:
    run = action(RED_RUN, event=event, payload=payload)
    assert run.code == 0
    assert reason in run.log
    assert github.comments == {}
    assert "PR comment" not in run.summary


def test_a_fork_pull_request_with_a_read_only_token_gets_a_notice_not_a_failure(
    action: Action,
) -> None:
    run = action(
        RED_RUN,
        payload=pr_payload(7, "someone/shop"),
        github_token="fork-token",
        fail_on="sync-errors",
    )
    assert run.code == 0
    assert action.comments() == []
    assert "::notice title=PR comment::No PR comment on #⁠7: the token is read-only" not in run.log
    assert "::notice title=PR comment::No PR comment on #7: the token is read-only" in run.log
    assert "> ℹ️ No PR comment on #\u20607: the token is read-only" in run.summary
    assert "run tmsaction in a workflow_run workflow" in run.summary
    assert "## ❌ 1 of 2 tests failed" in run.summary  # the summary is all there


def test_a_same_repository_read_only_token_is_a_sync_problem_with_the_fix(action: Action) -> None:
    run = action(RED_RUN, github_token="fork-token", fail_on="sync-errors")
    assert run.code == 1
    assert "permissions: pull-requests: write" in run.log
    assert "::error title=tmsaction failed the step::1 sync problems" in run.log
    assert "> ⚠️ Cannot write the PR comment on #\u20607" in run.summary


def test_a_bad_token_is_a_sync_problem_and_never_printed(action: Action) -> None:
    run = action(RED_RUN, github_token="ghp_wrongwrongwrong", fail_on="sync-errors")
    assert run.code == 1
    assert "HTTP 401: Bad credentials (check the github_token input)" in run.log
    assert "ghp_wrongwrongwrong" not in run.log + run.summary
    assert "ghp_wrongwrongwrong" not in json.dumps(run.outputs)


def test_a_missing_token_skips_the_comment_with_a_notice(action: Action) -> None:
    run = action(RED_RUN, github_token="", env={"INPUT_GITHUB_TOKEN": ""})
    assert run.code == 0
    assert "::notice title=PR comment::No PR comment: github_token is empty" in run.log
    assert action.comments() == []


def test_our_comment_is_found_past_the_first_page_and_duplicates_are_removed(
    action: Action, github: GitHubEmulator
) -> None:
    for index in range(150):
        github.add_comment(REPO, 7, f"human {index} <!-- tmsaction:comment key={KEY} -->")
    action(RED_RUN)
    ours = github.issue_comments(REPO, 7)[-1]
    for index in range(60):
        github.add_comment(REPO, 7, f"more {index}")
    github.add_comment(REPO, 7, f"<!-- tmsaction:comment key={KEY} -->\nleft by a race")
    run = action(GREEN_RUN)
    assert run.code == 0
    assert [c.id for c in github.issue_comments(REPO, 7) if is_ours(c.body, KEY)] == [ours.id]
    assert "✅ All 2 tests passed" in github.comments[ours.id].body
    assert len(action.comments()) == 211  # nobody else's comment was touched
    assert github.count("POST", "create_comment") == 1


def test_a_lost_create_response_does_not_duplicate_the_comment(
    action: Action, github: GitHubEmulator
) -> None:
    github.faults.lose_next_response(match=matching("POST", "/comments"))
    run = action(RED_RUN)
    assert run.code == 0, run.log
    assert len(action.ours()) == 1
    assert github.count("POST", "create_comment") == 1


class RacingClient(GitHubClient):
    """Both racers list the comments before either creates one."""

    barrier: threading.Barrier

    def create_issue_comment(self, repo: str, number: int, body: str) -> IssueComment:
        self.barrier.wait(timeout=10)
        return super().create_issue_comment(repo, number, body)


def test_two_jobs_racing_leave_exactly_one_comment(action: Action, github: GitHubEmulator) -> None:
    RacingClient.barrier = threading.Barrier(2)
    results: list[object] = []

    def race(text: str) -> None:
        client = RacingClient.connect(action.api_url, WRITE_TOKEN, sleep=lambda _s: None)
        plan = CommentPlan(
            REPO, KEY, "always", f"<!-- tmsaction:comment key={KEY} -->\n{text}", GREEN
        )
        results.append(upsert_comment(client, plan, 7, sleep=lambda _s: None))

    threads = [threading.Thread(target=race, args=(text,)) for text in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(results) == 2
    assert github.count("POST", "create_comment") == 2  # the race really happened
    remaining = [c for c in github.issue_comments(REPO, 7) if is_ours(c.body, KEY)]
    assert len(remaining) == 1
    assert remaining[0].body.split("\n", 1)[1] in ("one", "two")


def test_dry_run_plans_the_comment_without_calling_github(
    action: Action, github: GitHubEmulator
) -> None:
    run = action(RED_RUN, dry_run="true")
    assert run.code == 0
    assert github.requests == []
    assert "::group::PR comment that would be written on #7 (dry run)" in run.log
    assert "### ❌ 1 of 2 tests failed" in run.log
    assert "📝 Dry run: the PR comment on #\u20607 would be created or updated" in run.summary


def html_problems(markdown: str) -> tuple[str, ...]:
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    allowed = ("https://github.com/acme/shop/", "http://127.0.0.1:")
    return check_html(html, lambda href: href.startswith(allowed)).problems


def test_a_huge_hostile_report_stays_within_both_limits(action: Action) -> None:
    hostile = "| <script>x</script> `@team` #12 [a](http://e) ::error::x " * 6
    cases: list[Case] = [
        (f"com.acme.Suite{i % 7}", f"case {i} {hostile}", f"boom {i} {hostile}") for i in range(300)
    ]
    trace = ("🔥" * 79 + "\n") * 80  # 6,400 characters, 25 KB in UTF-8
    run = action(cases, trace=trace, fail_on="test-failures")
    assert run.code == 1
    assert len(run.summary.encode()) <= 1_000_000 + 2_000  # plus the appended comment status
    assert "✂️ **Shortened to fit GitHub's 1 MiB job-summary limit:**" in run.summary
    assert html_problems(run.summary) == ()
    comment = action.ours()[0]
    assert len(comment) <= 60_000
    assert "✂️ **Shortened to fit GitHub's 65,536-character comment limit:**" in comment
    assert html_problems(comment) == ()
    # Annotations: 9 failed tests, the step's own error, and one notice for the rest.
    commands = [line for line in run.log.splitlines() if line.startswith("::")]
    assert sum(line.startswith(("::error ", "::error::")) for line in commands) == 10
    assert "::notice title=More failed tests::291 more failed tests are not annotated" in run.log
    # Every line the runner reads as a command is one tmsaction meant: hostile text inside a
    # message follows the command's own `::` and is never at the start of a line.
    for line in commands:
        assert line.startswith(("::error ", "::error::", "::notice ", "::warning ")), line
    assert all("\n::" not in line for line in commands)
