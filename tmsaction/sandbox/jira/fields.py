"""Field validation for create and edit, with the error strings Jira answers. Pure; no I/O.

Sources for the wording (Cloud first, Data Center where it differs): the OpenAPI spec examples,
research/jira-api.md §1.4 and §1.13, and error bodies quoted in public issue threads
(e.g. "Specify a valid project ID or key", "The issue type selected is invalid.", "The priority
selected is invalid.", "Field 'x' cannot be set. It is not on the appropriate screen, or unknown.").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tmsaction.sandbox.jira.adf import adf_size, validate_adf
from tmsaction.sandbox.jira.world import (
    FieldDef,
    IssueType,
    Project,
    RichValue,
    ScreenField,
    World,
)

BAD_ADF_ON_CREATE = (
    "We can't create this issue for you right now, it could be due to unsupported content you've "
    "entered into one or more of the issue fields. If this situation persists, contact your "
    "administrator as they'll be able to access more specific information in the log file."
)
NOT_ON_SCREEN = "Field '{field}' cannot be set. It is not on the appropriate screen, or unknown."
TEXT_TOO_LONG = (
    "The entered text is too long. It exceeds the allowed limit of {limit:,} characters."
)
NOT_ADF = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
CONTENT_LIMIT = "CONTENT_LIMIT_EXCEEDED"
INVALID_INPUT = "INVALID_INPUT"
TEXTFIELD_LIMIT = 255

# Fields every create request may carry even if the screen does not list them.
_ALWAYS_SETTABLE = frozenset({"project", "issuetype"})


@dataclass
class Problems:
    """An Error Collection in the making: `errorMessages` and `errors{field}`."""

    messages: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    content_limit: bool = False  # a v3 rich-text value was too long (bumps the key counter)
    detail: str = ""  # where an ADF problem is (sent in X-Sandbox-Detail, not in Jira's body)

    def __bool__(self) -> bool:
        return bool(self.messages or self.errors)

    def body(self) -> dict[str, Any]:
        return {"errorMessages": list(self.messages), "errors": dict(self.errors)}


@dataclass
class FieldContext:
    world: World
    api_version: int  # 2 or 3 (latest == 2)
    creating: bool

    @property
    def cloud(self) -> bool:
        return self.world.deployment == "cloud"


def resolve_project(context: FieldContext, value: Any, problems: Problems) -> Project | None:
    cloud = context.cloud
    if not isinstance(value, Mapping) or not (value.get("id") or value.get("key")):
        problems.errors["project"] = (
            "Specify a valid project ID or key" if cloud else "project is required"
        )
        return None
    wanted = str(value.get("id") or value.get("key"))
    project = context.world.project(wanted)
    if project is None:
        problems.errors["project"] = (
            "Specify a valid project ID or key" if cloud else "valid project is required"
        )
    return project


def resolve_issue_type(
    context: FieldContext, project: Project | None, value: Any, problems: Problems
) -> IssueType | None:
    cloud = context.cloud
    if not isinstance(value, Mapping) or not (value.get("id") or value.get("name")):
        problems.errors["issuetype"] = (
            "Specify an issue type" if cloud else "issue type is required"
        )
        return None
    issue_type = context.world.issue_type(str(value.get("id") or value.get("name")))
    if issue_type is None or (project is not None and issue_type.id not in project.issue_types):
        problems.errors["issuetype"] = (
            "The issue type selected is invalid." if cloud else "valid issue type is required"
        )
        return None
    return issue_type


def validate_fields(
    context: FieldContext,
    screen: list[ScreenField],
    values: Mapping[str, Any],
    problems: Problems,
) -> dict[str, Any]:
    """Check `values` against the screen and each field's type; return them normalised."""
    world = context.world
    on_screen = {f.field_id for f in screen}
    normalised: dict[str, Any] = {}
    for field_id, raw in values.items():
        if field_id in _ALWAYS_SETTABLE:
            continue
        definition = world.field(field_id)
        if definition is None or field_id not in on_screen:
            problems.errors[field_id] = NOT_ON_SCREEN.format(field=field_id)
            continue
        value = _normalise(context, definition, raw, problems)
        if field_id not in problems.errors:
            normalised[field_id] = value
    if context.creating:
        for screen_field in screen:
            if not screen_field.required or screen_field.field_id in _ALWAYS_SETTABLE:
                continue
            given = normalised.get(screen_field.field_id)
            if _empty(given) and screen_field.field_id not in problems.errors:
                if screen_field.default is not None:
                    normalised[screen_field.field_id] = screen_field.default
                    continue
                definition = world.field(screen_field.field_id)
                name = definition.name if definition else screen_field.field_id
                problems.errors[screen_field.field_id] = (
                    "You must specify a summary of the issue."
                    if screen_field.field_id == "summary"
                    else f"{name} is required."
                )
    return normalised


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def _normalise(context: FieldContext, definition: FieldDef, raw: Any, problems: Problems) -> Any:
    world = context.world
    field_id = definition.id
    kind = definition.schema.get("type")
    if field_id == "summary":
        return _summary(context, raw, problems)
    if definition.rich_text:
        return _rich_text(context, field_id, raw, problems)
    if field_id == "labels" or (definition.schema.get("items") == "string" and kind == "array"):
        return _labels(context, field_id, raw, problems)
    if field_id == "priority":
        if not isinstance(raw, Mapping):
            problems.errors[field_id] = "Specify the Priority (id or name) in the string format"
            return None
        priority = world.priority(str(raw.get("id") or raw.get("name") or ""))
        if priority is None:
            problems.errors[field_id] = "The priority selected is invalid."
            return None
        return priority.id
    if field_id == "components":
        return _components(context, raw, problems)
    if field_id in ("assignee", "reporter"):
        if raw is None:
            return None
        user = None
        if isinstance(raw, Mapping):
            if raw.get("accountId") or raw.get("id"):
                user = world.user_by_account(str(raw.get("accountId") or raw.get("id")))
            elif raw.get("name"):
                user = world.user_by_name(str(raw["name"]))
        if user is None:
            problems.errors[field_id] = f"Specify a valid value for {definition.name.lower()}"
            return None
        return user.account_id
    if kind == "option":
        return _option(definition, raw, problems)
    if kind == "string":
        if not isinstance(raw, str):
            problems.errors[field_id] = "Operation value must be a string"
            return None
        if len(raw) > TEXTFIELD_LIMIT:
            problems.errors[field_id] = TEXT_TOO_LONG.format(limit=TEXTFIELD_LIMIT)
        return raw
    if kind == "number":
        if not isinstance(raw, int | float) or isinstance(raw, bool):
            problems.errors[field_id] = "Operation value must be a number"
            return None
        return raw
    return raw


