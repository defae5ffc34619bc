"""The shapes of TestRail API v2 entities as the client returns them (research/testrail-api.md §3).
Pure; no I/O.

Keys every supported server sends are required; keys newer or older servers may leave out are
`NotRequired`. Cases, tests and results also carry `custom_<name>` keys for custom fields: read them
with `custom_fields()`.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class Project(TypedDict):
    id: int
    name: str
    suite_mode: int  # 1 single suite, 2 single suite + baselines, 3 multiple suites
    is_completed: bool
    announcement: NotRequired[str | None]
    url: NotRequired[str]


class Suite(TypedDict):
    id: int
    name: str
    project_id: int
    description: NotRequired[str | None]
    is_master: NotRequired[bool]
    is_baseline: NotRequired[bool]
    is_completed: NotRequired[bool]
    url: NotRequired[str]


class Section(TypedDict):
    id: int
    name: str
    suite_id: int | None
    parent_id: int | None
    depth: NotRequired[int]
    display_order: NotRequired[int]
    description: NotRequired[str | None]


class Case(TypedDict):
    id: int
    title: str
    section_id: int
    suite_id: NotRequired[int]
    template_id: NotRequired[int]
    type_id: NotRequired[int]
    priority_id: NotRequired[int]
    milestone_id: NotRequired[int | None]
    refs: NotRequired[str | None]
    estimate: NotRequired[str | None]
    created_on: NotRequired[int]
    updated_on: NotRequired[int]
    display_order: NotRequired[int]


class Run(TypedDict):
    id: int
    name: str
    suite_id: int | None
    project_id: int
    is_completed: bool
    include_all: bool
    description: NotRequired[str | None]
    milestone_id: NotRequired[int | None]
    plan_id: NotRequired[int | None]
    entry_id: NotRequired[str]
    entry_index: NotRequired[int]
    config: NotRequired[str | None]
    config_ids: NotRequired[list[int]]
    refs: NotRequired[str | None]
    created_on: NotRequired[int]
    created_by: NotRequired[int]
    completed_on: NotRequired[int | None]
    passed_count: NotRequired[int]
    failed_count: NotRequired[int]
    blocked_count: NotRequired[int]
    retest_count: NotRequired[int]
    untested_count: NotRequired[int]
    url: NotRequired[str]


class PlanEntry(TypedDict):
    id: str  # a GUID, not a run id
    suite_id: int
    name: str
    runs: list[Run]
    include_all: NotRequired[bool]
    description: NotRequired[str | None]
    refs: NotRequired[str | None]


class Plan(TypedDict):
    id: int
    name: str
    project_id: int
    is_completed: bool
    description: NotRequired[str | None]
    milestone_id: NotRequired[int | None]
    entries: NotRequired[list[PlanEntry]]  # absent in get_plans
    created_on: NotRequired[int]
    url: NotRequired[str]


class RunTest(TypedDict):
    """A TestRail *test*: one case inside one run (its id is not the case id, §3.8)."""

    id: int
    case_id: int
    run_id: int
    status_id: int
    title: NotRequired[str]
    assignedto_id: NotRequired[int | None]


class Result(TypedDict):
    id: int
    test_id: int
    status_id: int | None  # None for a comment-only result
    created_on: int
    created_by: NotRequired[int]
    comment: NotRequired[str | None]
    elapsed: NotRequired[str | None]
    defects: NotRequired[str | None]
    version: NotRequired[str | None]
    assignedto_id: NotRequired[int | None]
    attachment_ids: NotRequired[list[Any]]


class Status(TypedDict):
    id: int
    name: str
    label: str
    is_system: NotRequired[bool]
    is_untested: NotRequired[bool]
    is_final: NotRequired[bool]


class CaseType(TypedDict):
    id: int
    name: str
    is_default: bool


class Priority(TypedDict):
    id: int
    name: str
    is_default: bool
    short_name: NotRequired[str]
    priority: NotRequired[int]


class Template(TypedDict):
    id: int
    name: str
    is_default: bool
    i18n_custom_id: NotRequired[str]


class FieldContext(TypedDict):
    is_global: bool
    project_ids: list[int] | None


class FieldConfig(TypedDict):
    context: FieldContext
    options: dict[str, Any]  # default_value, is_required, items, format, ...
    id: NotRequired[str]


class CustomField(TypedDict):
    """A `get_case_fields` / `get_result_fields` definition (§3.5)."""

    id: int
    system_name: str  # "custom_<name>"
    name: str
    label: str
    type_id: int
    is_active: bool
    configs: list[FieldConfig]


class Config(TypedDict):
    id: int
    name: str
    group_id: int


class ConfigGroup(TypedDict):
    id: int
    name: str
    project_id: int
    configs: list[Config]


class Milestone(TypedDict):
    id: int
    name: str
    project_id: int
    is_completed: bool
    due_on: NotRequired[int | None]
    url: NotRequired[str]


class User(TypedDict):
    id: int
    name: str
    email: str
    is_active: NotRequired[bool]
    role_id: NotRequired[int]
    role: NotRequired[str]


class Attachment(TypedDict):
    id: int | str  # UUID strings since 7.1 Cloud (§3.12); treat as opaque
    name: str
    size: NotRequired[int]
    created_on: NotRequired[int]


def custom_fields(entity: Case | RunTest | Result) -> dict[str, Any]:
    """The `custom_<name>` values of a case, test or result."""
    return {key: value for key, value in entity.items() if key.startswith("custom_")}


def field_applies(field: CustomField, project_id: int) -> FieldConfig | None:
    """The config of a custom field that applies to the project: global or listing it (§3.5)."""
    if not field.get("is_active", True):
        return None
    for config in field.get("configs") or []:
        context = config["context"]
        if context.get("is_global") or project_id in (context.get("project_ids") or []):
            return config
    return None
