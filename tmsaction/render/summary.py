"""The job summary (`GITHUB_STEP_SUMMARY`, or the terminal outside Actions). Pure."""

from __future__ import annotations

from tmsaction.model import Outcome
from tmsaction.render.env import builtin_environment
from tmsaction.runreport import RunReport

MAX_LISTED_FAILURES = 50


def render_summary(report: RunReport) -> str:
    results = report.reports.results
    failures = [r for r in results if r.outcome.is_failure]
    flaky = [r for r in results if r.outcome is Outcome.FLAKY]
    if report.problems or failures:
        icon = "❌"
    elif not report.reports.files:
        icon = "⚠️"
    else:
        icon = "✅"
    template = builtin_environment().get_template("summary.md.j2")
    return template.render(
        report=report,
        verdict_icon=icon,
        failures=failures[:MAX_LISTED_FAILURES],
        hidden_failures=max(0, len(failures) - MAX_LISTED_FAILURES),
        flaky=flaky[:MAX_LISTED_FAILURES],
    )
