"""Custom case and result field values: type checks per §3.4 and required fields per project (§3.5).
Test double; no I/O.
"""

from __future__ import annotations

from typing import Any

from tmsaction.sandbox.testrail import defaults as w
from tmsaction.sandbox.testrail.wire import MAX_NAME, Record, bad, required
from tmsaction.sandbox.testrail.world import World


def dropdown_ids(items: str) -> set[int]:
    """`"1, First\\n2, Second"` -> {1, 2} (§3.5 option encoding)."""
    ids: set[int] = set()
    for line in items.splitlines():
        key = line.split(",", 1)[0].strip()
        if key.lstrip("-").isdigit():
            ids.add(int(key))
    return ids


def _valid(world: World, field: Record, options: Record, value: Any) -> bool:
    type_id = field["type_id"]
    if type_id in (w.STRING, w.URL, w.DATE):
        return isinstance(value, str) and (type_id != w.STRING or len(value) <= MAX_NAME)
    if type_id == w.TEXT:
        return isinstance(value, str)
    if type_id == w.INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if type_id == w.CHECKBOX:
        return isinstance(value, bool) or value in (0, 1)
    if type_id == w.DROPDOWN:
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and value in dropdown_ids(options.get("items", ""))
        )
    if type_id == w.MULTI_SELECT:
        allowed = dropdown_ids(options.get("items", ""))
        return isinstance(value, list) and all(v in allowed for v in value)
    if type_id == w.USER:
        return isinstance(value, int) and value in world.users
    if type_id == w.MILESTONE:
        return isinstance(value, int) and value in world.milestones
    if type_id in (w.STEPS, w.STEP_RESULTS):
        return isinstance(value, list) and all(isinstance(step, dict) for step in value)
    return True


def custom_values(
    world: World,
    kind: str,
    project_id: int,
    body: Record,
    *,
    prefix: str = "",
    check_required: bool = True,
) -> Record:
    """The custom values of a body that apply to the project, validated; unknown keys are dropped.

    A required field missing (or empty) gives `Field :custom_<name> is a required field.` (§3.5,
    zoosk/testrail-client#41); a wrongly typed value an [INFER]-worded 400.
    """
    values: Record = {}
    for field in world.fields_for(kind, project_id):
        name = field["system_name"]
        options = world.field_options(field, project_id)
        value = body.get(name)
        if value is None or value in ("", []):
            if check_required and options.get("is_required"):
                raise required(name)
            if name in body:
                values[name] = None
            continue
        if not _valid(world, field, options, value):
            raise bad(f"Field :{prefix}{name} is not a valid value for {field['label']}.")
        values[name] = value
    return values
