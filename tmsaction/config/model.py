"""The mapping config as frozen dataclasses, built once at start-up by `config.load`. Pure values.

Every key of `.github/tmsaction.yml` (version 1) has a field here; README "Mapping config" documents
them and `config/keys.py` declares their types and defaults. Regexes, globs and templates arrive
compiled, so nothing downstream re-validates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from tmsaction.mapping.model import Route, Strategy
from tmsaction.model import Outcome

if TYPE_CHECKING:
    from tmsaction.templates import ConfigTemplate

#: A TestRail entity given by id (`4`) or by name (`"Regression"`); resolved against TestRail.
NameOrId = int | str

#: The order strategies are tried in when the config does not say (README explains why).
DEFAULT_ORDER = (Strategy.PINNED, Strategy.CASE_ID, Strategy.AUTOMATION_ID, Strategy.NAME)


class SectionSource(StrEnum):
    """Where name matching takes a test's section path from."""

    SUITE = "suite"  # the report's testsuite path, one section per level
    CLASSNAME = "classname"  # the full class name as one section
    CLASS = "class"  # the short class name (after the last `.`) as one section
    PACKAGE = "package"  # the class name split on `.` into nested sections
    FILE = "file"  # the test's file path split on `/` into nested sections
    NONE = "none"  # no section below the route's root


@dataclass(frozen=True)
class Glob:
    """A compiled glob; `text` is what the user wrote."""

    text: str
    regex: re.Pattern[str]

    def matches(self, value: str) -> bool:
        return self.regex.fullmatch(value) is not None


@dataclass(frozen=True)
class CaseIdSources:
    names: bool = True
    properties: tuple[str, ...] = ("test_id", "testrail_case_id", "case_id", "testrail_id")
    tags: bool = True


@dataclass(frozen=True)
class AutomationIdConfig:
    field: str = "auto"  # auto = custom_case_automation_id, else custom_automation_id
    value: str = "{classname}.{name}"  # placeholders checked at load (mapping/automation.py)


@dataclass(frozen=True)
class NameRules:
    section: SectionSource = SectionSource.SUITE
    root: tuple[str, ...] = ()
    strip_prefix: tuple[str, ...] = ()
    strip_suffix: tuple[str, ...] = ()
    split_title: str | None = None
    title: Literal["name", "words"] = "name"
    strip_tags: bool = True
    strip_case_ids: bool = True
    strip_parameters: bool = False
    case_sensitive: bool = False
    anywhere: bool = False
    duplicates: Literal["oldest", "unmatched"] = "oldest"


