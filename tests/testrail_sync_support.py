"""Helpers for the TestRail sync tests: JUnit reports written into a workspace, the action run
through `main()` with a dict environment against an emulator on loopback, and readers for what
the run left behind (outputs, results_json) and what the emulator holds."""

from __future__ import annotations

import io
import json
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from tmsaction.__main__ import main
from tmsaction.pipeline import Services
from tmsaction.plan.testrail_keys import key_of
from tmsaction.sandbox.testrail import DEMO_API_KEY, DEMO_USER, TestRailEmulator

from tests.e2e.test_dry_run import read_outputs
from tests.testrail_support import FakeClock


@dataclass(frozen=True)
class Case:
    """One JUnit test case to write."""

    name: str
    classname: str = "com.acme.shop.CartTest"
    time: float = 0.4
    failure: str | None = None  # the failure message (with a trace)
    skipped: bool = False
    flaky: str | None = None  # a failed first attempt (Surefire `flakyFailure`), then a pass
    case_id: int | None = None  # written as the `test_id` property
    stdout: str | None = None
    properties: tuple[tuple[str, str], ...] = ()


def junit(cases: Iterable[Case], suite: str = "shop") -> str:
    rows = []
    for case in cases:
        inner = []
        properties = list(case.properties)
        if case.case_id is not None:
            properties.append(("test_id", f"C{case.case_id}"))
        if properties:
            inner.append(
                "<properties>"
                + "".join(
                    f"<property name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in properties
                )
                + "</properties>"
            )
        if case.failure is not None:
            inner.append(
                f"<failure message={quoteattr(case.failure)}>"
                f"{escape(case.failure)}\n  at CartTest.java:42</failure>"
            )
        if case.skipped:
            inner.append("<skipped/>")
        if case.flaky is not None:
            inner.append(f"<flakyFailure message={quoteattr(case.flaky)}/>")
        if case.stdout:
            inner.append(f"<system-out>{escape(case.stdout)}</system-out>")
        rows.append(
            f"<testcase classname={quoteattr(case.classname)} name={quoteattr(case.name)} "
            f'time="{case.time}">{"".join(inner)}</testcase>'
        )
    return f'<testsuite name={quoteattr(suite)} tests="{len(rows)}">{"".join(rows)}</testsuite>\n'


def workspace(root: Path, reports: Mapping[str, Iterable[Case]], config: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, cases in reports.items():
        path = root / "reports" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(junit(cases), encoding="utf-8")
    if config is not None:
        (root / ".github").mkdir(exist_ok=True)
        (root / ".github" / "tmsaction.yml").write_text(config, encoding="utf-8")
    return root


@dataclass
class Run:
    code: int
    log: str
    outputs: dict[str, str]
    results: dict[str, Any]
    summary: str

    def sync(self, name: str) -> dict[str, Any]:
        """The `sync.testrail` object of the test called `name`."""
        for test in self.results["tests"]:
            if test["name"] == name:
                return dict(test.get("sync", {}).get("testrail") or {})
        raise KeyError(name)


def fast_services(clock: FakeClock | None = None, real_share: float = 0.0) -> Services:
    """Services whose sleeps move a fake clock (the client's rate budget and the sync's polls
    read it), really sleeping `real_share` of each wait so that concurrent jobs interleave."""
    fake = clock or FakeClock(start=time.time())

    def sleep(seconds: float) -> None:
        fake.sleep(seconds)
        if real_share:
            time.sleep(min(seconds * real_share, 0.05))

    return Services(sleep=sleep, clock=fake.now)


def run_action(
    root: Path,
    url: str,
    *,
    services: Services | None = None,
    env: Mapping[str, str] | None = None,
    **inputs: str,
) -> Run:
    """The action on `root`'s reports against TestRail at `url`; inputs as keyword arguments
    (project Shop, suite Backend and the demo credentials unless given)."""
    environment = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(root),
        "GITHUB_STEP_SUMMARY": str(root / "summary.md"),
        "GITHUB_OUTPUT": str(root / "output.txt"),
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_RUN_NUMBER": "17",
        "GITHUB_WORKFLOW": "CI",
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_REF_NAME": "main",
        "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
        "GITHUB_SERVER_URL": "https://github.com",
    }
    defaults = {
        "reports": "reports/**/*.xml",
        "testrail_url": url,
        "testrail_user": DEMO_USER,
        "testrail_api_key": DEMO_API_KEY,
        "testrail_project": "Shop",
        "testrail_suite": "Backend",
        "comment": "off",
    }
    for name, value in {**defaults, **inputs}.items():
        environment[f"INPUT_{name.upper()}"] = value
    environment.update(env or {})
    for stale in ("summary.md", "output.txt"):
        (root / stale).unlink(missing_ok=True)
    out = io.StringIO()
    code = main([], environment, stdout=out, services=services or fast_services())
    outputs = read_outputs(root / "output.txt") if (root / "output.txt").exists() else {}
    results_path = root / "tmsaction-results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    summary_path = root / "summary.md"
    summary = summary_path.read_text() if summary_path.exists() else ""
    return Run(code, out.getvalue(), outputs, results, summary)


def posts(emulator: TestRailEmulator) -> list[str]:
    with emulator._log_lock:
        return [route for method, route in emulator.requests if method == "POST"]


def keys_by_case(emulator: TestRailEmulator, run_id: int) -> Counter[tuple[int, str | None]]:
    """(case id, idempotency key) of every result in the run, counted."""
    case_of = {t["id"]: t["case_id"] for t in emulator.tests(run_id)}
    return Counter((case_of[r["test_id"]], key_of(r["comment"])) for r in emulator.results(run_id))


@dataclass
class Jitter:
    """Wraps an emulator's dispatch with seeded random delays, so concurrent jobs interleave
    differently for each seed."""

    emulator: TestRailEmulator
    seed: int
    most: float = 0.004
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        import random

        rng = random.Random(self.seed)
        original = self.emulator.dispatch

        def dispatch(request: Any) -> Any:
            with self._lock:
                delay = rng.random() * self.most
            time.sleep(delay)
            return original(request)

        self.emulator.dispatch = dispatch  # type: ignore[method-assign]


__all__ = [
    "DEMO_API_KEY",
    "DEMO_USER",
    "Case",
    "FakeClock",
    "Jitter",
    "Run",
    "fast_services",
    "junit",
    "keys_by_case",
    "posts",
    "run_action",
    "workspace",
]
