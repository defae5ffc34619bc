"""Coverage figures for the summary: automated cases, the automated share of the regression suite,
a per-section breakdown, and per-story test results. Pure; no I/O.

Definitions (README "Coverage and quality gates"):
- Cases in scope: every case of the TestRail suites the run's routes use (the snapshot).
- Automated: a case some test maps to, or a case matching `coverage.automated` (e.g. a field
  TestRail uses to flag automated cases).
- Regression suite: the cases matching any `coverage.regression` filter; every case in scope when
  no filter is configured.
- Without TestRail (dry run without credentials) only what the mapping knows is counted: the cases
  the tests map to. The totals and shares that need TestRail are None, and `note` says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from tmsaction.catalog import Case, CaseCatalog, SuiteCatalog
from tmsaction.config.model import CaseFilter, CoverageConfig
from tmsaction.mapping.digest import Digest
from tmsaction.mapping.lookups import TestRailLookups
from tmsaction.mapping.names import section_paths

StoryStatus = Literal["failing", "passing", "not run"]
MAX_LISTED_TESTS = 20


def percent(part: int, whole: int | None) -> float | None:
    """`part` of `whole` in percent, one decimal; None when there is nothing to divide."""
    if not whole:
        return None
    return round(100.0 * part / whole, 1)


@dataclass(frozen=True)
class SectionCoverage:
    suite: str  # "Shop › Backend" (or "" without TestRail)
    path: tuple[str, ...]
    cases: int | None
    automated: int
    regression: int | None = None
    regression_automated: int | None = None

    @property
    def automation_percent(self) -> float | None:
        return percent(self.automated, self.cases)


@dataclass(frozen=True)
class StoryCoverage:
    """One Jira story: the tests of this run that cover it and how they went."""

    key: str
    tests: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    flaky: int = 0
    cases: tuple[int, ...] = ()
    failing_tests: tuple[str, ...] = ()  # display names, at most MAX_LISTED_TESTS

    @property
    def status(self) -> StoryStatus:
        if self.failed:
            return "failing"
        if self.passed or self.flaky:
            return "passing"
        return "not run"


@dataclass(frozen=True)
class Coverage:
    source: Literal["testrail", "mapping"]
    automated: int
    cases: int | None = None
    regression: int | None = None
    regression_automated: int | None = None
    sections: tuple[SectionCoverage, ...] = ()
    stories: tuple[StoryCoverage, ...] = ()
    filters: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # name -> (cases, auto)
    note: str | None = None
    problems: tuple[str, ...] = ()

    @property
    def automation_percent(self) -> float | None:
        return percent(self.automated, self.cases)

    @property
    def regression_percent(self) -> float | None:
        if self.regression is None or self.regression_automated is None:
            return None
        return percent(self.regression_automated, self.regression)

    @property
    def failing_stories(self) -> tuple[StoryCoverage, ...]:
        return tuple(story for story in self.stories if story.status == "failing")


class _FilterMatcher:
    """Evaluates `CaseFilter`s against cases, resolving names through TestRail's lookups."""

    def __init__(
        self,
        config: CoverageConfig,
        lookups: TestRailLookups,
        problems: list[str],
    ) -> None:
        self.filters = config.filters
        self.lookups = lookups
        self.problems = problems

    def ids(self, values: tuple[int | str, ...], kind: str) -> frozenset[int]:
        found: set[int] = set()
        resolve = self.lookups.case_type_id if kind == "case type" else self.lookups.priority_id
        table = self.lookups.case_types if kind == "case type" else self.lookups.priorities
        for value in values:
            number = resolve(value)
            if number is None:
                known = ", ".join(sorted(table)) or "none"
                problem = f"{kind} '{value}' is not known to TestRail (known: {known})"
                if problem not in self.problems:
                    self.problems.append(problem)
            else:
                found.add(number)
        return frozenset(found)

    def matches(self, rule: CaseFilter, case: Case, path: tuple[str, ...], depth: int = 0) -> bool:
        if rule.case_types and case.type_id not in self.ids(rule.case_types, "case type"):
            return False
        if rule.priorities and case.priority_id not in self.ids(rule.priorities, "priority"):
            return False
        if rule.sections and not any(
            tuple(p.casefold() for p in path[: len(s)]) == tuple(x.casefold() for x in s)
            for s in rule.sections
        ):
            return False
        if rule.has_refs is not None and bool(case.refs) != rule.has_refs:
            return False
        if rule.refs and not any(g.matches(ref) for g in rule.refs for ref in case.refs):
            return False
        if rule.automation_id is not None and bool(case.automation_id) != rule.automation_id:
            return False
        for name, values in rule.fields.items():
            if not _field_matches(case.fields.get(name), values):
                return False
        if depth > len(self.filters):  # loops are rejected at load; this only bounds recursion
            return False
        return all(
            self.matches(self.filters[used], case, path, depth + 1)
            for used in rule.uses
            if used in self.filters
        )

    def any(self, rules: tuple[CaseFilter, ...], case: Case, path: tuple[str, ...]) -> bool:
        return any(self.matches(rule, case, path) for rule in rules)


