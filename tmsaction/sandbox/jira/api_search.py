"""Jira emulator search: Cloud's `search/jql` (token paging, reconcileIssues, eventual consistency),
the removed `/search` (410 on Cloud), Data Center's `/search` (startAt/total), approximate count.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tmsaction.sandbox.jira.call import BadRequest, Call
from tmsaction.sandbox.jira.index import search_document
from tmsaction.sandbox.jira.jql import JqlError, Query, Value, evaluate, parse
from tmsaction.sandbox.jira.world import BROWSE, Issue, User, World
from tmsaction.sandbox.server import Response

if TYPE_CHECKING:
    from tmsaction.sandbox.jira.emulator import JiraEmulator

SEARCH_REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at "
    "https://developer.atlassian.com/changelog/#CHANGE-2046"
)
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
MAX_RECONCILE = 50
MAX_PAGE_IDS = 5000  # "It returns max 5000 issues" when only id/key are requested
MAX_PAGE_FIELDS = 100  # fewer per page "where a large number of fields ... are requested"
SEARCH_JQL_KEYS = frozenset(
    {
        "jql",
        "nextPageToken",
        "maxResults",
        "fields",
        "expand",
        "properties",
        "fieldsByKeys",
        "failFast",
        "reconcileIssues",
    }
)
DATE_FIELDS = frozenset(
    {"created", "createddate", "updated", "updateddate", "resolutiondate", "resolved"}
)
TEXT_FIELDS = frozenset({"summary", "description", "text", "comment", "environment"})
SYSTEM_FIELDS = frozenset(
    {
        "project",
        "key",
        "issuekey",
        "id",
        "labels",
        "issuetype",
        "type",
        "status",
        "statuscategory",
        "resolution",
        "priority",
        "component",
        "reporter",
        "assignee",
    }
    | DATE_FIELDS
    | TEXT_FIELDS
)
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*-\d+$")
_RELATIVE = re.compile(r"^([-+]?)(\d+)([wdhm])$")


def _bad_jql(message: str) -> BadRequest:
    return BadRequest(400, [message])


def _parse(emulator: JiraEmulator, user: User, jql: str) -> Query:
    try:
        query = parse(jql)
    except JqlError as error:
        raise _bad_jql(str(error)) from None
    _validate(emulator, user, query)
    return query


def _validate(emulator: JiraEmulator, user: User, query: Query) -> None:
    """The value checks Jira runs before searching (validateQuery=strict)."""
    world = emulator.world
    custom_names = {f.name.lower() for f in world.fields if f.custom}
    custom_ids = {f.id for f in world.fields if f.custom}
    browse = emulator.can(user, BROWSE)
    for term in query.terms():
        field = term.field
        if field not in SYSTEM_FIELDS and field not in custom_names and field not in custom_ids:
            raise _bad_jql(
                f"Field '{field}' does not exist or you do not have permission to view it."
            )
        if term.operator in ("~", "!~") and field not in TEXT_FIELDS:
            raise _bad_jql(
                f"The operator '{term.operator}' is not supported by the '{field}' field."
            )
        for value in term.values:
            if value.function:
                if value.function not in ("currentuser", "empty", "now"):
                    raise _bad_jql(f"Unable to find JQL function '{value.text}()'.")
                continue
            text = value.text
            if field == "project" and (world.project(text) is None or not browse):
                raise _bad_jql(f"The value '{text}' does not exist for the field 'project'.")
            if field in ("key", "issuekey"):
                if not _KEY.match(text):
                    raise _bad_jql(f"The issue key '{text}' for field '{field}' is invalid.")
                if world.issue(text) is None or not browse:
                    raise _bad_jql(
                        f"An issue with key '{text}' does not exist for field '{field}'."
                    )
            if field in ("issuetype", "type") and world.issue_type(text) is None:
                raise _bad_jql(f"The value '{text}' does not exist for the field '{field}'.")
            if field == "status" and not any(
                text.casefold() in (s.name.casefold(), s.id) for s in world.workflow.statuses
            ):
                raise _bad_jql(f"The value '{text}' does not exist for the field 'status'.")
            if field == "resolution" and world.resolution(text) is None:
                raise _bad_jql(f"The value '{text}' does not exist for the field 'resolution'.")
            if field == "priority" and world.priority(text) is None:
                raise _bad_jql(f"The value '{text}' does not exist for the field 'priority'.")
            if field == "labels" and emulator.cloud and any(c.isspace() for c in text):
                raise _bad_jql(f"The label '{text}' can't contain spaces.")


def _resolver(emulator: JiraEmulator, user: User) -> Any:
    def resolve(field: str, value: Value) -> Any:
        if value.function == "currentuser":
            return user.account_id
        if value.function == "now":
            return emulator.now()
        if field in DATE_FIELDS:
            return _date(emulator.now(), value.text)
        if field == "id" and value.text.isdigit():
            return int(value.text)
        return value.text

    return resolve


def _date(now: float, text: str) -> float:
    relative = _RELATIVE.match(text.strip())
    if relative:
        sign = -1 if relative.group(1) == "-" else 1
        unit = {"w": 604800, "d": 86400, "h": 3600, "m": 60}[relative.group(3)]
        return now + sign * int(relative.group(2)) * unit
    for pattern in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    raise _bad_jql(
        f"Date value '{text}' for field 'created' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format "
        "e.g. '-5d', '4w 2d'."
    )


def run_search(
    emulator: JiraEmulator, user: User, query: Query, reconcile: frozenset[int] = frozenset()
) -> list[Issue]:
    """Issues matching `query` as the index sees them; reconciled ids are read live."""
    world = emulator.world
    if not emulator.can(user, BROWSE):
        return []
    resolve = _resolver(emulator, user)
    found: list[Issue] = []
    for issue in world.issues.values():
        document: dict[str, Any] | None = (
            search_document(world, issue)
            if issue.id in reconcile
            else emulator.index.document(issue.id)
        )
        if document is not None and evaluate(query.where, document, resolve):
            found.append(issue)
    order = list(query.order_by) or [("created", True)]
    ranks = {p.id: index for index, p in enumerate(world.priorities)}
    for field, descending in reversed(order):

        def key(issue: Issue, field: str = field) -> Any:
            return _sort_key(world, ranks, issue, field)

        found.sort(key=key, reverse=descending)
    return found


def _sort_key(world: World, ranks: dict[str, int], issue: Issue, field: str) -> Any:
    if field in ("key", "issuekey"):
        return (world.project_by_id(issue.project_id).key, issue.number)
    if field in ("created", "createddate"):
        return (issue.created, issue.id)
    if field in ("updated", "updateddate"):
        return (issue.updated, issue.id)
    if field == "priority":
        # Jira sorts by rank: the first priority in the scheme is the highest.
        return -ranks.get(str(issue.fields.get("priority")), len(ranks))
    if field == "status":
        return world.workflow.status(issue.status_id).name
    if field == "summary":
        return issue.summary.casefold()
    return issue.id


def _page_token(offset: int, jql: str) -> str:
    payload = json.dumps({"o": offset, "q": hashlib.sha256(jql.encode()).hexdigest()[:12]})
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _token_offset(token: str, jql: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if payload["q"] != hashlib.sha256(jql.encode()).hexdigest()[:12]:
            raise ValueError("token of another query")
        return int(payload["o"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BadRequest(400, ["The provided next page token is invalid or expired."]) from None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [str(part) for part in value]
    raise BadRequest(400, ["Expected a list of strings."])


def search_jql(emulator: JiraEmulator, call: Call) -> Response:
    if not emulator.cloud:
        return emulator.unknown_path(call.request)
    if call.request.method == "POST":
        body = call.json_object()
        unknown = sorted(set(body) - SEARCH_JQL_KEYS)
        if unknown:
            raise BadRequest(400, [f'Unrecognized field "{unknown[0]}"'])
        jql = body.get("jql")
        token = body.get("nextPageToken")
        size = body.get("maxResults", 50)
        fields = _as_list(body.get("fields"))
        expand = body.get("expand") or ""
        properties = _as_list(body.get("properties"))
        reconcile_raw: list[Any] = body.get("reconcileIssues") or []
    else:
        jql = call.param("jql")
        token = call.param("nextPageToken")
        size = call.int_param("maxResults", 50)
        fields = call.param_list("fields")
        expand = call.param("expand", "") or ""
        properties = call.param_list("properties")
        reconcile_raw = call.param_list("reconcileIssues")
    if not isinstance(jql, str):
        raise BadRequest(400, [UNBOUNDED])
    if not isinstance(size, int) or size < 0:
        raise BadRequest(400, ["maxResults must be a non-negative number."])
    if len(properties) > 5:
        raise BadRequest(400, ["At most 5 issue properties can be requested."])
    try:
        reconcile = frozenset(int(item) for item in reconcile_raw)
    except (TypeError, ValueError):
        raise BadRequest(400, ["reconcileIssues must be a list of issue ids."]) from None
    if len(reconcile) > MAX_RECONCILE:
        raise BadRequest(400, [f"reconcileIssues accepts at most {MAX_RECONCILE} issue ids."])
    query = _parse(emulator, call.user, jql)
    if not query.bounded:
        raise BadRequest(400, [UNBOUNDED])
    only_ids = not fields or set(fields) <= {"id", "key"}
    size = min(size, MAX_PAGE_IDS if only_ids else MAX_PAGE_FIELDS)
    offset = _token_offset(token, jql) if token else 0
    found = run_search(emulator, call.user, query, reconcile)
    page = found[offset : offset + size]
    last = offset + size >= len(found)
    result: dict[str, Any] = {
        "issues": [
            call.view.issue(issue, fields, default="id", expand=expand, properties=properties)
            for issue in page
        ],
        "isLast": last,
    }
    if not last:  # JRACLOUD-92184: the token is omitted, not null, on the last page
        result["nextPageToken"] = _page_token(offset + size, jql)
    if "names" in expand:
        result["names"] = {f.id: f.name for f in emulator.world.fields}
    return Response.json(200, result)


def approximate_count(emulator: JiraEmulator, call: Call) -> Response:
    if not emulator.cloud:
        return emulator.unknown_path(call.request)
    jql = call.json_object().get("jql")
    query = _parse(emulator, call.user, jql if isinstance(jql, str) else "")
    if not query.bounded:
        raise BadRequest(400, [UNBOUNDED])
    return Response.json(200, {"count": len(run_search(emulator, call.user, query))})


def search_classic(emulator: JiraEmulator, call: Call) -> Response:
    """Cloud: 410 Gone since CHANGE-2046. Data Center: the startAt/maxResults/total search."""
    if emulator.cloud:
        return Response.json(410, {"errorMessages": [SEARCH_REMOVED], "errors": {}})
    if call.request.method == "POST":
        body = call.json_object()
        jql = body.get("jql") or ""
        start = body.get("startAt", 0)
        size = body.get("maxResults", 50)
        fields = _as_list(body.get("fields"))
        expand_value = body.get("expand") or ""
        expand = ",".join(expand_value) if isinstance(expand_value, list) else str(expand_value)
        properties = _as_list(body.get("properties"))
    else:
        jql = call.param("jql", "") or ""
        start = call.int_param("startAt", 0)
        size = call.int_param("maxResults", 50)
        fields = call.param_list("fields")
        expand = call.param("expand", "") or ""
        properties = call.param_list("properties")
    if not isinstance(start, int) or not isinstance(size, int):
        raise BadRequest(400, ["startAt and maxResults must be numbers."])
    size = min(max(size, 0), 1000)  # jira.search.views.default.max
    query = _parse(emulator, call.user, str(jql))
    found = run_search(emulator, call.user, query)
    page = found[start : start + size]
    return Response.json(
        200,
        {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": size,
            "total": len(found),
            "issues": [
                call.view.issue(
                    issue, fields, default="*navigable", expand=expand, properties=properties
                )
                for issue in page
            ],
        },
    )
