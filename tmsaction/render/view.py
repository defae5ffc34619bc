"""What the summary and comment templates see: the run report plus the lists and verdict computed
from it once, before any budget level is rendered. Pure; no I/O.

Template variables (the contract for section partials such as `coverage.md.j2`):
- `report`: the `RunReport` (sections read the fields their work adds to it);
- `verdict`: `Verdict` (icon, title, whether the step fails and why);
- `failures`, `failure_count`, `flaky`, `flaky_count`: failed and flaky test results in report
  order, at most `MAX_LISTED` of each (the counts are complete);
- `detail`: the `budget.Detail` of this rendering (`rows`, `traces`, `trace_chars`, `short`);
- `budget`: the `budget.Budget` being rendered to (its `description` is for notes);
- `summary_url`: where the job summary is shown (the workflow run page), or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tmsaction.model import Outcome, TestResult
from tmsaction.render.budget import Budget, Detail
from tmsaction.runreport import RunReport

#: No level lists more rows than this, so a million failing tests cost no more than 1,000.
MAX_LISTED = 1000


@dataclass(frozen=True)
class Verdict:
    """The headline: one icon, one title, and why the step fails (if it does)."""

    icon: str
    title: str
    red: bool  # something failed: a test, or a `fail_on` gate; what `comment: failures` acts on
    step_fails: bool
    reasons: tuple[str, ...]
    fail_on: tuple[str, ...]


def verdict_of(report: RunReport) -> Verdict:
    """The headline's icon and title: what happened to the tests, then failed quality gates
    (a failed gate is ❌ when `fail_on: quality-gates` fails the step on it, else ⚠️)."""
    totals = report.reports.totals
    step_fails = bool(report.step_failures)
    if not report.reports.files:
        title = "No test reports found"
    elif totals.total == 0:
        title = "The reports hold no tests"
    elif totals.failed:
        title = f"{totals.failed:,} of {totals.total:,} tests failed"
    elif totals.total == 1:
        title = "The test passed"
    else:
        title = (
            f"All {totals.total:,} tests passed"
            if not totals.skipped
            else f"No failures in {totals.total:,} tests"
        )
    failed_gates = len(report.failed_gates)
    if failed_gates:
        title += f" · {failed_gates} quality {'gate' if failed_gates == 1 else 'gates'} failed"
    if totals.failed or step_fails:
        icon = "❌"
    elif not totals.total or report.problems or report.reports.problems or failed_gates:
        icon = "⚠️"
    else:
        icon = "✅"
    return Verdict(
        icon=icon,
        title=title,
        red=bool(totals.failed) or step_fails,
        step_fails=step_fails,
        reasons=report.step_failures,
        fail_on=tuple(sorted(report.fail_on)) or ("nothing",),
    )


def _first(results: tuple[TestResult, ...], wanted: frozenset[Outcome]) -> tuple[int, list[Any]]:
    listed: list[TestResult] = []
    count = 0
    for result in results:
        if result.outcome in wanted:
            count += 1
            if len(listed) < MAX_LISTED:
                listed.append(result)
    return count, listed


def template_context(report: RunReport) -> dict[str, Any]:
    """Everything the templates need except `detail` and `budget` (added per rendering)."""
    results = report.reports.results
    failure_count, failures = _first(results, frozenset({Outcome.FAILED, Outcome.ERROR}))
    flaky_count, flaky = _first(results, frozenset({Outcome.FLAKY}))
    return {
        "report": report,
        "verdict": verdict_of(report),
        "failures": failures,
        "failure_count": failure_count,
        "flaky": flaky,
        "flaky_count": flaky_count,
        "summary_url": report.context.run_url,
    }


def with_detail(context: dict[str, Any], detail: Detail, budget: Budget) -> dict[str, Any]:
    return {**context, "detail": detail, "budget": budget}
