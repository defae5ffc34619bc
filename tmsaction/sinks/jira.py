"""The Jira sink: connect, read (defects by fingerprint, stories), plan, apply, and the story
traceability the summary shows. One call from the pipeline: `sync_jira(report, ...)`.

Order inside one run, and what a failure at each point leaves:
1. connect and check the project (a wrong URL, token or project key: one problem, no defects,
   and the summary still lists the stories the mapping knows);
2. read the snapshot (`jira_read.py`); if Jira cannot answer, nothing is planned or written;
3. plan (`plan/jira.py`, pure); a dry run stops here and renders the plan;
4. apply (`jira_apply.py`): every step's result or problem is recorded per test;
5. traceability from the snapshot and what was applied, then the story comments.
TestRail and the summary never depend on Jira answering: every failure is a `SyncProblem`.

For the TestRail post, `JiraOutcome.defects` maps result indexes to the defect keys to write
into each result's `defects` field; `testrail_links` (result index -> TestRail test URL, from the
TestRail prepare step) become remote links on new defects.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType

from tmsaction.clients.jira import JiraClient
from tmsaction.clients.jira_errors import JiraProblem
from tmsaction.config.model import Config
from tmsaction.coverage import StoryCoverage
from tmsaction.ghactions import Console
from tmsaction.http import Redactor
from tmsaction.inputs import Inputs, RunContext
from tmsaction.plan.jira import (
    Action,
    JiraPlan,
    branch_allows,
    build_jira_plan,
    failing_labels,
)
from tmsaction.plan.jira_fingerprint import scope_label, umbrella_fingerprint
from tmsaction.plan.jira_snapshot import JiraSnapshot
from tmsaction.runreport import RunReport, SyncProblem
from tmsaction.sinks.jira_apply import Applier
from tmsaction.sinks.jira_defects import base_fields
from tmsaction.sinks.jira_outcome import JiraOutcome, defect_states, planned_outcome
from tmsaction.sinks.jira_read import read_snapshot
from tmsaction.templates import run_variables
from tmsaction.traceability import Traceability, build_traceability

NO_LINKS: Mapping[int, str] = MappingProxyType({})


def sync_jira(
    report: RunReport,
    inputs: Inputs,
    context: RunContext,
    console: Console,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    testrail_links: Mapping[int, str] = NO_LINKS,
) -> RunReport:
    """Run the Jira part of the action on `report`; returns it with `jira`, `traceability`,
    `plan.jira` and any problems added. Never raises for Jira's answers; a bug in this sink is
    reported with its traceback and the run goes on (sinks are isolated, DESIGN.md)."""
    try:
        return _sync(
            report, inputs, context, console, sleep=sleep, clock=clock, links=testrail_links
        )
    except Exception as error:
        console.error(
            "tmsaction hit a bug in the Jira sink; the summary and the other sinks go on. "
            "Please report it with this traceback:\n" + traceback.format_exc(),
            title="Jira",
        )
        problem = SyncProblem(
            "jira", f"tmsaction hit a bug in the Jira sink ({type(error).__name__}); see the log."
        )
        return replace(report, problems=(*report.problems, problem))


def _sync(
    report: RunReport,
    inputs: Inputs,
    context: RunContext,
    console: Console,
    *,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    links: Mapping[int, str],
) -> RunReport:
    config = report.config
    if config is None:
        return report
    stories = _stories(report)
    problems: list[SyncProblem] = []
    client: JiraClient | None = None
    if inputs.jira_enabled:
        try:
            client = JiraClient.connect(
                inputs.jira_url or "",
                inputs.jira_user,
                inputs.jira_token or "",
                sleep=sleep,
                clock=clock,
                redactor=Redactor(inputs.secrets()),
            )
        except JiraProblem as problem:
            problems.append(SyncProblem("jira", str(problem)))
    elif inputs.jira_create_defects:
        problems.append(
            SyncProblem(
                "jira",
                "jira_create_defects is true, but jira_url is not set, so no defects were filed; "
                "set jira_url, jira_user, jira_token and jira_project.",
            )
        )
    outcome: JiraOutcome | None = None
    snapshot: JiraSnapshot | None = None
    applier: Applier | None = None
    if client is not None:
        try:
            outcome, snapshot, applier, more = _run(
                client,
                report,
                config,
                inputs,
                context=context,
                stories=stories,
                now=clock(),
                testrail_links=links,
            )
            problems.extend(more)
        except BaseException:
            client.close()
            raise
    states = defect_states(snapshot, outcome)
    traceability = build_traceability(
        stories,
        report.reports.results,
        report.mappings,
        snapshot=snapshot,
        defects_of_tests={
            i: e.defect for i, e in (outcome.by_test if outcome else {}).items() if e.defect
        },
        defect_states=states,
        defect_type=config.jira.defects.issue_type,
    )
    if outcome is not None and applier is not None:
        outcome = _comment_stories(applier, outcome, traceability)
    if client is not None:
        client.close()
    _tell(console, outcome, problems)
    plan = replace(report.plan, jira=outcome.plan) if report.plan and outcome else report.plan
    return replace(
        report,
        plan=plan,
        jira=outcome,
        traceability=traceability,
        problems=(*report.problems, *problems, *(outcome.problems if outcome else ())),
    )


def _stories(report: RunReport) -> tuple[StoryCoverage, ...]:
    if report.coverage is not None:
        return report.coverage.stories
    return report.plan.mapping.stories if report.plan else ()


def _run(
    client: JiraClient,
    report: RunReport,
    config: Config,
    inputs: Inputs,
    *,
    context: RunContext,
    stories: Sequence[StoryCoverage],
    now: float,
    testrail_links: Mapping[int, str],
) -> tuple[JiraOutcome, JiraSnapshot | None, Applier | None, list[SyncProblem]]:
    problems: list[SyncProblem] = []
    project = inputs.jira_project
    create = inputs.jira_create_defects
    if create and not project:
        problems.append(
            SyncProblem(
                "jira",
                "jira_create_defects is true, but jira_project is not set, so no defects were "
                "filed; set jira_project to the key of the project defects go to (e.g. SHOP).",
            )
        )
        create = False
    if create and project:
        try:
            project = client.project(project).key  # `shop` works; keys are upper case
        except JiraProblem as problem:
            problems.append(SyncProblem("jira", f"{problem} No defects were filed."))
            create = False
    # On a branch `jira.defects.branches` leaves out no defect is read, filed or updated (the
    # plan says why); the stories are still read for the summary.
    create_reads = create and branch_allows(config.jira.defects, context)[0]
    results = report.reports.results
    mappings = report.mappings
    scope = scope_label(context.repository)
    labels = failing_labels(results, mappings, config, context) if create_reads else []
    snapshot: JiraSnapshot | None = None
    try:
        snapshot = read_snapshot(
            client,
            project=project,
            scope=scope,
            failing_labels=labels,
            stories=[story.key for story in stories],
            read_defects=create_reads,
            now=now,
            umbrella_label=umbrella_fingerprint(context.repository, context.workflow).label,
        )
    except JiraProblem as problem:
        failing = sum(1 for r in results if r.outcome.is_failure) if create_reads else 0
        problems.append(
            SyncProblem(
                "jira",
                f"{problem} Nothing was written to Jira"
                + (f"; {failing} failing tests have no defect update." if failing else "."),
                unsent=failing,
            )
        )
    plan = build_jira_plan(
        results,
        mappings,
        config,
        context,
        snapshot,
        project=project,
        create_defects=create and snapshot is not None,
        now=now,
        run_variables=run_variables(context, report.reports.totals),
        covered_stories=[story.key for story in stories if story.tests],
    )
    if snapshot is None or report.dry_run:
        if report.dry_run and plan.filing:
            problems.extend(_dry_checks(client, plan, config))
        return (
            planned_outcome(
                plan, snapshot, results, dry_run=report.dry_run, searches=client.searches
            ),
            snapshot,
            None,
            problems,
        )
    applier = Applier(client, plan, snapshot, config, context, results, testrail_links, scope)
    applier.apply()
    outcome = JiraOutcome(
        dry_run=False,
        site_url=snapshot.site_url,
        project=project,
        plan=plan,
        by_test=MappingProxyType(dict(applier.by_test)),
        changes=tuple(applier.changes),
        created=tuple(applier.created),
        updated=tuple(dict.fromkeys(applier.updated)),
        resolved=tuple(applier.resolved),
        problems=applier.sync_problems(),
        searches=client.searches,
        requests=client.http.stats.requests,
        walked=snapshot.walked,
    )
    return outcome, snapshot, applier, problems


def _dry_checks(client: JiraClient, plan: JiraPlan, config: Config) -> list[SyncProblem]:
    """What a real run would stumble on, found by reading only: the create screen against the
    config, and the link type."""
    problems: list[SyncProblem] = []
    umbrella = plan.umbrella is not None and plan.umbrella.defect is None
    if plan.new_defects or umbrella:
        try:
            base_fields(client, config, plan.project or "")
        except JiraProblem as problem:
            problems.append(SyncProblem("jira", f"Defects would not be filed: {problem}"))
    link = config.jira.defects.link
    if link is not None and any(step.links for step in plan.steps):
        try:
            client.resolve_link_type(link.type)
        except JiraProblem as problem:
            problems.append(SyncProblem("jira", f"{problem} No links would be made."))
    return problems


def _comment_stories(
    applier: Applier, outcome: JiraOutcome, traceability: Traceability
) -> JiraOutcome:
    """Story comments come last: they name the defects this run filed."""
    if not applier.plan.story_comments:
        return outcome
    applier.comment_stories({row.key: row for row in traceability.rows})
    return replace(
        outcome,
        story_comments=tuple(applier.commented_stories),
        problems=applier.sync_problems(),
    )


def _tell(console: Console, outcome: JiraOutcome | None, problems: Sequence[SyncProblem]) -> None:
    """One line of what happened in the log; problems as warnings."""
    if outcome is not None and outcome.plan is not None:
        plan = outcome.plan
        if outcome.dry_run and plan.filing:
            console.info(
                f"Jira (dry run): would file {plan.new_defects}, comment on "
                f"{plan.count(Action.COMMENT)}, reopen {plan.count(Action.REOPEN)} and resolve "
                f"{plan.count(Action.RESOLVE)} defects."
            )
        elif not outcome.dry_run and plan.filing:
            parts = [
                f"{label} {', '.join(keys)}"
                for label, keys in (
                    ("filed", outcome.created),
                    ("updated", outcome.updated),
                    ("resolved", outcome.resolved),
                )
                if keys
            ]
            console.info("Jira: " + ("; ".join(parts) if parts else "no defect changed") + ".")
        elif plan.why_not:
            console.info(f"Jira: no defects filed ({plan.why_not}).")
    for problem in (*problems, *(outcome.problems if outcome else ())):
        console.warning(problem.message, title="Jira")
