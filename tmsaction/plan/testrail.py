"""Build the TestRail plan (`TestRailPlan`) from the mapping and what was read from TestRail.
Pure; no I/O.

Rules:
- Tests go to the suite of their route; routes naming the same suite share one `RunPlan`.
- A test sends one result per case it maps to, with the status its outcome maps to
  (`testrail.results.status`); a test with no case, or whose outcome sends nothing, is *skipped*
  (by design). A test that names a case id TestRail does not hold, or whose route could not be
  read, is *unsent* (an error the summary lists and `fail_on: sync-errors` acts on).
- The run: `testrail_run_id` when given, else an entry of `testrail_plan_id` when given, else a
  new run. A new run's (or entry's) description ends with the workflow run's marker line
  (`runmarker.py`), which is how re-runs and matrix shards find it instead of making another.
- New cases (`testrail_create_cases`): one per (section path, title), folded as name matching
  folds them, with `testrail.new_cases` fields; required custom case fields that the config does
  not give are reported before any case is created, and those tests are unsent
  (`testrail_newcases.py`). Run targets: `testrail_target.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tmsaction.catalog import CaseCatalog, SuiteCatalog
from tmsaction.clients.testrail_timespan import format_elapsed
from tmsaction.config.model import Config
from tmsaction.inputs import Inputs, RunContext
from tmsaction.mapping.automation import test_automation_id
from tmsaction.mapping.mapper import Mapper
from tmsaction.mapping.model import CaseRef, Route, TestMapping
from tmsaction.mapping.names import TITLE_LIMIT
from tmsaction.mapping.pinned import PinTable, identity_text
from tmsaction.mapping.table import Mappings
from tmsaction.model import ReportSet, TestResult
from tmsaction.plan.testrail_keys import RANK, key_base
from tmsaction.plan.testrail_model import (
    PlannedResult,
    RunKind,
    RunPlan,
    TestRailFacts,
    TestRailPlan,
)
from tmsaction.plan.testrail_newcases import NewCases
from tmsaction.plan.testrail_target import TargetPlanner, cut
from tmsaction.runmarker import RunMarker
from tmsaction.sink_texts import run_values
from tmsaction.templates import run_variables


def suite_of(route: Route, catalog: CaseCatalog, inputs: Inputs) -> SuiteCatalog | None:
    """The suite a route's tests go to, resolved as the mapping resolves it."""
    project = route.project or inputs.testrail_project
    suite_name = route.suite or inputs.testrail_suite
    found = catalog.suite(project, suite_name)
    if found is None and suite_name is None and len(catalog.suites) == 1:
        found = catalog.suites[0]
    return found


def run_marker(context: RunContext) -> RunMarker | None:
    """The workflow run's marker; None outside a workflow run (no `GITHUB_RUN_ID`): then every
    invocation makes its own run, since nothing identifies "the same run" across invocations."""
    if not context.run_id:
        return None
    return RunMarker(
        repo=context.repository,
        run_id=context.run_id,
        workflow=context.workflow,
        ref=context.ref,
        sha=context.sha,
    )


def needs_new_cases(mappings: Mappings) -> bool:
    """True when some test maps to a case still to be created (reads no pending entries)."""
    for _, entry in mappings.entries():
        if isinstance(entry, TestMapping) and any(not case.exists for case in entry.cases):
            return True
    return False


@dataclass
class _Group:
    """A suite's results while the plan is being built."""

    suite: SuiteCatalog
    new_cases: NewCases
    routes: list[Route] = field(default_factory=list)
    results: list[PlannedResult] = field(default_factory=list)


