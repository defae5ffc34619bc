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
  not give are reported before any case is created, and those tests are unsent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tmsaction.catalog import CaseCatalog, SuiteCatalog
from tmsaction.clients.testrail_timespan import format_elapsed
from tmsaction.config.model import Config, NameOrId
from tmsaction.inputs import Inputs, RunContext
from tmsaction.mapping.automation import test_automation_id
from tmsaction.mapping.mapper import Mapper
from tmsaction.mapping.model import CaseRef, Route, TestMapping
from tmsaction.mapping.names import TITLE_LIMIT, clean
from tmsaction.mapping.pinned import PinTable, identity_text
from tmsaction.mapping.table import Mappings
from tmsaction.model import ReportSet, TestResult
from tmsaction.plan.testrail_keys import RANK, key_base
from tmsaction.plan.testrail_model import (
    CaseField,
    ExistingRun,
    NewCase,
    PlannedResult,
    RunKind,
    RunPlan,
    RunTarget,
    TestRailFacts,
    TestRailPlan,
)
from tmsaction.runmarker import RunMarker
from tmsaction.sink_texts import pick_run_name, run_values
from tmsaction.templates import run_variables

RUN_NAME_LIMIT = 250  # `Field :name is too long (250 characters at most).`
RUN_REFS_LIMIT = 250  # trcli MAX_RUN_REFERENCES_LENGTH
CASE_REFS_LIMIT = 250  # older servers; newer ones take 2,000
AUTOMATION_FIELDS = ("custom_case_automation_id", "custom_automation_id")

PathKey = tuple[str, ...]


def fold(path: Sequence[str]) -> PathKey:
    """Section names compared as name matching compares them: spaces collapsed, case folded."""
    return tuple(clean(part).casefold() for part in path)


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


def required_fields_missing(
    fields: Sequence[CaseField], given: Mapping[str, object], filled: set[str]
) -> list[str]:
    """`testrail.new_cases.fields.custom_x (Label, a dropdown: 1 = First, 2 = Second)` for every
    required case field that neither the config nor tmsaction (automation id) fills."""
    missing: list[str] = []
    for definition in fields:
        if not definition.required or definition.system_name in filled:
            continue
        if given.get(definition.system_name) not in (None, "", []):
            continue
        hint = definition.label
        if definition.items:
            options = "; ".join(
                f"{key.strip()} = {label.strip()}"
                for key, _, label in (line.partition(",") for line in definition.items.splitlines())
                if key.strip()
            )
            hint += f", one of {options}"
        if definition.default:
            hint += f", TestRail's default is {definition.default}"
        missing.append(f"testrail.new_cases.fields.{definition.system_name} ({hint})")
    return missing


def automation_field(fields: Sequence[CaseField], configured: str) -> str | None:
    """The case field new cases get their automation id in: the configured one, or with `auto`
    the built-in `custom_case_automation_id`, else the older `custom_automation_id`."""
    names = {f.system_name for f in fields}
    wanted = AUTOMATION_FIELDS if configured == "auto" else (configured,)
    return next((name for name in wanted if name in names), None)