def _field_matches(value: object, wanted: tuple[object, ...]) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(v == w or (isinstance(w, str) and str(v) == w) for v in values for w in wanted)


def compute_coverage(
    config: CoverageConfig,
    digest: Digest,
    *,
    catalog: CaseCatalog | None = None,
    lookups: TestRailLookups | None = None,
) -> Coverage:
    """Coverage of this run from the mapping digest (and the TestRail snapshot when read)."""
    stories = story_coverage(digest)
    if catalog is None:
        return _from_mapping(config, digest, stories)
    return _from_catalog(config, digest, stories, catalog, lookups or TestRailLookups())


def _from_catalog(
    config: CoverageConfig,
    digest: Digest,
    stories: tuple[StoryCoverage, ...],
    catalog: CaseCatalog,
    lookups: TestRailLookups,
) -> Coverage:
    problems: list[str] = []
    matcher = _FilterMatcher(config, lookups, problems)
    mapped = digest.case_ids
    totals = [0, 0, 0, 0]  # cases, automated, regression, regression automated
    sections: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    filters = {name: [0, 0] for name in config.filters}
    refs_without_tests: dict[str, list[int]] = {}
    covered_stories = {story.key for story in stories}
    for suite in catalog.suites:
        paths = section_paths(suite)
        label = _suite_label(suite)
        for case in suite.cases:
            path = paths.get(case.section_id, ())
            automated = case.id in mapped or matcher.any(config.automated, case, path)
            regression = not config.regression or matcher.any(config.regression, case, path)
            row = sections.setdefault((label, path[: config.section_depth]), [0, 0, 0, 0])
            for counts in (totals, row):
                counts[0] += 1
                counts[1] += automated
                counts[2] += regression
                counts[3] += regression and automated
            for name, rule in config.filters.items():
                if matcher.matches(rule, case, path):
                    filters[name][0] += 1
                    filters[name][1] += automated
            for ref in case.refs:
                if ref not in covered_stories:
                    refs_without_tests.setdefault(ref, []).append(case.id)
    extra = tuple(
        StoryCoverage(key, cases=tuple(ids)) for key, ids in sorted(refs_without_tests.items())
    )
    return Coverage(
        source="testrail",
        cases=totals[0],
        automated=totals[1],
        regression=totals[2],
        regression_automated=totals[3],
        sections=tuple(
            SectionCoverage(suite, path, row[0], row[1], row[2], row[3])
            for (suite, path), row in sorted(sections.items())
        ),
        stories=tuple(sorted((*stories, *extra), key=lambda s: _story_order(s.key))),
        filters={name: (pair[0], pair[1]) for name, pair in filters.items()},
        problems=tuple(problems),
    )


def _from_mapping(
    config: CoverageConfig, digest: Digest, stories: tuple[StoryCoverage, ...]
) -> Coverage:
    by_id = len(digest.case_ids)
    by_name = digest.name_targets
    sections: dict[tuple[str, ...], int] = {}
    if by_id:
        sections[("(cases by id)",)] = by_id
    for group in digest.targets.values():
        path = group.section_path[: config.section_depth] or ("(suite root)",)
        sections[path] = sections.get(path, 0) + group.distinct_titles
    automated = by_id + by_name
    note = (
        f"TestRail was not read, so coverage counts only what the mapping knows: {digest.tests} "
        f"tests map to {automated} cases ({by_id} by id, {by_name} by section and title). "
        "The share of all cases and of the regression suite needs TestRail credentials."
    )
    return Coverage(
        source="mapping",
        automated=automated,
        sections=tuple(
            SectionCoverage("", path, None, count) for path, count in sorted(sections.items())
        ),
        stories=stories,
        note=note,
    )


def story_coverage(digest: Digest) -> tuple[StoryCoverage, ...]:
    """Per story key: the tests covering it and their outcomes, ordered by project and number."""
    return tuple(
        StoryCoverage(
            key,
            tests=row.tests,
            passed=row.passed,
            failed=row.failed,
            skipped=row.skipped,
            flaky=row.flaky,
            cases=tuple(row.cases),
            failing_tests=tuple(row.failing[:MAX_LISTED_TESTS]),
        )
        for key, row in sorted(digest.stories.items(), key=lambda item: _story_order(item[0]))
    )


def _story_order(key: str) -> tuple[str, int]:
    project, _, number = key.rpartition("-")
    return (project, int(number) if number.isdigit() else 0)


def _suite_label(suite: SuiteCatalog) -> str:
    return f"{suite.project_name} › {suite.suite_name}"
