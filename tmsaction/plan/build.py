"""Map, then build the plan, coverage figures and gate verdicts from one pass. Pure; no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tmsaction.catalog import CaseCatalog
from tmsaction.config.model import Config
from tmsaction.coverage import Coverage, compute_coverage
from tmsaction.gates import GateResult, evaluate_gates
from tmsaction.gcpause import collector_paused
from tmsaction.mapping.digest import Digest, digest_mappings
from tmsaction.mapping.lookups import TestRailLookups
from tmsaction.mapping.mapper import MappingRun, map_results
from tmsaction.mapping.model import Route, Strategy
from tmsaction.mapping.table import Mappings
from tmsaction.model import Outcome, TestResult, Totals
from tmsaction.plan.model import (
    MappingPlan,
    NewSection,
    OutcomeStatus,
    Plan,
    RouteUse,
    StrategyCount,
)


def route_text(route: Route) -> str:
    """`Shop › Web`; the inputs stand in for what a route leaves out."""
    return f"{route.project or 'testrail_project'} › {route.suite or 'testrail_suite'}"


def build_mapping_plan(
    config: Config,
    run: MappingRun,
    digest: Digest,
    coverage: Coverage,
    *,
    create_cases: bool,
) -> MappingPlan:
    order = [*config.testrail.match, *(s for s in Strategy if s not in config.testrail.match)]
    by_strategy = tuple(
        StrategyCount(
            strategy, digest.by_strategy[strategy], tuple(digest.examples.get(strategy, ()))
        )
        for strategy in order
        if digest.by_strategy.get(strategy)
    )
    new_sections = tuple(
        NewSection(
            route=group.route,
            route_label=route_text(group.route),
            section_path=group.section_path,
            titles=tuple(group.titles.values()),
            distinct_titles=group.distinct_titles,
            tests=group.tests,
        )
        for group in sorted(
            digest.targets.values(), key=lambda g: (route_text(g.route), g.section_path)
        )
    )
    routes = tuple(RouteUse(d.label, d.route, tests) for d, tests in run.destinations)
    return MappingPlan(
        tests=digest.tests,
        testrail_read=run.testrail_read,
        create_cases=create_cases,
        by_strategy=by_strategy,
        unmatched_count=digest.unmatched_count,
        unmatched=tuple(digest.unmatched),
        matched=tuple(digest.matched),
        new_sections=new_sections,
        new_cases=sum(section.distinct_titles for section in new_sections),
        routes=routes,
        statuses=tuple(
            OutcomeStatus(o, run.statuses[o].name) for o in Outcome if o in run.statuses
        ),
        flaky_note=config.testrail.results.flaky_note,
        not_sent=digest.not_sent,
        stories=coverage.stories,
        notes=run.notes + coverage.problems,
    )


@dataclass(frozen=True)
class Planned:
    """The mapping step's results, as the run report carries them."""

    mappings: Mappings
    plan: Plan
    coverage: Coverage
    gates: tuple[GateResult, ...]


def plan_mapping(
    results: Sequence[TestResult],
    totals: Totals,
    config: Config,
    *,
    catalog: CaseCatalog | None = None,
    lookups: TestRailLookups | None = None,
    create_cases: bool = False,
    default_project: str | None = None,
    default_suite: str | None = None,
) -> Planned:
    """Map every test, then compute coverage, gates and the plan in one pass over the mappings.

    `catalog`/`lookups` come from the TestRail snapshot when credentials are given (the TestRail
    work reads them); without them the plan says what name matching would look for.
    """
    # Entries, groups, rows and plan values, and no reference cycles: the collector is paused
    # meanwhile, and the run sets it all aside after (gcpause.py).
    with collector_paused():
        run = map_results(
            results,
            config,
            catalog=catalog,
            lookups=lookups,
            create_cases=create_cases,
            default_project=default_project,
            default_suite=default_suite,
        )
        digest = digest_mappings(run.mappings, keep_all_titles=catalog is not None)
        coverage = compute_coverage(config.coverage, digest, catalog=catalog, lookups=lookups)
        gates = evaluate_gates(config.coverage.gates, coverage, totals, digest.unmatched_count)
        mapping_plan = build_mapping_plan(config, run, digest, coverage, create_cases=create_cases)
    return Planned(run.mappings, Plan(mapping=mapping_plan), coverage, gates)