class _Builder:
    def __init__(
        self,
        reports: ReportSet,
        mappings: Mappings,
        config: Config,
        *,
        context: RunContext,
        inputs: Inputs,
        facts: TestRailFacts,
    ) -> None:
        self.reports = reports
        self.mappings = mappings
        self.config = config
        self.inputs = inputs
        self.facts = facts
        self.marker = run_marker(context)
        self.variables = run_variables(context, reports.totals)
        self.values = run_values(config, self.variables)
        self.groups: dict[tuple[int, int | None], _Group] = {}
        self.skipped: dict[int, str] = {}
        self.unsent: dict[int, str] = {}
        self.problems: list[str] = []
        self.notes: list[str] = []
        self._mapper: Mapper | None = None
        self._pins = PinTable(config.testrail.pinned)
        self._suites: dict[Route, SuiteCatalog | None] = {}
        self.targets = TargetPlanner(
            config,
            inputs,
            facts,
            variables=self.variables,
            values=self.values,
            marker=self.marker,
            problems=self.problems,
        )

    # -- tests ----------------------------------------------------------------------------------
    def add_tests(self) -> None:
        not_sent: dict[str, str] = {}
        for index, (result, entry) in enumerate(self.mappings.entries()):
            if isinstance(entry, TestMapping):
                mapping = entry
            elif not entry.has_target:
                self._unmatched(index, result, entry.route, entry.status_name)
                continue
            elif self.facts.fatal:
                if entry.status_name is not None:
                    self.unsent[index] = self.facts.fatal
                continue
            else:
                mapping = entry.materialise(result)
            if self.facts.fatal:
                if mapping.status is not None:
                    self.unsent[index] = self.facts.fatal
                continue
            error = self.facts.route_errors.get(mapping.route)
            if error:
                if mapping.status_id is not None:
                    self.unsent[index] = error
                continue
            if not mapping.cases:
                self._unmatched(index, result, mapping.route, mapping.status)
                continue
            if mapping.status_id is None:
                outcome = result.outcome.value
                reason = not_sent.get(outcome)
                if reason is None:
                    reason = not_sent[outcome] = (
                        f"a {outcome} test sends no result (testrail.results.status.{outcome})"
                    )
                self.skipped[index] = reason
                continue
            suite = self._suite(mapping.route)
            if suite is None:  # the mapping matched it, so its suite was read: defensive
                self.unsent[index] = f"the TestRail suite of route {mapping.route} was not read"
                continue
            self._add(index, result, mapping, suite)

    def _suite(self, route: Route) -> SuiteCatalog | None:
        if route not in self._suites:
            self._suites[route] = suite_of(route, self.facts.catalog, self.inputs)
        return self._suites[route]

    def _unmatched(self, index: int, result: TestResult, route: Route, status: str | None) -> None:
        if self.facts.fatal:
            if status is not None:
                self.unsent[index] = self.facts.fatal
            return
        error = self.facts.route_errors.get(route)
        if error:
            if status is not None:
                self.unsent[index] = error
            return
        ids = self._referenced_ids(result)
        if ids and self.facts.catalog.suites:
            suite = self._suite(route)
            where = f"{suite.project_name} › {suite.suite_name}" if suite else "its suite"
            listed = ", ".join(f"C{i}" for i in ids)
            self.unsent[index] = (
                f"TestRail case {listed} does not exist in {where} (or is in another suite): "
                "fix or remove the case id in the test or the mapping config"
            )
            return
        self.skipped[index] = "matched no TestRail case"

    def _referenced_ids(self, result: TestResult) -> tuple[int, ...]:
        """Case ids the test names (in itself or pinned), whether or not TestRail has them."""
        pin = self._pins.lookup(identity_text(result)) if not self._pins.empty else None
        if pin is not None:
            return pin.case_ids
        if self._mapper is None:
            self._mapper = Mapper(self.config)
        return self._mapper.case_ids_of(result)

    def _add(
        self, index: int, result: TestResult, mapping: TestMapping, suite: SuiteCatalog
    ) -> None:
        assert mapping.status_id is not None
        group = self.groups.get((suite.project_id, suite.suite_id))
        if group is None:
            group = self.groups[(suite.project_id, suite.suite_id)] = _Group(suite, NewCases(suite))
        if mapping.route not in group.routes:
            group.routes.append(mapping.route)
        base = key_base(self.marker.search_key() if self.marker else None, result)
        elapsed = format_elapsed(result.duration)
        rank = RANK[result.outcome]
        for case in mapping.cases:
            if case.case_id is not None:
                group.results.append(
                    PlannedResult(index, case.case_id, -1, mapping.status_id, elapsed, base, rank)
                )
                continue
            new_case = self._new_case(group, case, index, result, mapping)
            if new_case is not None:
                group.results.append(
                    PlannedResult(index, None, new_case, mapping.status_id, elapsed, base, rank)
                )

    def _new_case(
        self, group: _Group, case: CaseRef, index: int, result: TestResult, mapping: TestMapping
    ) -> int | None:
        too_long = next((name for name in case.section_path if len(name) > TITLE_LIMIT), None)
        if too_long is not None:
            self.unsent[index] = (
                f"the section name '{too_long[:60]}…' is longer than TestRail's 250 characters: "
                "pin the test to a case (testrail.pinned) or change testrail.names"
            )
            return None
        automation = test_automation_id(result, self.config.testrail.automation_id.value)
        return group.new_cases.add(case, index, automation, mapping.stories)

    # -- suites ---------------------------------------------------------------------------------
    def run_plans(self) -> tuple[RunPlan, ...]:
        plans = []
        for (project_id, suite_id), group in self.groups.items():
            suite = group.suite
            target, existing, problem = self.targets.target(project_id, suite_id)
            sections, new_sections = group.new_cases.sections()
            new_cases, case_problem = group.new_cases.with_fields(
                self.config, self.facts, self.problems
            )
            results = group.results
            if case_problem:
                for tests in group.new_cases.tests:
                    for index in tests:
                        self.unsent[index] = case_problem
                results = [r for r in results if r.case_id is not None]
                new_sections = ()
            if problem:
                for planned in results:
                    self.unsent.setdefault(planned.index, problem)
            plans.append(
                RunPlan(
                    label=f"{suite.project_name} › {suite.suite_name}",
                    routes=tuple(group.routes),
                    project_id=project_id,
                    project_name=suite.project_name,
                    suite_id=suite_id,
                    suite_name=suite.suite_name,
                    target=target,
                    sections=sections,
                    new_sections=new_sections,
                    new_cases=new_cases,
                    results=tuple(results) if not problem else (),
                    existing=existing,
                    problem=problem,
                    case_problem=case_problem,
                    close=self.inputs.testrail_close_run and target.kind is not RunKind.PLAN_ENTRY,
                    max_section_id=max((s.id for s in suite.sections), default=0),
                    max_case_id=max((c.id for c in suite.cases), default=0),
                )
            )
        return tuple(plans)