@dataclass(frozen=True)
class RouteRule:
    """`testrail.routes[i]`: tests matching every given criterion go to `route`."""

    index: int
    name: str
    route: Route
    reports: tuple[Glob, ...] = ()
    files: tuple[Glob, ...] = ()
    testsuites: tuple[Glob, ...] = ()
    classnames: tuple[Glob, ...] = ()
    tags: frozenset[str] = frozenset()  # casefolded, without a leading @
    section: tuple[str, ...] | None = None  # root section path; None: testrail.names.root
    names: NameRules | None = None  # testrail.names with this route's overrides; None: global
    name_overrides: Mapping[str, object] = field(default_factory=dict, compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def catch_all(self) -> bool:
        return not (self.reports or self.files or self.testsuites or self.classnames or self.tags)

    @property
    def label(self) -> str:
        return self.name or f"testrail.routes[{self.index}]"


class PinKind(StrEnum):
    EXACT = "test"
    GLOB = "glob"
    REGEX = "regex"


@dataclass(frozen=True)
class PinnedRule:
    """`testrail.pinned[i]`: a test identity (exact, glob or regex) pinned to case ids."""

    index: int
    kind: PinKind
    pattern: str
    case_ids: tuple[int, ...]
    regex: re.Pattern[str] | None = None  # for glob and regex kinds
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class StatusChoice:
    """What one outcome sends: a status id, a custom status still to resolve by name, or nothing."""

    id: int | None = None
    name: str | None = None  # the name as written (built-in names resolve to ids at load)

    @property
    def send(self) -> bool:
        return self.id is not None or self.name is not None

    @property
    def label(self) -> str | None:
        return self.name if self.name is not None else (str(self.id) if self.id else None)


@dataclass(frozen=True)
class ResultsConfig:
    status: Mapping[Outcome, StatusChoice]
    flaky_note: bool = True
    version: ConfigTemplate | None = None
    fields: Mapping[str, object] = field(default_factory=dict)  # str values are ConfigTemplates


@dataclass(frozen=True)
class NewCaseDefaults:
    type: NameOrId | None = None
    priority: NameOrId | None = None
    template: NameOrId | None = None
    fields: Mapping[str, object] = field(default_factory=dict)
    refs: bool = True
    automation_id: bool = True


@dataclass(frozen=True)
class RunConfig:
    description: ConfigTemplate | None = None
    milestone: NameOrId | None = None
    refs: ConfigTemplate | None = None
    configurations: tuple[str, ...] = ()


@dataclass(frozen=True)
class TestRailConfig:
    __test__ = False

    match: tuple[Strategy, ...]
    case_ids: CaseIdSources
    automation_id: AutomationIdConfig
    names: NameRules
    routes: tuple[RouteRule, ...]
    pinned: tuple[PinnedRule, ...]
    results: ResultsConfig
    new_cases: NewCaseDefaults
    run: RunConfig


@dataclass(frozen=True)
class StorySources:
    properties: tuple[str, ...] = ("jira", "story", "stories", "requirement", "requirements")
    tags: bool = True
    name_pattern: re.Pattern[str] | None = None
    case_refs: bool = True
    projects: frozenset[str] = frozenset()  # empty: keys of any project


@dataclass(frozen=True)
class DefectLink:
    type: str = "Relates"
    direction: Literal["defect-to-story", "story-to-defect"] = "defect-to-story"


@dataclass(frozen=True)
class ResolvePolicy:
    comment: bool = True
    transitions: tuple[str, ...] = ()
    resolution: str | None = None


@dataclass(frozen=True)
class ReopenPolicy:
    policy: Literal["reopen", "new"] = "reopen"
    transitions: tuple[str, ...] = ("Reopen", "Reopen Issue", "To Do")
    window_days: int = 30
    never: tuple[str, ...] = ("Won't Fix", "Won't Do", "Duplicate", "Cannot Reproduce")


@dataclass(frozen=True)
class DefectConfig:
    issue_type: str = "Bug"
    priority: str | None = None
    components: tuple[str, ...] = ()
    labels: tuple[str, ...] = ("tmsaction",)
    fields: Mapping[str, object] = field(default_factory=dict)
    link: DefectLink | None = field(default_factory=DefectLink)
    recurrence_comment: bool = True
    resolve: ResolvePolicy = field(default_factory=ResolvePolicy)
    reopen: ReopenPolicy = field(default_factory=ReopenPolicy)
    max_new: int = 10
    umbrella: bool = True
    flaky: bool = False
    branches: tuple[Glob, ...] = ()


@dataclass(frozen=True)
class JiraConfig:
    stories: StorySources
    defects: DefectConfig
    comment_on_stories: bool = False


@dataclass(frozen=True)
class TemplatesConfig:
    run_name: ConfigTemplate | None = None
    result_comment: ConfigTemplate | None = None
    defect_summary: ConfigTemplate | None = None
    defect_description: ConfigTemplate | None = None
    summary_file: str | None = None  # workspace-relative path; read and compiled by the loader
    comment_file: str | None = None
    summary: ConfigTemplate | None = None  # compiled `summary_file`
    comment: ConfigTemplate | None = None  # compiled `comment_file`


class GateMetric(StrEnum):
    REGRESSION_AUTOMATION = "regression_automation"
    AUTOMATION = "automation"
    PASS_RATE = "pass_rate"  # noqa: S105 - a metric name, not a password
    FAILED_TESTS = "failed_tests"
    FLAKY_TESTS = "flaky_tests"
    FAILING_STORIES = "failing_stories"
    UNMATCHED_TESTS = "unmatched_tests"

    @property
    def is_percent(self) -> bool:
        return self in (
            GateMetric.REGRESSION_AUTOMATION,
            GateMetric.AUTOMATION,
            GateMetric.PASS_RATE,
        )


@dataclass(frozen=True)
class CaseFilter:
    """Which TestRail cases a rule covers. Criteria combine with AND; the values listed for one
    criterion combine with OR; `uses` names saved filters that must also match."""

    case_types: tuple[NameOrId, ...] = ()
    priorities: tuple[NameOrId, ...] = ()
    sections: tuple[tuple[str, ...], ...] = ()  # subtrees, as paths from the suite root
    refs: tuple[Glob, ...] = ()
    has_refs: bool | None = None
    fields: Mapping[str, tuple[object, ...]] = field(default_factory=dict)
    automation_id: bool | None = None
    uses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gate:
    name: str
    metric: GateMetric
    minimum: float | None = None
    maximum: float | None = None
    filter: str | None = None  # a saved filter (metric `automation` only)
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class CoverageConfig:
    automated: tuple[CaseFilter, ...] = ()  # OR; cases flagged automated in TestRail
    regression: tuple[CaseFilter, ...] = ()  # OR; empty: every case in scope
    filters: Mapping[str, CaseFilter] = field(default_factory=dict)
    section_depth: int = 1
    gates: tuple[Gate, ...] = ()


@dataclass(frozen=True)
class Config:
    """The whole mapping config. `source` is the file it came from (None: built-in defaults)."""

    testrail: TestRailConfig
    jira: JiraConfig
    templates: TemplatesConfig
    coverage: CoverageConfig
    source: str | None = None
