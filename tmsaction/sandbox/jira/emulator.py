"""The Jira emulator: authentication, routing, the eventually consistent search index, rate-limit
headers and per-issue write limits. Endpoint handlers live in `api_*.py`.

Flavours (`World.deployment`):
- "cloud": `/rest/api/3` (ADF bodies) and `/rest/api/2` (wiki strings) over the same data; Basic
  `email:api_token`; `POST|GET /search/jql` with `nextPageToken`; the removed `/search` answers 410;
  search is eventually consistent: a write becomes visible to search `search_delay` seconds later
  unless its id is passed in `reconcileIssues` (developer.atlassian.com search-and-reconcile).
- "datacenter": `/rest/api/2` only, wiki strings, `Authorization: Bearer <PAT>` (or Basic
  user:password when enabled), `/search` with startAt/maxResults/total, consistent search.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, unquote

from tmsaction.sandbox.jira import api_issues, api_links, api_meta, api_search
from tmsaction.sandbox.jira.call import NOT_FOUND_ISSUE, BadRequest, Call
from tmsaction.sandbox.jira.index import SearchIndex
from tmsaction.sandbox.jira.views import View
from tmsaction.sandbox.jira.world import Issue, User, World
from tmsaction.sandbox.server import Emulator, RateLimit, Request, Response

Handler = Callable[["JiraEmulator", Call], Response]

CLOUD_UNAUTHORIZED = {
    "message": "Client must be authenticated to access this resource.",
    "status-code": 401,
}
DC_UNAUTHORIZED = "You are not authenticated. Authentication required to perform this operation."


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    name: str  # for the request log: "POST /issue/{key}/comment"
    versions: frozenset[int] = frozenset({2, 3})
    issue_write: bool = False  # counts against the per-issue write limit


def _route(
    method: str, path: str, handler: Handler, *, versions: tuple[int, ...] = (2, 3)
) -> Route:
    regex = re.sub(r"\{[^}]+\}", "([^/]+)", path)
    return Route(
        method,
        re.compile(f"^{regex}$"),
        handler,
        f"{method} {path}",
        frozenset(versions),
        issue_write=method != "GET" and path.startswith("/issue/{key}"),
    )


ROUTES: tuple[Route, ...] = (
    _route("GET", "/serverInfo", api_meta.server_info),
    _route("GET", "/myself", api_meta.myself),
    _route("GET", "/project", api_meta.projects),
    _route("GET", "/project/search", api_meta.project_search),
    _route("GET", "/project/{project}", api_meta.project),
    _route("GET", "/project/{project}/components", api_meta.project_components),
    _route("GET", "/issuetype", api_meta.issue_types),
    _route("GET", "/priority", api_meta.priorities),
    _route("GET", "/resolution", api_meta.resolutions),
    _route("GET", "/status", api_meta.statuses),
    _route("GET", "/field", api_meta.fields),
    _route("GET", "/issue/createmeta/{project}/issuetypes", api_meta.createmeta_types),
    _route("GET", "/issue/createmeta/{project}/issuetypes/{type}", api_meta.createmeta_fields),
    _route("GET", "/issueLinkType", api_links.link_types),
    _route("GET", "/issueLinkType/{id}", api_links.link_type),
    _route("POST", "/issueLink", api_links.create_link),
    _route("GET", "/issueLink/{id}", api_links.get_link),
    _route("DELETE", "/issueLink/{id}", api_links.delete_link),
    _route("POST", "/issue", api_issues.create_issue),
    _route("GET", "/issue/{key}", api_issues.get_issue),
    _route("PUT", "/issue/{key}", api_issues.edit_issue),
    _route("DELETE", "/issue/{key}", api_issues.delete_issue),
    _route("GET", "/issue/{key}/comment", api_issues.list_comments),
    _route("POST", "/issue/{key}/comment", api_issues.add_comment),
    _route("GET", "/issue/{key}/comment/{id}", api_issues.get_comment),
    _route("PUT", "/issue/{key}/comment/{id}", api_issues.update_comment),
    _route("DELETE", "/issue/{key}/comment/{id}", api_issues.delete_comment),
    _route("GET", "/issue/{key}/transitions", api_issues.list_transitions),
    _route("POST", "/issue/{key}/transitions", api_issues.do_transition),
    _route("GET", "/issue/{key}/remotelink", api_links.list_remote_links),
    _route("POST", "/issue/{key}/remotelink", api_links.upsert_remote_link),
    _route("DELETE", "/issue/{key}/remotelink", api_links.delete_remote_link_by_global_id),
    _route("GET", "/issue/{key}/remotelink/{id}", api_links.get_remote_link),
    _route("PUT", "/issue/{key}/remotelink/{id}", api_links.update_remote_link),
    _route("DELETE", "/issue/{key}/remotelink/{id}", api_links.delete_remote_link),
    _route("GET", "/issue/{key}/properties", api_links.list_properties),
    _route("GET", "/issue/{key}/properties/{prop}", api_links.get_property),
    _route("PUT", "/issue/{key}/properties/{prop}", api_links.set_property),
    _route("DELETE", "/issue/{key}/properties/{prop}", api_links.delete_property),
    _route("POST", "/issue/{key}/attachments", api_links.add_attachments),
    _route("GET", "/attachment/{id}", api_links.get_attachment),
    _route("GET", "/attachment/content/{id}", api_links.attachment_content),
    _route("GET", "/search/jql", api_search.search_jql, versions=(2, 3)),
    _route("POST", "/search/jql", api_search.search_jql, versions=(2, 3)),
    _route("POST", "/search/approximate-count", api_search.approximate_count, versions=(2, 3)),
    _route("GET", "/search", api_search.search_classic),
    _route("POST", "/search", api_search.search_classic),
)

_API_PATH = re.compile(r"^(?P<prefix>(?:/[^/]+)*?)/rest/api/(?P<version>2|3|latest)(?P<rest>/.*)$")


class BurstLimit(RateLimit):
    """A `RateLimit` that also reports how much of the window is used, for the
    `X-RateLimit-NearLimit: true` header Cloud sends when under 20% of the budget remains."""

    def __init__(
        self, limit: int, window: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(limit, window, clock)
        self._clock_fn = clock
        self._accepted: deque[float] = deque()
        self._lock2 = threading.Lock()

    def check(self) -> float | None:
        wait = super().check()
        if wait is None:
            with self._lock2:
                self._accepted.append(self._clock_fn())
        return wait

    def used_share(self) -> float:
        with self._lock2:
            now = self._clock_fn()
            while self._accepted and self._accepted[0] <= now - self.window:
                self._accepted.popleft()
            return len(self._accepted) / self.limit


class JiraEmulator(Emulator):
    """Stateful Jira; build one with `seed.demo_world()` or your own `World`."""

    name = "jira"

    def __init__(
        self,
        world: World,
        *,
        clock: Callable[[], float] = time.monotonic,
        wallclock: Callable[[], float] = time.time,
        search_delay: float | None = None,
    ) -> None:
        super().__init__()
        self.world = world
        self.clock = clock
        self.wallclock = wallclock
        if search_delay is None:
            search_delay = 2.0 if world.deployment == "cloud" else 0.0
        self.index = SearchIndex(clock, search_delay)
        #: (writes, seconds) allowed per issue, or None; over it: 429 `jira-per-issue-on-write`.
        self.per_issue_write_limit: tuple[int, float] | None = None
        self._issue_limits: dict[int, RateLimit] = {}
        self.basic_auth_enabled = True  # Data Center: Jira 11 turns it off by default
        for issue in world.issues.values():
            self.index.reindex(world, issue, immediately=True)

    @property
    def cloud(self) -> bool:
        return self.world.deployment == "cloud"

    # -- Emulator hooks -----------------------------------------------------------------------
    def route_of(self, request: Request) -> str:
        match = _API_PATH.match(request.path)
        if not match:
            return request.path
        rest = match.group("rest")
        for route in ROUTES:
            if route.pattern.match(rest) and route.method == request.method:
                return route.name.split(" ", 1)[1]
        return rest

    def rate_limited(self, retry_after: float) -> Response:
        seconds = max(1, math.ceil(retry_after))
        limit = self.rate_limit.limit if self.rate_limit else 0
        return self._throttled(seconds, limit, "jira-burst-based")

    def _throttled(self, seconds: int, limit: int, reason: str) -> Response:
        reset = datetime.fromtimestamp(self.wallclock() + seconds, UTC).strftime("%Y-%m-%dT%H:%MZ")
        headers = {
            "Retry-After": str(seconds),
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset,
            "RateLimit-Reason": reason,
        }
        if not self.cloud:
            headers["X-RateLimit-Interval-Seconds"] = str(seconds)
            headers["X-RateLimit-FillRate"] = str(limit)
        return Response.json(
            429, {"errorMessages": ["Rate limit exceeded."], "errors": {}}, headers
        )

    def handle(self, request: Request) -> Response:
        match = _API_PATH.match(request.path)
        if request.path.startswith("/rest/auth/1/session") and request.method == "GET":
            return self._session(request)
        if not match:
            return self.unknown_path(request)
        version_text = match.group("version")
        version = 2 if version_text == "latest" else int(version_text)
        if version == 3 and not self.cloud:
            return self.unknown_path(request)
        rest = match.group("rest")
        for route in ROUTES:
            found = route.pattern.match(rest)
            if not found or route.method != request.method:
                continue
            if version not in route.versions:
                return self.unknown_path(request)
            anonymous_ok = route.handler is api_meta.server_info
            user = self._authenticate(request)
            if isinstance(user, Response):
                return user
            if user is None and not anonymous_ok:
                return self._unauthorized()
            view = View(self.world, self._base_url(request), version)
            args = tuple(unquote(group) for group in found.groups())
            query: dict[str, list[str]] = {}
            for name, value in parse_qsl(request.query, keep_blank_values=True):
                query.setdefault(name, []).append(value)
            call = Call(request, version, user or _ANONYMOUS, view, args, query)
            with self.lock:
                try:
                    if route.issue_write:
                        throttled = self._per_issue_throttle(args[0])
                        if throttled is not None:
                            return throttled
                    response = route.handler(self, call)
                except BadRequest as problem:
                    response = Response.json(
                        problem.status,
                        {"errorMessages": problem.messages, "errors": problem.errors},
                    )
                    if problem.detail:
                        response.headers["X-Sandbox-Detail"] = problem.detail
            return self._decorate(response, user)
        return self.unknown_path(request)

    # -- helpers used by the handlers ---------------------------------------------------------
    def now(self) -> float:
        return self.wallclock()

    def issue_for(self, call: Call, id_or_key: str) -> Issue:
        """The issue, or 404 as Jira answers when it is missing or not visible."""
        issue = self.world.issue(id_or_key)
        if issue is None or not self.can(call.user, "BROWSE_PROJECTS"):
            raise BadRequest(404, [NOT_FOUND_ISSUE])
        return issue

    def can(self, user: User, permission: str) -> bool:
        return permission in user.permissions

    def touched(self, issue: Issue) -> None:
        """Record a write: `updated` moves on and the search index learns of it after the delay."""
        issue.updated = max(self.now(), issue.updated)
        self.index.reindex(self.world, issue)

    # -- inspection for tests -----------------------------------------------------------------
    def issue(self, key: str) -> Issue:
        with self.lock:
            found = self.world.issue(key)
            if found is None:
                raise KeyError(key)
            return found

    def issues(self, project: str | None = None) -> list[Issue]:
        with self.lock:
            wanted = self.world.project(project) if project else None
            return sorted(
                (
                    i
                    for i in self.world.issues.values()
                    if wanted is None or i.project_id == wanted.id
                ),
                key=lambda i: i.id,
            )

    def link_phrases(self, key: str) -> list[tuple[str, str]]:
        """(phrase, other key) as Jira shows the links on `key`: ("blocks", "SHOP-3")."""
        with self.lock:
            issue = self.issue(key)
            phrases: list[tuple[str, str]] = []
            for link in self.world.links_of(issue.id):
                link_type = self.world.link_type(link.type_id)
                assert link_type is not None
                if link.source == issue.id:
                    phrases.append((link_type.outward, self.world.issues[link.destination].key))
                else:
                    phrases.append((link_type.inward, self.world.issues[link.source].key))
            return sorted(phrases)

    def status_of(self, key: str) -> str:
        with self.lock:
            return self.world.workflow.status(self.issue(key).status_id).name

    def resolution_of(self, key: str) -> str | None:
        with self.lock:
            resolution_id = self.issue(key).resolution_id
            found = self.world.resolution(resolution_id) if resolution_id else None
            return found.name if found else None

    def settle(self) -> None:
        """Make every pending write visible to search now (as if the delay had passed)."""
        with self.lock:
            self.index.settle()

    def search_count(self) -> int:
        """Searches received (any flavour, including rejected ones)."""
        return sum(
            self.count(route=name)
            for name in ("/search/jql", "/search", "/search/approximate-count")
        )

    # -- internals ------------------------------------------------------------------------------
    def _base_url(self, request: Request) -> str:
        host = request.header("host")
        return f"http://{host}" if host else self.world.base_url

    def _authenticate(self, request: Request) -> User | Response | None:
        header = request.header("authorization").strip()
        if not header:
            return None
        scheme, _, credentials = header.partition(" ")
        user: User | None = None
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return self._unauthorized()
            login, _, secret = decoded.partition(":")
            if self.cloud:
                candidate = self.world.user_by_email(login)
                if candidate and secret in candidate.api_tokens:
                    user = candidate
            elif self.basic_auth_enabled:
                candidate = self.world.user_by_name(login) or self.world.user_by_email(login)
                if candidate and candidate.password is not None and secret == candidate.password:
                    user = candidate
        elif scheme.lower() == "bearer" and not self.cloud:
            token = credentials.strip()
            user = next((u for u in self.world.users if token in u.personal_access_tokens), None)
        return user if user is not None else self._unauthorized()

    def _unauthorized(self) -> Response:
        if self.cloud:
            return Response.json(401, CLOUD_UNAUTHORIZED)
        response = Response.json(401, {"errorMessages": [DC_UNAUTHORIZED], "errors": {}})
        response.headers["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED"
        response.headers["WWW-Authenticate"] = 'Basic realm="protected-by-token"'
        return response

    def _decorate(self, response: Response, user: User | None) -> Response:
        if user is not None:
            if self.cloud:
                response.headers["X-AAccountId"] = user.account_id
            else:
                response.headers["X-AUSERNAME"] = user.name
        if isinstance(self.rate_limit, BurstLimit) and self.rate_limit.used_share() >= 0.8:
            response.headers["X-RateLimit-NearLimit"] = "true"
        return response

    def _per_issue_throttle(self, id_or_key: str) -> Response | None:
        if self.per_issue_write_limit is None:
            return None
        issue = self.world.issue(id_or_key)
        if issue is None:
            return None
        limit, window = self.per_issue_write_limit
        limiter = self._issue_limits.setdefault(issue.id, RateLimit(limit, window, self.clock))
        wait = limiter.check()
        if wait is None:
            return None
        return self._throttled(max(1, math.ceil(wait)), limit, "jira-per-issue-on-write")

    def _session(self, request: Request) -> Response:
        user = self._authenticate(request)
        if isinstance(user, Response):
            return user
        if user is None:
            return self._unauthorized()
        return Response.json(
            200,
            {
                "self": f"{self._base_url(request)}/rest/api/latest/user?username={user.name}",
                "name": user.name,
                "loginInfo": {"loginCount": 1, "previousLoginTime": "2025-01-01T00:00:00.000+0000"},
            },
        )

    def unknown_path(self, request: Request) -> Response:
        # Jersey's answer for a path no resource serves.
        return Response.json(
            404,
            {
                "message": f"null for uri: {self._base_url(request)}{request.path}",
                "status-code": 404,
            },
        )


_ANONYMOUS = User(
    account_id="", name="anonymous", email="", display_name="Anonymous", permissions=set()
)
