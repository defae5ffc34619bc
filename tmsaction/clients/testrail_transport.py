"""The TestRail transport: URL scheme, one request path that turns answers into JSON or a
`TestRailError`, and pagination, on the project's HTTP funnel (`http.HttpClient`).

What the funnel gives every call: one session (connection reuse), a timeout, a shared `RateBudget`,
429 honoured with `Retry-After`, connection errors and 5xx retried with backoff for reads, and
`OutcomeUnknown` for a write whose answer was lost (never a blind resend). What this adds
(research/testrail-api.md): the URL `{base}/index.php?/api/v2/{method}/{args}&filters` (§1.1);
pagination accepting both the 6.7+ envelope and bare arrays (§2); the legacy
`USER AUTHENTICATION SUCCESSFUL!` line stripped (§1.2); failures explained in one line.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import IO, Any
from urllib.parse import urlsplit

from tmsaction.clients.testrail_errors import (
    LEGACY_PREFIX,
    Failure,
    TestRailError,
    error_text,
    explain,
)
from tmsaction.errors import HttpError, UsageError
from tmsaction.http import HttpClient, HttpResponse, RateBudget, RetryPolicy, default_error_text

API_PATH = "/index.php?/api/v2"
PAGE_SIZE = 250  # the server's maximum and default page (§2)
# TestRail Cloud Professional allows 180 requests per minute per instance (§1.5). A token bucket of
# rate r and burst b lets through at most b + r per minute, so 170/min with a burst of 5 stays at
# 175 in any 60-second window: under the limit, never a 429 from our own traffic.
DEFAULT_PER_MINUTE = 170.0
DEFAULT_BURST = 5
# Every answer below 500 except 429 comes back to this module, which explains it; 429 and 5xx stay
# with the funnel's retry rules.
_HANDLED_HERE = frozenset(range(200, 500)) - {429}

Params = Mapping[str, object]


def normalise_base_url(url: str) -> str:
    """`https://acme.testrail.io` from what users paste: trailing `/`, `/index.php?/dashboard`...

    Raises `UsageError` for a URL without `http(s)://`, since guessing the scheme could send the
    API key over plain HTTP.
    """
    text = url.strip()
    if not text:
        raise UsageError(
            "testrail_url is empty: set it to your TestRail address, e.g. https://acme.testrail.io."
        )
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"testrail_url '{text}' is not an http(s) URL: write it as https://{text.lstrip('/')}."
        )
    path = parts.path
    if "/index.php" in path:
        path = path[: path.index("/index.php")]
    return f"{parts.scheme}://{parts.netloc}{path.rstrip('/')}"


def _encode(params: Params | None) -> dict[str, str]:
    """Filters as TestRail reads them: booleans 0/1, lists comma-separated (§1.1)."""
    encoded: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            encoded[key] = "1" if value else "0"
        elif isinstance(value, list | tuple | set | frozenset):
            encoded[key] = ",".join(str(item) for item in value)
        else:
            encoded[key] = str(value)
    return encoded


class TestRailTransport:
    """Requests to one TestRail instance as one user. Thread-safe."""

    def __init__(
        self,
        url: str,
        user: str,
        api_key: str,
        *,
        per_minute: float | None = DEFAULT_PER_MINUTE,
        budget: RateBudget | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        timeout: tuple[float, float] = (10.0, 60.0),
        retry: RetryPolicy | None = None,
        seed: int | None = None,
    ) -> None:
        """`per_minute=None` turns the client-side budget off (TestRail Server has no limit)."""
        self.base_url = normalise_base_url(url)
        self.user = user
        if budget is None and per_minute:
            budget = RateBudget(per_minute, clock=clock, sleep=sleep, burst=DEFAULT_BURST)
        self.http = HttpClient(
            "TestRail",
            self.base_url + API_PATH,
            auth=(user, api_key),
            timeout=timeout,
            retry=retry,
            budget=budget,
            sleep=sleep,
            seed=seed,
            describe_error=_describe_error,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> TestRailTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the one request path ---------------------------------------------------------------------
    def call(
        self,
        verb: str,
        endpoint: str,
        *,
        params: Params | None = None,
        body: Any = None,
        files: Mapping[str, tuple[str, IO[bytes] | bytes]] | None = None,
        what: str | None = None,
        subject: Mapping[str, object] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """One API call; the decoded JSON (None for an empty body) or a `TestRailError`.

        `what` ("adding results to run R12") and `subject` ({"run_id": 12}) make the error message.
        POST bodies are always JSON objects (`{}` when empty, as the docs' close_run example);
        `files` switches to multipart with the part named `attachment` (§3.12). TestRail writes are
        POSTs, so the funnel treats them as unsafe to repeat; `idempotent=True` marks the few that
        converge when sent twice (full updates), which may then be retried after a 5xx or reset.
        """
        what = what or f"calling {endpoint.split('/', 1)[0]}"
        try:
            response = self.http.request(
                verb,
                "/" + endpoint,
                params=_encode(params),
                json=None
                if files is not None or verb == "GET"
                else (body if body is not None else {}),
                files=files,
                expected=_HANDLED_HERE,
                idempotent=idempotent,
            )
        except TestRailError:
            raise
        except HttpError as error:
            raise self._gave_up(error, what) from None
        payload = response.body
        if payload.startswith(LEGACY_PREFIX):
            payload = payload[len(LEGACY_PREFIX) :]
        failure = Failure(
            status=response.status,
            api_error=None,
            endpoint=endpoint,
            what=what,
            user=self.user,
            base_url=self.base_url,
            subject=subject or {},
            location=response.header("location"),
        )
        if 200 <= response.status < 300:
            if not payload.strip():
                return None
            try:
                return json.loads(payload)
            except ValueError:
                raise explain(failure) from None
        try:
            decoded = json.loads(payload) if payload.strip() else None
        except ValueError:
            decoded = None
        api_error = decoded.get("error") if isinstance(decoded, dict) else None
        text = self.http.redact(api_error) if isinstance(api_error, str) else None
        raise explain(replace(failure, api_error=text))

    def _gave_up(self, error: HttpError, what: str) -> TestRailError:
        """The funnel retried and gave up: throttled, failing, or not reachable at all."""
        detail = after_colon(str(error))
        if "HTTP 429" in detail:
            return TestRailError(
                f"TestRail at {self.base_url} kept answering 429 (rate limited) while {what}: the "
                "instance's API limit is shared with every tool using it; run the job again later.",
                kind="rate_limited",
                status=429,
            )
        if "HTTP 5" in detail:
            return TestRailError(
                f"TestRail at {self.base_url} kept failing while {what} ({detail}): it may be down "
                "or overloaded; run the job again later.",
                kind="unavailable",
            )
        return TestRailError(
            f"TestRail at {self.base_url} could not be reached while {what}: {detail}. Check "
            "testrail_url and that this runner can reach it (proxy, VPN, firewall).",
            kind="unreachable",
        )

    def get(self, endpoint: str, params: Params | None = None, **context: Any) -> Any:
        return self.call("GET", endpoint, params=params, **context)

    def post(self, endpoint: str, body: Any = None, **context: Any) -> Any:
        return self.call("POST", endpoint, body=body, **context)

    def paginate(
        self, endpoint: str, key: str, params: Params | None = None, **context: Any
    ) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list, page by page (§2).

        The first request carries only the caller's filters (pre-6.7 servers answer a bare array);
        each next one repeats them with `offset` advanced by the page's size. `_links.next` is read
        only as "there is more", since the server's link format is not guaranteed.
        """
        offset = 0
        while True:
            query = dict(params or {})
            if offset:
                query.update(limit=PAGE_SIZE, offset=offset)
            page = self.get(endpoint, query, **context)
            if isinstance(page, list):
                yield from page
                return
            if not isinstance(page, dict) or not isinstance(page.get(key), list):
                raise TestRailError(
                    f"TestRail answered {endpoint.split('/', 1)[0]} without a '{key}' list: check "
                    f"that testrail_url ({self.base_url}) is a TestRail server.",
                    kind="not_testrail",
                )
            items: list[dict[str, Any]] = page[key]
            yield from items
            links = page.get("_links") or {}
            if not items or not links.get("next"):
                return
            offset += len(items)


def _describe_error(response: HttpResponse) -> str:
    """TestRail's `error` text for the funnel's own messages (legacy prefix tolerated)."""
    return error_text(response.body) or default_error_text(response)


def without_none(body: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value is not None}


def after_colon(text: str) -> str:
    """The funnel's message without its `TestRail GET /path:` head."""
    return text.split(": ", 1)[1] if ": " in text else text
