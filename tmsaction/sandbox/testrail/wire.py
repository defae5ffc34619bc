"""The TestRail emulator's wire rules: the `index.php?/api/v2/...` route, `ApiError` bodies, GET filter
and POST field validation with TestRail's message texts, and the pagination envelope. Pure; no I/O.

Message texts come from research/testrail-api.md; the few it marks [INFER] are marked here too, so
no test (and no client) depends on their exact wording.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, unquote_plus

Record = dict[str, Any]

MAX_LIMIT = 250  # §2: "limit (1..250, default 250)"
MAX_NAME = 250  # §1.6: name, title and String fields
_GET_FORBIDDEN = '"<>'  # §1.1: `"` in a GET value -> "Invalid characters in GET: ..."


class ApiError(Exception):
    """An error answer: HTTP status plus TestRail's `{"error": message}` body, or an HTML page when
    the web tier answers instead of TestRail (413, §1.4)."""

    def __init__(self, status: int, message: str, *, html: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.html = html


TOO_LARGE_HTML = (
    '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
    "<title>413 Request Entity Too Large</title>\n</head><body>\n"
    "<h1>Request Entity Too Large</h1>\n"
    "The requested resource does not allow request data with POST requests, or the amount of data "
    "provided in the request exceeds the capacity limit.\n</body></html>\n"
)


def too_large() -> ApiError:
    """413 from the front-end web server, with Apache's HTML page (newman-reporter-testrail#18)."""
    return ApiError(413, "Request Entity Too Large", html=TOO_LARGE_HTML)


def bad(message: str) -> ApiError:
    """400: "entity does not exist, or POST body invalid" (§1.4; never 404 for a missing entity)."""
    return ApiError(400, message)


def denied(message: str) -> ApiError:
    return ApiError(403, message)


CLOSED_RUN = "This operation is not allowed. The test run is already completed."
CLOSED_PLAN = "This operation is not allowed. The test plan is already completed."  # [INFER]


def required(name: str) -> ApiError:
    return bad(f"Field :{name} is a required field.")


@dataclass(frozen=True)
class Route:
    """`index.php?/api/v2/get_cases/1&suite_id=2`: method `get_cases`, args `["1"]`, filters."""

    method: str
    args: tuple[str, ...]
    filters: tuple[tuple[str, str], ...]  # decoded (key, value) pairs in request order
    raw_filters: tuple[str, ...] = ()  # the `k=v` pieces as sent, for `_links`


def parse_route(query: str) -> Route | None:
    """§1.1 parsing rule: split the raw query on `&`; the first piece is the route."""
    pieces = query.split("&")
    route = unquote(pieces[0])
    if not route.startswith("/api/v2/"):
        return None
    parts = route[len("/api/v2/") :].split("/")
    method = parts[0]
    args = tuple(part for part in parts[1:] if part != "")
    filters: list[tuple[str, str]] = []
    raw: list[str] = []
    for piece in pieces[1:]:
        if not piece:
            continue
        key, _, value = piece.partition("=")
        filters.append((unquote_plus(key), unquote_plus(value)))
        raw.append(piece)
    return Route(method, args, tuple(filters), tuple(raw))


@dataclass
class Call:
    """One API call as the endpoint functions see it."""

    route: Route
    body: Record
    user: Record
    http_method: str = "GET"
    files: dict[str, tuple[str | None, bytes]] = field(default_factory=dict)
    legacy_arrays: bool = False  # pre-6.7 servers: bulk GETs answer bare arrays

    @property
    def method(self) -> str:
        return self.route.method

    def param(self, name: str) -> str | None:
        for key, value in self.route.filters:
            if key == name:
                return value
        return None

    def arg(self, index: int, field_name: str) -> str:
        if index >= len(self.route.args):
            raise required(field_name)
        return self.route.args[index]

    def arg_id(self, index: int, field_name: str, invalid: str) -> int:
        """A numeric path argument; a non-number reads as "not a valid <entity>" like a missing id."""
        text = self.arg(index, field_name)
        if not text.isdigit():
            raise bad(invalid)
        return int(text)

    def int_filter(self, name: str) -> int | None:
        value = self.param(name)
        if value is None or value == "":
            return None
        if not value.isdigit():
            raise bad(f"Field :{name} is not a valid ID.")  # [INFER] wording
        return int(value)

    def id_list_filter(self, name: str) -> set[int] | None:
        """Comma-separated ids (`status_id=4,5`, §1.1)."""
        value = self.param(name)
        if value is None or value == "":
            return None
        items = [item.strip() for item in value.split(",")]
        if not all(item.isdigit() for item in items):
            raise bad(f"Field :{name} is not a valid list of IDs.")  # [INFER] wording
        return {int(item) for item in items}

    def bool_filter(self, name: str) -> bool | None:
        """Booleans travel as 0/1 (§1.1)."""
        value = self.param(name)
        if value is None or value == "":
            return None
        if value not in ("0", "1", "true", "false"):
            raise bad(f"Field :{name} is not a valid boolean.")  # [INFER] wording
        return value in ("1", "true")

    def timestamp_filter(self, name: str) -> int | None:
        value = self.param(name)
        if value is None or value == "":
            return None
        if not value.isdigit():
            raise bad(f"Field :{name} is not a valid timestamp.")  # [INFER] wording
        return int(value)


def check_get_characters(route: Route) -> None:
    """§1.1: a `"` in a GET value -> 400 `Invalid characters in GET: [limit] ["]`."""
    for key, value in route.filters:
        if any(char in value for char in _GET_FORBIDDEN):
            raise bad(f"Invalid characters in GET: [{key}] [{value}]")


