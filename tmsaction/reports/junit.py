"""JUnit XML in all its dialects, streamed with bare expat handlers (no element tree): the format
every tool writes, so the one that has to read a million tests fast and in flat memory.

Structure: a `<testsuites>` or bare `<testsuite>` root, suites nested to any depth (PHPUnit, Robot
`--xunit`), `<testcase>` elements with `<failure>`, `<error>`, `<skipped>`, reruns, output and
properties. What each dialect puts where is in `junit_case.py`, which turns one test case into a
`TestResult`; this module keeps track of suites and of suite-level output.

Pure apart from reading the given stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import BinaryIO

from tmsaction.model import Outcome, TestDetail, TestResult
from tmsaction.reports.base import ParseContext, TextBuffer, new_result
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.junit_case import CaseNode, build_case
from tmsaction.reports.locations import checkout_path
from tmsaction.reports.xmlstream import expat_parser, feed_expat

FORMAT = "junit"

_ROOTS = ("testsuites", "testsuite")
_PASSED = Outcome.PASSED
_MISSING = object()
_FAILED = (Outcome.FAILED, Outcome.ERROR)


class _Suite:
    """An open `<testsuite>`: its name, file and suite-level output (Bazel and Gradle write the
    output of a whole suite, after its test cases, instead of per test)."""

    __slots__ = ("depth", "file", "in_properties", "name", "path", "stderr", "stdout")

    def __init__(self, name: str, file: str | None, path: tuple[str, ...]) -> None:
        self.name = name
        self.file = file  # this suite's file, else the nearest enclosing suite's
        self.path = path
        self.stdout: TextBuffer | None = None
        self.stderr: TextBuffer | None = None
        self.in_properties = False
        self.depth = 0


class _JUnitReader:
    """expat handlers; finished tests collect in `out` for `parse_junit` to hand on per chunk."""

    __slots__ = (
        "capture", "case_attrs", "case_children", "cases", "context", "declared",
        "document_file", "durations", "emit", "file", "held", "hold_depth", "nodes", "out",
        "parser", "path", "playwright", "root", "strings", "suites", "testng_names",
        "testng_repeats",
    )  # fmt: skip

    def __init__(self, context: ParseContext) -> None:
        self.context = context
        self.out: list[TestResult] = []
        self.emit = self.out.append  # `_hold_plain` while tests wait for suite output
        self.strings = context.strings
        self.durations = context.durations
        self.suites: list[_Suite] = []
        # A failing test without output of its own waits for its suite's output; the tests after
        # it wait too, so the report order is kept. (suite to take output from, or None; result)
        self.held: list[tuple[_Suite | None, TestResult]] = []
        self.hold_depth: int | None = None
        self.path: tuple[str, ...] = ()
        self.document_file: str | None = None  # mocha/Cypress "Root Suite" file
        self.declared = 0  # tests the outermost suites say they hold (`tests` attribute)
        self.cases = 0
        self.file: str | None = None  # file of the innermost open suite (or document), shared
        self.root: str | None = None
        self.playwright = False  # Playwright: `<testsuites id=...>`, project name in `hostname`
        # The open test case: its attributes and child nodes (None until it has a child).
        self.case_attrs: dict[str, str] | None = None
        self.case_children: list[CaseNode] | None = None
        self.nodes: list[CaseNode] = []  # open elements below the test case
        self.capture: TextBuffer | None = None  # where character data goes
        # TestNG's JUnitReportReporter names data-provider rows alike (see `_comment`).
        self.testng_names: set[tuple[tuple[str, ...], str, str]] | None = None
        self.testng_repeats = 0
        self.parser = expat_parser()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CommentHandler = self._comment

    # ------------------------------------------------------------------ handlers

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "testcase" and self.case_attrs is None and self.root is not None:
            self.case_attrs = attrs
            return
        if ":" in tag:
            tag = tag.rsplit(":", 1)[1]
        if self.root is None:
            if tag not in _ROOTS:
                raise ReportParseError(f"not a JUnit report: the root element is <{tag}>")
            self.root = tag
            self.playwright = tag == "testsuites" and "id" in attrs
        if self.case_attrs is not None:
            node = CaseNode(tag, attrs)
            if self.nodes:
                self.nodes[-1].children.append(node)
            elif self.case_children is None:
                self.case_children = [node]
            else:
                self.case_children.append(node)
            self.nodes.append(node)
            self._capture(node.text)
            return
        if tag == "testcase":
            self.case_attrs = attrs
            self.case_children = None
            return
        if tag == "testsuite":
            name = attrs.get("name") or ""
            if name.startswith("/") or name[1:3] == ":\\":
                # PHPUnit names the suite of a directory after its absolute path: relative to the
                # checkout, the identity is the same on every runner.
                name = checkout_path(name) or name
            file = attrs.get("file") or attrs.get("filepath")
            if name == "Root Suite" and file and not self.suites:
                self.document_file = file  # mocha-junit-reporter / Cypress: one spec per file
            if not self.suites:
                declared = attrs.get("tests", "")
                self.declared += int(declared) if declared.isdigit() else 0
            if self.playwright and not self.suites and attrs.get("hostname"):
                # The same spec file runs once per Playwright project (browser): the project is
                # part of the identity, or a failure in one browser and a pass in another would
                # look like one flaky test.
                self.path = (attrs["hostname"],)
            self.path = self.context.suite((*self.path, name))
            inherited = self.suites[-1].file if self.suites else None
            suite = _Suite(name, file or inherited, self.path)
            suite.depth = len(self.suites)
            self.suites.append(suite)
            self._update_file()
        elif self.suites:
            self._suite_child_start(tag, attrs, self.suites[-1])

    def _suite_child_start(self, tag: str, attrs: dict[str, str], suite: _Suite) -> None:
        if tag == "system-out":
            suite.stdout = suite.stdout or TextBuffer()
            self._capture(suite.stdout)
        elif tag == "system-err":
            suite.stderr = suite.stderr or TextBuffer()
            self._capture(suite.stderr)
        elif tag == "properties":
            suite.in_properties = True
        elif tag == "property" and suite.in_properties and attrs.get("name") == "file":
            # WebdriverIO names the spec file in a suite property.
            suite.file = suite.file or attrs.get("value")
            self._update_file()

    def end(self, tag: str) -> None:
        attrs = self.case_attrs
        if attrs is not None:
            if self.nodes:
                self.nodes.pop()
                self._capture(self.nodes[-1].text if self.nodes else None)
                return
            children = self.case_children
            self.case_attrs = self.case_children = None
            self.cases += 1
            if self.testng_names is not None:
                self._note_testng_name(self.testng_names, attrs)
            if children is None and len(attrs) == 3:
                # The shape of most test cases (Surefire, Gradle, jest, pytest xunit2, ...): a
                # passing test with name, classname and time. Kept inline with the string and
                # duration caches read directly: it runs a million times.
                name = attrs.get("name")
                classname = attrs.get("classname")
                time = attrs.get("time")
                if name and classname is not None and time is not None:
                    context = self.context
                    shared = self.strings.get(classname) or context.share(classname)
                    duration = self.durations.get(time, _MISSING)
                    if duration is _MISSING:
                        duration = context.duration(time)
                    self.emit(
                        new_result(
                            self.path,
                            shared,
                            name,
                            _PASSED,
                            duration,  # type: ignore[arg-type]
                            context.source,
                            self.file,
                            None,
                            None,
                        )
                    )
                    return
            self._end_case(attrs, children)
            return
        if ":" in tag:
            tag = tag.rsplit(":", 1)[1]
        if tag == "testsuite" and self.suites:
            self._end_suite(self.suites.pop())
            self.path = self.suites[-1].path if self.suites else ()
            self._update_file()
        elif tag in ("system-out", "system-err"):
            self._capture(None)
        elif tag == "properties" and self.suites:
            self.suites[-1].in_properties = False

    def _comment(self, text: str) -> None:
        if self.root is None and "org.testng.reporters.JUnitReportReporter" in text:
            self.testng_names = set()

    def _note_testng_name(
        self, names: set[tuple[tuple[str, ...], str, str]], attrs: dict[str, str]
    ) -> None:
        key = (self.path, attrs.get("classname") or "", attrs.get("name") or "")
        if key in names:
            self.testng_repeats += 1
        else:
            names.add(key)

    def _hold_plain(self, result: TestResult) -> None:
        self.held.append((None, result))

    def _update_file(self) -> None:
        file = (self.suites[-1].file if self.suites else None) or self.document_file
        self.file = self.context.share(checkout_path(file) or file) if file else None

    def _data(self, text: str) -> None:
        if self.capture is not None:
            self.capture.append(text)

    def _capture(self, target: TextBuffer | None) -> None:
        self.capture = target
        self.parser.CharacterDataHandler = self._data if target is not None else None

    # ------------------------------------------------------------------ results

    def _end_case(self, attrs: dict[str, str], children: list[CaseNode] | None) -> None:
        suite = self.suites[-1] if self.suites else None
        result = build_case(self.context, self.path, attrs, children, self.file)
        wants_output = (
            suite is not None
            and result.outcome in _FAILED
            and (result.detail is None or not (result.detail.stdout or result.detail.stderr))
        )
        if wants_output and suite is not None:
            if self.hold_depth is None:
                self.hold_depth = suite.depth
                self.emit = self._hold_plain
            self.held.append((suite, result))
        elif self.hold_depth is not None:
            self.held.append((None, result))
        else:
            self.out.append(result)

    def _end_suite(self, suite: _Suite) -> None:
        if self.hold_depth is None or suite.depth > self.hold_depth:
            return
        # Every suite the held tests belong to has ended: their output is complete.
        for owner, result in self.held:
            stdout = owner.stdout.value() if owner is not None and owner.stdout else None
            stderr = owner.stderr.value() if owner is not None and owner.stderr else None
            if stdout or stderr:
                detail = replace(result.detail or TestDetail(), stdout=stdout, stderr=stderr)
                self.out.append(replace(result, detail=detail))
            else:
                self.out.append(result)
        self.held.clear()
        self.hold_depth = None
        self.emit = self.out.append


def parse_junit(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one `TestResult` per `<testcase>`; memory stays flat however large the file."""
    reader = _JUnitReader(context)
    for _ in feed_expat(reader.parser, stream, context.warn):
        if reader.out:
            yield from reader.out
            reader.out.clear()
    if reader.root is None:
        raise ReportParseError("the file holds no XML element")
    if reader.testng_repeats:
        context.warn(
            "TestNG's JUnit reporter writes data-provider rows and retries under the same test "
            f"name ({reader.testng_repeats} repeated here), so they read as reruns of one test; "
            "point `reports` at testng-results.xml to see each row",
            None,
            None,
        )
    if reader.cases == 0 and reader.declared:
        context.warn(
            f"the report says it holds {reader.declared} tests but lists none of them as "
            "<testcase>; only listed test cases are counted",
            None,
            None,
        )
