"""`go test -json` (test2json): one JSON event per line (`Action`, `Package`, `Test`, `Output`,
`Elapsed` in seconds), read as a stream in bounded memory.

Identity: suite = (package,), class = package, name = the test name with its subtests
(`TestLimits/quantity=3`), as go-junit-report and gotestsum name them in JUnit XML.
- `pass`/`fail`/`skip` per test and subtest; the test's output lines (without the `=== RUN` /
  `--- FAIL` framing) are its message (first line) and details. A failed test whose output has a
  `panic:` is an error.
- A test with subtests is counted only when it failed on its own (no subtest failed): otherwise
  the subtests are the tests and the parent would count the same failure twice.
- The same test run again (`-count=N`, a rerun in the same file) is another attempt of one test.
- Package failures without a failing test (build failed, `TestMain` exit, a panic or timeout that
  kills the binary) become one error result per package, with the build or package output; tests
  still running when their package died are errors too. Before Go 1.24 build errors are plain
  text on stderr (`# pkg`, then `FAIL pkg [build failed]`), read from a `2>&1` log as well.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.jsontext import iter_json_lines
from tmsaction.reports.resultbuild import OutputBuffer, make_result, message_of, seconds

FORMAT = "gotest"
_FRAMING = re.compile(r"^\s*(?:=== (?:RUN|PAUSE|CONT|NAME)\s|--- (?:PASS|FAIL|SKIP): )")
_BUILD_HEADER = re.compile(r"^# (\S+)")
_BUILD_FAILED = re.compile(r"^FAIL\s+(\S+)\s+\[(build|setup) failed\]")
_PANIC = re.compile(r"^\s*panic: ", re.M)
_PACKAGE_STATUS = re.compile(r"^(?:PASS|FAIL|ok\s|FAIL\s|coverage:|\?\s)")
_ACTIONS = {"pass": Outcome.PASSED, "fail": Outcome.FAILED, "skip": Outcome.SKIPPED}
BUILD_FAILED_NAME = "[build failed]"
PACKAGE_FAILED_NAME = "[package failed]"


class _Test:
    """A test between its `run` and its result; output is buffered only once there is some."""

    __slots__ = ("_output", "has_subtests", "subtest_failed")

    def __init__(self) -> None:
        self._output: OutputBuffer | None = None
        self.has_subtests = False
        self.subtest_failed = False

    def add_output(self, text: str) -> None:
        if self._output is None:
            self._output = OutputBuffer()
        self._output.add(text)

    def output_text(self) -> str | None:
        return self._output.text() if self._output is not None else None


@dataclass
class _Package:
    output: OutputBuffer = field(default_factory=OutputBuffer)
    build_output: OutputBuffer = field(default_factory=OutputBuffer)
    failures: int = 0
    build_failed: bool = False


def _package_name(import_path: str) -> str:
    """`example.com/shop [example.com/shop.test]` -> `example.com/shop`."""
    return import_path.split(" ", 1)[0] if " " in import_path else import_path


class _Reader:
    """The state of one stream: running tests and packages, keyed by name."""

    def __init__(self, context: ParseContext) -> None:
        self.context = context
        self.running: dict[tuple[str, str], _Test] = {}
        self.packages: dict[str, _Package] = {}
        self.build_block: str | None = None  # package whose plain-text build errors follow

    def package(self, name: str) -> _Package:
        found = self.packages.get(name)
        if found is None:
            found = self.packages[name] = _Package()
        return found

    def event(self, event: dict[str, Any]) -> Iterator[TestResult]:
        action = str(event.get("Action"))
        package_name = event.get("Package")
        if not isinstance(package_name, str):
            package_name = _package_name(str(event.get("ImportPath") or ""))
        test = event.get("Test")
        output = event.get("Output")
        if action in ("build-output", "build-fail"):
            package = self.package(package_name)
            if isinstance(output, str):
                package.build_output.add(output)
            package.build_failed = package.build_failed or action == "build-fail"
            return
        if not isinstance(test, str) or not test:
            yield from self.package_event(action, package_name, output, event)
            return
        key = (package_name, test)
        if action == "run":
            self.running[key] = _Test()
            parent = self.parent(package_name, test)
            if parent is not None:
                parent.has_subtests = True
        elif action == "output" and isinstance(output, str):
            running = self.running.get(key)
            if running is not None and not _FRAMING.match(output):
                running.add_output(output)
        elif action in _ACTIONS:
            running = self.running.pop(key, None) or _Test()
            yield from self.finish(package_name, test, running, _ACTIONS[action], event)

    def parent(self, package_name: str, test: str) -> _Test | None:
        """The closest running test whose name prefixes `test` at a `/`. Subtest names may hold
        `/` themselves (`t.Run("a/b")`), so the direct parent name is not always running."""
        name = test
        while "/" in name:
            name = name.rpartition("/")[0]
            found = self.running.get((package_name, name))
            if found is not None:
                return found
        return None

    def finish(
        self, package_name: str, test: str, running: _Test, outcome: Outcome, event: dict[str, Any]
    ) -> Iterator[TestResult]:
        if outcome.is_failure:
            self.package(package_name).failures += 1
            parent = self.parent(package_name, test)
            if parent is not None:
                parent.subtest_failed = True
        if running.has_subtests and not (outcome.is_failure and not running.subtest_failed):
            return  # its subtests are the tests
        text = running.output_text() if outcome is not Outcome.PASSED else None
        if outcome is Outcome.FAILED and text and _PANIC.search(text):
            outcome = Outcome.ERROR  # a panic is an unexpected error, not a failed check
        yield self.result(package_name, test, outcome, seconds(event.get("Elapsed")), text)

    def result(
        self,
        package_name: str,
        name: str,
        outcome: Outcome,
        duration: float | None,
        text: str | None,
        *,
        message: str | None = None,
    ) -> TestResult:
        return make_result(
            self.context,
            suite=(package_name,),
            classname=package_name,
            name=name,
            outcome=outcome,
            duration=duration,
            message=message or message_of(_telling_line(text)),
            details=text,
        )

    def package_event(
        self, action: str, package_name: str, output: object, event: dict[str, Any]
    ) -> Iterator[TestResult]:
        package = self.package(package_name)
        if action == "output" and isinstance(output, str):
            if not _PACKAGE_STATUS.match(output):
                package.output.add(output)
            return
        if action != "fail":
            if action in _ACTIONS:
                self.packages.pop(package_name, None)
            return
        # The package binary failed: tests it was still running never got a result.
        for key in [k for k in self.running if k[0] == package_name]:
            running = self.running.pop(key)
            if running.has_subtests:
                continue
            package.failures += 1
            details = running.output_text() or package.output.text()
            yield self.result(
                package_name,
                key[1],
                Outcome.ERROR,
                None,
                details,
                message="the test did not finish: its package failed ("
                + (message_of(_telling_line(package.output.text())) or "no output")
                + ")",
            )
        if package.failures == 0:
            yield self.package_error(package_name, package, bool(event.get("FailedBuild")))
        self.packages.pop(package_name, None)

    def package_error(self, package_name: str, package: _Package, build: bool) -> TestResult:
        build = build or package.build_failed or bool(package.build_output)
        text = (package.build_output.text() if build else None) or package.output.text()
        message = "the package failed to build" if build else "the package failed without a test"
        first = message_of(_telling_line(text))
        return self.result(
            package_name,
            BUILD_FAILED_NAME if build else PACKAGE_FAILED_NAME,
            Outcome.ERROR,
            None,
            text,
            message=f"{message}: {first}" if first else message,
        )

    def text_line(self, line: str) -> Iterator[TestResult]:
        """A line that is not JSON: plain-text build errors before Go 1.24."""
        header = _BUILD_HEADER.match(line)
        if header:
            self.build_block = _package_name(header.group(1))
            return
        failed = _BUILD_FAILED.match(line)
        if failed:
            name = failed.group(1)
            package = self.package(name)
            package.build_failed = True
            self.build_block = None
            if package.failures == 0:
                yield self.package_error(name, package, True)
                package.failures += 1  # the JSON `fail` event that may follow adds nothing
            return
        if self.build_block is not None and line.strip():
            self.package(self.build_block).build_output.add(line + "\n")

    def end(self) -> Iterator[TestResult]:
        """Tests still running when the stream ends: the run was cut off."""
        unfinished = sum(1 for running in self.running.values() if not running.has_subtests)
        if unfinished:
            self.context.warn(
                f"the report ends while {unfinished} test{'s were' if unfinished > 1 else ' was'} "
                "still running; the test run was probably cut off"
            )
        for (package_name, name), running in self.running.items():
            if running.has_subtests:
                continue
            yield self.result(
                package_name,
                name,
                Outcome.ERROR,
                None,
                running.output_text(),
                message="the test did not finish: the report ends before its result",
            )
        self.running.clear()


def _telling_line(text: str | None) -> str | None:
    """The output line that says what went wrong: a `panic:` line, else the last line (`t.Fatal`
    and most assertion helpers end the test where they fail; `t.Log` lines come before)."""
    if not text:
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    panic = next((line for line in lines if line.startswith("panic: ")), None)
    return panic or (lines[-1] if lines else None)


def parse_gotest(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield results as their events arrive; memory holds only the tests still running."""
    reader = _Reader(context)
    seen = 0
    for _, text, value in iter_json_lines(stream, context):
        if value is not None and "Action" in value:
            seen += 1
            yield from reader.event(value)
        else:
            for result in reader.text_line(text):
                seen += 1
                yield result
    if seen == 0:
        raise ReportParseError("no `go test -json` events in the file (lines with an `Action`)")
    yield from reader.end()
