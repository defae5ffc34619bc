"""Emulated result and attachment endpoints. Test double; no I/O.

`add_results_for_cases` follows research §4.1 rules 1-13: every item is validated before any is
stored (all or nothing), the answer is a bare array in request order, Untested (3) is refused, the
same case may appear several times (the last status wins), closed runs are read-only, strings must be
valid UTF-8, and AI-evaluation results (`quality_rating`) may not share a batch with others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tmsaction.sandbox.testrail import lookup
from tmsaction.sandbox.testrail.custom_fields import custom_values
from tmsaction.sandbox.testrail.defaults import UNTESTED
from tmsaction.sandbox.testrail.timespan import parse_timespan
from tmsaction.sandbox.testrail.wire import (
    CLOSED_RUN,
    Call,
    EndpointTable,
    RawBody,
    Record,
    bad,
    check_utf8,
    denied,
    paginate,
    required,
    too_large,
)
from tmsaction.sandbox.testrail.world import World

table = EndpointTable()

NOT_IN_RUN = (
    "Field :results contains one or more invalid results "
    "(case C{} unknown or not part of the test run)"
)
TEST_NOT_IN_RUN = (  # [INFER] the `T` prefix
    "Field :results contains one or more invalid results "
    "(test T{} unknown or not part of the test run)"
)
EMPTY = "Field :results cannot be empty (one result is required)"
NONE_VALID = "Field :results cannot be empty but no valid tests or cases found"
BULK_NO_CONTENT = (
    "Field :results contains one or more invalid results "
    "(one of Status ID, Assigned To or Comment is required)"
)
SINGLE_NO_CONTENT = "One of Status ID, Assigned To or Comment is required"
MIXED_AI = (  # [INFER] wording; trcli splits such batches because TestRail rejects them
    "Field :results contains one or more invalid results "
    "(results with and without quality_rating cannot be mixed)"
)
NO_TEST = "No (active) test found for the run/case combination."
CLOSED_TEST = "This operation is not allowed. The test is already completed."


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return int(value)
    return None


def result_values(world: World, run: Record, item: Record, *, bulk: bool) -> Record:
    """One result's fields, validated; `bulk` switches to the `Field :results.<x>` texts (§4.1)."""
    prefix = "results." if bulk else ""
    check_utf8(item)
    values: Record = {}
    status = item.get("status_id")
    if status is not None:
        status_id = _positive_int(status)
        if status_id == UNTESTED:
            raise bad(f"Field :{prefix}status_id uses an invalid status (Untested).")
        if status_id is None or not world.statuses.get(status_id, {}).get("_active"):
            raise bad(f"Field :{prefix}status_id is not a valid status.")  # [INFER] wording
        values["status_id"] = status_id
    comment = item.get("comment")
    if comment is not None and comment != "":
        if not isinstance(comment, str | int | float):
            raise bad(f"Field :{prefix}comment is not a valid string.")  # [INFER] wording
        values["comment"] = str(comment)
    if item.get("assignedto_id") is not None:
        assignee = _positive_int(item["assignedto_id"])
        if assignee is None or not lookup.user_exists(world, assignee):
            raise bad(f"Field :{prefix}assignedto_id is not a valid user.")  # [INFER] wording
        values["assignedto_id"] = assignee
    if not values:
        raise bad(BULK_NO_CONTENT if bulk else SINGLE_NO_CONTENT)
    for name in ("version", "defects"):
        value = item.get(name)
        if value is not None and value != "":
            text = str(value)
            if len(text) > 250:
                raise bad(f"Field :{prefix}{name} is too long (250 characters at most).")
            values[name] = text
    elapsed = item.get("elapsed")
    if elapsed is not None and elapsed != "":
        seconds = parse_timespan(elapsed)
        if seconds is None:
            raise bad(f"Field :{prefix}elapsed is not in a valid time span format.")
        values["elapsed"] = world.timespan(seconds)
    elif world.elapsed_required:
        raise required(f"{prefix}elapsed")
    values.update(custom_values(world, "result", run["project_id"], item, prefix=prefix))
    if world.ai_template and item.get("quality_rating") is not None:
        values["quality_rating"] = item["quality_rating"]
    return values


def _writable(run: Record) -> None:
    if run["is_completed"]:
        raise denied(CLOSED_RUN)


