"""mochawesome JSON, the report most Cypress projects write (also Mocha with `--reporter
mochawesome`, and `mochawesome-merge` output): `results` per spec file, nested `suites` with
`tests` (`title`, `fullTitle`, `state`, `duration` in ms, `err`, `context`) and
`beforeHooks`/`afterHooks`.

Identity, the same as for Mocha's own JSON reporter (both describe one Mocha run): suite = (spec
file,), class = the describe titles joined by spaces, name = `title`.
- `state`: `passed`, `failed`, `pending` (skipped); tests that never ran because a hook failed
  (`skipped: true`) are skipped, and the failed hook is an error result named after the hook.
- `context` (`addContext`, how Cypress attaches screenshots and videos): paths and URLs become
  attachments, `{title, value}` pairs become properties.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.jsontext import json_object, load_document
from tmsaction.reports.locations import checkout_path
from tmsaction.reports.resultbuild import clean, failure_message, make_result, seconds

FORMAT = "mochawesome"
_WHAT = "mochawesome JSON report"
_STATE = {"passed": Outcome.PASSED, "failed": Outcome.FAILED, "pending": Outcome.SKIPPED}
_REFERENCE = re.compile(
    r"^(?:https?://|/|\.{0,2}/)|\.(?:png|jpe?g|gif|webp|mp4|webm|html?|txt|log|zip)$", re.I
)


def parse_mochawesome(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one result per test and per failed hook, walking the suites without recursion."""
    report = load_document(stream, context, _WHAT)
    if not isinstance(report, dict) or not isinstance(report.get("results"), list):
        raise ReportParseError(f"expected a {_WHAT} with a `results` list")
    pending: list[tuple[dict[str, Any], tuple[str, ...], str]] = [
        (suite, (), "") for suite in reversed(report["results"]) if isinstance(suite, dict)
    ]
    while pending:
        suite, describes, file = pending.pop()
        title = str(suite.get("title") or "")
        path = (*describes, title) if title else describes
        file = (
            checkout_path(str(suite.get("fullFile") or ""))
            or checkout_path(str(suite.get("file") or "").lstrip("/"))
            or file
        )
        for hook in (*suite.get("beforeHooks", ()), *suite.get("afterHooks", ())):
            if isinstance(hook, dict) and hook.get("state") == "failed":
                yield _result(hook, path, file, Outcome.ERROR, context)
        for test in suite.get("tests") or ():
            if isinstance(test, dict):
                yield _test(test, path, file, context)
        pending.extend(
            (child, path, file)
            for child in reversed(suite.get("suites") or ())
            if isinstance(child, dict)
        )


def _test(
    test: dict[str, Any], path: tuple[str, ...], file: str, context: ParseContext
) -> TestResult:
    state = test.get("state")
    if isinstance(state, str) and state in _STATE:
        outcome = _STATE[state]
    elif test.get("skipped") or state is None:
        return _result(
            test,
            path,
            file,
            Outcome.SKIPPED,
            context,
            message="not run: a hook of its suite failed",
        )
    else:
        outcome = Outcome.ERROR
    return _result(test, path, file, outcome, context)


def _result(
    test: dict[str, Any],
    path: tuple[str, ...],
    file: str,
    outcome: Outcome,
    context: ParseContext,
    *,
    message: str | None = None,
) -> TestResult:
    err = json_object(test.get("err"))
    details = clean(err.get("estack") or err.get("message"))
    if outcome.is_failure:
        message = failure_message(clean(err.get("message"))) or failure_message(details) or "failed"
    attachments, properties = _context(test.get("context"))
    return make_result(
        context,
        suite=(file,) if file else (),
        classname=" ".join(path),
        name=str(test.get("title") or test.get("fullTitle") or ""),
        outcome=outcome,
        duration=seconds(test.get("duration"), 0.001),
        file=file or None,
        message=message,
        details=details if outcome.is_failure else None,
        properties=properties,
        attachments=attachments,
    )


def _context(value: object) -> tuple[list[str], list[tuple[str, str]]]:
    """`addContext` values: a JSON string holding a string, an object or a list of them."""
    if isinstance(value, str):
        with contextlib.suppress(json.JSONDecodeError):  # else a plain string context
            value = json.loads(value)
    items = value if isinstance(value, list) else [value]
    attachments: list[str] = []
    properties: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, str) and item.strip():
            if _REFERENCE.search(item.strip()):
                attachments.append(checkout_path(item.strip()) or item.strip())
            else:
                properties.append(("context", item.strip()))
        elif isinstance(item, dict) and "value" in item:
            title = str(item.get("title") or "context")
            text = item["value"] if isinstance(item["value"], str) else json.dumps(item["value"])
            if isinstance(item["value"], str) and _REFERENCE.search(text.strip()):
                attachments.append(checkout_path(text.strip()) or text.strip())
            else:
                properties.append((title, text))
    return attachments, properties
