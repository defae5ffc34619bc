"""What changed, at scale: reading the previous run's results from its GitHub artifact and comparing
it with this run, beside a baseline from the same run.

    python bench/history.py [--tests 1000000]

Rows (each its own process, see measure.py):
- baseline: build this run's test results and the previous run's `tmsaction-results` artifact
  (its results file, zipped, held by the GitHub emulator on loopback): what the history step
  starts from;
- history: the same, then `read_history`: list the runs, download the artifact, read the file
  line by line and compare test by test (2% of the outcomes changed, 0.5% of the tests renamed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import measure, python

REPO = "acme/shop"


def build(tests: int, *, previous: bool) -> object:
    from tmsaction.inputs import RunContext
    from tmsaction.model import Outcome, ReportFile, ReportSet, TestDetail, TestResult, Totals
    from tmsaction.runreport import RunReport

    def outcome(index: int) -> Outcome:
        failing = index % 50 == 0
        if previous and index % 100 in (0, 1):
            failing = not failing  # 2% of the outcomes differ: 1% new failures, 1% fixed
        return Outcome.FAILED if failing else Outcome.PASSED

    def name(index: int) -> str:
        renamed = index % 200 == 7 and previous  # 0.5% renamed: removed here, new there
        return f"test {index}" + (" (old name)" if renamed else "")

    results = tuple(
        TestResult(
            ("reports/TEST-suite.xml",),
            f"com.acme.shop.Suite{i % 997}",
            name(i),
            outcome(i),
            duration=0.01,
            detail=TestDetail(message=f"expected {i}") if outcome(i).is_failure else None,
        )
        for i in range(tests)
    )
    reports = ReportSet(
        results=results, files=(ReportFile("r.xml", "junit", tests),), totals=Totals.of(results)
    )
    context = RunContext(workspace=Path("/ws"), repository=REPO, run_id="1", sha="a" * 40)
    return RunReport(reports=reports, context=context)


def child(tests: int, read: bool) -> None:
    from tmsaction.history.read import read_history
    from tmsaction.inputs import RunContext, parse_inputs
    from tmsaction.results_json import write_results_json
    from tmsaction.runreport import RunReport
    from tmsaction.sandbox.github import seed_demo
    from tmsaction.sandbox.server import SandboxServer

    github = seed_demo()
    with tempfile.TemporaryDirectory() as scratch:
        earlier = build(tests, previous=True)
        assert isinstance(earlier, RunReport)
        path = Path(scratch) / "tmsaction-results.json"
        write_results_json(path, earlier)
        del earlier
        size = path.stat().st_size
        run = next(iter(github.repo(REPO).actions.runs.values()))
        artifact = github.actions.add_artifact(
            REPO, run.id, "tmsaction-results", {"tmsaction-results.json": path.read_bytes()}
        )
    report = build(tests, previous=False)
    assert isinstance(report, RunReport)
    if not read:
        print(f"results file {size / 1e6:.0f} MB, zipped {len(artifact.data) / 1e6:.1f} MB")
        return
    with SandboxServer(github) as server:
        env = {"INPUT_GITHUB_TOKEN": "demo-token"}
        context = RunContext(
            workspace=Path("/ws"),
            repository=REPO,
            run_id="999999999",
            workflow="CI",
            base_ref="main",
            api_url=server.url,
            env={"GITHUB_WORKFLOW_REF": f"{REPO}/.github/workflows/ci.yml@refs/heads/main"},
        )
        start = time.perf_counter()
        compared = read_history(replace(report, context=context), parse_inputs([], env))
        took = time.perf_counter() - start
    changes = compared.changes
    assert changes is not None, compared.history_note
    print(
        f"history in {took:.2f} s ({len(github.requests)} requests): "
        f"{changes.new_failures.count:,} new failures, {changes.fixed.count:,} fixed, "
        f"{changes.new_tests.count:,} new, {changes.removed_tests.count:,} removed"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tests", type=int, default=1_000_000)
    parser.add_argument("--child", choices=("baseline", "history"))
    options = parser.parse_args()
    if options.child:
        child(options.tests, options.child == "history")
        return
    script = str(Path(__file__).resolve())
    size = ["--tests", str(options.tests)]
    print(f"{options.tests:,} tests; the previous run differs in 2% of outcomes and 0.5% of names")
    print(f"{'':<44} {'wall':>10} {'ratio':>6} {'peak':>11}")
    baseline = measure(
        "baseline: this run + previous artifact", python(script, "--child", "baseline", *size)
    )
    print(baseline.row(), "  ", baseline.stdout.strip())
    history = measure(
        "the same + read_history (GitHub)", python(script, "--child", "history", *size)
    )
    print(history.row(baseline), "  ", history.stdout.strip())


if __name__ == "__main__":
    main()