def page_window(call: Call) -> tuple[int, int]:
    """Validated (limit, offset) with the texts of Gurock's tests c5949/c5950/c9363/c9364/c9366."""
    limit_text = call.param("limit")
    offset_text = call.param("offset")
    limit = MAX_LIMIT
    offset = 0
    if limit_text is not None:
        if not limit_text.isdigit():
            raise bad("Field :limit is not a valid natural number.")
        limit = int(limit_text)
        if limit < 1:
            raise bad("Field :limit is too small (minimum 1).")
        if limit > MAX_LIMIT:
            raise bad(f"Field :limit is too large (maximum {MAX_LIMIT}).")
    if offset_text is not None:
        if not offset_text.isdigit():
            raise bad("Field :offset is not a valid natural number.")
        offset = int(offset_text)
    return limit, offset


def paginate(
    call: Call, key: str, records: Sequence[Record], render: Callable[[Record], Record]
) -> Any:
    """The 6.7+ envelope (§2) or, on a legacy server, the bare array.

    `_links` are relative, without `index.php?`, and repeat the original filters (trcli follows
    `next` verbatim, so the filters must survive). `size` is this page's length; no total exists.
    """
    if call.legacy_arrays:
        return [render(record) for record in records]
    limit, offset = page_window(call)
    page = records[offset : offset + limit]
    kept = "".join(
        f"&{piece}"
        for piece in call.route.raw_filters
        if piece.partition("=")[0] not in ("limit", "offset")
    )
    base = "/api/v2/" + "/".join((call.route.method, *call.route.args)) + kept
    has_next = offset + len(page) < len(records)
    return {
        "offset": offset,
        "limit": limit,
        "size": len(page),
        "_links": {
            "next": f"{base}&limit={limit}&offset={offset + limit}" if has_next else None,
            "prev": f"{base}&limit={limit}&offset={max(0, offset - limit)}" if offset else None,
        },
        key: [render(record) for record in page],
    }


# -- POST body fields ------------------------------------------------------------------------------


def text_field(
    body: Record, name: str, *, required_field: bool = False, max_length: int | None = MAX_NAME
) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required_field:
            raise required(name)
        return None if value is None else ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise bad(f"Field :{name} is not a valid string.")  # [INFER] wording
    text = str(value)
    if max_length is not None and len(text) > max_length:
        raise bad(f"Field :{name} is too long ({max_length} characters at most).")
    return text


def id_field(body: Record, name: str, invalid: str, valid: Callable[[int], bool]) -> int | None:
    """An optional reference to another entity; null clears it."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise bad(invalid)
    if isinstance(value, str):
        if not value.isdigit():
            raise bad(invalid)
        value = int(value)
    if not valid(value):
        raise bad(invalid)
    return value


def bool_field(body: Record, name: str, default: bool) -> bool:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1", "true", "false"):
        return value in (1, "1", "true")
    raise bad(f"Field :{name} is not a valid boolean.")  # [INFER] wording


def id_list_field(body: Record, name: str) -> list[int] | None:
    """`case_ids`: numbers only; strings of digits are accepted as PHP would cast them."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list):
        raise bad(f"Field :{name} is not a valid ID.")
    ids: list[int] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise bad(f"Field :{name} is not a valid ID.")
        number = int(item) if isinstance(item, int) or item.isdigit() else 0
        if number <= 0:
            raise bad(f"Field :{name} is not a valid ID.")
        ids.append(number)
    return ids


def timestamp_field(body: Record, name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(f"Field :{name} is not a valid timestamp.")  # [INFER] wording
    return value


def first_invalid_utf8(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string that is not valid UTF-8 (rule 12, §4.1).

    Bodies are decoded with `surrogateescape`, so invalid bytes (and lone surrogate escapes) show up
    as surrogates. List indices are left out of the path, as in TestRail's
    `Field :custom_step_results.content is not a valid UTF-8 character sequence.`
    """
    if isinstance(value, str):
        return path if any("\ud800" <= char <= "\udfff" for char in value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = first_invalid_utf8(item, f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
    if isinstance(value, list):
        for item in value:
            found = first_invalid_utf8(item, path)
            if found is not None:
                return found
    return None


def check_utf8(body: Any, skip: Iterable[str] = ()) -> None:
    """Reject the body when a string in it is not valid UTF-8 (`skip`: top-level keys to descend)."""
    skipped = set(skip)
    if isinstance(body, dict):
        for key, value in body.items():
            found = first_invalid_utf8(value, "" if key in skipped else str(key))
            if found is not None:
                raise bad(f"Field :{found} is not a valid UTF-8 character sequence.")


# -- endpoint table --------------------------------------------------------------------------------

Handler = Callable[[Any, Call], Any]  # (World, Call) -> JSON value, None (empty body) or RawBody


@dataclass(frozen=True)
class RawBody:
    """A non-JSON answer (`get_attachment` returns the file's bytes)."""

    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Endpoint:
    verb: str  # "GET" or "POST" (§1.2: every write is a POST, deletes and closes included)
    handler: Handler
    action: str | None = None  # "add test runs": the 403 text for read-only users
    multipart: bool = False  # attachment uploads (§3.12)


class EndpointTable:
    """`@table.get("get_case")` / `@table.post("add_case", action="add test cases")`."""

    def __init__(self) -> None:
        self.endpoints: dict[str, Endpoint] = {}

    def get(self, name: str) -> Callable[[Handler], Handler]:
        return self._register(name, "GET", None, False)

    def post(
        self, name: str, action: str, *, multipart: bool = False
    ) -> Callable[[Handler], Handler]:
        return self._register(name, "POST", action, multipart)

    def _register(
        self, name: str, verb: str, action: str | None, multipart: bool
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.endpoints[name] = Endpoint(verb, handler, action, multipart)
            return handler

        return register
