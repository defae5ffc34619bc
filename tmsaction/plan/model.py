"""The plan value. Pure data.

`Plan.mapping` is the mapping part (issue 3): tests matched by strategy, tests that match nothing
and why, cases that would be created per route and section, stories covered. `Plan.testrail` is
the TestRail part (`testrail_model.py`: runs, cases to create, results); the Jira defect plan is
added by that work as `Plan.jira`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tmsaction.coverage import StoryCoverage
from tmsaction.mapping.digest import TestRow
from tmsaction.mapping.model import Route, Strategy
from tmsaction.model import Outcome
from tmsaction.plan.jira import JiraPlan
from tmsaction.plan.testrail_model import TestRailPlan


@dataclass(frozen=True)
class StrategyCount:
    strategy: Strategy
    tests: int
    examples: tuple[str, ...]  # first tests matched this way (`Class › name`)


@dataclass(frozen=True)
class NewSection:
    """Name targets in one section of one route. With TestRail read: cases that will be created
    (every title). Without: the section and titles tests would be matched by, or created as (the
    first titles only)."""

    route: Route
    route_label: str  # "Shop › Web" (project › suite; the inputs when the route leaves them out)
    section_path: tuple[str, ...]
    titles: tuple[str, ...]
    distinct_titles: int
    tests: int


@dataclass(frozen=True)
class RouteUse:
    label: str  # the rule's name, or "testrail.routes[0]", or "default route"
    route: Route
    tests: int


@dataclass(frozen=True)
class OutcomeStatus:
    outcome: Outcome
    status: str | None  # None: results with this outcome are not sent


@dataclass(frozen=True)
class MappingPlan:
    tests: int
    testrail_read: bool
    create_cases: bool
    by_strategy: tuple[StrategyCount, ...]  # in the configured order, strategies with tests
    unmatched_count: int
    unmatched: tuple[TestRow, ...]  # capped (LIST_LIMIT); results_json has every one
    matched: tuple[TestRow, ...]  # capped
    new_sections: tuple[NewSection, ...]
    new_cases: int  # distinct titles over all new sections
    routes: tuple[RouteUse, ...]
    statuses: tuple[OutcomeStatus, ...]
    flaky_note: bool  # flaky results carry a note naming the failed attempts
    not_sent: int  # tests whose outcome sends no result
    stories: tuple[StoryCoverage, ...]
    notes: tuple[str, ...]  # problems met while mapping (unknown case ids, bad story keys, ...)

    @property
    def matched_count(self) -> int:
        return self.tests - self.unmatched_count


@dataclass(frozen=True)
class Plan:
    """Every change the run intends; `dry_run` renders it and touches nothing."""

    mapping: MappingPlan
    testrail: TestRailPlan | None = None  # the TestRail runs, cases and results (plan/testrail.py)
    jira: JiraPlan | None = None  # the Jira defect plan (None: Jira not configured or not read)
