"""What the Jira sink did (or, in a dry run, would do): per test, per defect, and the problems.
Pure values; read by the summary, the outputs, `results_json` and the TestRail post.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from tmsaction.plan.jira import Action, JiraPlan
from tmsaction.runreport import SyncProblem


@dataclass(frozen=True)
class TestDefect:
    """One test's part in the lifecycle (`results_json` → `sync.jira`)."""

    __test__ = False

    defect: str | None  # the defect (or umbrella issue) that accounts for the test
    action: Action
    done: bool  # applied (False in a dry run, or when it failed)
    reason: str
    failing: bool = True  # the test failed (False: it passes, or is flaky, and has a defect)
    error: str | None = None


@dataclass(frozen=True)
class DefectChange:
    """One line of the summary's defect table."""

    action: Action
    done: bool
    key: str | None  # None: a defect that would be (or could not be) filed
    url: str | None
    title: str  # the defect's summary, or the test when nothing was filed
    tests: tuple[str, ...]  # display names, the first few
    test_count: int
    stories: tuple[str, ...] = ()
    related: str | None = None  # the resolved defect a new one is linked to
    reason: str = ""
    error: str | None = None


@dataclass(frozen=True)
class JiraOutcome:
    dry_run: bool
    site_url: str | None
    project: str | None
    plan: JiraPlan | None
    by_test: Mapping[int, TestDefect] = field(default_factory=dict)
    changes: tuple[DefectChange, ...] = ()
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()  # commented, reopened or transitioned
    resolved: tuple[str, ...] = ()  # moved to a done status because their tests pass again
    story_comments: tuple[str, ...] = ()  # stories commented on
    problems: tuple[SyncProblem, ...] = ()
    searches: int = 0
    requests: int = 0
    walked: int = 0

    @property
    def defects(self) -> Mapping[int, tuple[str, ...]]:
        """Result index -> the defect keys to write into that TestRail result's `defects` field:
        the defect (or the umbrella issue) accounting for each failing test."""
        keys = {
            index: (entry.defect,)
            for index, entry in self.by_test.items()
            if entry.failing and entry.defect and (entry.done or self.dry_run)
        }
        return MappingProxyType(keys)

    def browse_url(self, key: str) -> str | None:
        return f"{self.site_url}/browse/{key}" if self.site_url else None
