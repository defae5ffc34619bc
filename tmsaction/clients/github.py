"""GitHub REST API v3 calls tmsaction makes, on the `http.HttpClient` funnel: repositories, pull
requests, issue comments, workflow runs and their artifacts. Base URL: `GITHUB_API_URL`
(`https://api.github.com`, or `https://HOST/api/v3` on GitHub Enterprise Server).

Rate limits (docs.github.com, "Rate limits for the REST API"):
- primary: 403 or 429 with `x-ratelimit-remaining: 0`; wait until `x-ratelimit-reset`, when that
  is within `max_wait`, else give up with a message saying when the budget comes back;
- secondary: 403 or 429 saying "secondary rate limit"; wait `Retry-After` when given, else one
  minute, doubling on each further refusal;
- writes are spaced at least one second apart ("Pause between mutative requests").
Pagination follows `Link: rel="next"` only to the API's own origin, so the token never travels to
another host.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from requests.utils import parse_header_links

from tmsaction.errors import HttpError
from tmsaction.http import HttpClient, HttpResponse, Redactor, RetryPolicy, default_error_text

API_VERSION = "2022-11-28"
MAX_PAGES = 1000  # 100,000 comments at 100 per page: far beyond any real pull request


def describe_error(response: HttpResponse) -> str:
    """GitHub's `message`, plus each `errors[].message` (422 validation details)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return default_error_text(response)
    text = str(body["message"]).strip()
    details = [
        str(e.get("message") or e.get("code"))
        for e in body.get("errors") or []
        if isinstance(e, dict) and (e.get("message") or e.get("code"))
    ]
    return f"{text}: {'; '.join(details)}" if details else text


@dataclass(frozen=True)
class PullRequest:
    number: int
    state: str
    head_sha: str
    head_ref: str
    head_repo: str | None  # full name of the repository the head branch lives in
    base_ref: str
    html_url: str

    @staticmethod
    def of(data: Mapping[str, Any]) -> PullRequest:
        head = data.get("head") or {}
        base = data.get("base") or {}
        head_repo = head.get("repo") or {}
        return PullRequest(
            number=int(data["number"]),
            state=str(data.get("state") or ""),
            head_sha=str(head.get("sha") or ""),
            head_ref=str(head.get("ref") or ""),
            head_repo=head_repo.get("full_name") if isinstance(head_repo, dict) else None,
            base_ref=str(base.get("ref") or ""),
            html_url=str(data.get("html_url") or ""),
        )


@dataclass(frozen=True)
class IssueComment:
    id: int
    body: str
    author: str
    html_url: str

    @staticmethod
    def of(data: Mapping[str, Any]) -> IssueComment:
        user = data.get("user") or {}
        return IssueComment(
            id=int(data["id"]),
            body=str(data.get("body") or ""),
            author=str(user.get("login") or "") if isinstance(user, dict) else "",
            html_url=str(data.get("html_url") or ""),
        )


@dataclass(frozen=True)
class WorkflowRun:
    id: int
    workflow_id: int
    head_branch: str
    head_sha: str
    event: str
    status: str
    conclusion: str | None
    run_number: int
    html_url: str

    @staticmethod
    def of(data: Mapping[str, Any]) -> WorkflowRun:
        return WorkflowRun(
            id=int(data["id"]),
            workflow_id=int(data.get("workflow_id") or 0),
            head_branch=str(data.get("head_branch") or ""),
            head_sha=str(data.get("head_sha") or ""),
            event=str(data.get("event") or ""),
            status=str(data.get("status") or ""),
            conclusion=data.get("conclusion"),
            run_number=int(data.get("run_number") or 0),
            html_url=str(data.get("html_url") or ""),
        )


@dataclass(frozen=True)
class Artifact:
    id: int
    name: str
    size: int
    expired: bool

    @staticmethod
    def of(data: Mapping[str, Any]) -> Artifact:
        return Artifact(
            id=int(data["id"]),
            name=str(data.get("name") or ""),
            size=int(data.get("size_in_bytes") or 0),
            expired=bool(data.get("expired")),
        )


