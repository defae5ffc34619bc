"""The TestRail part of the plan (`Plan.testrail`), and the facts read from TestRail it is built
from. Pure values; `plan/testrail.py` builds them, the TestRail sink executes them, `dry_run`
renders them.

One `RunPlan` per TestRail suite the run's tests go to (routes that name the same suite share it):
where the results go (a new run, `testrail_run_id`, or an entry of `testrail_plan_id`), the sections
and cases to create, and one `PlannedResult` per (test, case). Result comments are rendered when a
batch is sent (`sink_texts.result_comment`), not held here: a million-test plan stays small.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tmsaction.catalog import CaseCatalog
from tmsaction.mapping.lookups import TestRailLookups
from tmsaction.mapping.model import Route


class RunKind(StrEnum):
    """Where a suite's results go."""

    CREATE = "create"  # a new run, or the one this workflow run already made (found by marker)
    REUSE = "reuse"  # the run given as testrail_run_id
    PLAN_ENTRY = "plan_entry"  # a run in an entry of testrail_plan_id (found by marker, or added)


@dataclass(frozen=True)
class ExistingRun:
    """A run as read from TestRail (`get_run`, `get_runs`, or a plan entry's run)."""

    id: int
    name: str
    url: str
    project_id: int
    suite_id: int | None
    is_completed: bool
    plan_id: int | None = None
    entry_id: str | None = None
    config_ids: tuple[int, ...] = ()
    created_on: int = 0
    tested: int = 0  # tests with a result (every status count but untested)

    @staticmethod
    def of(raw: Mapping[str, object]) -> ExistingRun:
        """From a TestRail run object. Pure."""

        def number(key: str) -> int:
            value = raw.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else 0

        tested = sum(
            number(key) for key in raw if key.endswith("_count") and key not in ("untested_count",)
        )
        config_ids = raw.get("config_ids")
        plan_id = raw.get("plan_id")
        suite_id = raw.get("suite_id")
        entry_id = raw.get("entry_id")
        return ExistingRun(
            id=number("id"),
            name=str(raw.get("name") or ""),
            url=str(raw.get("url") or ""),
            project_id=number("project_id"),
            suite_id=suite_id if isinstance(suite_id, int) else None,
            is_completed=bool(raw.get("is_completed")),
            plan_id=plan_id if isinstance(plan_id, int) else None,
            entry_id=entry_id if isinstance(entry_id, str) else None,
            config_ids=tuple(i for i in config_ids if isinstance(i, int))
            if isinstance(config_ids, list)
            else (),
            created_on=number("created_on"),
            tested=tested,
        )


@dataclass(frozen=True)
class PlanInfo:
    """The plan given as testrail_plan_id."""

    id: int
    name: str
    url: str
    project_id: int
    is_completed: bool


@dataclass(frozen=True)
class ConfigChoice:
    """One TestRail configuration (`get_configs`): `Chrome` in group `Browsers`."""

    id: int
    name: str
    group_id: int
    group: str


@dataclass(frozen=True)
class CaseField:
    """A custom case field that applies to a project (`get_case_fields`, §3.5)."""

    system_name: str  # custom_<name>
    label: str
    type_id: int
    required: bool
    default: str = ""
    items: str = ""  # dropdown options, "1, First\n2, Second"


@dataclass(frozen=True)
class TestRailFacts:
    """Everything read from TestRail that mapping and planning use. Built by the TestRail sink's
    read step; tests build it by hand."""

    __test__ = False

    catalog: CaseCatalog = field(default_factory=CaseCatalog)
    lookups: TestRailLookups = field(default_factory=TestRailLookups)
    route_errors: Mapping[Route, str] = field(default_factory=dict)  # routes that could not be read
    fatal: str | None = None  # nothing could be read (URL, credentials): every result is unsent
    milestones: Mapping[int, Mapping[str, int]] = field(default_factory=dict)  # project -> name
    configs: Mapping[int, tuple[ConfigChoice, ...]] = field(default_factory=dict)  # by project
    case_fields: Mapping[int, tuple[CaseField, ...]] = field(default_factory=dict)  # by project
    templates: Mapping[int, Mapping[str, int]] = field(default_factory=dict)  # project -> name
    reused_run: ExistingRun | None = None  # testrail_run_id
    plan: PlanInfo | None = None  # testrail_plan_id
    target_error: str | None = None  # testrail_run_id / testrail_plan_id could not be used
    found: Mapping[tuple[int, int | None], ExistingRun] = field(default_factory=dict)  # dry run
    base_url: str = ""
    cases_read: bool = True  # False: suites resolved, their sections and cases not read

    @property
    def mapping_catalog(self) -> CaseCatalog | None:
        """The catalog mapping checks tests against: None when the cases were not read (the
        mapping then trusts the case ids tests name, and TestRail checks them when sending)."""
        return self.catalog if self.cases_read and not self.fatal else None


