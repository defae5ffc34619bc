"""The Jira defect plan as values: per fingerprint a `DefectStep` (what happens to its defect and
why), the umbrella issue, the story comments. Pure data; built by `plan/jira.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tmsaction.plan.jira_fingerprint import Fingerprint


class Action(StrEnum):
    CREATE = "create"  # file a new defect
    CREATE_LINKED = "create-linked"  # file a new defect linked to the resolved one
    COMMENT = "comment"  # the open defect's test failed again
    REOPEN = "reopen"  # the resolved defect's test failed again
    RESOLVE = "resolve"  # the open defect's test passes again
    UMBRELLA = "umbrella"  # over `max_new`: listed on the umbrella issue
    SKIP = "skip"  # nothing (the reason says why)

    @property
    def files(self) -> bool:
        return self in (Action.CREATE, Action.CREATE_LINKED)


@dataclass(frozen=True)
class DefectStep:
    """What happens to one fingerprint's defect."""

    fingerprint: Fingerprint
    action: Action
    reason: str  # one sentence, for the summary and results_json
    tests: tuple[int, ...]  # indexes in reports.results sharing the fingerprint
    lead: int  # the test whose failure the texts describe
    failing: bool
    defect: str | None = None  # the defect acted on (CREATE_LINKED: the resolved one to link)
    stories: tuple[str, ...] = ()  # stories the tests cover
    links: tuple[str, ...] = ()  # stories not yet linked to the defect
    summary: str = ""  # CREATE, CREATE_LINKED
    description: str = ""


@dataclass(frozen=True)
class UmbrellaStep:
    """The one issue listing the failures over `max_new` (filed, or commented while open)."""

    fingerprint: Fingerprint
    defect: str | None  # the open umbrella; None: file one
    tests: tuple[int, ...]
    summary: str
    labels: tuple[str, ...] = ()  # fingerprints of the tests, recorded on the umbrella


@dataclass(frozen=True)
class JiraPlan:
    """Every Jira change of the run; a dry run renders it and writes nothing."""

    project: str | None
    filing: bool  # defects are filed and updated in this run
    why_not: str | None = None  # why not, when `filing` is False
    steps: tuple[DefectStep, ...] = ()
    umbrella: UmbrellaStep | None = None
    story_comments: tuple[str, ...] = ()  # story keys to comment on (`comment_on_stories`)
    notes: tuple[str, ...] = ()
    max_new: int = 0

    def count(self, *actions: Action) -> int:
        return sum(1 for step in self.steps if step.action in actions)

    @property
    def new_defects(self) -> int:
        return self.count(Action.CREATE, Action.CREATE_LINKED)

    @property
    def unfiled(self) -> int:
        """Failing tests over `max_new` that get no defect (with `umbrella: false`)."""
        return sum(
            len(step.tests)
            for step in self.steps
            if step.action is Action.SKIP and step.failing and step.defect is None
        )