def _bulk(
    world: World,
    call: Call,
    key: str,
    find_test: Callable[[Record, int], Record | None],
    not_in_run: str,
) -> Any:
    """add_results / add_results_for_cases: validate all, then store all (rule 1)."""
    run = lookup.run_arg(world, call)
    _writable(run)
    items = call.body.get("results")
    if items is None:
        raise required("results")
    if not isinstance(items, list):
        raise bad("Field :results is not a valid array.")  # [INFER] wording
    if not items:
        raise bad(EMPTY)
    for item in items:
        if not isinstance(item, dict) or item.get(key) is None:
            raise required(f"results.{key}")
    ids = [_positive_int(item[key]) for item in items]
    if all(i is None for i in ids):
        raise bad(NONE_VALID)
    prepared: list[tuple[Record, Record]] = []
    for item, entity_id in zip(items, ids, strict=True):
        test = find_test(run, entity_id) if entity_id is not None else None
        if test is None:
            raise bad(not_in_run.format(item[key]))
        prepared.append((test, result_values(world, run, item, bulk=True)))
    if world.ai_template:
        rated = {"quality_rating" in values for _, values in prepared}
        if len(rated) > 1:
            raise bad(MIXED_AI)
    return [
        world.render_result(world.add_result(test, values, call.user["id"]))
        for test, values in prepared
    ]


@table.post("add_results_for_cases", "add test results")
def add_results_for_cases(world: World, call: Call) -> Any:
    def find(run: Record, case_id: int) -> Record | None:
        test_id = world.run_tests[run["id"]].get(case_id)
        return None if test_id is None else world.tests[test_id]

    return _bulk(world, call, "case_id", find, NOT_IN_RUN)


@table.post("add_results", "add test results")
def add_results(world: World, call: Call) -> Any:
    def find(run: Record, test_id: int) -> Record | None:
        test = world.tests.get(test_id)
        return test if test is not None and test["run_id"] == run["id"] else None

    return _bulk(world, call, "test_id", find, TEST_NOT_IN_RUN)


@table.post("add_result", "add test results")
def add_result(world: World, call: Call) -> Any:
    test = lookup.test(world, call, call.arg_id(0, "test_id", lookup.INVALID_TEST))
    run = world.runs[test["run_id"]]
    if run["is_completed"]:
        raise denied(CLOSED_TEST)
    values = result_values(world, run, call.body, bulk=False)
    return world.render_result(world.add_result(test, values, call.user["id"]))


@table.post("add_result_for_case", "add test results")
def add_result_for_case(world: World, call: Call) -> Any:
    run = lookup.run_arg(world, call)
    case_id = call.arg_id(1, "case_id", lookup.INVALID_CASE)
    _writable(run)
    test_id = world.run_tests[run["id"]].get(case_id)
    if test_id is None:
        raise bad(NO_TEST)
    values = result_values(world, run, call.body, bulk=False)
    return world.render_result(world.add_result(world.tests[test_id], values, call.user["id"]))


def _filtered(world: World, call: Call, result_ids: list[int]) -> Any:
    """Newest first (§2); filters created_after/before, created_by, status_id, defects_filter."""
    results = [world.results[r] for r in reversed(result_ids)]
    after = call.timestamp_filter("created_after")
    if after is not None:
        results = [r for r in results if r["created_on"] > after]
    before = call.timestamp_filter("created_before")
    if before is not None:
        results = [r for r in results if r["created_on"] < before]
    for name in ("created_by", "status_id"):
        wanted = call.id_list_filter(name)
        if wanted is not None:
            results = [r for r in results if r[name] in wanted]
    defects = call.param("defects_filter")
    if defects:
        results = [r for r in results if defects in (r["defects"] or "")]
    return paginate(call, "results", results, world.render_result)


@table.get("get_results")
def get_results(world: World, call: Call) -> Any:
    test = lookup.test(world, call, call.arg_id(0, "test_id", lookup.INVALID_TEST))
    return _filtered(world, call, world.test_results[test["id"]])


@table.get("get_results_for_case")
def get_results_for_case(world: World, call: Call) -> Any:
    run = lookup.run_arg(world, call)
    case_id = call.arg_id(1, "case_id", lookup.INVALID_CASE)
    test_id = world.run_tests[run["id"]].get(case_id)
    if test_id is None:
        raise bad(NO_TEST)
    return _filtered(world, call, world.test_results[test_id])


@table.get("get_results_for_run")
def get_results_for_run(world: World, call: Call) -> Any:
    run = lookup.run_arg(world, call)
    return _filtered(world, call, world.run_results[run["id"]])


# -- attachments (§3.12) -------------------------------------------------------------------------------