def _summary(context: FieldContext, raw: Any, problems: Problems) -> str | None:
    limit = context.world.limits.summary
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        problems.errors["summary"] = "You must specify a summary of the issue."
        return None
    if not isinstance(raw, str):
        problems.errors["summary"] = "Operation value must be a string"
        return None
    if "\n" in raw or "\r" in raw:
        problems.errors["summary"] = (
            "The summary is invalid because it contains newline characters."
        )
        return None
    if len(raw) > limit:
        problems.errors["summary"] = (
            f"Summary can't exceed {limit} characters."
            if context.cloud
            else f"Summary must be less than {limit} characters."
        )
        return None
    return raw


def _rich_text(context: FieldContext, field_id: str, raw: Any, problems: Problems) -> Any:
    limit = context.world.limits.text
    if raw is None:
        return None
    if context.api_version == 3:
        if not isinstance(raw, Mapping):
            problems.errors[field_id] = NOT_ADF
            return None
        problem = validate_adf(raw)
        if problem:
            problems.messages.append(BAD_ADF_ON_CREATE if context.creating else INVALID_INPUT)
            problems.detail = f"{field_id}: {problem}"
            return None
        if adf_size(raw) > limit:
            problems.messages.append(CONTENT_LIMIT)
            problems.content_limit = True
            return None
        return RichValue(adf=dict(raw))
    if not isinstance(raw, str):
        problems.errors[field_id] = "Operation value must be a string"
        return None
    if len(raw) > limit:
        problems.errors[field_id] = TEXT_TOO_LONG.format(limit=limit)
        return None
    return RichValue(wiki=raw)


