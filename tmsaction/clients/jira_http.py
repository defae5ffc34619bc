"""The HTTP funnel as Jira needs it: its rate-limit headers on top of `http.HttpClient`.

Jira Cloud answers 429 with `Retry-After` (seconds) and usually `X-RateLimit-Reset` (ISO 8601, minute
precision), names the limit in `RateLimit-Reason` (`jira-burst-based`, `jira-per-issue-on-write`, ...)
and flags `X-RateLimit-NearLimit: true` when under 20% of the budget remains (developer.atlassian.com
rate-limiting; research/jira-api.md §1.12). Retry-After wins; X-RateLimit-Reset is the fallback;
otherwise the funnel's exponential backoff applies. Near the limit, requests are spaced out.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from tmsaction.http import HttpClient, HttpResponse, parse_retry_after

NEAR_LIMIT_PAUSE = 0.5  # seconds between requests while Jira says the budget is nearly spent


def parse_rate_limit_reset(value: str | None, now: float) -> float | None:
    """Seconds until an `X-RateLimit-Reset` time (`2025-06-01T12:30Z`), or None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - now)


class JiraHttp(HttpClient):
    def __init__(
        self,
        service: str,
        base_url: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        **options: Any,
    ) -> None:
        super().__init__(service, base_url, sleep=sleep, **options)
        self._pause = sleep
        self._now = clock
        self.throttle_reasons: Counter[str] = Counter()  # RateLimit-Reason of every 429 seen
        self.near_limit = 0  # responses that said X-RateLimit-NearLimit: true

    def request(self, method: str, path: str, **options: Any) -> HttpResponse:
        response = super().request(method, path, **options)
        if (response.header("x-ratelimit-nearlimit") or "").lower() == "true":
            self.near_limit += 1
            if self.budget is not None:
                self.budget.pause(NEAR_LIMIT_PAUSE)
            else:
                self._pause(NEAR_LIMIT_PAUSE)
        return response

    def _retry_after(self, response: HttpResponse, attempt: int) -> float:
        if response.status == 429:
            self.throttle_reasons[response.header("ratelimit-reason") or "unspecified"] += 1
        if parse_retry_after(response.header("retry-after")) is None:
            reset = parse_rate_limit_reset(response.header("x-ratelimit-reset"), self._now())
            if reset is not None:
                return min(reset, self.retry.max_retry_after)
        return super()._retry_after(response, attempt)
