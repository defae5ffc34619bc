"""Rendering and the PR comment at scale: time and peak memory beside a baseline from the same run.

    python bench/render.py [--tests 1000000] [--failures 20000]

Rows (each its own process, see measure.py):
- baseline: build the test results in memory and count them (what any run does anyway);
- summary + comment: the same, then render the job summary and the PR comment with the budgets;
- upsert on a PR with 1,000 comments: find the marked comment across every page and update it,
  against the GitHub emulator on loopback.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import measure, python

HOSTILE = "| <b>x</b> `y` @team #1 "


def build(tests: int, failures: int) -> object:
    from tmsaction.inputs import RunContext
    from tmsaction.model import Outcome, ReportFile, ReportSet, TestDetail, TestResult, Totals
    from tmsaction.runreport import RunReport

    trace = "\n".join(f"    at com.acme.Frame{i}.call(Frame.java:{i})" for i in range(150))
    every = max(1, tests // max(1, failures))
    results = tuple(
        TestResult(
            ("suite",),
            f"com.acme.shop.Suite{i % 997}",
            f"test {i} {HOSTILE}" if i % every == 0 else f"test {i}",
            Outcome.FAILED if i % every == 0 else Outcome.PASSED,
            duration=0.01,
            detail=TestDetail(message=f"expected {i} {HOSTILE}", details=trace)
            if i % every == 0
            else None,
        )
        for i in range(tests)
    )
    reports = ReportSet(
        results=results, files=(ReportFile("r.xml", "junit", tests),), totals=Totals.of(results)
    )
    context = RunContext(workspace=Path("/ws"), repository="acme/shop", run_id="1", sha="a" * 40)
    return RunReport(reports=reports, context=context, results_json="tmsaction-results.json")


def child_render(tests: int, failures: int, render: bool) -> None:
    report = build(tests, failures)
    if not render:
        print("built")
        return
    from tmsaction.render.comment import render_comment
    from tmsaction.render.summary import render_summary
    from tmsaction.runreport import RunReport

    assert isinstance(report, RunReport)
    start = time.perf_counter()
    summary = render_summary(report)
    comment = render_comment(report, "<!-- tmsaction:comment key=CI/test -->\n")
    took = time.perf_counter() - start
    print(
        f"rendered in {took:.2f} s: summary {len(summary.encode()):,} bytes, "
        f"comment {len(comment):,} characters"
    )


def child_upsert() -> None:
    from tmsaction.clients.github import GitHubClient
    from tmsaction.sandbox.github import seed_demo
    from tmsaction.sandbox.server import SandboxServer
    from tmsaction.sinks.github import CommentPlan, upsert_comment
    from tmsaction.sinks.github_comment import GREEN, comment_key

    github = seed_demo()
    key = comment_key("CI", "test")
    for index in range(500):
        github.add_comment("acme/shop", 7, f"review {index}")
    github.add_comment("acme/shop", 7, f"<!-- tmsaction:comment key={key} -->\nold")
    for index in range(499):
        github.add_comment("acme/shop", 7, f"review {500 + index}")
    with SandboxServer(github) as server:
        client = GitHubClient.connect(server.url, "demo-token")
        plan = CommentPlan(
            "acme/shop", key, "always", f"<!-- tmsaction:comment key={key} -->\nnew", GREEN
        )
        start = time.perf_counter()
        outcome = upsert_comment(client, plan, 7, sleep=time.sleep)
        took = time.perf_counter() - start
    print(f"{outcome.action} in {took:.2f} s with {len(github.requests)} requests")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tests", type=int, default=1_000_000)
    parser.add_argument("--failures", type=int, default=20_000)
    parser.add_argument("--child", choices=("baseline", "render", "upsert"))
    options = parser.parse_args()
    if options.child == "upsert":
        child_upsert()
        return
    if options.child:
        child_render(options.tests, options.failures, options.child == "render")
        return
    script = str(Path(__file__).resolve())
    sizes = ["--tests", str(options.tests), "--failures", str(options.failures)]
    print(f"{options.tests:,} tests, {options.failures:,} failing, names and messages hostile")
    print(f"{'':<44} {'wall':>10} {'ratio':>6} {'peak':>11}")
    baseline = measure("baseline: build and count", python(script, "--child", "baseline", *sizes))
    print(baseline.row())
    rendered = measure("summary + comment", python(script, "--child", "render", *sizes))
    print(rendered.row(baseline), "  ", rendered.stdout.strip())
    upsert = measure("upsert on a PR with 1,000 comments", python(script, "--child", "upsert"))
    print(upsert.row(), "  ", upsert.stdout.strip())


if __name__ == "__main__":
    main()
