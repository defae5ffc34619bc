"""Everything the plan and the coverage figures need from a mapping run, gathered in one pass over
the tests (a million mappings are built from shared entries on the fly, so they are read once, not
once per consumer). Pure; no I/O.

Lists kept for display are capped (`LIST_LIMIT`); counts are exact. `results_json` holds every
test's mapping for anything beyond the caps.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from tmsaction.mapping.model import Route, Strategy, TestMapping
from tmsaction.mapping.table import Mappings, Pending
from tmsaction.model import Outcome, TestResult

LIST_LIMIT = 200
EXAMPLES_PER_GROUP = 5
EXAMPLES = 3  # tests quoted per strategy

_NAME = attrgetter("name")
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


@dataclass(slots=True)
class TargetGroup:
    """Tests whose name target is one section of one route."""

    route: Route
    section_path: tuple[str, ...]
    tests: int = 0
    titles: dict[str, str] = field(default_factory=dict)  # folded -> as written (capped)
    all_titles: bool = False  # `titles` holds every title (`keep_all_titles`), not the first few
    # Otherwise distinct titles are counted from their hashes, 8 bytes a test in an array rather
    # than a set of int objects (about 70 MB less on the million-test dry run).
    title_hashes: array[int] = field(default_factory=lambda: array("q"), repr=False)
    _counted: tuple[int, int] = field(default=(0, 0), repr=False)  # (hashes, distinct ones)

    def add_titles(self, titles: list[str]) -> None:
        """More tests, with these titles."""
        self.tests += len(titles)
        kept = self.titles
        if self.all_titles:
            for title in titles:
                kept.setdefault(title.casefold(), title)
            return
        folded = list(map(str.casefold, titles))
        self.title_hashes.extend(map(hash, folded))
        if len(kept) < EXAMPLES_PER_GROUP:
            for key, title in zip(folded, titles, strict=True):
                kept.setdefault(key, title)
                if len(kept) == EXAMPLES_PER_GROUP:
                    break

    @property
    def distinct_titles(self) -> int:
        if self.all_titles:
            return len(self.titles)
        hashes, distinct = self._counted
        if hashes != len(self.title_hashes):  # counted once the digest is complete
            distinct = len(set(self.title_hashes))
            self._counted = (len(self.title_hashes), distinct)
        return distinct


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
    the same for all their tests), a run of tests at a time (`Mappings.runs`): a run of name
    targets in one section adds its titles at once, and only the first `LIST_LIMIT` listed
    tests are materialised."""
    digest = Digest()
    targets = _Targets(digest, keep_all_titles)
    results = mappings.results
    per_entry: dict[Pending, int] = {}  # tests per shared entry, folded into the counts at the end
    noting = set(Strategy)  # strategies whose matches are still listed or quoted
    group: TargetGroup | None = None  # the last run's section: the next run's, most often
    for start, stop, entry in mappings.runs():
        if isinstance(entry, TestMapping):
            for index in range(start, stop):
                _add_mapping(digest, targets, index, results[index], entry)
            continue
        per_entry[entry] = per_entry.get(entry, 0) + stop - start
        section = entry.section
        if section is not None:
            route = entry.route
            if group is None or section is not group.section_path or route is not group.route:
                group = targets.group(route, section)
            run = results[start:stop]
            # A million titles on a large dry run: taken and counted in C-level passes.
            group.add_titles(
                list(map(_NAME, run)) if entry.titles_are_names else _titles(entry, run)
            )
        else:
            _one_by_one(digest, targets, results, entry, start=start, stop=stop)
        strategy = entry.matched_by
        if strategy in noting and entry.has_target:
            _note_run(digest, results, entry, start=start, stop=stop)
            if not _noting(digest, strategy):  # the lists only grow: once full, always full
                noting.discard(strategy)
        if entry.stories:
            for result in results[start:stop]:
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


def _one_by_one(
    digest: Digest,
    targets: _Targets,
    results: Sequence[TestResult],
    entry: Pending,
    *,
    start: int,
    stop: int,
) -> None:
    """A run of targets in sections of their own, or of unmatched tests (listed up to the
    limit)."""
    if entry.has_target:
        for result in results[start:stop]:
            place = entry.target(result)
            if place is not None:
                targets.group(entry.route, place[0]).add_titles([place[1]])
        return
    index = start
    while index < stop and len(digest.unmatched) < LIST_LIMIT:
        result = results[index]
        digest.unmatched.append(_row(index, result, entry.materialise(result)))
        index += 1


def _note_run(
    digest: Digest, results: Sequence[TestResult], entry: Pending, *, start: int, stop: int
) -> None:
    strategy = entry.matched_by
    index = start
    while strategy is not None and index < stop and _noting(digest, strategy):
        _note_match(digest, index, results[index], entry, strategy)
        index += 1


def _titles(entry: Pending, run: Sequence[TestResult]) -> list[str]:
    titles = []
    for result in run:
        place = entry.target(result)
        if place is not None:
            titles.append(place[1])
    return titles


def _noting(digest: Digest, strategy: Strategy | None) -> bool:
    """Whether tests matched this way are still listed or quoted as examples."""
    if strategy is None:
        return False
    return len(digest.matched) < LIST_LIMIT or len(digest.examples.get(strategy, ())) < EXAMPLES


def _add_mapping(
    digest: Digest, targets: _Targets, index: int, result: TestResult, mapping: TestMapping
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
                targets.group(mapping.route, case.section_path).add_titles([case.title])
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
    if len(examples) < EXAMPLES:
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


class _Targets:
    """The digest's name-target groups, one per route and section path."""

    __slots__ = ("_by_route", "_digest", "_keep_all")

    def __init__(self, digest: Digest, keep_all: bool) -> None:
        self._digest = digest
        self._keep_all = keep_all
        # Routes are shared objects: their groups are found by identity, sparing a dataclass hash.
        self._by_route: dict[int, dict[tuple[str, ...], TargetGroup]] = {}

    def group(self, route: Route, path: tuple[str, ...]) -> TargetGroup:
        groups = self._by_route.get(id(route))
        if groups is None:
            groups = self._by_route[id(route)] = {}
        group = groups.get(path)
        if group is None:
            group = groups[path] = self._digest.targets.setdefault(
                (route, path), TargetGroup(route, path, all_titles=self._keep_all)
            )
        return group


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