class GitHubClient:
    """Typed GitHub calls; every failure is an `HttpError` (or `OutcomeUnknown` for a lost write)."""

    def __init__(
        self,
        http: HttpClient,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_wait: float = 120.0,
        rate_attempts: int = 4,
        write_interval: float = 1.0,
    ) -> None:
        self.http = http
        self._sleep = sleep
        self._clock = clock
        self.max_wait = max_wait
        self.rate_attempts = rate_attempts
        self.write_interval = write_interval
        self._last_write: float | None = None
        origin = urlsplit(http.base_url)
        self._origin = (origin.scheme, origin.netloc)

    @classmethod
    def connect(
        cls,
        api_url: str,
        token: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        redactor: Redactor | None = None,
        timeout: tuple[float, float] = (10.0, 30.0),
    ) -> GitHubClient:
        http = HttpClient(
            "github",
            api_url,
            bearer=token,
            headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION},
            timeout=timeout,
            retry=RetryPolicy(max_attempts=4),
            sleep=sleep,
            redactor=redactor,
            describe_error=describe_error,
        )
        return cls(http, sleep=sleep, clock=clock)

    def close(self) -> None:
        self.http.close()

    # -- the request funnel with GitHub's rate-limit rules --------------------------------------
    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        expected: tuple[int, ...] = (200,),
        idempotent: bool | None = None,
    ) -> HttpResponse:
        """One API call; waits out rate limits GitHub signals, raises `HttpError` otherwise."""
        for attempt in range(1, self.rate_attempts + 1):
            if method != "GET":
                self._space_write()
            response = self.http.request(
                method,
                path,
                params=params,
                json=json,
                expected=(*expected, 403, 429),
                idempotent=idempotent,
            )
            if response.status in expected:
                return response
            where = f"github {method} {self.http.redact(urlsplit(response.url).path)}"
            wait = self._rate_limit_wait(response, attempt)
            if wait is None:
                raise HttpError(
                    f"{where}: HTTP {response.status}: {self.http.redact(describe_error(response))}",
                    status=response.status,
                    service="github",
                )
            if wait > self.max_wait or attempt == self.rate_attempts:
                raise HttpError(
                    f"{where}: GitHub's rate limit refused the request "
                    f"({self.http.redact(describe_error(response))}); it would allow it again in "
                    f"{wait:.0f} s, longer than tmsaction waits ({self.max_wait:.0f} s)",
                    status=response.status,
                    service="github",
                )
            self._sleep(wait)
        raise AssertionError("unreachable: the loop returns or raises")

    def _rate_limit_wait(self, response: HttpResponse, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when the refusal is not a rate limit."""
        retry_after = response.header("retry-after")
        if retry_after and retry_after.strip().isdigit():
            return float(retry_after.strip())
        if response.header("x-ratelimit-remaining") == "0":
            reset = response.header("x-ratelimit-reset") or ""
            if reset.isdigit():
                return max(1.0, float(reset) - self._clock() + 1)
        text = describe_error(response).lower()
        if "secondary rate limit" in text or response.status == 429:
            return float(60 * 2 ** (attempt - 1))
        return None

    def _space_write(self) -> None:
        now = self._clock()
        if self._last_write is not None:
            wait = self._last_write + self.write_interval - now
            if wait > 0:
                self._sleep(wait)
                now += wait
        self._last_write = now

    def pages(
        self, path: str, params: Mapping[str, Any] | None = None, key: str | None = None
    ) -> Iterator[Any]:
        """Every item of a paginated list (100 per page), following `Link: rel="next"`."""
        url: str | None = path
        query: Mapping[str, Any] | None = {**(params or {}), "per_page": 100}
        for _ in range(MAX_PAGES):
            if url is None:
                return
            response = self.call("GET", url, params=query)
            body = response.json()
            items = body.get(key, []) if key and isinstance(body, dict) else body
            yield from items if isinstance(items, list) else []
            url, query = self._next_page(response), None
        raise HttpError(f"github GET {path}: more than {MAX_PAGES} pages", service="github")

    def _next_page(self, response: HttpResponse) -> str | None:
        header = response.header("link")
        if not header:
            return None
        for link in parse_header_links(header):
            if link.get("rel") == "next" and link.get("url"):
                target = urlsplit(link["url"])
                if (target.scheme, target.netloc) != self._origin:
                    raise HttpError(
                        f"github: the next-page link points to {target.netloc}, not the API host; "
                        "refusing to send the token there",
                        service="github",
                    )
                return str(link["url"])
        return None

    # -- repositories and pull requests ----------------------------------------------------------
    def get_repo(self, repo: str) -> dict[str, Any]:
        body = self.call("GET", f"/repos/{repo}").json()
        return body if isinstance(body, dict) else {}

    def get_pull(self, repo: str, number: int) -> PullRequest:
        return PullRequest.of(self.call("GET", f"/repos/{repo}/pulls/{number}").json())

    def open_pulls(self, repo: str, *, head: str | None = None) -> list[PullRequest]:
        """Open pull requests, optionally only those whose head is `owner:branch`."""
        params = {"state": "open", **({"head": head} if head else {})}
        return [PullRequest.of(item) for item in self.pages(f"/repos/{repo}/pulls", params)]

    def pulls_for_commit(self, repo: str, sha: str) -> list[PullRequest]:
        return [PullRequest.of(item) for item in self.pages(f"/repos/{repo}/commits/{sha}/pulls")]

    # -- issue comments (a pull request is an issue) ---------------------------------------------
    def issue_comments(self, repo: str, number: int) -> Iterator[IssueComment]:
        """Every comment on the issue or pull request, oldest first, across all pages."""
        for item in self.pages(f"/repos/{repo}/issues/{number}/comments"):
            yield IssueComment.of(item)

    def create_issue_comment(self, repo: str, number: int, body: str) -> IssueComment:
        """POST: not idempotent; a lost response raises `OutcomeUnknown` (see `http.write_once`)."""
        response = self.call(
            "POST", f"/repos/{repo}/issues/{number}/comments", json={"body": body}, expected=(201,)
        )
        return IssueComment.of(response.json())

    def update_issue_comment(self, repo: str, comment_id: int, body: str) -> IssueComment:
        # Setting the same body twice has the effect of setting it once: safe to resend.
        response = self.call(
            "PATCH",
            f"/repos/{repo}/issues/comments/{comment_id}",
            json={"body": body},
            idempotent=True,
        )
        return IssueComment.of(response.json())

    def delete_issue_comment(self, repo: str, comment_id: int) -> bool:
        """True when deleted now, False when it was already gone."""
        try:
            self.call("DELETE", f"/repos/{repo}/issues/comments/{comment_id}", expected=(204,))
        except HttpError as error:
            if error.status == 404:
                return False
            raise
        return True

    # -- workflow runs and artifacts (previous results without TestRail) ------------------------
    def workflow_run(self, repo: str, run_id: int | str) -> WorkflowRun:
        return WorkflowRun.of(self.call("GET", f"/repos/{repo}/actions/runs/{run_id}").json())

    def workflow_runs(
        self,
        repo: str,
        workflow: int | str,
        *,
        branch: str | None = None,
        status: str | None = None,
        event: str | None = None,
    ) -> Iterator[WorkflowRun]:
        """Runs of one workflow (id or file name), newest first."""
        params = {
            k: v for k, v in {"branch": branch, "status": status, "event": event}.items() if v
        }
        path = f"/repos/{repo}/actions/workflows/{workflow}/runs"
        for item in self.pages(path, params, key="workflow_runs"):
            yield WorkflowRun.of(item)

    def run_artifacts(self, repo: str, run_id: int, *, name: str | None = None) -> list[Artifact]:
        params = {"name": name} if name else {}
        path = f"/repos/{repo}/actions/runs/{run_id}/artifacts"
        return [Artifact.of(item) for item in self.pages(path, params, key="artifacts")]

    def download_artifact(self, repo: str, artifact_id: int) -> bytes:
        """The artifact's zip archive. GitHub answers with a redirect to blob storage; `requests`
        follows it and drops the `Authorization` header when the host changes."""
        return self.call("GET", f"/repos/{repo}/actions/artifacts/{artifact_id}/zip").body
