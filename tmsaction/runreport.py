"""The value everything is rendered from after a run: reports, mapping, plan and what each sink did.

Pure data; built by `pipeline.run`, read by `render`, `results_json` and the outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tmsaction.config.model import Config
from tmsaction.coverage import Coverage
from tmsaction.gates import GateResult
from tmsaction.history.model import Changes, PreviousRun
from tmsaction.inputs import RunContext
from tmsaction.mapping.model import TestMapping
from tmsaction.model import ReportSet
from tmsaction.plan.model import Plan
from tmsaction.sinks.github_comment import CommentOutcome
from tmsaction.sinks.testrail_outcome import TestRailOutcome
from tmsaction.traceability import Traceability

if TYPE_CHECKING:  # the Jira outcome holds SyncProblems: imported for typing only
    from tmsaction.sinks.jira_outcome import JiraOutcome


@dataclass(frozen=True)
class SyncProblem:
    """Something a sink could not do; the summary lists it and `fail_on: sync-errors` acts on it."""

    sink: str  # "testrail", "jira", "github", "config", "reports"
    message: str  # one sentence, secrets already removed
    unsent: int = 0  # test results that could not be delivered because of it


@dataclass(frozen=True)
class RunReport:
    reports: ReportSet
    context: RunContext
    dry_run: bool = False
    problems: tuple[SyncProblem, ...] = ()
    results_json: str | None = None  # path written, relative to the workspace when inside it
    notes: tuple[str, ...] = field(default=())  # short informational lines for the summary
    fail_on: frozenset[str] = frozenset()  # the `fail_on` input, for the headline's verdict
    step_failures: tuple[str, ...] = ()  # why `fail_on` fails the step, as known before rendering
    comments: tuple[CommentOutcome, ...] = ()  # what the PR comment sink did, per pull request
    config: Config | None = None  # the mapping config in force (None: not loaded)
    mappings: Sequence[TestMapping] = ()  # one per reports.results entry, same order
    plan: Plan | None = None
    coverage: Coverage | None = None
    gates: tuple[GateResult, ...] = ()
    changes: Changes | None = None  # what changed since `previous` (None: nothing to compare with)
    previous: PreviousRun | None = None  # the run compared with
    history_note: str | None = None  # why there is nothing to compare with, for the summary
    jira: JiraOutcome | None = None  # what the Jira sink did (or would do, in a dry run)
    traceability: Traceability | None = None  # per story: tests, outcomes, open defects
    testrail: TestRailOutcome | None = None  # what the TestRail sync did (None: not configured)

    @property
    def unmatched(self) -> int:
        """Tests that matched no TestRail case (the `unmatched` output)."""
        return self.plan.mapping.unmatched_count if self.plan else 0

    @property
    def failed_gates(self) -> tuple[GateResult, ...]:
        return tuple(gate for gate in self.gates if gate.failed)
