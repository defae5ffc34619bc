"""The Dart/Flutter JSON reporter (`dart test --reporter json`, `flutter test --machine`): one
event per line (`suite`, `group`, `testStart`, `print`, `error`, `testDone`, `done`), read as a
stream. Protocol: https://github.com/dart-lang/test/blob/master/pkgs/test/doc/json_reporter.md

Identity: suite = (test file,), class = the innermost group's name, name = the test name without
that group prefix (Dart test names include every enclosing group's name).
- `testDone.result`: `success` passed, `failure` (a `TestFailure`) failed, `error` error;
  `skipped: true` skipped, with the `skip` message as its message.
- Hidden tests (suite loading, `setUpAll`, `tearDownAll`) are not counted unless they fail, as the
  protocol says; a suite that does not compile is such a failing `loading ...` test.
- An `error` after `testDone` fails the test (the protocol allows it): finished tests wait in a
  small window before being yielded, so late errors still count.

Pure apart from reading the given stream.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.jsontext import iter_json_lines
from tmsaction.reports.locations import checkout_path
from tmsaction.reports.resultbuild import OutputBuffer, clean, make_result, message_of, seconds

FORMAT = "dart"
#: Finished tests kept back for errors that arrive after `testDone`.
LATE_ERROR_WINDOW = 256
_RESULTS = {"success": Outcome.PASSED, "failure": Outcome.FAILED, "error": Outcome.ERROR}


@dataclass
class _Test:
    name: str
    suite_id: object
    group_ids: list[object]
    line: int | None
    url: str | None
    start: float | None
    output: OutputBuffer = field(default_factory=OutputBuffer)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (error, stack trace)
    skip_message: str | None = None
    outcome: Outcome | None = None
    hidden: bool = False
    duration: float | None = None


class _Reader:
    def __init__(self, context: ParseContext) -> None:
        self.context = context
        self.suites: dict[object, str] = {}
        self.groups: dict[object, str] = {}
        self.running: dict[object, _Test] = {}
        self.finished: OrderedDict[object, _Test] = OrderedDict()

    def event(self, event: dict[str, Any]) -> Iterator[TestResult]:
        kind = event.get("type")
        if kind == "suite" and isinstance(event.get("suite"), dict):
            suite = event["suite"]
            self.suites[suite.get("id")] = str(suite.get("path") or "")
        elif kind == "group" and isinstance(event.get("group"), dict):
            group = event["group"]
            self.groups[group.get("id")] = str(group.get("name") or "")
        elif kind == "testStart" and isinstance(event.get("test"), dict):
            self.start(event["test"], event.get("time"))
        elif kind in ("print", "error", "testDone"):
            test = self.running.get(event.get("testID")) or self.finished.get(event.get("testID"))
            if test is None:
                return
            if kind == "print":
                self.print(test, event)
            elif kind == "error":
                self.error(test, event)
            else:
                yield from self.done(event.get("testID"), test, event)

    def start(self, test: dict[str, Any], time: object) -> None:
        line = test.get("root_line") if test.get("root_url") else test.get("line")
        url = test.get("root_url") or test.get("url")
        self.running[test.get("id")] = _Test(
            name=str(test.get("name") or ""),
            suite_id=test.get("suiteID"),
            group_ids=list(test.get("groupIDs") or ()),
            line=line if isinstance(line, int) else None,
            url=str(url) if url else None,
            start=time if isinstance(time, int | float) else None,
        )

    @staticmethod
    def print(test: _Test, event: dict[str, Any]) -> None:
        message = str(event.get("message") or "")
        if event.get("messageType") == "skip":
            test.skip_message = message.removeprefix("Skip: ").strip() or None
        else:
            test.output.add(message + "\n")

    @staticmethod
    def error(test: _Test, event: dict[str, Any]) -> None:
        test.errors.append((str(event.get("error") or ""), str(event.get("stackTrace") or "")))
        if test.outcome is not None:
            # An error after testDone: the protocol says the test has failed after all.
            test.outcome = Outcome.FAILED if event.get("isFailure") else Outcome.ERROR
            test.hidden = False

    def done(self, test_id: object, test: _Test, event: dict[str, Any]) -> Iterator[TestResult]:
        self.running.pop(test_id, None)
        result = str(event.get("result") or "")
        if event.get("skipped") and result == "success":
            test.outcome = Outcome.SKIPPED
        else:
            test.outcome = _RESULTS.get(result, Outcome.ERROR)
        test.hidden = bool(event.get("hidden")) and test.outcome is Outcome.PASSED
        end = event.get("time")
        if isinstance(end, int | float) and test.start is not None:
            test.duration = seconds(end - test.start, 0.001)
        self.finished[test_id] = test
        while len(self.finished) > LATE_ERROR_WINDOW:
            _, oldest = self.finished.popitem(last=False)
            yield from self.emit(oldest)

    def emit(self, test: _Test) -> Iterator[TestResult]:
        if test.hidden or test.outcome is None:
            return
        path = checkout_path(self.suites.get(test.suite_id)) or ""
        file = checkout_path(test.url) if test.url else (path or None)
        group = next(
            (self.groups[g] for g in reversed(test.group_ids) if self.groups.get(g)),
            "",
        )
        name = test.name
        if group and name.startswith(group + " "):
            name = name[len(group) + 1 :]
        details = clean("\n\n".join("\n".join(filter(None, e)) for e in test.errors))
        message = clean(test.errors[0][0]) if test.errors else None
        if test.outcome is Outcome.SKIPPED:
            message = test.skip_message
        yield make_result(
            self.context,
            suite=(path,) if path else (),
            classname=group,
            name=name,
            outcome=test.outcome,
            duration=test.duration,
            file=file,
            line=test.line,
            message=message_of(message),
            details=details,
            stdout=test.output.text(),
        )

    def end(self) -> Iterator[TestResult]:
        for test in self.finished.values():
            yield from self.emit(test)
        self.finished.clear()
        for test in self.running.values():
            test.outcome = Outcome.ERROR
            test.errors.append(("the test did not finish: the report ends before its result", ""))
            yield from self.emit(test)
        self.running.clear()


def parse_dart(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield results as tests finish (after the late-error window)."""
    reader = _Reader(context)
    events = 0
    for _, _, value in iter_json_lines(stream, context):
        if value is not None and "type" in value:
            events += 1
            yield from reader.event(value)
    if events == 0:
        raise ReportParseError("no Dart JSON reporter events in the file (lines with a `type`)")
    yield from reader.end()