@dataclass
class _Group:
    """A suite's results while the plan is being built."""

    suite: SuiteCatalog
    routes: list[Route] = field(default_factory=list)
    results: list[PlannedResult] = field(default_factory=list)
    new_cases: dict[tuple[PathKey, str], int] = field(default_factory=dict)
    cases: list[NewCase] = field(default_factory=list)
    case_tests: list[list[int]] = field(default_factory=list)  # test indexes per new case
    automation: list[str | None] = field(default_factory=list)
    refs: list[tuple[str, ...]] = field(default_factory=list)


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
            group = self.groups[(suite.project_id, suite.suite_id)] = _Group(suite)
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
        key = (fold(case.section_path), clean(case.title).casefold())
        number = group.new_cases.get(key)
        if number is None:
            number = group.new_cases[key] = len(group.cases)
            group.cases.append(NewCase(case.section_path, case.title, {}, 0))
            group.case_tests.append([])
            automation = self.config.testrail.automation_id.value
            group.automation.append(test_automation_id(result, automation))
            group.refs.append(())
        group.case_tests[number].append(index)
        if mapping.stories:
            group.refs[number] = tuple(dict.fromkeys((*group.refs[number], *mapping.stories)))
        return number

    # -- suites ---------------------------------------------------------------------------------
    def run_plans(self) -> tuple[RunPlan, ...]:
        plans = []
        for (project_id, suite_id), group in self.groups.items():
            suite = group.suite
            label = f"{suite.project_name} › {suite.suite_name}"
            target, existing, problem = self._target(project_id, suite_id)
            sections, new_sections = self._sections(group)
            new_cases, case_problem = self._cases(group, project_id)
            results = group.results
            if case_problem:
                for number in range(len(group.cases)):
                    for index in group.case_tests[number]:
                        self.unsent[index] = case_problem
                results = [r for r in results if r.case_id is not None]
                new_sections = ()
            if problem:
                for planned in results:
                    self.unsent.setdefault(planned.index, problem)
            plans.append(
                RunPlan(
                    label=label,
                    routes=tuple(group.routes),
                    project_id=project_id,
                    project_name=suite.project_name,
                    suite_id=suite_id,
                    suite_name=suite.suite_name,
                    target=target,
                    sections=sections,
                    new_sections=new_sections,
                    new_cases=new_cases if not case_problem else (),
                    results=tuple(results) if not problem else (),
                    existing=existing,
                    problem=problem,
                    case_problem=case_problem,
                    close=self.inputs.testrail_close_run and target.kind is not RunKind.PLAN_ENTRY,
                )
            )
        return tuple(plans)

    def _target(
        self, project_id: int, suite_id: int | None
    ) -> tuple[RunTarget, ExistingRun | None, str | None]:
        inputs, facts = self.inputs, self.facts
        name = pick_run_name(self.config.templates.run_name, inputs.testrail_run_name).render(
            self.variables
        )
        name = _cut(" ".join(name.split()) or "tmsaction", RUN_NAME_LIMIT)
        description = self.values.get("description")
        text = str(description) if description else ""
        if self.marker is not None:
            text = f"{text}\n\n{self.marker.line()}" if text else self.marker.line()
        refs = self.values.get("refs")
        refs_text = _cut_refs(str(refs), RUN_REFS_LIMIT) if refs else None
        milestone = self._milestone(project_id)
        marker = self.marker.search_key() if self.marker else None
        if inputs.testrail_run_id:
            target = RunTarget(RunKind.REUSE, name, None, run_id=inputs.testrail_run_id)
            run = facts.reused_run
            if facts.target_error or run is None:
                return target, None, facts.target_error or "testrail_run_id could not be read"
            if run.project_id != project_id or (
                run.suite_id is not None and suite_id is not None and run.suite_id != suite_id
            ):
                return (
                    target,
                    run,
                    f"TestRail run R{run.id} ('{run.name}') is not a run of this suite: give a run "
                    "of the suite these tests go to in testrail_run_id, or leave it empty",
                )
            if run.is_completed:
                return (
                    target,
                    run,
                    f"TestRail run R{run.id} is closed, and closed runs are read-only: leave "
                    "testrail_run_id empty to create a new run, or give the id of an active run",
                )
            return target, run, None
        if inputs.testrail_plan_id:
            config_ids, config_names, problem = self._configurations(project_id)
            target = RunTarget(
                RunKind.PLAN_ENTRY,
                name,
                text or None,
                refs=refs_text,
                plan_id=inputs.testrail_plan_id,
                config_ids=config_ids,
                config_names=config_names,
                marker=marker,
            )
            plan = facts.plan
            if facts.target_error or plan is None:
                return target, None, facts.target_error or "testrail_plan_id could not be read"
            if plan.project_id != project_id:
                return (
                    target,
                    None,
                    f"TestRail plan {plan.id} ('{plan.name}') belongs to another project than "
                    "these tests' suite: give a plan of that project in testrail_plan_id",
                )
            if plan.is_completed:
                return (
                    target,
                    None,
                    f"TestRail plan {plan.id} is closed and read-only: give an active plan in "
                    "testrail_plan_id, or leave it empty",
                )
            return target, facts.found.get((project_id, suite_id)), problem
        target = RunTarget(
            RunKind.CREATE,
            name,
            text or None,
            milestone_id=milestone,
            refs=refs_text,
            marker=marker,
        )
        return target, facts.found.get((project_id, suite_id)), None

    def _milestone(self, project_id: int) -> int | None:
        wanted = self.config.testrail.run.milestone
        if wanted is None:
            return None
        if isinstance(wanted, int):
            return wanted
        if wanted.strip().isdigit():
            return int(wanted)
        known = self.facts.milestones.get(project_id, {})
        found = known.get(wanted.strip().casefold())
        if found is None:
            names = ", ".join(sorted(known)) or "none"
            problem = (
                f"testrail.run.milestone: TestRail has no milestone '{wanted}' in this project "
                f"(known: {names}); the run is created without a milestone"
            )
            if problem not in self.problems:
                self.problems.append(problem)
        return found

    def _configurations(
        self, project_id: int
    ) -> tuple[tuple[int, ...], tuple[str, ...], str | None]:
        wanted = self.config.testrail.run.configurations
        if not wanted:
            return (), (), None
        known = self.facts.configs.get(project_id, ())
        chosen = []
        for name in wanted:
            match = [c for c in known if c.name.casefold() == name.strip().casefold()]
            if not match:
                names = ", ".join(f"'{c.name}' ({c.group})" for c in known) or "none"
                return (
                    (),
                    (),
                    (
                        f"testrail.run.configurations: TestRail has no configuration '{name}' in this "
                        f"project (known: {names})"
                    ),
                )
            chosen.append(match[0])
        groups = [c.group_id for c in chosen]
        if len(groups) != len(set(groups)):
            return (
                (),
                (),
                (
                    "testrail.run.configurations: give at most one configuration per group (a run "
                    "has one browser, one OS, ...), e.g. [Chrome, Linux]"
                ),
            )
        return tuple(c.id for c in chosen), tuple(c.name for c in chosen), None

    def _sections(self, group: _Group) -> tuple[dict[PathKey, int], tuple[PathKey, ...]]:
        """Existing sections on the new cases' paths, and the paths to create (parents first)."""
        if not group.cases:
            return {}, ()
        existing: dict[PathKey, int] = {}
        suite = group.suite
        children: dict[tuple[int | None, str], int] = {}
        for section in sorted(suite.sections, key=lambda s: s.id):
            children.setdefault((section.parent_id, clean(section.name).casefold()), section.id)
        to_create: list[PathKey] = []
        seen: set[PathKey] = set()
        for case in group.cases:
            parent: int | None = None  # None: the suite root
            creating = False  # below a section to create, every section is new too
            for depth in range(1, len(case.section_path) + 1):
                path = case.section_path[:depth]
                key = fold(path)
                if not creating:
                    found = children.get((parent, key[-1]))
                    if found is not None:
                        existing[key] = found
                        parent = found
                        continue
                    creating = True
                if key not in seen:
                    seen.add(key)
                    to_create.append(path)
        return existing, tuple(to_create)

    def _cases(self, group: _Group, project_id: int) -> tuple[tuple[NewCase, ...], str | None]:
        if not group.cases:
            return (), None
        new_cases = self.config.testrail.new_cases
        fields = self.facts.case_fields.get(project_id, ())
        values: dict[str, object] = {}
        type_id = self._lookup(new_cases.type, "type", self.facts.lookups.case_type_id)
        priority_id = self._lookup(new_cases.priority, "priority", self.facts.lookups.priority_id)
        template_id = self._lookup(
            new_cases.template,
            "template",
            lambda name: self.facts.templates.get(project_id, {}).get(str(name).casefold()),
        )
        for key, value in (
            ("type_id", type_id),
            ("priority_id", priority_id),
            ("template_id", template_id),
        ):
            if value is not None:
                values[key] = value
        values.update(new_cases.fields)
        automation = (
            automation_field(fields, self.config.testrail.automation_id.field)
            if new_cases.automation_id
            else None
        )
        missing = required_fields_missing(fields, values, {automation} if automation else set())
        if missing:
            count = len(group.cases)
            return (), (
                f"TestRail requires case fields that the mapping config does not give, so none of "
                f"the {count} new cases of {group.suite.project_name} › {group.suite.suite_name} "
                f"was created: set {'; '.join(missing)}"
            )
        cases = []
        for number, case in enumerate(group.cases):
            fields_of = dict(values)
            if automation and group.automation[number]:
                fields_of[automation] = group.automation[number]
            if new_cases.refs and group.refs[number]:
                fields_of["refs"] = _cut_refs(", ".join(group.refs[number]), CASE_REFS_LIMIT)
            cases.append(
                NewCase(case.section_path, case.title, fields_of, len(group.case_tests[number]))
            )
        return tuple(cases), None

    def _lookup(self, value: NameOrId | None, what: str, resolve: object) -> int | None:
        if value is None:
            return None
        if isinstance(value, int):
            return value
        if value.strip().isdigit():
            return int(value)
        assert callable(resolve)
        found = resolve(value)
        if found is None:
            problem = (
                f"testrail.new_cases.{what}: TestRail has no {what} '{value}'; new cases get "
                f"TestRail's default {what}"
            )
            if problem not in self.problems:
                self.problems.append(problem)
            return None
        return int(found)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cut_refs(refs: str, limit: int) -> str:
    """Whole references only: `SHOP-1, SHOP-2` cut before the reference that would not fit."""
    parts = [part.strip() for part in refs.split(",") if part.strip()]
    kept: list[str] = []
    for part in parts:
        if len(", ".join([*kept, part])) > limit:
            break
        kept.append(part)
    return ", ".join(kept)


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
        version=_cut(str(version), 250) if version else None,
        result_fields=dict(fields) if isinstance(fields, Mapping) else {},
        create_cases=inputs.testrail_create_cases,
        close=inputs.testrail_close_run,
        dry_run=inputs.dry_run,
        base_url=facts.base_url,
    )
