"""Story traceability for the summary: per story, its Jira summary and status, the tests of this
run that cover it and their outcomes, its open defects, and a coverage status. Pure; no I/O.

Stories come from the mapping (properties, tags, names, TestRail case refs) and, when TestRail was
read, from the refs of cases no test of this run maps to ("no tests"). Coverage status:
- failing: a covering test failed or errored;
- passing: every covering test that ran passed (flaky counts as passing, as in the coverage
  figures);
- not run: covering tests exist but were all skipped;
- no tests: only TestRail case refs name the story; no test of this run covers it.

Open defects of a story are the linked issues (from its `issuelinks`) that are open and are
defects (the configured defect issue type, Bug or Defect, or a defect tmsaction knows), plus the
open defects of its failing tests, linked or not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from tmsaction.coverage import StoryCoverage
from tmsaction.mapping.model import TestMapping
from tmsaction.model import Outcome, TestResult
from tmsaction.plan.jira_snapshot import JiraSnapshot

CoverageStatus = Literal["failing", "passing", "not run", "no tests"]
TESTS_PER_STORY = 20
DEFECT_TYPES = frozenset({"bug", "defect"})
_ORDER: dict[CoverageStatus, int] = {"failing": 0, "not run": 1, "no tests": 2, "passing": 3}


@dataclass(frozen=True)
class StoryTest:
    __test__ = False

    name: str  # `Class › name`
    outcome: Outcome


@dataclass(frozen=True)
class StoryDefect:
    key: str
    url: str | None
    status: str  # Jira status, or "filed by this run"
    summary: str = ""


@dataclass(frozen=True)
class StoryRow:
    key: str
    url: str | None  # browse URL when the Jira site is known
    summary: str | None  # None: Jira not read, or the story was not found
    status: str | None
    found: bool | None  # None: Jira not read; False: Jira does not know the key
    tests: int
    passed: int
    failed: int
    skipped: int
    flaky: int
    cases: tuple[int, ...]
    listed: tuple[StoryTest, ...]  # the first TESTS_PER_STORY tests
    defects: tuple[StoryDefect, ...]

    @property
    def coverage(self) -> CoverageStatus:
        if not self.tests:
            return "no tests"
        if self.failed:
            return "failing"
        if self.passed or self.flaky:
            return "passing"
        return "not run"


@dataclass(frozen=True)
class Traceability:
    rows: tuple[StoryRow, ...]  # failing first, then not run, no tests, passing
    jira_read: bool
    site_url: str | None = None
    counts: Mapping[CoverageStatus, int] = field(default_factory=dict)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(row.key for row in self.rows if row.found is False)


@dataclass(frozen=True)
class DefectState:
    """What the sink knows of one defect after this run (for stories' open defects)."""

    key: str
    open: bool
    status: str
    summary: str = ""


def listed_by_story(
    pairs: Iterable[tuple[int, TestResult, Sequence[str]]], limit: int = TESTS_PER_STORY
) -> dict[str, list[tuple[int, TestResult]]]:
    """The first `limit` tests covering each story, from (index, result, stories) triples."""
    found: dict[str, list[tuple[int, TestResult]]] = {}
    for index, result, stories in pairs:
        for key in stories:
            listed = found.setdefault(key, [])
            if len(listed) < limit:
                listed.append((index, result))
    return found


def story_pairs(
    results: Sequence[TestResult], mappings: Sequence[TestMapping]
) -> Iterable[tuple[int, TestResult, Sequence[str]]]:
    """(index, result, stories) for the tests that cover a story; shared mapping entries are
    read without building a mapping per test."""
    entries = getattr(mappings, "entries", None)
    if callable(entries) and len(mappings) == len(results):
        for index, (result, entry) in enumerate(entries()):
            stories = entry.stories
            if stories:
                yield index, result, stories
        return
    for index, (result, mapping) in enumerate(zip(results, mappings, strict=False)):
        if mapping.stories:
            yield index, result, mapping.stories


def build_traceability(
    stories: Sequence[StoryCoverage],
    results: Sequence[TestResult],
    mappings: Sequence[TestMapping],
    *,
    snapshot: JiraSnapshot | None = None,
    defects_of_tests: Mapping[int, str] | None = None,
    defect_states: Mapping[str, DefectState] | None = None,
    defect_type: str = "Bug",
) -> Traceability:
    """Rows for every story the run references (see the module docstring)."""
    if not stories:
        return Traceability((), jira_read=snapshot is not None)
    listed = listed_by_story(story_pairs(results, mappings))
    ours = defects_of_tests or {}
    states = dict(defect_states or {})
    ours_by_story: dict[str, dict[str, None]] = {}
    if ours:
        for index, result, keys in story_pairs(results, mappings):
            defect = ours.get(index)
            if defect and result.outcome.is_failure:
                for key in keys:
                    ours_by_story.setdefault(key, {})[defect] = None
    site = snapshot.site_url if snapshot is not None else None
    types = DEFECT_TYPES | {defect_type.casefold()}
    rows: list[StoryRow] = []
    for story in stories:
        issue = snapshot.stories.get(story.key) if snapshot is not None else None
        open_defects: dict[str, StoryDefect] = {}
        for link in issue.links if issue is not None else ():
            other = link.other
            known = states.get(other.key)
            is_defect = known is not None or (other.issue_type or "").casefold() in types
            still_open = known.open if known is not None else other.open
            if is_defect and still_open:
                status = known.status if known is not None else other.status
                open_defects[other.key] = StoryDefect(
                    other.key, _url(site, other.key), status, other.summary
                )
        for key in ours_by_story.get(story.key, {}):
            state = states.get(key)
            if key not in open_defects and (state is None or state.open):
                open_defects[key] = StoryDefect(
                    key,
                    _url(site, key),
                    state.status if state else "",
                    state.summary if state else "",
                )
        rows.append(
            StoryRow(
                key=story.key,
                url=_url(site, story.key),
                summary=issue.summary if issue is not None else None,
                status=issue.status if issue is not None else None,
                found=None if snapshot is None else issue is not None,
                tests=story.tests,
                passed=story.passed,
                failed=story.failed,
                skipped=story.skipped,
                flaky=story.flaky,
                cases=story.cases,
                listed=tuple(
                    StoryTest(result.identity.display(), result.outcome)
                    for _, result in listed.get(story.key, ())
                ),
                defects=tuple(open_defects.values()),
            )
        )
    order = {key: position for position, key in enumerate(s.key for s in stories)}
    rows.sort(key=lambda row: (_ORDER[row.coverage], order[row.key]))
    counts: dict[CoverageStatus, int] = {}
    for row in rows:
        counts[row.coverage] = counts.get(row.coverage, 0) + 1
    return Traceability(tuple(rows), jira_read=snapshot is not None, site_url=site, counts=counts)


def _url(site: str | None, key: str) -> str | None:
    return f"{site}/browse/{key}" if site else None
