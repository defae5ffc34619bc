"""One action run as a pipeline of small steps: read -> (map -> plan -> apply) -> render -> outputs.

Every step gets its inputs passed in; side effects go through the funnels (`reports.collect` for
files, `http` for the network, `ghactions` for runner output).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from tmsaction import ghactions
from tmsaction.config.load import load_config
from tmsaction.config.model import Config
from tmsaction.errors import EXIT_FAILED, EXIT_OK
from tmsaction.gcpause import collector_paused
from tmsaction.ghactions import Console
from tmsaction.history.read import read_history
from tmsaction.inputs import OPTION_BY_NAME, Inputs, RunContext
from tmsaction.mapping.model import DEFAULT_ROUTE
from tmsaction.mapping.routes import routes_in_use
from tmsaction.outputs import build_outputs
from tmsaction.plan.build import plan_mapping
from tmsaction.render.summary import render_summary
from tmsaction.reports.collect import read_reports
from tmsaction.results_json import write_results_json
from tmsaction.runreport import RunReport
from tmsaction.sinks.github import publish_comment
from tmsaction.sinks.jira import sync_jira
from tmsaction.sinks.testrail import TestRailSync

RESULTS_JSON_NAME = "tmsaction-results.json"


@dataclass(frozen=True)
class Services:
    """Side-effect providers wired by the entry point; tests pass fakes (no real waiting)."""

    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time


def run(inputs: Inputs, context: RunContext, console: Console, services: Services) -> int:
    """Run the action once; returns the exit code `fail_on` calls for.

    What the run has read and planned is set aside from the cyclic garbage collector
    (`gc.freeze`) once built, and given back when the run ends, however it ends: the test results
    and mappings hold no cycles, and the collector's passes would otherwise walk a million of
    them (0.9 s of the million-test dry run, bench/parse.py; see gcpause.py). Nothing is set aside
    when something froze objects already: `gc.unfreeze` could not tell theirs from ours."""
    if gc.get_freeze_count():
        return _run(inputs, context, console, services, spare=lambda: None)
    try:
        return _run(inputs, context, console, services, spare=gc.freeze)
    finally:
        gc.unfreeze()


def _run(
    inputs: Inputs,
    context: RunContext,
    console: Console,
    services: Services,
    *,
    spare: Callable[[], None],
) -> int:
    # The config first: a bad config stops the run (exit 2) before anything is read or sent.
    config = load_config(
        context.workspace, inputs.config, explicit=inputs.config != OPTION_BY_NAME["config"].default
    )
    # Reading builds a million objects and no cycles: set aside before the collector is back on.
    with collector_paused():
        reports = read_reports(context.workspace, inputs.reports)
        spare()
    for problem in reports.problems:
        console.warning(
            problem.message, title="Test report problem", file=problem.source, line=problem.line
        )
    if not reports.files:
        console.warning(
            "No test reports found for reports="
            + ", ".join(inputs.reports)
            + f" under {context.workspace}; check the glob and that the tests wrote their reports."
        )
    # TestRail is read before mapping (case ids are checked, names matched, coverage counted).
    testrail = TestRailSync.start(
        inputs, context, console, sleep=services.sleep, clock=services.clock
    )
    routes = routes_in_use(reports.results, config.testrail.routes) or (DEFAULT_ROUTE,)
    facts = testrail.read(routes, config, reports.results) if testrail else None
    with collector_paused():  # so does planning (one mapping entry per test)
        planned = plan_mapping(
            reports.results,
            reports.totals,
            config,
            catalog=facts.mapping_catalog if facts else None,
            lookups=facts.lookups if facts and not facts.fatal else None,
            create_cases=inputs.testrail_create_cases,
            default_project=inputs.testrail_project,
            default_suite=inputs.testrail_suite,
        )
        spare()
    for note in planned.plan.mapping.notes:
        console.warning(note, title="Mapping", file=config.source)
    plan = planned.plan
    if testrail and facts:
        plan = replace(
            plan, testrail=testrail.plan(reports, planned.mappings, config, routes, facts)
        )
    report = RunReport(
        reports=reports,
        context=context,
        dry_run=inputs.dry_run,
        config=config,
        mappings=planned.mappings,
        plan=plan,
        coverage=planned.coverage,
        gates=planned.gates,
    )
    ghactions.annotate_failures(console, reports.failures, reports.totals.failed)
    report = _sync(report, inputs, context, console, services=services, testrail=testrail)

    results_path = context.workspace / RESULTS_JSON_NAME
    write_results_json(results_path, report)
    report = replace(report, results_json=_relative(results_path, context.workspace))

    report = read_history(
        report,
        inputs,
        sleep=services.sleep,
        clock=services.clock,
        testrail=testrail.client if testrail else None,
        catalog=facts.mapping_catalog if facts else None,
        lookups=facts.lookups if facts and not facts.fatal else None,
    )
    report = replace(report, fail_on=inputs.fail_on)
    report = replace(report, step_failures=tuple(failure_reasons(report, inputs.fail_on)))
    summary = render_summary(report, _summary_override(config))
    if context.step_summary:
        ghactions.append_summary(context.step_summary, summary)
    else:
        console.info(summary)
    report = publish_comment(
        report, inputs, context, console, sleep=services.sleep, clock=services.clock
    )
    if context.output_file:
        ghactions.write_outputs(context.output_file, build_outputs(report))
    reasons = failure_reasons(report, inputs.fail_on)
    if reasons:
        console.error(
            "; ".join(reasons) + f" (fail_on: {', '.join(sorted(inputs.fail_on))})",
            title="tmsaction failed the step",
        )
        return EXIT_FAILED
    return EXIT_OK


def _sync(
    report: RunReport,
    inputs: Inputs,
    context: RunContext,
    console: Console,
    *,
    services: Services,
    testrail: TestRailSync | None,
) -> RunReport:
    """The sinks, in the one order that lets each link to the other, each isolated:

    1. TestRail prepare: find or create the run(s), sections and cases; the TestRail tests exist.
    2. Jira: file, comment, reopen or resolve defects, with remote links to those TestRail tests.
    3. TestRail post: every result once, with the Jira defect keys in its `defects` field.
    4. TestRail finish: close the run when asked.
    A Jira outage leaves TestRail's results in place (without defect keys); a TestRail outage
    leaves Jira's defects in place (without TestRail links). Dry runs plan and send nothing.
    """
    plan = report.plan
    prepared = None
    if testrail is not None and plan is not None and plan.testrail is not None:
        prepared = testrail.prepare(plan.testrail, test_ids=inputs.jira_create_defects)
    report = sync_jira(
        report, inputs, context, console, sleep=services.sleep, clock=services.clock,
        testrail_links=prepared.test_urls() if prepared is not None else {},
    )  # fmt: skip
    if testrail is not None and prepared is not None:
        defects = report.jira.defects if report.jira is not None else {}
        prepared = testrail.post(prepared, defects=defects)
        outcome = testrail.finish(prepared)
        report = replace(report, testrail=outcome, problems=report.problems + outcome.problems)
    return report


def failure_reasons(report: RunReport, fail_on: frozenset[str]) -> list[str]:
    """Why `fail_on` fails the step (empty: it passes)."""
    reasons: list[str] = []
    if "test-failures" in fail_on and report.reports.totals.failed:
        reasons.append(f"{report.reports.totals.failed} tests failed")
    if "sync-errors" in fail_on and report.problems:
        reasons.append(f"{len(report.problems)} sync problems")
    if "no-reports" in fail_on and not report.reports.files:
        reasons.append("no test reports were found")
    if "quality-gates" in fail_on and report.failed_gates:
        reasons.extend(f"quality gate failed: {gate.sentence}" for gate in report.failed_gates)
    if "unmatched" in fail_on and report.unmatched:
        count = report.unmatched
        reasons.append(f"{count} {'test' if count == 1 else 'tests'} matched no TestRail case")
    return reasons


def _summary_override(config: Config) -> dict[str, str] | None:
    """`templates.summary_file` from the config, as the renderer's override of summary.md.j2."""
    template = config.templates.summary
    return {"summary.md.j2": template.source} if template else None


def _relative(path: Path, workspace: Path) -> str:
    try:
        return path.relative_to(workspace).as_posix()
    except ValueError:
        return path.as_posix()
