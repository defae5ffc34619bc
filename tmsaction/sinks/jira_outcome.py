"""What the Jira sink did (or, in a dry run, would do): per test, per defect, and the problems.
Pure values and their builders; read by the summary, the outputs, `results_json` and the
TestRail post.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from tmsaction.model import TestResult
from tmsaction.plan.jira import Action, JiraPlan
from tmsaction.plan.jira_snapshot import JiraSnapshot
from tmsaction.runreport import SyncProblem
from tmsaction.traceability import DefectState


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

    @property
    def unchanged(self) -> tuple[str, ...]:
        """Defects of failing tests this run did not need to change (they already hold this
        run's failure, or are left alone by the lifecycle rules)."""
        changed = {change.key for change in self.changes}
        keys = {
            entry.defect
            for entry in self.by_test.values()
            if entry.failing and entry.defect and entry.done and entry.defect not in changed
        }
        return tuple(sorted(keys, key=_key_order))

    def browse_url(self, key: str) -> str | None:
        return f"{self.site_url}/browse/{key}" if self.site_url else None


def planned_outcome(
    plan: JiraPlan,
    snapshot: JiraSnapshot | None,
    results: Sequence[TestResult],
    *,
    dry_run: bool,
    searches: int,
) -> JiraOutcome:
    """The outcome of a plan that is shown, not applied (a dry run, or Jira unreadable)."""
    by_test: dict[int, TestDefect] = {}
    changes: list[DefectChange] = []
    site = snapshot.site_url if snapshot else None
    for step in plan.steps:
        for index in step.tests:
            by_test[index] = TestDefect(
                step.defect, step.action, False, step.reason, failing=step.failing
            )
        if step.action in (Action.SKIP, Action.UMBRELLA):
            continue
        changes.append(
            DefectChange(
                action=step.action,
                done=False,
                key=step.defect if not step.action.files else None,
                url=f"{site}/browse/{step.defect}" if site and step.defect else None,
                title=step.summary or results[step.lead].identity.display(),
                tests=tuple(results[i].identity.display() for i in step.tests[:5]),
                test_count=len(step.tests),
                stories=step.stories,
                related=step.defect if step.action is Action.CREATE_LINKED else None,
                reason=step.reason,
            )
        )
    if plan.umbrella is not None:
        umbrella = plan.umbrella
        for index in umbrella.tests:
            by_test[index] = TestDefect(
                umbrella.defect, Action.UMBRELLA, False, "over the cap of new defects per run"
            )
        changes.append(
            DefectChange(
                action=Action.UMBRELLA,
                done=False,
                key=umbrella.defect,
                url=f"{site}/browse/{umbrella.defect}" if site and umbrella.defect else None,
                title=umbrella.summary,
                tests=tuple(results[i].identity.display() for i in umbrella.tests[:5]),
                test_count=len(umbrella.tests),
                reason="failing tests over the cap of new defects per run",
            )
        )
    return JiraOutcome(
        dry_run=dry_run,
        site_url=site,
        project=plan.project,
        plan=plan,
        by_test=MappingProxyType(by_test),
        changes=tuple(changes),
        searches=searches,
    )


def defect_states(
    snapshot: JiraSnapshot | None, outcome: JiraOutcome | None
) -> dict[str, DefectState]:
    """Each known defect as it is after this run, for the stories' open defects."""
    states: dict[str, DefectState] = {}
    if snapshot is not None:
        for issues in snapshot.defects.values():
            for issue in issues:
                states[issue.key] = DefectState(issue.key, issue.open, issue.status, issue.summary)
    if outcome is not None and not outcome.dry_run:
        for change in outcome.changes:
            if change.key and change.done:
                previous = states.get(change.key)
                if change.action is Action.REOPEN or change.action.files:
                    status = "filed by this run" if change.action.files else "reopened"
                    states[change.key] = DefectState(change.key, True, status, change.title)
                elif previous is not None:
                    states[change.key] = previous
        for key in outcome.resolved:
            previous = states.get(key)
            states[key] = DefectState(key, False, "resolved", previous.summary if previous else "")
    return states


def _key_order(key: str) -> tuple[str, int]:
    project, _, number = key.rpartition("-")
    return (project, int(number) if number.isdigit() else 0)
