"""`TestRailEmulator`: the TestRail API v2 over HTTP, on the shared sandbox server (faults, rate limit,
latency, request log). Test double.

Request handling follows research/testrail-api.md in this order: the web tier (413 over a body size
limit, 404 HTML off `index.php`), the route (`index.php?/api/v2/<method>/<args>&k=v`, §1.1), the API
switch (403), Basic auth with the login email and a password or API key (401, §1.3), the endpoint
(404 unknown method), the verb, GET characters, POST `Content-Type` (§1.2), then the endpoint itself
under the state lock. Errors are `{"error": "..."}` bodies; a missing entity is a 400 (§1.4).

Toggles for old or odd servers: `legacy_arrays` (pre-6.7: bulk GETs answer bare arrays),
`suites_as_array` (pre-9.3.1 get_suites), `legacy_auth_prefix` (the `USER AUTHENTICATION
SUCCESSFUL!` line before the JSON), `api_enabled`, `max_body_bytes` (413 with an HTML page),
`rich_text` (Text fields stored as `<p>escaped</p>`), `timespan_style="new"` (`1min 30sec`).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import time
from collections.abc import Callable
from typing import Any

from tmsaction.sandbox.server import Emulator, RateLimit, Request, Response, parse_multipart
from tmsaction.sandbox.testrail import (
    api_cases,
    api_meta,
    api_plans,
    api_projects,
    api_results,
    api_runs,
)
from tmsaction.sandbox.testrail.defaults import READ_ONLY_ROLES
from tmsaction.sandbox.testrail.wire import (
    ApiError,
    Call,
    Endpoint,
    RawBody,
    Record,
    check_get_characters,
    parse_route,
    too_large,
)
from tmsaction.sandbox.testrail.world import World

ENDPOINTS: dict[str, Endpoint] = {
    **api_projects.table.endpoints,
    **api_cases.table.endpoints,
    **api_meta.table.endpoints,
    **api_runs.table.endpoints,
    **api_plans.table.endpoints,
    **api_results.table.endpoints,
}

AUTH_FAILED = "Authentication failed: invalid or missing user/password or session cookie."
API_DISABLED = (
    "The API is disabled for your installation. It can be enabled in the administration area in "
    "TestRail under Administration > Site Settings > API."
)
CONTENT_TYPE_MISSING = "Content-Type header missing (use Content-Type: application/json)"
CONTENT_TYPE_INVALID = "Content-Type header invalid (use Content-Type: application/json)"
LEGACY_PREFIX = b"USER AUTHENTICATION SUCCESSFUL!\n"
NOT_FOUND_HTML = (
    b"<!DOCTYPE html><html><head><title>404 Not Found</title></head>"
    b"<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>"
)
LOGIN_HTML = (
    b"<!DOCTYPE html><html><head><title>Login - TestRail</title></head><body></body></html>"
)


class TestRailEmulator(Emulator):
    """A stateful TestRail instance; seed it through `world` (see `demo.seed_demo`)."""

    __test__ = False  # not a pytest test class
    name = "testrail"

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        rate_limit_per_minute: int | None = None,
        legacy_arrays: bool = False,
        suites_as_array: bool = False,
        legacy_auth_prefix: bool = False,
        api_enabled: bool = True,
        max_body_bytes: int | None = None,
        rich_text: bool = False,
        timespan_style: str = "classic",
        path_prefix: str = "",
    ) -> None:
        super().__init__()
        self.world = World(clock)
        self.world.suites_as_array = suites_as_array
        self.world.rich_text = rich_text
        self.world.timespan_style = timespan_style
        if rate_limit_per_minute:
            self.rate_limit = RateLimit(rate_limit_per_minute, 60.0)
        self.legacy_arrays = legacy_arrays
        self.legacy_auth_prefix = legacy_auth_prefix
        self.api_enabled = api_enabled
        self.max_body_bytes = max_body_bytes
        self.path_prefix = path_prefix.rstrip("/")  # e.g. "/testrail" for a self-hosted subfolder

    # -- Emulator hooks -----------------------------------------------------------------------------
    def route_of(self, request: Request) -> str:
        route = parse_route(request.query)
        return route.method if route else request.path

    def rate_limited(self, retry_after: float) -> Response:
        """§1.5: the TestRail Cloud body and a whole-second `Retry-After`."""
        seconds = max(1, math.ceil(retry_after))
        limit = self.rate_limit.limit if self.rate_limit else 180
        window = self.rate_limit.window if self.rate_limit else 60.0
        per_minute = round(limit * 60 / window)
        return Response.json(
            429,
            {
                "error": f"API Rate Limit Exceeded - {per_minute} per minute maximum allowed. "
                f"Retry after {seconds} seconds."
            },
            {"Retry-After": str(seconds)},
        )

    def handle(self, request: Request) -> Response:
        try:
            return self._finish(self._handle(request))
        except ApiError as error:
            if error.html is not None:
                return Response(
                    error.status, error.html.encode(), {"Content-Type": "text/html; charset=utf-8"}
                )
            return self._finish(Response.json(error.status, {"error": error.message}))

    # -- the request pipeline -----------------------------------------------------------------------
    def _handle(self, request: Request) -> Response:
        if self.max_body_bytes is not None and len(request.body) > self.max_body_bytes:
            raise too_large()
        if request.path not in (f"{self.path_prefix}/index.php", f"{self.path_prefix}/"):
            return Response(404, NOT_FOUND_HTML, {"Content-Type": "text/html; charset=utf-8"})
        route = parse_route(request.query)
        if route is None:
            return Response(200, LOGIN_HTML, {"Content-Type": "text/html; charset=utf-8"})
        if not self.api_enabled:
            raise ApiError(403, API_DISABLED)
        user = self._authenticate(request)
        endpoint = ENDPOINTS.get(route.method)
        if endpoint is None:
            raise ApiError(404, f"Unknown method '{route.method}'")  # [INFER] wording
        if request.method != endpoint.verb:
            # [INFER] wording and status; clients should not depend on either.
            raise ApiError(400, f"{route.method} requires a {endpoint.verb} request.")
        call = Call(route, {}, user, request.method, legacy_arrays=self.legacy_arrays)
        if request.method == "GET":
            check_get_characters(route)
        else:
            self._read_body(request, endpoint, call)
            if endpoint.action and (user["role"] in READ_ONLY_ROLES):
                raise ApiError(
                    403, f"You are not allowed to {endpoint.action} (insufficient permissions)."
                )
        with self.lock:  # answers may share records with the state: encode them under the lock
            self.world.base_url = "http://" + request.header("host", "127.0.0.1")
            answer = endpoint.handler(self.world, call)
            if isinstance(answer, RawBody):
                return Response(200, answer.content, {"Content-Type": answer.content_type})
            if answer is None:  # deletes answer 200 with an empty body (§1.2)
                return Response(200, b"", {"Content-Type": "application/json; charset=utf-8"})
            return Response.json(200, answer)

    def _authenticate(self, request: Request) -> Record:
        header = request.header("authorization")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic":
            raise ApiError(401, AUTH_FAILED)
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError(401, AUTH_FAILED) from None
        email, _, secret = decoded.partition(":")
        with self.lock:
            user = self.world.authenticate(email, secret)
        if user is None:
            raise ApiError(401, AUTH_FAILED)
        return user

    def _read_body(self, request: Request, endpoint: Endpoint, call: Call) -> None:
        """§1.2: JSON bodies need `Content-Type: application/json`; uploads are multipart."""
        content_type = request.header("content-type")
        kind = content_type.split(";", 1)[0].strip().lower()
        if endpoint.multipart:
            if kind != "multipart/form-data":
                raise ApiError(400, "Field :attachment is a required field.")  # [INFER] wording
            call.files = parse_multipart(content_type, request.body)
            return
        if not content_type:
            raise ApiError(400, CONTENT_TYPE_MISSING)
        if kind != "application/json":
            raise ApiError(400, CONTENT_TYPE_INVALID)
        call.body = _json_object(request.body)

    def _finish(self, response: Response) -> Response:
        if self.legacy_auth_prefix and response.headers.get("Content-Type", "").startswith(
            "application/json"
        ):
            response.body = LEGACY_PREFIX + response.body
        return response

    # -- state inspection for tests -----------------------------------------------------------------
    def runs(self, project_id: int | None = None) -> list[Record]:
        with self.lock:
            return [
                self.world.render_run(r)
                for r in self.world.runs.values()
                if project_id is None or r["project_id"] == project_id
            ]

    def tests(self, run_id: int) -> list[Record]:
        with self.lock:
            ids = self.world.run_tests[run_id].values()
            return [self.world.render_test(self.world.tests[t]) for t in ids]

    def results(self, run_id: int) -> list[Record]:
        """Every result of the run, oldest first."""
        with self.lock:
            return [
                self.world.render_result(self.world.results[r])
                for r in self.world.run_results[run_id]
            ]

    def cases(self, suite_id: int | None = None) -> list[Record]:
        with self.lock:
            return [
                self.world.render_case(c)
                for c in self.world.cases.values()
                if suite_id is None or c["suite_id"] == suite_id
            ]

    def sections(self, suite_id: int) -> list[Record]:
        with self.lock:
            return [self.world.render_section(s) for s in self.world.suite_sections(suite_id)]

    def plans(self) -> list[Record]:
        with self.lock:
            return [self.world.render_plan(p) for p in self.world.plans.values()]

    def attachment(self, attachment_id: int) -> tuple[Record, bytes]:
        with self.lock:
            return (
                dict(self.world.attachments[attachment_id]),
                self.world.attachment_data[attachment_id],
            )


def _json_object(body: bytes) -> Record:
    """The JSON body as an object. Invalid bytes survive as surrogates so the endpoint can answer
    "not a valid UTF-8 character sequence" for the field (rule 12). [INFER] a body that is not JSON,
    or not an object, reads as no fields at all, as PHP's json_decode leaves them."""
    if not body.strip():
        return {}
    try:
        decoded: Any = json.loads(body.decode("utf-8", errors="surrogateescape"))
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}
