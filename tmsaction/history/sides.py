"""This run as one side of the comparison (by test identity, or by TestRail case), and coverage
figures as the comparison reads them. Pure; no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tmsaction.catalog import CaseCatalog
from tmsaction.config.model import CoverageConfig
from tmsaction.coverage import Coverage, compute_coverage
from tmsaction.history.model import Figures, Side
from tmsaction.mapping.digest import Digest
from tmsaction.mapping.lookups import TestRailLookups
from tmsaction.mapping.model import TestMapping
from tmsaction.model import Outcome, TestResult

#: When several tests report to one case, the case shows the worst of them, as a QA lead reads a
#: TestRail run: any failure fails the case; a flaky test makes it flaky; skipped only if all were.
_RANK = {
    Outcome.ERROR: 4,
    Outcome.FAILED: 4,
    Outcome.FLAKY: 3,
    Outcome.PASSED: 2,
    Outcome.SKIPPED: 1,
}


def case_key(case_id: int) -> str:
    return f"C{case_id}"


def figures_of(coverage: Coverage | None) -> Figures:
    if coverage is None:
        return Figures()
    return Figures(
        automated=coverage.automated,
        cases=coverage.cases,
        regression_percent=coverage.regression_percent,
        coverage_source=coverage.source,
    )


def by_test(results: Iterable[TestResult], coverage: Coverage | None = None) -> Side:
    """This run keyed by test identity (what a `results_json` file of an earlier run holds)."""
    outcomes: dict[str, Outcome] = {}
    messages: dict[str, str] = {}
    for result in results:
        key = result.identity.key
        outcomes[key] = result.outcome
        if result.outcome.is_failure and result.message:
            messages[key] = result.message
    return Side("test", outcomes, messages=messages, figures=figures_of(coverage))


def by_case(
    results: Sequence[TestResult],
    mappings: Sequence[TestMapping],
    coverage: Coverage | None = None,
) -> Side:
    """This run keyed by TestRail case id, each case with the worst outcome of its tests (tests
    that map to no existing case are left out: a TestRail run holds only cases)."""
    outcomes: dict[str, Outcome] = {}
    names: dict[str, str] = {}
    messages: dict[str, str] = {}
    if len(mappings) != len(results):
        return Side("case", outcomes, figures=figures_of(coverage))
    for result, mapping in zip(results, mappings, strict=True):
        for case in mapping.cases:
            if case.case_id is None:
                continue
            key = case_key(case.case_id)
            known = outcomes.get(key)
            if known is None:
                names[key] = f"{key} · {result.identity.display()}"
            if known is None or _RANK[result.outcome] > _RANK[known]:
                outcomes[key] = result.outcome
                if result.outcome.is_failure and result.message:
                    messages[key] = result.message
    return Side("case", outcomes, names=names, messages=messages, figures=figures_of(coverage))


def figures_for_cases(
    config: CoverageConfig,
    case_ids: Iterable[int],
    catalog: CaseCatalog,
    lookups: TestRailLookups | None = None,
) -> Figures:
    """Coverage as it would read had the tests mapped to `case_ids`: an earlier TestRail run's
    cases measured against today's TestRail suites, with this run's coverage rules."""
    digest = Digest(case_ids=set(case_ids))
    return figures_of(compute_coverage(config, digest, catalog=catalog, lookups=lookups))
