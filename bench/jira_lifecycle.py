"""Jira requests per failing test for the whole defect lifecycle, through `main()` against the
Jira emulator (Cloud, search lagging behind writes), beside a naive baseline measured in the same
run with the same client.

Phases (each measured in its own process, after replaying the phases before it):
- first: N new failures (each covering one story) are filed;
- rerun: the same N fail again in another workflow run seconds later (search has indexed none of
  the new defects yet);
- fixed: the N pass again in a later run (search has caught up) and their defects are commented
  and moved to Done;
- mass: 300 failures at once with the default cap (`max_new: 10`) and one umbrella issue.
The naive baseline does per test what a straightforward integration does: one fingerprint search,
then create + story link + run link (first), comment (rerun), read transitions + transition
(fixed). It is cheaper in requests on the first run but files duplicates on Jira Cloud, since
its search cannot see defects filed seconds earlier; tmsaction's extra reads are what prevents
that.

Run: .venv/bin/python bench/jira_lifecycle.py [--failures 50]
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from measure import measure, python  # bench/ is on sys.path when this script runs

PHASES = ("first", "rerun", "fixed")
CONFIG = """version: 1
jira:
  defects:
    max_new: {max_new}
    resolve:
      transitions: [Done]
      resolution: Fixed
"""


def junit(failures: int, outcome: str) -> str:
    cases = []
    for index in range(failures):
        story = ("SHOP-3", "SHOP-12", "SHOP-14", "SHOP-19")[index % 4]
        body = (
            f"<failure message='expected {index}'>AssertionError at Cart.java:{index}</failure>"
            if outcome == "failed"
            else ""
        )
        cases.append(
            f"<testcase classname='com.acme.CartTest' name='test{index:04d}'><properties>"
            f"<property name='story' value='{story}'/></properties>{body}</testcase>"
        )
    return f"<testsuite name='com.acme.CartTest'>{''.join(cases)}</testsuite>"


def run_action(
    workspace: Path, url: str, run_id: str, *, failures: int, outcome: str, max_new: int
) -> None:
    from tmsaction.__main__ import main
    from tmsaction.pipeline import Services

    (workspace / "reports").mkdir(parents=True, exist_ok=True)
    (workspace / ".github").mkdir(exist_ok=True)
    (workspace / "reports" / "TEST-cart.xml").write_text(junit(failures, outcome))
    (workspace / ".github" / "tmsaction.yml").write_text(CONFIG.format(max_new=max_new))
    env = {
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(workspace / "summary.md"),
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_RUN_ID": run_id,
        "GITHUB_WORKFLOW": "CI",
        "GITHUB_REF_NAME": "main",
        "INPUT_REPORTS": "reports/*.xml",
        "INPUT_JIRA_URL": url,
        "INPUT_JIRA_USER": "demo@example.com",
        "INPUT_JIRA_TOKEN": "demo-token",
        "INPUT_JIRA_PROJECT": "SHOP",
        "INPUT_JIRA_CREATE_DEFECTS": "true",
        "INPUT_COMMENT": "off",
        "INPUT_FAIL_ON": "nothing",
    }
    code = main([], env, stdout=io.StringIO(), services=Services(sleep=lambda _s: None))
    assert code == 0, f"tmsaction exited with {code}"


def ours(phase: str, failures: int) -> dict[str, Any]:
    from tmsaction.sandbox.jira.seed import seed_demo
    from tmsaction.sandbox.server import SandboxServer

    frozen = 1000.0  # the index clock never moves: search sees none of the writes
    emulator = seed_demo(clock=lambda: frozen, search_delay=60.0)
    max_new = 10 if phase == "mass" else failures
    count = 300 if phase == "mass" else failures
    steps = [("1", "failed")] if phase in ("first", "mass") else [("1", "failed"), ("2", "failed")]
    if phase == "fixed":
        steps.append(("3", "passed"))
    with tempfile.TemporaryDirectory() as folder, SandboxServer(emulator) as server:
        for index, (run_id, outcome) in enumerate(steps):
            before = len(emulator.requests)
            started = time.perf_counter()
            if run_id == "3":
                emulator.settle()  # a fix lands in a later run: search has caught up by then
            run_action(
                Path(folder) / run_id,
                server.url,
                run_id,
                failures=count,
                outcome=outcome,
                max_new=max_new,
            )
            seconds = time.perf_counter() - started
            if index == len(steps) - 1:
                measured = emulator.requests[before:]
    defects = [i for i in emulator.issues("SHOP") if any(x.startswith("tms-") for x in i.labels)]
    return {
        "requests": len(measured),
        "searches": sum(1 for _, route in measured if route.startswith("/search")),
        "writes": sum(1 for m, r in measured if m != "GET" and not r.startswith("/search")),
        "defects": len(defects),
        "tests": count,
        "seconds": seconds,
    }


def naive(phase: str, failures: int) -> dict[str, Any]:
    from tmsaction.clients.jira import JiraClient
    from tmsaction.clients.jira_text import document, paragraph
    from tmsaction.plan.jira_fingerprint import digest_label
    from tmsaction.sandbox.jira.seed import seed_demo
    from tmsaction.sandbox.server import SandboxServer

    frozen = 1000.0
    emulator = seed_demo(clock=lambda: frozen, search_delay=60.0)
    labels = [digest_label(f"test{index:04d}") for index in range(failures)]
    with SandboxServer(emulator) as server:
        client = JiraClient.connect(
            server.url, "demo@example.com", "demo-token", sleep=lambda _: None
        )
        role = client.resolve_link_type("Relates")
        runs = {"first": 1, "rerun": 2, "fixed": 3}[phase]
        for run in range(1, runs + 1):
            before = len(emulator.requests)
            started = time.perf_counter()
            for index, label in enumerate(labels):
                found = client.find_by_labels("SHOP", [label]).get(label)
                if run == 1 or (run == 2 and not found):
                    key = client.create_issue(
                        {
                            "project": {"key": "SHOP"},
                            "issuetype": {"name": "Bug"},
                            "summary": f"test{index:04d} failed",
                            "labels": [label],
                        }
                    ).key
                    story = ("SHOP-3", "SHOP-12", "SHOP-14", "SHOP-19")[index % 4]
                    client.link(key, story, role, existing=())
                    client.remote_link(
                        key, global_id=f"run:{run}", url=f"https://ci/{run}", title="run"
                    )
                elif run == 2 and found:
                    client.add_comment(found[0].key, document(paragraph(f"failed again in {run}")))
                elif found:
                    client.transition(found[0].key, ["Done"], resolution="Fixed")
            if run == 2:
                emulator.settle()
            seconds = time.perf_counter() - started
            measured = emulator.requests[before:]
    defects = [i for i in emulator.issues("SHOP") if any(x.startswith("tms-") for x in i.labels)]
    return {
        "requests": len(measured),
        "searches": sum(1 for _, route in measured if route.startswith("/search")),
        "writes": sum(1 for m, r in measured if m != "GET" and not r.startswith("/search")),
        "defects": len(defects),
        "tests": failures,
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--failures", type=int, default=50)
    parser.add_argument("--case")
    options = parser.parse_args()
    if options.case:
        kind, phase = options.case.split(":")
        figures = (ours if kind == "ours" else naive)(phase, options.failures)
        print(json.dumps(figures))
        return
    n = options.failures
    print(f"Jira requests per failing test, {n} failing tests (Cloud emulator, search lagging)")
    header = f"{'case':<22} {'process':>10} {'phase':>8} {'requests':>9} {'per test':>9}"
    print(header + f" {'searches':>9} {'writes':>7} {'defects':>8}")
    cases = [f"{kind}:{phase}" for phase in PHASES for kind in ("naive", "ours")] + ["ours:mass"]
    for case in cases:
        result = measure(case, python(__file__, "--case", case, "--failures", str(n)))
        f = json.loads(result.stdout)
        print(
            f"{case:<22} {result.wall:8.2f} s {f['seconds']:6.2f} s {f['requests']:9d} "
            f"{f['requests'] / f['tests']:9.2f} {f['searches']:9d} {f['writes']:7d} "
            f"{f['defects']:8d}"
        )


if __name__ == "__main__":
    main()
