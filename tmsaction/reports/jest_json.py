"""`jest --json` and Vitest's `json` reporter (the same shape): `testResults` per test file, each
with `assertionResults` (`ancestorTitles`, `title`, `status`, `duration` in ms, `failureMessages`,
`location`), plus `invocations`/`retryReasons` (Jest) and `tags`/`meta` (Vitest).

Identity: suite = (test file,), class = the describe titles joined by ` › ` (as Jest prints them),
name = `title`.
- `pending`, `skipped`, `todo` and `disabled` tests are skipped.
- Retries: Jest counts runs in `invocations` and keeps earlier failures in `retryReasons`; Vitest
  keeps one `failureMessages` entry per failed run, also on a test that passed in the end. A test
  that failed and then passed is flaky, with one attempt per run.
- A test file that failed without any failed test ("Test suite failed to run": a syntax error,
  a missing module, a failing `afterAll`) becomes one error result for the file.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from tmsaction.model import Attempt, Outcome, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.jsontext import load_document
from tmsaction.reports.locations import checkout_path
from tmsaction.reports.resultbuild import clean, failure_message, make_result, seconds

FORMAT = "jest"
_WHAT = "Jest or Vitest JSON report (jest --json, vitest --reporter=json)"
FILE_ERROR_NAME = "Test suite failed to run"
_STATUS = {
    "passed": Outcome.PASSED,
    "focused": Outcome.PASSED,
    "failed": Outcome.FAILED,
    "pending": Outcome.SKIPPED,
    "skipped": Outcome.SKIPPED,
    "todo": Outcome.SKIPPED,
    "disabled": Outcome.SKIPPED,
}
_BULLET = re.compile(r"^\s*●\s.*$", re.M)


def parse_jest_json(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one result per assertion result, plus one per test file that failed to run."""
    report = load_document(stream, context, _WHAT)
    if not isinstance(report, dict) or not isinstance(report.get("testResults"), list):
        raise ReportParseError(f"expected a {_WHAT} with a `testResults` list")
    for file_result in report["testResults"]:
        if not isinstance(file_result, dict):
            continue
        file = checkout_path(str(file_result.get("name") or "")) or ""
        assertions = [a for a in file_result.get("assertionResults") or () if isinstance(a, dict)]
        any_failed = False
        for assertion in assertions:
            result = _assertion(assertion, file, context)
            any_failed = any_failed or result.outcome.is_failure
            yield result
        if file_result.get("status") == "failed" and not any_failed:
            yield _file_error(file_result, file, context)


def _attempts(
    outcome: Outcome,
    earlier: list[str | None],
    *,
    final_message: str | None,
    final_details: str | None,
    duration: float | None,
    source: str,
) -> list[Attempt]:
    if not earlier:
        return []
    failed = [
        Attempt(Outcome.FAILED, None, failure_message(text), text, source) for text in earlier
    ]
    return [*failed, Attempt(outcome, duration, final_message, final_details, source)]


def _assertion(assertion: dict[str, Any], file: str, context: ParseContext) -> TestResult:
    status = str(assertion.get("status") or "")
    if (
        status == "passed"
        and not assertion.get("failureMessages")
        and not assertion.get("retryReasons")
        and assertion.get("invocations", 1) in (1, None)
        and not assertion.get("tags")
        and not assertion.get("meta")
    ):
        # The common case, kept short: a test that passed on its first run.
        location = assertion.get("location")
        line = location.get("line") if isinstance(location, dict) else None
        return make_result(
            context,
            suite=(file,) if file else (),
            classname=" › ".join(str(t) for t in assertion.get("ancestorTitles") or ()),
            name=str(assertion.get("title") or assertion.get("fullName") or ""),
            outcome=Outcome.PASSED,
            duration=seconds(assertion.get("duration"), 0.001),
            file=file or None,
            line=line if isinstance(line, int) else None,
        )
    outcome = _STATUS.get(status, Outcome.SKIPPED)
    duration = seconds(assertion.get("duration"), 0.001)
    failures = [clean(text) for text in assertion.get("failureMessages") or ()]
    reasons = [clean(text) for text in assertion.get("retryReasons") or ()]
    invocations = assertion.get("invocations")
    runs = invocations if isinstance(invocations, int) and invocations > 1 else 1

    message: str | None = None
    details: str | None = None
    if outcome is Outcome.FAILED:
        details = failures[-1] if failures else None
        message = failure_message(details) or "failed"
        earlier = reasons or failures[:-1] or [None] * (runs - 1)
    elif outcome is Outcome.PASSED:
        earlier = reasons or failures or [None] * (runs - 1)
    else:
        earlier = []
        message = None if status in _STATUS else f"unknown status {status!r} (read as skipped)"
    attempts = _attempts(
        outcome,
        earlier,
        final_message=message,
        final_details=details,
        duration=duration,
        source=context.source,
    )
    if attempts and outcome is Outcome.PASSED:
        outcome = Outcome.FLAKY
        message = failure_message(earlier[-1]) or "failed, then passed on a retry"
        details = earlier[-1]

    location = assertion.get("location")
    line = location.get("line") if isinstance(location, dict) else None
    ancestors = [str(title) for title in assertion.get("ancestorTitles") or ()]
    meta = assertion.get("meta")
    properties = [
        (str(key), str(value))
        for key, value in (meta.items() if isinstance(meta, dict) else ())
        if isinstance(value, str | int | float | bool)
    ]
    tags = [str(tag) for tag in assertion.get("tags") or () if isinstance(tag, str)]
    return make_result(
        context,
        suite=(file,) if file else (),
        classname=" › ".join(ancestors),
        name=str(assertion.get("title") or assertion.get("fullName") or ""),
        outcome=outcome,
        duration=duration,
        file=file or None,
        line=line if isinstance(line, int) else None,
        message=message,
        details=details,
        properties=properties,
        tags=tags,
        attempts=attempts,
    )


def _file_error(file_result: dict[str, Any], file: str, context: ParseContext) -> TestResult:
    details = clean(file_result.get("message") or file_result.get("failureMessage"))
    # "● Test suite failed to run", then the error, a blank line, a code frame and the stack.
    text = _BULLET.sub("", details or "").strip().split("\n\n", 1)[0]
    return make_result(
        context,
        suite=(file,) if file else (),
        classname="",
        name=FILE_ERROR_NAME,
        outcome=Outcome.ERROR,
        file=file or None,
        message=failure_message(text) or "the test file failed to run",
        details=details,
    )