def build_testrail_plan(
    reports: ReportSet,
    mappings: Mappings,
    config: Config,
    *,
    context: RunContext,
    inputs: Inputs,
    facts: TestRailFacts,
) -> TestRailPlan:
    """The TestRail plan: where each result goes, what is created, what cannot be sent and why."""
    builder = _Builder(reports, mappings, config, context=context, inputs=inputs, facts=facts)
    builder.add_tests()
    runs = builder.run_plans()
    notes = list(builder.notes)
    if inputs.testrail_run_id and inputs.testrail_plan_id:
        notes.append(
            f"testrail_run_id R{inputs.testrail_run_id} is used; testrail_plan_id "
            f"{inputs.testrail_plan_id} is ignored (give one of them)"
        )
    if inputs.testrail_close_run and any(r.target.kind is RunKind.PLAN_ENTRY for r in runs):
        notes.append(
            "testrail_close_run: runs inside a test plan are closed with their plan; close the "
            "plan in TestRail once every entry is done"
        )
    if config.testrail.run.configurations and not inputs.testrail_plan_id:
        notes.append(
            "testrail.run.configurations only apply to runs added to a plan (testrail_plan_id)"
        )
    if run_marker(context) is None and any(r.target.kind is not RunKind.REUSE for r in runs):
        notes.append(
            "no GITHUB_RUN_ID: each invocation creates its own TestRail run (set GITHUB_RUN_ID "
            "and GITHUB_REPOSITORY to a pipeline id to make re-runs find it)"
        )
    # Problems TestRail answered are sync problems even when no test was affected (an empty report
    # set, a setup job checking access): a wrong URL must not pass silently.
    problems = list(builder.problems)
    for message in (facts.fatal, *facts.route_errors.values(), facts.target_error):
        if message and message not in problems:
            problems.append(message)
    version = builder.values.get("version")
    fields = builder.values.get("fields")
    return TestRailPlan(
        runs=runs,
        skipped=builder.skipped,
        unsent=builder.unsent,
        problems=tuple(problems),
        notes=tuple(notes),
        run_variables=builder.variables,
        version=cut(str(version), 250) if version else None,
        result_fields=dict(fields) if isinstance(fields, Mapping) else {},
        create_cases=inputs.testrail_create_cases,
        close=inputs.testrail_close_run,
        dry_run=inputs.dry_run,
        base_url=facts.base_url,
    )