def _labels(context: FieldContext, field_id: str, raw: Any, problems: Problems) -> list[str] | None:
    if not isinstance(raw, list):
        problems.errors[field_id] = "data was not an array"
        return None
    labels: list[str] = []
    for label in raw:
        problem = label_problem(context, label)
        if problem:
            problems.errors[field_id] = problem
            return None
        if label not in labels:
            labels.append(str(label))
    return labels


def label_problem(context: FieldContext, label: Any) -> str | None:
    limit = context.world.limits.label
    if not isinstance(label, str) or not label:
        return "Operation value must be a string"
    if any(char.isspace() for char in label):
        return (
            f"The label '{label}' can't contain spaces."
            if context.cloud
            else f"The label '{label}' contains spaces which is invalid."
        )
    if len(label) > limit:
        return (
            f"The label '{label}' exceeds the maximum length for a single label of {limit} "
            "characters."
        )
    return None


def _components(context: FieldContext, raw: Any, problems: Problems) -> list[str] | None:
    if not isinstance(raw, list):
        problems.errors["components"] = "data was not an array"
        return None
    return [
        component_id
        for item in raw
        if (component_id := component_ref(context, item, problems)) is not None
    ]


def component_ref(context: FieldContext, item: Any, problems: Problems) -> str | None:
    """Resolve {"id"} or {"name"} against every project's components (the caller's project check
    happens on create, where the project is known)."""
    components = [c for p in context.world.projects for c in p.components]
    if isinstance(item, Mapping) and item.get("id"):
        match = next((c for c in components if c.id == str(item["id"])), None)
        if match is None:
            problems.errors["components"] = f"Component with id '{item['id']}' does not exist."
        return match.id if match else None
    if isinstance(item, Mapping) and item.get("name"):
        wanted = str(item["name"])
        match = next((c for c in components if c.name.casefold() == wanted.casefold()), None)
        if match is None:
            problems.errors["components"] = f"Component name '{wanted}' is not valid"
        return match.id if match else None
    problems.errors["components"] = "Component name or id is required"
    return None


def _option(definition: FieldDef, raw: Any, problems: Problems) -> dict[str, Any] | None:
    options = definition.allowed_values or ()
    if not isinstance(raw, Mapping):
        problems.errors[definition.id] = f"Specify a valid 'id' or 'name' for {definition.name}"
        return None
    if raw.get("id"):
        match = next((o for o in options if o.get("id") == str(raw["id"])), None)
        if match is None:
            problems.errors[definition.id] = f"Option id '{raw['id']}' is not valid"
        return dict(match) if match else None
    wanted = str(raw.get("value") or raw.get("name") or "")
    match = next((o for o in options if o.get("value") == wanted), None)
    if match is None:
        problems.errors[definition.id] = f"Option value '{wanted}' is not valid"
    return dict(match) if match else None


def apply_update_ops(
    context: FieldContext,
    current: Mapping[str, Any],
    update: Mapping[str, Any],
    problems: Problems,
) -> dict[str, Any]:
    """The `update` form of an edit: {"labels": [{"add": "x"}, {"remove": "y"}], "summary":
    [{"set": "..."}]}. Returns the fields' new raw values (validated by the caller)."""
    results: dict[str, Any] = {}
    for field_id, operations in update.items():
        if not isinstance(operations, list):
            problems.errors[field_id] = "data was not an array"
            continue
        value: Any = current.get(field_id)
        for operation in operations:
            if not isinstance(operation, Mapping) or len(operation) != 1:
                problems.errors[field_id] = "Operation must be one of set, add, remove or edit"
                break
            ((verb, argument),) = operation.items()
            if verb == "set":
                value = argument
            elif verb in ("add", "remove") and field_id == "labels":
                labels = list(value or [])
                if verb == "add" and argument not in labels:
                    labels.append(argument)
                if verb == "remove" and argument in labels:
                    labels.remove(argument)
                value = labels
            elif verb in ("add", "remove") and field_id == "components":
                wanted = component_ref(context, argument, problems)
                ids = list(value or [])
                if wanted and verb == "add" and wanted not in ids:
                    ids.append(wanted)
                if wanted and verb == "remove" and wanted in ids:
                    ids.remove(wanted)
                value = [{"id": component_id} for component_id in ids]
            else:
                problems.errors[field_id] = (
                    f"Field '{field_id}' does not support the '{verb}' operation"
                )
                break
        results[field_id] = value
    return results
