"""Reading TestRail for the plan: the suites the run's routes use (before mapping), then what the
plan needs besides (after mapping): milestones, configurations, case fields, templates, the run of
`testrail_run_id` or the plan of `testrail_plan_id`, and in a dry run the run this workflow run
already has.

Request economy (TestRail Cloud allows 180 requests a minute for the whole instance): every read
is made only when the config or the mapping needs it. Statuses are read only for custom statuses,
case types and priorities only when the config names them, case fields only when cases are to be
created. A suite's sections and cases (one request per 250 cases) are read unless nothing needs
them (`needs_cases`): when every test names its case, the config asks for no coverage figures and
Jira does not take stories from case references, the run goes without them, and TestRail itself
refuses an unknown case id when the run is created (the sink then leaves that case out).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from tmsaction.catalog import CaseCatalog, SuiteCatalog
from tmsaction.clients.testrail import TestRailClient, TestRailError
from tmsaction.clients.testrail_snapshot import read_suite, resolve_project, resolve_suite
from tmsaction.clients.testrail_types import Project, Suite, field_applies
from tmsaction.config.model import Config, GateMetric, NameOrId
from tmsaction.inputs import Inputs
from tmsaction.mapping.lookups import TestRailLookups
from tmsaction.mapping.mapper import Mapper
from tmsaction.mapping.model import Route, Strategy
from tmsaction.mapping.pinned import PinTable, identity_text
from tmsaction.mapping.table import Mappings
from tmsaction.model import Outcome, TestResult
from tmsaction.plan.testrail import needs_new_cases, suite_of
from tmsaction.plan.testrail_model import (
    CaseField,
    ConfigChoice,
    ExistingRun,
    PlanInfo,
    TestRailFacts,
)
from tmsaction.sinks.testrail_kinds import is_fatal
from tmsaction.sinks.testrail_runs import find_marked_entry_runs, find_marked_runs


def _named(values: Iterable[NameOrId | None]) -> bool:
    return any(isinstance(v, str) and not v.strip().isdigit() for v in values)


def _lookups(client: TestRailClient, config: Config) -> TestRailLookups:
    """Only the tables the config refers to by name (each is one request)."""
    statuses = [config.testrail.results.status.get(o) for o in Outcome]
    need_statuses = any(
        choice is not None and choice.send and (choice.id is None or choice.id > 5)
        for choice in statuses
    )
    filters = [
        *config.coverage.automated,
        *config.coverage.regression,
        *config.coverage.filters.values(),
    ]
    new_cases = config.testrail.new_cases
    need_types = _named([new_cases.type]) or any(_named(f.case_types) for f in filters)
    need_priorities = _named([new_cases.priority]) or any(_named(f.priorities) for f in filters)
    if not (need_statuses or need_types or need_priorities):
        return TestRailLookups()
    lookups = TestRailLookups.from_api(
        client.get_statuses() if need_statuses else (),
        client.get_case_types() if need_types else (),
        client.get_priorities() if need_priorities else (),
    )
    # `known` tells the mapping that custom status names can be checked: only when read.
    return replace(lookups, known=need_statuses)


_CASE_METRICS = frozenset({GateMetric.AUTOMATION, GateMetric.REGRESSION_AUTOMATION})


def needs_cases(results: Sequence[TestResult], config: Config, inputs: Inputs) -> bool:
    """Whether the suites' sections and cases must be read. They are needed to match tests by
    name or automation id (a test that names no case), for coverage figures the config asks for
    (`coverage:`), for stories from case references when Jira is used, and in a dry run (which
    shows the whole picture). Pure."""
    coverage = config.coverage
    if inputs.dry_run or coverage.automated or coverage.regression or coverage.filters:
        return True
    if any(gate.metric in _CASE_METRICS for gate in coverage.gates):
        return True
    if inputs.jira_enabled and config.jira.stories.case_refs:
        return True
    # Strategies are tried in order: only those before the first that needs the catalog
    # (automation id, name) can decide a test without it.
    order = config.testrail.match
    cut = next(
        (i for i, s in enumerate(order) if s in (Strategy.AUTOMATION_ID, Strategy.NAME)),
        len(order),
    )
    early = set(order[:cut])
    pins = PinTable(config.testrail.pinned) if Strategy.PINNED in early else None
    mapper = Mapper(config) if Strategy.CASE_ID in early else None
    for result in results:
        if pins is not None and not pins.empty and pins.lookup(identity_text(result)) is not None:
            continue
        if mapper is None or not mapper.case_ids_of(result):
            return True
    return False


def _ids_only(project: Project, suite: Suite) -> SuiteCatalog:
    return SuiteCatalog(
        project_id=project["id"],
        project_name=project["name"],
        suite_id=suite["id"],
        suite_name=suite["name"],
    )


def read_catalog_facts(
    client: TestRailClient,
    routes: Sequence[Route],
    config: Config,
    inputs: Inputs,
    *,
    cases: bool = True,
) -> TestRailFacts:
    """The suites every route uses (each read once; without `cases`, only their ids), and the
    lookups the config needs. A route that cannot be read is an error for its tests alone; an
    error no call can get past (the URL, the credentials) is `fatal`."""
    suites: list[SuiteCatalog] = []
    errors: dict[Route, str] = {}
    projects: dict[str, Project] = {}
    read: dict[int, SuiteCatalog] = {}
    try:
        for route in routes:
            project_name = route.project or inputs.testrail_project
            suite_name = route.suite or inputs.testrail_suite
            try:
                if not project_name:
                    raise TestRailError(
                        "No TestRail project given: set testrail_project (a name or id).",
                        kind="not_found",
                    )
                project = projects.get(project_name)
                if project is None:
                    project = projects[project_name] = resolve_project(client, project_name)
                suite = resolve_suite(client, project, suite_name)
                if suite["id"] not in read:
                    read[suite["id"]] = (
                        read_suite(client, project, suite) if cases else _ids_only(project, suite)
                    )
                    suites.append(read[suite["id"]])
            except TestRailError as error:
                if is_fatal(error):
                    raise
                errors[route] = str(error)
        lookups = _lookups(client, config)
    except TestRailError as error:
        return TestRailFacts(fatal=str(error), base_url=client.base_url)
    return TestRailFacts(
        catalog=CaseCatalog(tuple(suites)),
        lookups=lookups,
        route_errors=errors,
        base_url=client.base_url,
        cases_read=cases,
    )


def _case_fields(raw: Iterable[Any], project_id: int) -> tuple[CaseField, ...]:
    fields = []
    for definition in raw:
        config = field_applies(definition, project_id)
        if config is None:
            continue
        options = config.get("options") or {}
        fields.append(
            CaseField(
                system_name=str(definition["system_name"]),
                label=str(definition.get("label") or definition.get("name") or ""),
                type_id=int(definition.get("type_id") or 0),
                required=bool(options.get("is_required")),
                default=str(options.get("default_value") or ""),
                items=str(options.get("items") or ""),
            )
        )
    return tuple(fields)


def read_plan_facts(
    client: TestRailClient,
    facts: TestRailFacts,
    routes: Sequence[Route],
    mappings: Mappings,
    *,
    config: Config,
    inputs: Inputs,
    marker: str | None,
    since: int,
) -> TestRailFacts:
    """What the plan needs beyond the catalog. `marker` and `since` find this workflow run's
    existing runs, read only in a dry run (a real sync looks for them right before creating)."""
    if facts.fatal:
        return facts
    suites = {
        (s.project_id, s.suite_id): s
        for s in (suite_of(r, facts.catalog, inputs) for r in routes if r not in facts.route_errors)
        if s is not None
    }
    projects = sorted({project_id for project_id, _ in suites})
    updates: dict[str, Any] = {}
    try:
        milestone = config.testrail.run.milestone
        if isinstance(milestone, str) and not milestone.strip().isdigit():
            updates["milestones"] = {
                project_id: {
                    str(m["name"]).strip().casefold(): int(m["id"])
                    for m in client.get_milestones(project_id)
                }
                for project_id in projects
            }
        if inputs.testrail_create_cases and needs_new_cases(mappings):
            raw_fields = client.get_case_fields()
            updates["case_fields"] = {p: _case_fields(raw_fields, p) for p in projects}
            template = config.testrail.new_cases.template
            if isinstance(template, str) and not template.strip().isdigit():
                updates["templates"] = {
                    p: {str(t["name"]).casefold(): int(t["id"]) for t in client.get_templates(p)}
                    for p in projects
                }
        updates.update(_target(client, inputs, config, projects))
        if inputs.dry_run:
            updates["found"] = _found(
                client, inputs, suites, marker=marker, since=since, plan=updates.get("plan")
            )
    except TestRailError as error:
        if is_fatal(error):
            return replace(facts, fatal=str(error))
        updates["target_error"] = str(error)
    return replace(facts, **updates)


def _target(
    client: TestRailClient, inputs: Inputs, config: Config, projects: list[int]
) -> dict[str, Any]:
    updates: dict[str, Any] = {}
    if inputs.testrail_run_id:
        try:
            updates["reused_run"] = ExistingRun.of(client.get_run(inputs.testrail_run_id))
        except TestRailError as error:
            if is_fatal(error):
                raise
            updates["target_error"] = str(error)
        return updates
    if inputs.testrail_plan_id:
        try:
            raw = client.get_plan(inputs.testrail_plan_id)
        except TestRailError as error:
            if is_fatal(error):
                raise
            updates["target_error"] = str(error)
            return updates
        plan = PlanInfo(
            id=int(raw["id"]),
            name=str(raw.get("name") or ""),
            url=str(raw.get("url") or ""),
            project_id=int(raw["project_id"]),
            is_completed=bool(raw.get("is_completed")),
        )
        updates["plan"] = plan
        if config.testrail.run.configurations and plan.project_id in projects:
            updates["configs"] = {
                plan.project_id: tuple(
                    ConfigChoice(int(c["id"]), str(c["name"]), int(g["id"]), str(g["name"]))
                    for g in client.get_configs(plan.project_id)
                    for c in g.get("configs") or []
                )
            }
    return updates


def _found(
    client: TestRailClient,
    inputs: Inputs,
    suites: dict[tuple[int, int | None], SuiteCatalog],
    *,
    marker: str | None,
    since: int,
    plan: PlanInfo | None,
) -> dict[tuple[int, int | None], ExistingRun]:
    """Dry run: the run each suite's results would go to, when it already exists."""
    found: dict[tuple[int, int | None], ExistingRun] = {}
    if marker is None or inputs.testrail_run_id:
        return found
    for (project_id, suite_id), _ in sorted(suites.items(), key=lambda item: str(item[0])):
        if inputs.testrail_plan_id:
            if plan is None or plan.project_id != project_id or suite_id is None:
                continue
            runs = find_marked_entry_runs(client, plan.id, suite_id, marker, None)
        else:
            runs = find_marked_runs(client, project_id, suite_id, marker, since)
        if runs:
            found[(project_id, suite_id)] = runs[0]
    return found
