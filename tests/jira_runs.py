"""Helpers for the Jira lifecycle tests: JUnit reports written from a list of tests, and the whole
action run through `main()` with a dict environment against the Jira emulator on loopback.

The emulator's search index uses a `FakeClock` that the tests move by hand, so "a rerun seconds
later" means: search has not indexed anything the previous run wrote.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from tmsaction.__main__ import main
from tmsaction.ghactions import parse_outputs
from tmsaction.pipeline import Services
from tmsaction.sandbox.jira.emulator import JiraEmulator
from tmsaction.sandbox.jira.seed import DEMO_EMAIL, DEMO_PAT, DEMO_TOKEN
from tmsaction.sandbox.jira.world import Deployment
from tmsaction.sandbox.server import SandboxServer

from tests.jira_support import FakeClock, FakeSleep, running


@dataclass(frozen=True)
class Case:
    """One test in a generated JUnit report."""

    name: str
    outcome: str = "passed"  # passed, failed, error, skipped, flaky
    stories: tuple[str, ...] = ()
    classname: str = "com.acme.shop.CartTest"
    message: str = "expected 3 but was 2"


def junit(cases: Sequence[Case]) -> str:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>']
    suites: dict[str, list[Case]] = {}
    for case in cases:
        suites.setdefault(case.classname, []).append(case)
    for suite, members in suites.items():
        parts.append(f"<testsuite name={quoteattr(suite)} tests='{len(members)}'>")
        for case in members:
            parts.append(
                f"<testcase classname={quoteattr(suite)} name={quoteattr(case.name)} time='0.1'>"
            )
            if case.stories:
                value = ",".join(case.stories)
                parts.append(
                    f"<properties><property name='story' value={quoteattr(value)}/></properties>"
                )
            trace = f"AssertionError: {case.message}\n\tat {suite}.{case.name}({suite}.java:42)"
            if case.outcome == "failed":
                parts.append(
                    f"<failure message={quoteattr(case.message)}>{escape(trace)}</failure>"
                )
            elif case.outcome == "error":
                parts.append(f"<error message={quoteattr(case.message)}>{escape(trace)}</error>")
            elif case.outcome == "skipped":
                parts.append("<skipped/>")
            elif case.outcome == "flaky":
                parts.append(
                    f"<flakyFailure message={quoteattr(case.message)}>{escape(trace)}</flakyFailure>"
                )
            parts.append("</testcase>")
        parts.append("</testsuite>")
    parts.append("</testsuites>")
    return "\n".join(parts)


@dataclass
class RunResult:
    code: int
    log: str
    summary: str
    outputs: dict[str, str]
    results: dict[str, Any]
    requests: list[tuple[str, str]]  # (method, route) this run sent to Jira

    def jira(self, name: str) -> dict[str, Any] | None:
        """`sync.jira` of the test called `name`."""
        test = next(t for t in self.results["tests"] if t["name"] == name)
        entry = test.get("sync", {}).get("jira")
        return entry if isinstance(entry, dict) else None

    def entry(self, name: str) -> dict[str, Any]:
        """`sync.jira` of a test that must have one."""
        found = self.jira(name)
        assert found is not None, f"{name} has no sync.jira entry"
        return found

    def count(self, method: str, route: str | None = None) -> int:
        return sum(1 for m, r in self.requests if m == method and (route is None or r == route))

    @property
    def searches(self) -> int:
        return sum(1 for _, route in self.requests if route.startswith("/search"))

    @property
    def writes(self) -> list[tuple[str, str]]:
        return [(m, r) for m, r in self.requests if m != "GET" and not r.startswith("/search")]


def _read_outputs(path: Path) -> dict[str, str]:
    return parse_outputs(path.read_text(encoding="utf-8")) if path.exists() else {}


@dataclass
class JiraWorld:
    """A workspace, the emulator and its server, and how to run the action against them."""

    workspace: Path
    emulator: JiraEmulator
    server: SandboxServer
    clock: FakeClock
    deployment: Deployment
    config: str = ""
    sleep: FakeSleep = field(default_factory=FakeSleep)

    def write(self, cases: Sequence[Case]) -> None:
        (self.workspace / "reports").mkdir(parents=True, exist_ok=True)
        (self.workspace / "reports" / "TEST-shop.xml").write_text(junit(cases), encoding="utf-8")

    def run(
        self,
        cases: Sequence[Case] | None = None,
        *,
        run_id: str = "1001",
        attempt: str = "1",
        branch: str = "main",
        dry_run: bool = False,
        config: str | None = None,
        env: dict[str, str] | None = None,
        **inputs: str,
    ) -> RunResult:
        if cases is not None:
            self.write(cases)
        text = self.config if config is None else config
        config_path = self.workspace / ".github" / "tmsaction.yml"
        config_path.parent.mkdir(parents=True, exist_ok=True)
        config_path.write_text("version: 1\n" + text, encoding="utf-8")
        for name in ("summary.md", "outputs.txt"):
            (self.workspace / name).unlink(missing_ok=True)
        variables = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_STEP_SUMMARY": str(self.workspace / "summary.md"),
            "GITHUB_OUTPUT": str(self.workspace / "outputs.txt"),
            "GITHUB_REPOSITORY": "acme/shop",
            "GITHUB_RUN_ID": run_id,
            "GITHUB_RUN_NUMBER": run_id[-3:],
            "GITHUB_RUN_ATTEMPT": attempt,
            "GITHUB_WORKFLOW": "CI",
            "GITHUB_REF_NAME": branch,
            "GITHUB_SHA": "9f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6",
            "GITHUB_SERVER_URL": "https://github.com",
            "INPUT_REPORTS": "reports/*.xml",
            "INPUT_JIRA_URL": self.server.url,
            "INPUT_JIRA_PROJECT": "SHOP",
            "INPUT_JIRA_CREATE_DEFECTS": "true",
            "INPUT_DRY_RUN": "true" if dry_run else "false",
            "INPUT_COMMENT": "off",
        }
        if self.deployment == "cloud":
            variables.update({"INPUT_JIRA_USER": DEMO_EMAIL, "INPUT_JIRA_TOKEN": DEMO_TOKEN})
        else:
            variables.update({"INPUT_JIRA_TOKEN": DEMO_PAT})
        variables.update({f"INPUT_{name.upper()}": value for name, value in inputs.items()})
        variables.update(env or {})
        before = len(self.emulator.requests)
        out = io.StringIO()
        services = Services(sleep=self.sleep, clock=time.time)
        code = main([], variables, stdout=out, services=services)
        summary_path = self.workspace / "summary.md"
        results_path = self.workspace / "tmsaction-results.json"
        return RunResult(
            code=code,
            log=out.getvalue(),
            summary=summary_path.read_text(encoding="utf-8") if summary_path.exists() else "",
            outputs=_read_outputs(self.workspace / "outputs.txt"),
            results=json.loads(results_path.read_text()) if results_path.exists() else {},
            requests=list(self.emulator.requests[before:]),
        )

    # -- what Jira holds ----------------------------------------------------------------------
    def defects(self) -> list[str]:
        """Keys of the issues tmsaction filed (they carry a fingerprint label)."""
        return [
            issue.key
            for issue in self.emulator.issues("SHOP")
            if any(label.startswith("tms-") for label in issue.labels)
        ]

    def comments(self, key: str) -> list[str]:
        from tmsaction.sandbox.jira.views import View

        view = View(self.emulator.world, "", 2)
        return [str(view.rich(c.body)) for c in self.emulator.issue(key).comments]


@contextmanager
def jira_world(
    tmp_path: Path,
    deployment: Deployment = "cloud",
    *,
    config: str = "",
    search_delay: float = 60.0,
) -> Iterator[JiraWorld]:
    """The demo Jira (Cloud: search lags `search_delay` seconds of the fake clock)."""
    clock = FakeClock()
    delay = search_delay if deployment == "cloud" else 0.0  # Data Center search is consistent
    with running(deployment, clock=clock, search_delay=delay) as (emulator, server):
        yield JiraWorld(tmp_path / "ws", emulator, server, clock, deployment, config)
