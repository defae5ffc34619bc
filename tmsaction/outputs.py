"""The step outputs (DESIGN.md, "Outputs"), computed from the run report. Pure."""

from __future__ import annotations

from tmsaction.runreport import RunReport

#: Every output the action declares, in action.yml order.
OUTPUT_NAMES = (
    "total",
    "passed",
    "failed",
    "skipped",
    "flaky",
    "unmatched",
    "run_id",
    "run_url",
    "automation_coverage",
    "defects_created",
    "defects_updated",
    "results_json",
)

OUTPUT_HELP = {
    "total": "Number of tests after merging shards and reruns.",
    "passed": "Tests that passed.",
    "failed": "Tests that failed or errored.",
    "skipped": "Tests that were skipped.",
    "flaky": "Tests that failed and then passed in the same report set (counted once).",
    "unmatched": "Tests that matched no TestRail case.",
    "run_id": "TestRail run id the results went to.",
    "run_url": "TestRail run URL.",
    "automation_coverage": (
        "Automated share of the regression suite in percent (e.g. `83.5`); empty when TestRail "
        "was not read (the regression suite is defined there)."
    ),
    "defects_created": "Jira defects filed by this run.",
    "defects_updated": "Jira defects commented, reopened or transitioned by this run.",
    "results_json": "Path of the JSON file with every test result, its mapping and sync outcome.",
}


def build_outputs(report: RunReport) -> dict[str, str]:
    totals = report.reports.totals
    values = {
        "total": str(totals.total),
        "passed": str(totals.passed),
        "failed": str(totals.failed),
        "skipped": str(totals.skipped),
        "flaky": str(totals.flaky),
        "unmatched": str(report.unmatched) if report.plan else "",
        "run_id": _run(report, "id"),
        "run_url": _run(report, "url"),
        "automation_coverage": _coverage(report),
        "defects_created": ",".join(report.jira.created) if report.jira else "",
        "defects_updated": ",".join(report.jira.updated) if report.jira else "",
        "results_json": report.results_json or "",
    }
    return {name: values[name] for name in OUTPUT_NAMES}


def _run(report: RunReport, what: str) -> str:
    """The first suite's TestRail run (README "Outputs": one run per suite; the first is the
    first route's); empty in a dry run and when no run was opened."""
    outcome = report.testrail
    run = outcome.first_run if outcome and not outcome.dry_run else None
    if run is None:
        return ""
    return str(run.run_id) if what == "id" else run.url or ""


def _coverage(report: RunReport) -> str:
    """Automated share of the regression suite; empty when TestRail was not read."""
    share = report.coverage.regression_percent if report.coverage else None
    return "" if share is None else f"{share:.1f}"
