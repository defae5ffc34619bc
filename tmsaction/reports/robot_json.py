"""Robot Framework 7's JSON result (`robot --output output.json`, `rebot --output x.json`):
`generator`, a `suite` tree (`name`, `source`, `suites`, `tests`, `setup`, `teardown`) whose tests
have `name`, `tags`, `status` (`PASS`, `FAIL`, `SKIP`, `NOT RUN`), `message`, `lineno`,
`elapsed_time` (s) and a `body` of keywords and log messages.

Identity, as Robot's own `--xunit` file names tests: suite = the suite names from the top,
class = their long name joined by dots (`Tests.Cart`), name = the test name.
- A test that failed because a setup or teardown failed (its own, or its parent suite's) is an
  error; other failures are failures. `SKIP` and `NOT RUN` are skipped.
- Tags are kept as Robot writes them (`C123`, `SHOP-12`); the message is Robot's, the details name
  the keyword that failed; log messages of tests that did not pass are their output.
- Execution errors (`errors`, e.g. a library that did not import) become warnings.

Pure apart from reading the given stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.jsontext import json_object, load_document
from tmsaction.reports.locations import checkout_path
from tmsaction.reports.resultbuild import OutputBuffer, clean, make_result, message_of, seconds

FORMAT = "robot-json"
_WHAT = "Robot Framework JSON result (robot --output output.json)"
_STATUS = {
    "PASS": Outcome.PASSED,
    "FAIL": Outcome.FAILED,
    "SKIP": Outcome.SKIPPED,
    "NOT RUN": Outcome.SKIPPED,
    "NOT_RUN": Outcome.SKIPPED,
}
_FIXTURE_FAILURES = (
    "Setup failed:",
    "Teardown failed:",
    "Parent suite setup failed:",
    "Parent suite teardown failed:",
)


def parse_robot_json(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one result per test, walking the suite tree without recursion."""
    report = load_document(stream, context, _WHAT)
    if not isinstance(report, dict) or not isinstance(report.get("suite"), dict):
        raise ReportParseError(f"expected a {_WHAT} with a `suite` object")
    pending: list[tuple[dict[str, Any], tuple[str, ...]]] = [(report["suite"], ())]
    while pending:
        suite, parents = pending.pop()
        path = (*parents, str(suite.get("name") or ""))
        source = checkout_path(str(suite.get("source") or ""))
        for test in suite.get("tests") or ():
            if isinstance(test, dict):
                yield _test(test, path, source, context)
        pending.extend(
            (child, path)
            for child in reversed(suite.get("suites") or ())
            if isinstance(child, dict)
        )
    for error in report.get("errors") or ():
        message = json_object(error).get("message") if isinstance(error, dict) else error
        if message:
            context.warn(f"Robot Framework reported an execution error: {message_of(str(message))}")


def _failed_keyword(body: object) -> str | None:
    """`Keyword    arg    arg` of the innermost keyword that failed, depth first."""
    stack = [body]
    found: str | None = None
    while stack:
        items = stack.pop()
        for item in reversed(items) if isinstance(items, list) else ():
            if isinstance(item, dict) and item.get("status") == "FAIL" and item.get("name"):
                args = [str(arg) for arg in item.get("args") or ()]
                found = "    ".join([str(item["name"]), *args])
                stack.append(item.get("body"))
                break
    return found


def _log(test: dict[str, Any]) -> str | None:
    output = OutputBuffer()
    stack: list[object] = [[test.get("setup"), test.get("body"), test.get("teardown")]]
    while stack:
        items = stack.pop()
        for item in reversed(items) if isinstance(items, list) else ():
            if isinstance(item, list):
                stack.append(item)
            elif isinstance(item, dict):
                if item.get("type") == "MESSAGE" and item.get("level") in ("INFO", "WARN", "FAIL"):
                    output.add(f"{item.get('level')}: {item.get('message')}\n")
                elif item.get("body"):
                    stack.append(item["body"])
    return output.text()


def _test(
    test: dict[str, Any], path: tuple[str, ...], source: str | None, context: ParseContext
) -> TestResult:
    status = str(test.get("status") or "")
    outcome = _STATUS.get(status, Outcome.ERROR)
    message = clean(test.get("message"))
    if outcome is Outcome.FAILED and message and message.startswith(_FIXTURE_FAILURES):
        outcome = Outcome.ERROR
    details = None
    stdout = None
    if outcome.is_failure:
        keyword = _failed_keyword(
            [test.get("setup"), *(test.get("body") or ()), test.get("teardown")]
        )
        details = clean("\n\n".join(part for part in (keyword, message) if part))
        stdout = _log(test)
    elif status not in _STATUS:
        message = f"unknown status {status!r} (read as an error)"
    line = test.get("lineno")
    return make_result(
        context,
        suite=path,
        classname=".".join(path),
        name=str(test.get("name") or ""),
        outcome=outcome,
        duration=seconds(test.get("elapsed_time")),
        file=source,
        line=line if isinstance(line, int) else None,
        message=message_of(message),
        details=details,
        stdout=stdout,
        tags=[str(tag) for tag in test.get("tags") or ()],
    )
