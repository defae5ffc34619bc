"""Idempotency keys of TestRail results. Pure; no I/O.

Every result tmsaction sends ends its comment with a line `tms:<16 hex digits>`: a digest of the
workflow run (its marker), the case, the test's identity and what the test did (outcome, duration,
every attempt's outcome and message). Sending the same reports again, from a re-run of the
workflow (`GITHUB_RUN_ATTEMPT=2`), a retry after a crash or lost answer, or a final job that
re-sends every shard's reports, makes the same keys, so the sink sends only results whose key the
run does not hold yet. Different content (the test failed differently, or ran again) is a new
result, as it should be.

The run attempt is deliberately not part of the key: a re-run of a reporting job carries the
same reports, and that must not duplicate anything.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from tmsaction.model import Outcome, TestResult

KEY_PREFIX = "tms:"
_KEY = re.compile(r"(?:^|\n)tms:([0-9a-f]{16})\s*$")

#: Sending order of one case's results: the worst outcome last, so it becomes the test's status.
RANK = {
    Outcome.PASSED: 0,
    Outcome.FLAKY: 1,
    Outcome.SKIPPED: 2,
    Outcome.FAILED: 3,
    Outcome.ERROR: 4,
}


def key_base(marker: str | None, result: TestResult) -> str:
    """The case-independent part of a result's key: the workflow run and the test's content."""
    parts = [
        marker or "",
        result.identity.key,
        result.outcome.value,
        "" if result.duration is None else f"{result.duration:.3f}",
    ]
    for attempt in result.attempts:
        parts.append(attempt.outcome.value)
        parts.append(attempt.message or "")
        parts.append("" if attempt.duration is None else f"{attempt.duration:.3f}")
    text = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(text).hexdigest()[:32]


def result_key(base: str, case_id: int) -> str:
    """The key of the result for one case: `tms:` and 16 hex digits."""
    digest = hashlib.sha256(f"{base}:{case_id}".encode()).hexdigest()[:16]
    return KEY_PREFIX + digest


def with_key(comment: str, key: str) -> str:
    """The comment as sent: the key on its own last line."""
    return f"{comment.rstrip()}\n\n{key}" if comment.strip() else key


def key_of(comment: str | None) -> str | None:
    """The key on a result comment's last line, or None for results tmsaction did not send."""
    if not comment:
        return None
    found = _KEY.search(comment)
    return KEY_PREFIX + found.group(1) if found else None


def keys_in(comments: Iterable[str | None]) -> set[str]:
    return {key for key in (key_of(c) for c in comments) if key}