def _store_attachment(world: World, call: Call, **links: Any) -> Record:
    """One multipart part named `attachment`; over the size limit the web tier answers 413."""
    part = call.files.get("attachment")
    if part is None:
        raise required("attachment")  # [INFER] wording
    filename, content = part
    if len(content) > world.attachment_max_bytes:
        raise too_large()
    attachment_id = world.new_id("attachment")
    record = {
        "id": attachment_id,
        "name": filename or "attachment",
        "filename": filename or "attachment",
        "size": len(content),
        "created_on": world.now(),
        "user_id": call.user["id"],
        **links,
    }
    world.attachments[attachment_id] = record
    world.attachment_data[attachment_id] = content
    return record


@table.post("add_attachment_to_result", "add attachments", multipart=True)
def add_attachment_to_result(world: World, call: Call) -> Any:
    result_id = call.arg_id(0, "result_id", lookup.INVALID_RESULT)
    result = world.results.get(result_id)
    if result is None:
        raise bad(lookup.INVALID_RESULT)
    test = world.tests[result["test_id"]]
    run = lookup.run(world, call, test["run_id"])
    _writable(run)
    record = _store_attachment(
        world,
        call,
        project_id=run["project_id"],
        case_id=test["case_id"],
        test_change_id=result_id,
        entity_type="result",
        entity_id=result_id,
    )
    result["attachment_ids"].append(record["id"])
    return {"attachment_id": record["id"]}


@table.post("add_attachment_to_run", "add attachments", multipart=True)
def add_attachment_to_run(world: World, call: Call) -> Any:
    run = lookup.run_arg(world, call)
    _writable(run)
    record = _store_attachment(
        world, call, project_id=run["project_id"], entity_type="run", entity_id=run["id"]
    )
    return {"attachment_id": record["id"]}


@table.post("add_attachment_to_case", "add attachments", multipart=True)
def add_attachment_to_case(world: World, call: Call) -> Any:
    case = lookup.case(world, call, call.arg_id(0, "case_id", lookup.INVALID_CASE))
    record = _store_attachment(
        world,
        call,
        project_id=world.project_of_suite(case["suite_id"]),
        case_id=case["id"],
        entity_type="case",
        entity_id=case["id"],
    )
    return {"attachment_id": record["id"]}


@table.post("add_attachment_to_plan", "add attachments", multipart=True)
def add_attachment_to_plan(world: World, call: Call) -> Any:
    plan = lookup.plan_arg(world, call)
    record = _store_attachment(
        world, call, project_id=plan["project_id"], entity_type="plan", entity_id=plan["id"]
    )
    return {"attachment_id": record["id"]}


def _public_attachment(record: Record) -> Record:
    return {k: v for k, v in record.items() if k not in ("entity_type", "entity_id")}


@table.get("get_attachments_for_test")
def get_attachments_for_test(world: World, call: Call) -> Any:
    test = lookup.test(world, call, call.arg_id(0, "test_id", lookup.INVALID_TEST))
    results = set(world.test_results[test["id"]])
    found = [
        a
        for a in world.attachments.values()
        if a["entity_type"] == "result" and a["entity_id"] in results
    ]
    return paginate(call, "attachments", found, _public_attachment)


@table.get("get_attachments_for_run")
def get_attachments_for_run(world: World, call: Call) -> Any:
    run = lookup.run_arg(world, call)
    found = [
        a
        for a in world.attachments.values()
        if a["entity_type"] == "run" and a["entity_id"] == run["id"]
    ]
    return paginate(call, "attachments", found, _public_attachment)


@table.get("get_attachments_for_case")
def get_attachments_for_case(world: World, call: Call) -> Any:
    case = lookup.case(world, call, call.arg_id(0, "case_id", lookup.INVALID_CASE))
    found = [
        a
        for a in world.attachments.values()
        if a["entity_type"] == "case" and a["entity_id"] == case["id"]
    ]
    return paginate(call, "attachments", found, _public_attachment)


@table.get("get_attachment")
def get_attachment(world: World, call: Call) -> Any:
    attachment_id = call.arg_id(0, "attachment_id", lookup.INVALID_ATTACHMENT)
    if attachment_id not in world.attachments:
        raise bad(lookup.INVALID_ATTACHMENT)
    return RawBody(world.attachment_data[attachment_id])


@table.post("delete_attachment", "delete attachments")
def delete_attachment(world: World, call: Call) -> Any:
    attachment_id = call.arg_id(0, "attachment_id", lookup.INVALID_ATTACHMENT)
    record = world.attachments.pop(attachment_id, None)
    if record is None:
        raise bad(lookup.INVALID_ATTACHMENT)
    del world.attachment_data[attachment_id]
    if record["entity_type"] == "result" and record["entity_id"] in world.results:
        world.results[record["entity_id"]]["attachment_ids"].remove(attachment_id)
    return None
