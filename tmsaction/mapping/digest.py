"""Everything the plan and the coverage figures need from a mapping run, gathered in one pass over
the tests (a million mappings are built from shared entries on the fly, so they are read once, not
once per consumer). Pure; no I/O.

Lists kept for display are capped (`LIST_LIMIT`); counts are exact. `results_json` holds every
test's mapping for anything beyond the caps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tmsaction.mapping.model import Route, Strategy, TestMapping
from tmsaction.mapping.table import Mappings, Pending
from tmsaction.model import Outcome, TestResult

LIST_LIMIT = 200
EXAMPLES_PER_GROUP = 5

_SLOT = {Outcome.PASSED: 1, Outcome.FAILED: 2, Outcome.ERROR: 2, Outcome.SKIPPED: 3}


@dataclass(frozen=True)
class TestRow:
    """One test as the plan lists it."""

    __test__ = False

    index: int  # position in the report set (and in results_json's tests)
    test: str  # `Class › name`
    source: str
    matched_by: Strategy | None
    cases: str  # `C101, C102` or `Backend › Cart › Adds item` for a name target
    stories: tuple[str, ...]
    status: str | None
    reason: str | None


@dataclass
class TargetGroup:
    """Tests whose name target is one section of one route."""

    route: Route
    section_path: tuple[str, ...]
    tests: int = 0
    titles: dict[str, str] = field(default_factory=dict)  # folded -> as written (capped)
    title_hashes: set[int] = field(default_factory=set)

    @property
    def distinct_titles(self) -> int:
        return len(self.title_hashes)


@dataclass
class StoryRow:
    tests: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    flaky: int = 0
    cases: dict[int, None] = field(default_factory=dict)
    failing: list[str] = field(default_factory=list)


@dataclass
class Digest:
    tests: int = 0
    by_strategy: dict[Strategy | None, int] = field(default_factory=dict)
    examples: dict[Strategy, list[str]] = field(default_factory=dict)
    matched: list[TestRow] = field(default_factory=list)
    unmatched: list[TestRow] = field(default_factory=list)
    unmatched_count: int = 0
    not_sent: int = 0
    case_ids: set[int] = field(default_factory=set)
    targets: dict[tuple[Route, tuple[str, ...]], TargetGroup] = field(default_factory=dict)
    routes: dict[Route, int] = field(default_factory=dict)
    stories: dict[str, StoryRow] = field(default_factory=dict)
    groups_by_route: dict[int, dict[tuple[str, ...], TargetGroup]] = field(
        default_factory=dict, repr=False
    )

    @property
    def name_targets(self) -> int:
        return sum(group.distinct_titles for group in self.targets.values())


def _cases_text(mapping: TestMapping) -> str:
    parts = []
    for case in mapping.cases:
        if case.case_id is not None:
            parts.append(f"C{case.case_id}")
        else:
            parts.append(" › ".join((*case.section_path, case.title)))
    return ", ".join(parts)


def digest_mappings(mappings: Mappings, *, keep_all_titles: bool = False) -> Digest:
    """One pass over the tests and their mappings. `keep_all_titles`: keep every new-case title
    (when cases will really be created), not only the first few of each section.

    Shared pending entries are read as they are (their route, strategy, stories and status are
    the same for all their tests); only the first `LIST_LIMIT` listed tests are materialised."""
    digest = Digest()
    per_entry: dict[Pending, int] = {}  # tests per shared entry, folded into the counts at the end
    for index, (result, entry) in enumerate(mappings.entries()):
        if isinstance(entry, TestMapping):
            _add_mapping(digest, index, result, entry, keep_all_titles)
            continue
        per_entry[entry] = per_entry.get(entry, 0) + 1
        if entry.has_target:
            place = entry.target(result)
            if place is not None:
                _add_target(digest, entry.route, place[0], place[1], keep_all_titles)
            if entry.matched_by is not None:
                _note_match(digest, index, result, entry, entry.matched_by)
        elif len(digest.unmatched) < LIST_LIMIT:
            digest.unmatched.append(_row(index, result, entry.materialise(result)))
        if entry.stories:
            _add_stories(digest, result, entry.stories, ())
    for entry, tests in per_entry.items():
        digest.tests += tests
        strategy = entry.matched_by
        digest.by_strategy[strategy] = digest.by_strategy.get(strategy, 0) + tests
        digest.routes[entry.route] = digest.routes.get(entry.route, 0) + tests
        if entry.status_name is None:
            digest.not_sent += tests
        if not entry.has_target:
            digest.unmatched_count += tests
    return digest


def _add_mapping(
    digest: Digest, index: int, result: TestResult, mapping: TestMapping, keep_all: bool
) -> None:
    digest.tests += 1
    strategy = mapping.matched_by
    digest.by_strategy[strategy] = digest.by_strategy.get(strategy, 0) + 1
    digest.routes[mapping.route] = digest.routes.get(mapping.route, 0) + 1
    if mapping.status is None:
        digest.not_sent += 1
    if not mapping.cases:
        digest.unmatched_count += 1
        if len(digest.unmatched) < LIST_LIMIT:
            digest.unmatched.append(_row(index, result, mapping))
    else:
        if strategy is not None:
            _note_match(digest, index, result, mapping, strategy)
        for case in mapping.cases:
            if case.case_id is not None:
                digest.case_ids.add(case.case_id)
            else:
                _add_target(digest, mapping.route, case.section_path, case.title, keep_all)
    if mapping.stories:
        ids = tuple(c.case_id for c in mapping.cases if c.case_id is not None)
        _add_stories(digest, result, mapping.stories, ids)


def _note_match(
    digest: Digest,
    index: int,
    result: TestResult,
    entry: TestMapping | Pending,
    strategy: Strategy,
) -> None:
    examples = digest.examples.get(strategy)
    if examples is None:
        examples = digest.examples[strategy] = []
    if len(examples) < 3:
        examples.append(result.identity.display())
    if len(digest.matched) < LIST_LIMIT:
        mapping = entry if isinstance(entry, TestMapping) else entry.materialise(result)
        digest.matched.append(_row(index, result, mapping))


def _row(index: int, result: TestResult, mapping: TestMapping) -> TestRow:
    return TestRow(
        index=index,
        test=result.identity.display(),
        source=result.source,
        matched_by=mapping.matched_by,
        cases=_cases_text(mapping),
        stories=mapping.stories,
        status=mapping.status,
        reason=mapping.reason,
    )


def _add_target(
    digest: Digest, route: Route, path: tuple[str, ...], title: str, keep_all: bool
) -> None:
    # Routes are shared objects: find their groups by identity, sparing a dataclass hash per test.
    groups = digest.groups_by_route.get(id(route))
    if groups is None:
        groups = digest.groups_by_route[id(route)] = {}
    group = groups.get(path)
    if group is None:
        group = groups[path] = digest.targets.setdefault((route, path), TargetGroup(route, path))
    group.tests += 1
    folded = title.casefold()
    group.title_hashes.add(hash(folded))
    if keep_all or len(group.titles) < EXAMPLES_PER_GROUP:
        group.titles.setdefault(folded, title)


def _add_stories(
    digest: Digest, result: TestResult, stories: tuple[str, ...], case_ids: tuple[int, ...]
) -> None:
    slot = _SLOT.get(result.outcome, 4)
    for key in stories:
        row = digest.stories.get(key)
        if row is None:
            row = digest.stories[key] = StoryRow()
        row.tests += 1
        if slot == 1:
            row.passed += 1
        elif slot == 2:
            row.failed += 1
            if len(row.failing) < 20:
                row.failing.append(result.identity.display())
        elif slot == 3:
            row.skipped += 1
        else:
            row.flaky += 1
        for case_id in case_ids:
            row.cases[case_id] = None