@dataclass(frozen=True)
class RunTarget:
    """The run a suite's results go to."""

    kind: RunKind
    name: str  # for a new run or plan entry
    description: str | None  # ends with the marker line when there is a workflow run id
    milestone_id: int | None = None
    refs: str | None = None
    run_id: int | None = None  # REUSE
    plan_id: int | None = None  # PLAN_ENTRY
    config_ids: tuple[int, ...] = ()
    config_names: tuple[str, ...] = ()
    marker: str | None = None  # `RunMarker.search_key()`; None: no workflow run id, no reuse


@dataclass(frozen=True, slots=True)
class NewCase:
    """A case `testrail_create_cases` creates: its section path (from the suite root), title and
    the `add_case` fields besides the title."""

    section_path: tuple[str, ...]
    title: str
    fields: Mapping[str, object]
    tests: int


@dataclass(frozen=True, slots=True)
class PlannedResult:
    """One result to send: test `index` (in `reports.results`) for one case.

    `case_id` is None for a case still to be created (`new_case` indexes `RunPlan.new_cases`).
    `key_base` makes the idempotency key with the case id (`results.result_key`). `rank` orders a
    case's results so the worst outcome is sent last and becomes the test's status.
    """

    index: int
    case_id: int | None
    new_case: int
    status_id: int
    elapsed: str | None
    key_base: str
    rank: int


@dataclass(frozen=True)
class RunPlan:
    """Everything one TestRail suite receives."""

    label: str  # "Shop › Backend"
    routes: tuple[Route, ...]
    project_id: int
    project_name: str
    suite_id: int | None
    suite_name: str
    target: RunTarget
    sections: Mapping[tuple[str, ...], int]  # existing sections on the new cases' paths (folded)
    new_sections: tuple[tuple[str, ...], ...]  # paths to create, parents first (as written)
    new_cases: tuple[NewCase, ...]
    results: tuple[PlannedResult, ...]
    existing: ExistingRun | None = None  # the run results go to, when known before sending
    problem: str | None = None  # nothing of this suite can be sent, and why
    case_problem: str | None = None  # new cases cannot be created, and why (the rest is sent)
    close: bool = False
    max_section_id: int = 0  # the highest section and case ids of the suite when it was read:
    max_case_id: int = 0  # anything above was made since (by this job or another)

    @property
    def case_ids(self) -> tuple[int, ...]:
        """The existing cases the run needs (new ones join once created)."""
        return tuple(dict.fromkeys(r.case_id for r in self.results if r.case_id is not None))


@dataclass(frozen=True)
class TestRailPlan:
    """What the TestRail sync intends: `dry_run` renders it, the sink executes it."""

    __test__ = False

    runs: tuple[RunPlan, ...]
    skipped: Mapping[int, str]  # test index -> why it sends nothing (by design, not an error)
    unsent: Mapping[int, str]  # test index -> why it cannot be sent (an error to fix)
    problems: tuple[str, ...]  # plan-level problems (an unknown milestone, ...)
    notes: tuple[str, ...]  # information for the summary
    run_variables: Mapping[str, object]  # the template variables of result comments
    version: str | None  # the results' version field
    result_fields: Mapping[str, object]  # custom result fields, rendered
    create_cases: bool
    close: bool
    dry_run: bool
    base_url: str = ""

    @property
    def results(self) -> int:
        return sum(len(run.results) for run in self.runs)

    @property
    def new_cases(self) -> int:
        return sum(len(run.new_cases) for run in self.runs)
