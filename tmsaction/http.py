"""The one HTTP funnel: session reuse, a timeout on every request, a shared rate budget, retries with
backoff, `Retry-After` on 429, and error messages that never carry a secret.

Retry rules (why each exists):
- 429 is retried for every method: the server refused the request, so nothing was applied.
- Connection failures before the request was sent (connect errors) are retried for every method.
- 5xx, read timeouts and resets are retried only for idempotent requests. For a write they raise
  `OutcomeUnknown`: the server may have applied it, so the caller checks what the server holds
  before sending again (`write_once`). TestRail and Jira both say POSTs are not idempotent.
"""

from __future__ import annotations

import base64
import email.utils
import json as jsonlib
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from tmsaction.errors import HttpError, OutcomeUnknown, SyncError

T = TypeVar("T")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
USER_AGENT = "tmsaction/1 (+https://github.com/features/actions)"


class Redactor:
    """Replaces every secret, and the Basic-auth encodings built from them, with `***`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        for secret in secrets:
            if secret and len(secret) >= 4 and secret not in self._secrets:
                self._secrets.append(secret)
        # Longest first so that a secret containing another is masked whole.
        self._secrets.sort(key=len, reverse=True)

    def add_basic_auth(self, user: str, password: str) -> None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.add(password, token)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, "***")
        return text

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(self._secrets)


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    url: str

    def json(self) -> Any:
        return jsonlib.loads(self.body) if self.body.strip() else None

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    backoff: float = 0.5  # first backoff in seconds; doubles each time, with jitter
    max_backoff: float = 30.0
    max_retry_after: float = 300.0  # never sleep longer than this on one Retry-After
    retry_statuses: frozenset[int] = frozenset({500, 502, 503, 504})

    def delay(self, attempt: int, rng: random.Random) -> float:
        base: float = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return base * (0.75 + rng.random() / 2)


class RateBudget:
    """A token bucket shared by every request to one service.

    TestRail Cloud allows 180 requests per minute per instance (Professional); staying under it means
    never seeing a 429 at all. After a 429 every thread waits until the server's `Retry-After` ends.
    """

    def __init__(
        self,
        per_minute: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        burst: int | None = None,
    ) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._sleep = sleep
        self._capacity = float(burst if burst is not None else max(1, int((per_minute or 1) // 6)))
        self._tokens = self._capacity
        self._last = clock()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                wait = self._paused_until - now
                if wait <= 0 and self.per_minute:
                    rate = self.per_minute / 60.0
                    self._tokens = min(self._capacity, self._tokens + (now - self._last) * rate)
                    self._last = now
                    if self._tokens >= 1:
                        self._tokens -= 1
                        return
                    wait = (1 - self._tokens) / rate
                elif wait <= 0:
                    return
            # At least a millisecond: a wait below the clock's resolution would never advance it.
            self._sleep(max(wait, 0.001))

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
            self._tokens = 0.0


@dataclass
class HttpStats:
    """Counters the benchmarks and the summary read."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0  # 429 answers
    slept: float = 0.0
    by_method: dict[str, int] = field(default_factory=dict)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` is seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


ErrorDescriber = Callable[[HttpResponse], str]


def default_error_text(response: HttpResponse) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("error", "message", "errorMessage"):
            if isinstance(body.get(key), str):
                return str(body[key])
    text = response.text().strip()
    if text.startswith("<"):
        return "(HTML error page)"
    return text[:300]


class HttpClient:
    """One service's HTTP access: `request()` is the only way tmsaction talks to a network."""

    def __init__(
        self,
        service: str,
        base_url: str,
        *,
        auth: tuple[str, str] | None = None,
        bearer: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
        retry: RetryPolicy | None = None,
        budget: RateBudget | None = None,
        sleep: Callable[[float], None] = time.sleep,
        redactor: Redactor | None = None,
        describe_error: ErrorDescriber = default_error_text,
        session: requests.Session | None = None,
        seed: int | None = None,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.budget = budget
        self.stats = HttpStats()
        self._sleep = sleep
        self._rng = random.Random(seed)
        self._describe_error = describe_error
        self.redact = redactor or Redactor()
        self._session = session or requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        self._session.trust_env = True
        self._session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        if headers:
            self._session.headers.update(headers)
        if auth:
            self._session.auth = auth
            self.redact.add_basic_auth(*auth)
        if bearer:
            self._session.headers["Authorization"] = f"Bearer {bearer}"
            self.redact.add(bearer)
        self._stats_lock = threading.Lock()

    def close(self) -> None:
        self._session.close()

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def _wait(self, seconds: float) -> None:
        with self._stats_lock:
            self.stats.slept += seconds
        self._sleep(seconds)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        expected: Iterable[int] = (200, 201, 204),
    ) -> HttpResponse:
        """Send one request, retrying what is safe to retry; raise `HttpError` or `OutcomeUnknown`."""
        method = method.upper()
        safe_to_repeat = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        expected = frozenset(expected)
        url = self.url(path)
        where = f"{self.service} {method} {self._short(url)}"
        last_problem = ""
        for attempt in range(1, self.retry.max_attempts + 1):
            if attempt > 1:
                with self._stats_lock:
                    self.stats.retries += 1
            if self.budget:
                self.budget.acquire()
            with self._stats_lock:
                self.stats.requests += 1
                self.stats.by_method[method] = self.stats.by_method.get(method, 0) + 1
            try:
                raw = self._session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    data=data,
                    files=files,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=method == "GET",
                )
            except requests.exceptions.ConnectTimeout as error:
                last_problem = f"connection timed out ({self._reason(error)})"
            except requests.exceptions.SSLError as error:
                raise HttpError(
                    f"{where}: TLS error ({self._reason(error)}); check the URL and the "
                    "certificate bundle (REQUESTS_CA_BUNDLE).",
                    service=self.service,
                ) from None
            except requests.exceptions.ConnectionError as error:
                if _never_sent(error):
                    last_problem = f"cannot connect ({self._reason(error)})"
                elif safe_to_repeat:
                    last_problem = f"connection lost ({self._reason(error)})"
                else:
                    raise OutcomeUnknown(
                        f"{where}: connection lost after sending; the write may have been applied"
                    ) from None
            except (requests.exceptions.Timeout, requests.exceptions.ChunkedEncodingError) as error:
                if not safe_to_repeat:
                    raise OutcomeUnknown(
                        f"{where}: no response ({self._reason(error)}); the write may have been applied"
                    ) from None
                last_problem = f"no response ({self._reason(error)})"
            else:
                response = HttpResponse(
                    status=raw.status_code,
                    headers={k.lower(): v for k, v in raw.headers.items()},
                    body=raw.content,
                    url=raw.url,
                )
                if response.status in expected:
                    return response
                if response.status == 429:
                    with self._stats_lock:
                        self.stats.throttled += 1
                    wait = self.retry_delay(response, attempt)
                    if self.budget:
                        self.budget.pause(wait)
                    last_problem = "rate limited (HTTP 429)"
                    if attempt < self.retry.max_attempts:
                        self._wait(wait)
                    continue
                if response.status in self.retry.retry_statuses:
                    if not safe_to_repeat:
                        raise OutcomeUnknown(
                            f"{where}: HTTP {response.status} ({self._error_text(response)}); "
                            "the write may have been applied"
                        )
                    last_problem = f"HTTP {response.status} ({self._error_text(response)})"
                    if attempt < self.retry.max_attempts:
                        self._wait(self.retry_delay(response, attempt))
                    continue
                raise HttpError(
                    f"{where}: HTTP {response.status}: {self._error_text(response)}",
                    status=response.status,
                    service=self.service,
                )
            if attempt < self.retry.max_attempts:
                self._wait(self.retry.delay(attempt, self._rng))
        raise HttpError(
            f"{where}: gave up after {self.retry.max_attempts} attempts: {last_problem}",
            service=self.service,
        )

    def retry_delay(self, response: HttpResponse, attempt: int) -> float:
        """Seconds to wait before retrying after `response` (429/5xx); services may refine it."""
        wait = parse_retry_after(response.header("retry-after"))
        if wait is None:
            wait = self.retry.delay(attempt, self._rng)
        return min(wait, self.retry.max_retry_after)

    def _error_text(self, response: HttpResponse) -> str:
        try:
            text = self._describe_error(response)
        except Exception:  # a describer must never hide the real error
            text = default_error_text(response)
        return self.redact(text)

    def _short(self, url: str) -> str:
        return self.redact(url.replace(self.base_url, "", 1) or "/")

    def _reason(self, error: Exception) -> str:
        text = str(error)
        # requests nests urllib3 reasons: keep the innermost readable part.
        for marker in ("Caused by ", "Failed to establish a new connection: "):
            if marker in text:
                text = text.split(marker, 1)[1]
        return self.redact(text.strip("()'\" ")[:200])


def _never_sent(error: requests.exceptions.ConnectionError) -> bool:
    """True when the failure happened while connecting, so the server never saw the request."""
    reason = error.args[0] if error.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(
        reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError
    )


def write_once(
    send: Callable[[], T],
    verify: Callable[[], T | None],
    *,
    attempts: int = 4,
    sleep: Callable[[float], None] = time.sleep,
    backoff: float = 1.0,
) -> T:
    """Apply a non-idempotent write exactly once.

    `send` performs the write; when its outcome is unknown, `verify` reads the server's state and
    returns the write's effect if it was applied (then nothing is re-sent) or None (then it is).
    """
    last: OutcomeUnknown | None = None
    for attempt in range(attempts):
        try:
            return send()
        except OutcomeUnknown as lost:
            last = lost
            found = verify()
            if found is not None:
                return found
            sleep(backoff * (2**attempt))
    raise SyncError(f"{last}; still unconfirmed after {attempts} attempts")
