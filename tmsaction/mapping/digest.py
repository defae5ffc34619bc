"""Everything the plan and the coverage figures need from a mapping run, gathered in one pass over
the tests (a million mappings are built from shared entries on the fly, so they are read once, not
once per consumer). Pure; no I/O.

Lists kept for display are capped (`LIST_LIMIT`); counts are exact. `results_json` holds every
test's mapping for anything beyond the caps.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from tmsaction.mapping.model import Route, Strategy, TestMapping
from tmsaction.mapping.table import Mappings, Pending
from tmsaction.model import Outcome, TestResult

LIST_LIMIT = 200
EXAMPLES_PER_GROUP = 5
EXAMPLES = 3  # tests quoted per strategy

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

    Shared pending entries are read as they are: their route, strategy, stories, status and
    section (`_EntryFacts`) are the same for all their tests, so a test costs its title's hash,
    and only the first `LIST_LIMIT` listed tests are materialised. The tests of an entry mostly
    come one after another, but need not (a runner can interleave classes)."""
    digest = Digest()
    targets = _Targets(digest, keep_all_titles)
    facts: dict[Pending, _EntryFacts] = {}
    still_noting = set(Strategy)  # strategies whose matches are still listed or quoted
    current: _EntryFacts | None = None  # the facts of the test before's entry
    run_start = 0  # where the tests of `current` began
    # `current`'s facts, in locals: read for a million tests.
    entry: Pending | None = None
    group: TargetGroup | None = None
    hashes: array[int] = array("q")
    kept: dict[str, str] = {}
    all_titles = names = noting = False
    strategy: Strategy | None = None
    stories: tuple[str, ...] = ()
    index = -1
    for index, (result, stored) in enumerate(mappings.entries()):
        if stored is not entry:
            if current is not None:
                current.tests += index - run_start
            if isinstance(stored, TestMapping):
                current, entry = None, None
                _add_mapping(digest, targets, index, result, stored)
                continue
            entry, run_start = stored, index
            current = facts.get(entry)
            if current is None:
                current = facts[entry] = _EntryFacts(entry, targets)
            group, names, stories = current.group, current.names, current.stories
            strategy = current.strategy
            noting = strategy in still_noting
            if group is not None:
                hashes, kept, all_titles = group.title_hashes, group.titles, group.all_titles
        if group is not None:
            title = result.name if names else _title(entry, result)
            # `TargetGroup.add_titles`, inlined for a single title (its count comes at the end).
            folded = title.casefold()
            if all_titles:
                kept.setdefault(folded, title)
            else:
                hashes.append(hash(folded))
                if len(kept) < EXAMPLES_PER_GROUP:
                    kept.setdefault(folded, title)
        else:
            _one_of_its_own(digest, targets, index, result, entry)
        if noting and strategy is not None:
            _note_match(digest, index, result, entry, strategy)
            if not _noting(digest, strategy):  # the lists only grow: once full, always full
                still_noting.discard(strategy)
                noting = False
        if stories:
            _add_stories(digest, result, stories, ())
    if current is not None:
        current.tests += index + 1 - run_start
    for of_entry in facts.values():
        of_entry.fold(digest)
    return digest


class _EntryFacts:
    """What all the tests of one shared entry have in common, read once, and how many they are."""

    __slots__ = ("entry", "group", "names", "stories", "strategy", "tests")

    def __init__(self, entry: Pending, targets: _Targets) -> None:
        self.entry = entry
        self.tests = 0
        section = entry.section if entry.has_target else None
        self.group = None if section is None else targets.group(entry.route, section)
        self.names = entry.titles_are_names
        self.strategy = entry.matched_by if entry.has_target else None
        self.stories = entry.stories

    def fold(self, digest: Digest) -> None:
        """Add this entry's tests to the run's counts."""
        entry, tests = self.entry, self.tests
        digest.tests += tests
        strategy = entry.matched_by
        digest.by_strategy[strategy] = digest.by_strategy.get(strategy, 0) + tests
        digest.routes[entry.route] = digest.routes.get(entry.route, 0) + tests
        if entry.status_name is None:
            digest.not_sent += tests
        if not entry.has_target:
            digest.unmatched_count += tests
        if self.group is not None:
            self.group.tests += tests


def _title(entry: Pending, result: TestResult) -> str:
    place = entry.target(result)
    assert place is not None  # an entry with a section has a target for every test
    return place[1]


def _one_of_its_own(
    digest: Digest, targets: _Targets, index: int, result: TestResult, entry: Pending
) -> None:
    """A test whose target is in a section of its own, or an unmatched test (listed up to the
    limit)."""
    if entry.has_target:
        place = entry.target(result)
        if place is not None:
            targets.group(entry.route, place[0]).add_titles([place[1]])
    elif len(digest.unmatched) < LIST_LIMIT:
        digest.unmatched.append(_row(index, result, entry.materialise(result)))


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
