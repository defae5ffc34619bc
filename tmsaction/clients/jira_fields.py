"""Defect fields against Jira's create metadata: shaping config values into Jira's JSON and finding
what Jira would reject before the first create. Pure; no I/O.

Checking first matters beyond a nicer message: on Cloud a rejected create can still consume an
issue key (JRACLOUD-78553), and a run with 50 failures should fail once, clearly, not 50 times.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tmsaction.clients.jira_model import CreateMeta, FieldMeta

# Fields tmsaction always sends itself; never reported as "missing".
_SET_BY_TMSACTION = frozenset({"project", "issuetype", "summary", "description", "labels"})


def shape_value(meta: FieldMeta, value: Any) -> Any:
    """A config value (usually a plain string) as the JSON Jira expects for this field type.
    Values that already are objects or lists of objects pass through unchanged."""
    if isinstance(value, Mapping):
        return dict(value)
    if meta.schema_type == "array":
        items = value if isinstance(value, list | tuple) else [value]
        if meta.items in ("component", "version"):
            return [item if isinstance(item, Mapping) else {"name": str(item)} for item in items]
        if meta.items == "option":
            return [item if isinstance(item, Mapping) else {"value": str(item)} for item in items]
        return [str(item) for item in items]
    if meta.schema_type in ("priority", "version", "component", "resolution", "issuetype"):
        return {"name": str(value)}
    if meta.schema_type == "option":
        return {"value": str(value)}
    if meta.schema_type == "user":
        return {"accountId": str(value)} if ":" in str(value) else {"name": str(value)}
    if meta.schema_type == "number":
        return float(value) if not isinstance(value, int | float) else value
    return value


def _value_names(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            for key in ("name", "value", "id", "key"):
                if item.get(key) is not None:
                    names.append(str(item[key]))
                    break
        elif item is not None:
            names.append(str(item))
    return names


def field_problems(meta: CreateMeta, fields: Mapping[str, Any]) -> list[str]:
    """Everything Jira would reject in `fields` (field id -> Jira JSON) for this create screen:
    unknown fields, values outside the allowed list, required fields left out."""
    where = f"Jira {meta.project} {meta.issue_type.name}"
    problems: list[str] = []
    for field_id, value in fields.items():
        definition = meta.fields.get(field_id)
        if definition is None:
            if field_id not in ("project", "issuetype"):
                problems.append(
                    f"{where}: field '{field_id}' is not on the create screen; remove it from the "
                    "config or ask a Jira admin to add it to the screen."
                )
            continue
        if definition.allowed is None or field_id == "issuetype":
            continue
        for name in _value_names(value):
            if not definition.allows(name):
                allowed = ", ".join(a.name for a in definition.allowed[:20])
                problems.append(
                    f"{where}: {definition.name} '{name}' is not allowed; allowed: {allowed}."
                )
    for field_id, definition in meta.fields.items():
        if not definition.required or definition.has_default or field_id in fields:
            continue
        if field_id in _SET_BY_TMSACTION:
            continue
        problems.append(
            f"{where}: field '{definition.name}' ({field_id}) is required by Jira; give it a "
            "value in the config's defect fields."
        )
    return problems


def resolve_field_id(meta: CreateMeta, name_or_id: str) -> str | None:
    """`customfield_10020`, or the id of the field named e.g. 'Severity' on this screen."""
    found = meta.field(name_or_id)
    return found.id if found else None
