"""What one run's Jira writes share: the clients and values they act on, what they record (per
test, per defect, problems), the live read of a defect and its `tmsaction` issue property, and
story links. `jira_defects.py` and `jira_apply.py` build on it.

The `tmsaction` property on each defect records its fingerprint and the last run that reported a
failure or a pass: `{"version": 1, "fingerprint": "tms-…", "basis": "…", "filed": "acme/shop run
1", "failed": "acme/shop run 7", "state": "failing" | "passing", "passed": "acme/shop run 8"}`
(the umbrella issue adds `tests`, the fingerprints it lists).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tmsaction.clients.jira import JiraClient
from tmsaction.clients.jira_errors import JiraProblem
from tmsaction.clients.jira_model import IssueLinkRef, JiraIssue, LinkRole
from tmsaction.clients.jira_text import RichText
from tmsaction.config.model import Config
from tmsaction.errors import SyncError
from tmsaction.inputs import RunContext
from tmsaction.model import TestResult
from tmsaction.plan.jira import Action, DefectStep, JiraPlan
from tmsaction.plan.jira_fingerprint import Fingerprint
from tmsaction.plan.jira_snapshot import JiraSnapshot
from tmsaction.runreport import SyncProblem
from tmsaction.sinks import jira_texts as texts
from tmsaction.sinks.jira_outcome import DefectChange, TestDefect

PROPERTY = "tmsaction"
LIVE_FIELDS = ("summary", "status", "resolution", "labels", "issuelinks")
FATAL = frozenset({"unreachable", "auth", "rate_limited", "not_jira", "gone"})
REJECTED = frozenset({"invalid", "too_long", "permission", "not_found"})
LISTED = 5  # tests named per defect in the summary table


class StepHandled(SyncError):
    """Raised after a step's problem was recorded, to skip the rest of the step."""


@dataclass
class ApplyState:
    """The run's clients, plan and snapshot, and everything the writes record."""

    client: JiraClient
    plan: JiraPlan
    snapshot: JiraSnapshot
    config: Config
    context: RunContext
    results: Sequence[TestResult]
    testrail_links: Mapping[int, str]
    scope: str
    by_test: dict[int, TestDefect] = field(default_factory=dict)
    changes: list[DefectChange] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    commented_stories: list[str] = field(default_factory=list)
    problems: dict[str, list[int]] = field(default_factory=dict)  # message -> tests affected
    _base_fields: dict[str, Any] | None = None
    _create_blocked: str | None = None
    _roles: dict[str, LinkRole | str] = field(default_factory=dict)
    _down: str | None = None

    def sync_problems(self) -> tuple[SyncProblem, ...]:
        return tuple(
            SyncProblem("jira", message, unsent=len(set(tests)))
            for message, tests in self.problems.items()
        )

    def _problem(self, message: str, tests: Sequence[int] = ()) -> None:
        self.problems.setdefault(message, []).extend(tests)

    def _unsent(self, tests: Sequence[int]) -> None:
        """Count tests left undone after Jira stopped answering under that problem."""
        for message, affected in self.problems.items():
            if message.startswith("Jira stopped answering"):
                affected.extend(tests)
                return

    def _stop(self, message: str, tests: Sequence[int]) -> None:
        """Jira stopped answering: every later step is reported as not done (never dropped)."""
        self._down = f"not done: Jira stopped answering ({message})"
        self._problem(
            f"Jira stopped answering, so the remaining defect updates were not made: {message}",
            tests,
        )

    def _fit(self, doc: RichText) -> RichText:
        return texts.fitted(doc, self.client.text_format, self.client.text_budget)

    def _live(self, key: str) -> JiraIssue:
        """The defect as it is now: read by key, unless this run just did (the key walk)."""
        if key in self.snapshot.live:
            known = self.snapshot.issue(key)
            if known is not None:
                return known
        return self.client.get_issue(key, fields=LIVE_FIELDS, properties=(PROPERTY,))

    def _state(self, issue: JiraIssue) -> dict[str, Any]:
        value = issue.properties.get(PROPERTY)
        return dict(value) if isinstance(value, Mapping) else {}

    def _save(
        self, key: str, previous: dict[str, Any], fingerprint: Fingerprint, **changes: object
    ) -> None:
        value = {
            "version": 1,
            **previous,
            "fingerprint": fingerprint.label,
            "basis": fingerprint.basis,
            **changes,
        }
        if value != previous:  # a later attempt of the same run changes nothing
            self.client.set_property(key, PROPERTY, value)

    def _role(self, spec: str) -> LinkRole | None:
        if spec not in self._roles:
            try:
                self._roles[spec] = self.client.resolve_link_type(spec)
            except JiraProblem as problem:
                self._roles[spec] = str(problem)
                self._problem(f"{problem} No links of this type were made.")
        role = self._roles[spec]
        return role if isinstance(role, LinkRole) else None

    def _links(self, key: str, stories: Sequence[str], existing: Sequence[IssueLinkRef]) -> None:
        link = self.config.jira.defects.link
        if link is None or not stories:
            return
        role = self._role(link.type)
        if role is None:
            return
        for story in stories:
            if story not in self.snapshot.stories:
                continue  # not in Jira (or not visible): the summary lists it as missing
            if link.direction == "defect-to-story":
                self.client.link(key, story, role, existing=existing)
            else:
                self.client.link(story, key, role, existing=self.snapshot.stories[story].links)

    def _failing(self, step: DefectStep) -> list[int]:
        failing = [i for i in step.tests if self.results[i].outcome.is_failure]
        return failing or list(step.tests)

    def _tests(self, step: DefectStep) -> str:
        first = self.results[step.lead].identity.display()
        return first if len(step.tests) == 1 else f"{first} and {len(step.tests) - 1} more"

    def _record(
        self,
        step: DefectStep,
        key: str | None,
        *,
        done: bool,
        error: str | None = None,
        reason: str | None = None,
        action: Action | None = None,
    ) -> None:
        for index in step.tests:
            self.by_test[index] = TestDefect(
                key,
                action or step.action,
                done,
                reason or step.reason,
                failing=step.failing,
                error=error,
            )

    def _change(
        self,
        step: DefectStep,
        key: str,
        title: str,
        *,
        related: str | None = None,
        reason: str | None = None,
    ) -> None:
        self.changes.append(
            DefectChange(
                action=step.action if not related or step.action.files else Action.CREATE_LINKED,
                done=True,
                key=key,
                url=self.snapshot.browse_url(key),
                title=title,
                tests=tuple(self.results[i].identity.display() for i in step.tests[:LISTED]),
                test_count=len(step.tests),
                stories=step.stories,
                related=related,
                reason=reason or step.reason,
            )
        )
