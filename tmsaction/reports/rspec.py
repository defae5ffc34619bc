"""RSpec's JSON formatter (`rspec --format json`): `examples` with `description`,
`full_description`, `status`, `file_path`, `line_number`, `run_time` (s), `pending_message` and
`exception` (`class`, `message`, `backtrace`); `messages` and `summary` for errors outside examples.

Identity: suite = (spec file,), class = the example group descriptions (the part of
`full_description` before the example's own description), name = `description`.
- `pending` examples (`skip`, `xit`, and `pending` examples that failed as announced) are skipped;
  a `pending` example that passed is reported by RSpec as failed, and stays failed.
- Errors outside examples (a spec file that does not load, a failing `before(:context)` or
  `after(:context)` hook) become one error result per message, on the spec file the message
  names.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.jsontext import json_object, load_document
from tmsaction.reports.locations import checkout_path
from tmsaction.reports.resultbuild import clean, make_result, message_of, seconds

FORMAT = "rspec"
_WHAT = "RSpec JSON report (rspec --format json)"
_STATUS = {"passed": Outcome.PASSED, "failed": Outcome.FAILED, "pending": Outcome.SKIPPED}
_LOADING = re.compile(r"while loading (\S+?)\.?(?:\s|$)")
_BACKTRACE_FILE = re.compile(r"^# (\S+?):(\d+)", re.M)
_SENTENCE = re.compile(r"(An error occurred [^\n]*?\.)(?:\s|$)")


def parse_rspec(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one result per example, plus one per error outside examples."""
    report = load_document(stream, context, _WHAT)
    if not isinstance(report, dict) or not isinstance(report.get("examples"), list):
        raise ReportParseError(f"expected a {_WHAT} with an `examples` list")
    for example in report["examples"]:
        if isinstance(example, dict):
            yield _example(example, context)
    summary = json_object(report.get("summary"))
    outside = summary.get("errors_outside_of_examples_count")
    errors = [
        clean(text)
        for text in report.get("messages") or ()
        if isinstance(text, str) and text.strip().startswith("An error occurred")
    ]
    for text in errors:
        yield _outside_error(text, context)
    if isinstance(outside, int) and outside > len(errors):
        yield _outside_error(None, context)


def _example(example: dict[str, Any], context: ParseContext) -> TestResult:
    description = str(example.get("description") or "")
    full = str(example.get("full_description") or description)
    group = full[: -len(description)].strip() if description and full.endswith(description) else ""
    status = str(example.get("status") or "")
    outcome = _STATUS.get(status, Outcome.ERROR)
    message: str | None = None
    details: str | None = None
    exception = example.get("exception")
    if isinstance(exception, dict) and outcome is Outcome.FAILED:
        kind = str(exception.get("class") or "")
        text = clean(exception.get("message"))
        trace = "\n".join(str(line) for line in exception.get("backtrace") or ())
        message = message_of(text) or kind or "failed"
        details = clean("\n".join(part for part in (kind, text, trace) if part))
        if kind == "RSpec::Core::Pending::PendingExampleFixedError":
            reason = example.get("pending_message")
            message = f"{message} (pending: {reason})" if reason else message
    elif outcome is Outcome.SKIPPED:
        message = clean(example.get("pending_message"))
    elif status not in _STATUS:
        message = f"unknown status {status!r} (read as an error)"
    file = checkout_path(example.get("file_path"))
    line = example.get("line_number")
    return make_result(
        context,
        suite=(file,) if file else (),
        classname=group,
        name=description or full,
        outcome=outcome,
        duration=seconds(example.get("run_time")),
        file=file,
        line=line if isinstance(line, int) else None,
        message=message,
        details=details,
    )


def _outside_error(text: str | None, context: ParseContext) -> TestResult:
    file: str | None = None
    line: int | None = None
    if text:
        loading = _LOADING.search(text)
        frame = _BACKTRACE_FILE.search(text)
        if loading:
            file = checkout_path(loading.group(1))
        elif frame:
            file, line = checkout_path(frame.group(1)), int(frame.group(2))
    sentence = _SENTENCE.match(text.strip()) if text else None
    first = sentence.group(1) if sentence else None
    return make_result(
        context,
        suite=(file,) if file else (),
        classname="",
        name=first or "error outside of examples",
        outcome=Outcome.ERROR,
        file=file,
        line=line,
        message=_cause(text) or first or "RSpec reported an error outside of examples",
        details=text,
    )


def _cause(text: str | None) -> str | None:
    """The exception line of an RSpec error message (the line after `SomeError:`)."""
    if not text:
        return None
    lines = [line.strip() for line in text.splitlines()]
    for index, line in enumerate(lines[:-1]):
        if line.endswith(":") and re.fullmatch(r"[A-Z][\w:]*:", line) and lines[index + 1]:
            return f"{line} {lines[index + 1]}"
    return None
