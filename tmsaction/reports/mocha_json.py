"""Mocha's built-in JSON reporter (`mocha --reporter json`): `stats`, `tests`, `pending`,
`failures`, `passes`, each test with `title`, `fullTitle`, `file`, `duration` (ms), `currentRetry`
and `err` (`message`, `stack`).

Identity: suite = (test file,), class = the describe titles (the part of `fullTitle` before the
title), name = `title`. Mocha joins describe titles with spaces, so nesting cannot be recovered.
- Pending tests (`it.skip`, `it('title')` without a body) are skipped.
- A hook failure (`"before all" hook for "x"`) is only in `failures`; it becomes an error result
  named after the hook, since the tests it guarded never ran and are not in the report.
- `currentRetry > 0` on a passing test means earlier attempts failed (`this.retries(n)`): the test
  is flaky, with one failed attempt per retry (the reporter keeps no details of those attempts).

Pure apart from reading the given stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from tmsaction.model import Attempt, Outcome, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.jsontext import load_document
from tmsaction.reports.locations import checkout_path
from tmsaction.reports.resultbuild import clean, make_result, message_of, seconds

FORMAT = "mocha"
_WHAT = "Mocha JSON report (mocha --reporter json)"
_RETRY_MESSAGE = "failed, then retried (Mocha's JSON reporter keeps no details of earlier attempts)"


def _key(test: dict[str, Any]) -> tuple[str, str]:
    return str(test.get("fullTitle") or ""), str(test.get("file") or "")


def parse_mocha_json(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one result per entry of `tests`, plus one per hook failure."""
    report = load_document(stream, context, _WHAT)
    if not isinstance(report, dict) or not isinstance(report.get("tests"), list):
        raise ReportParseError(f"expected a {_WHAT} with a `tests` list")
    pending = {_key(t) for t in report.get("pending") or () if isinstance(t, dict)}
    tests = [t for t in report["tests"] if isinstance(t, dict)]
    seen = {_key(t) for t in tests}
    for test in tests:
        yield _test(test, _key(test) in pending, context)
    for failure in report.get("failures") or ():
        if isinstance(failure, dict) and _key(failure) not in seen:
            yield _hook_failure(failure, context)


def _owner(test: dict[str, Any]) -> tuple[str, str]:
    """(describe titles, title) from `fullTitle` and `title`."""
    title = str(test.get("title") or "")
    full = str(test.get("fullTitle") or title)
    if title and full.endswith(title):
        return full[: -len(title)].strip(), title
    return "", full


def _error(test: dict[str, Any]) -> tuple[str | None, str | None]:
    err = test.get("err")
    if not isinstance(err, dict) or not err:
        return None, None
    text = clean(err.get("message"))
    stack = clean(err.get("stack"))
    message = message_of(text) or message_of(stack)
    return message, stack or text


def _test(test: dict[str, Any], is_pending: bool, context: ParseContext) -> TestResult:
    describes, title = _owner(test)
    file = checkout_path(test.get("file"))
    duration = seconds(test.get("duration"), 0.001)
    message, details = _error(test)
    attempts: list[Attempt] = []
    if is_pending:
        outcome = Outcome.SKIPPED
    elif message or details:
        outcome = Outcome.FAILED
    else:
        outcome = Outcome.PASSED
    retries = test.get("currentRetry")
    if isinstance(retries, int) and retries > 0 and not is_pending:
        earlier = Attempt(Outcome.FAILED, None, _RETRY_MESSAGE, None, context.source)
        final = Attempt(outcome, duration, message, details, context.source)
        attempts = [earlier] * retries + [final]
        if outcome is Outcome.PASSED:
            outcome, message = Outcome.FLAKY, _RETRY_MESSAGE
    return make_result(
        context,
        suite=(file,) if file else (),
        classname=describes,
        name=title,
        outcome=outcome,
        duration=duration,
        file=file,
        message=message,
        details=details,
        attempts=attempts,
    )


def _hook_failure(failure: dict[str, Any], context: ParseContext) -> TestResult:
    describes, title = _owner(failure)
    file = checkout_path(failure.get("file"))
    message, details = _error(failure)
    return make_result(
        context,
        suite=(file,) if file else (),
        classname=describes,
        name=title,
        outcome=Outcome.ERROR,
        duration=seconds(failure.get("duration"), 0.001),
        file=file,
        message=message or "a hook failed",
        details=details,
    )
