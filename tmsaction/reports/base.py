"""What every format parser shares: the parser signature, the per-file context and value helpers.

Pure apart from reading the stream it is given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import BinaryIO

from tmsaction.model import OUTPUT_LIMIT, Attempt, Outcome, ReportProblem, TestDetail, TestResult
from tmsaction.reports.locations import checkout_path

_RESULT_FIELDS = (
    "suite", "classname", "name", "outcome", "duration", "source", "file", "line", "detail"
)  # fmt: skip
_SETTERS = [TestResult.__dict__[name].__set__ for name in _RESULT_FIELDS]
_NEW = object.__new__


def _new_result(  # noqa: PLR0917 - the constructor's own positional order
    suite: tuple[str, ...],
    classname: str,
    name: str,
    outcome: Outcome,
    duration: float | None,
    source: str,
    file: str | None,
    line: int | None,
    detail: TestDetail | None,
) -> TestResult:
    result = _NEW(TestResult)
    s_suite, s_class, s_name, s_outcome, s_duration, s_source, s_file, s_line, s_detail = _SETTERS
    s_suite(result, suite)
    s_class(result, classname)
    s_name(result, name)
    s_outcome(result, outcome)
    s_duration(result, duration)
    s_source(result, source)
    s_file(result, file)
    s_line(result, line)
    s_detail(result, detail)
    return result


#: `TestResult(...)` in half the time, for the readers that build a million of them. A frozen
#: dataclass's `__init__` sets every field through `object.__setattr__`; the slot descriptors do
#: the same directly. The object is the same and as immutable; if the model gains a field, the
#: plain constructor is used (tests/unit/test_report_base.py checks both agree).
new_result = (
    _new_result if tuple(f.name for f in fields(TestResult)) == _RESULT_FIELDS else TestResult
)

#: Bound on a failure message; the details field holds the long text.
MESSAGE_LIMIT = 4096

#: Distinct time strings remembered per file: reports write milliseconds, so a few thousand values
#: cover most tests, and one shared float per value keeps a million tests small.
_DURATION_CACHE_LIMIT = 20_000


@dataclass
class ParseContext:
    """Per-file state: where the file is, warnings met while reading it, and string interning."""

    source: str  # report path relative to the workspace (posix)
    problems: list[ReportProblem] = field(default_factory=list)
    #: One string object per distinct class name, file, ... (read directly by the JUnit fast path).
    strings: dict[str, str] = field(default_factory=dict)
    #: Parsed durations by their text (see `duration`).
    durations: dict[str, float | None] = field(default_factory=dict)
    _suites: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    _warned_unnamed: bool = False

    def warn(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.problems.append(ReportProblem(self.source, message, line, column, "warning"))

    def share(self, text: str) -> str:
        """One string object per distinct class name, file and so on, instead of one per test."""
        return self.strings.setdefault(text, text)

    def suite(self, path: tuple[str, ...]) -> tuple[str, ...]:
        return self._suites.setdefault(path, path)

    def duration(self, text: str | None) -> float | None:
        """`parse_duration`, remembered per distinct string (fast and memory-light)."""
        if text is None:
            return None
        try:
            return self.durations[text]
        except KeyError:
            value = parse_duration(text)
            if len(self.durations) < _DURATION_CACHE_LIMIT:
                self.durations[text] = value
            return value

    def result(
        self,
        suite: tuple[str, ...],
        classname: str,
        name: str,
        outcome: Outcome,
        duration: float | None = None,
        *,
        file: str | None = None,
        line: int | None = None,
        message: str | None = None,
        details: str | None = None,
        stdout: str | None = None,
        stderr: str | None = None,
        properties: tuple[tuple[str, str], ...] = (),
        tags: tuple[str, ...] = (),
        attachments: tuple[str, ...] = (),
        parameters: str | None = None,
        attempts: tuple[Attempt, ...] = (),
    ) -> TestResult:
        """A `TestResult` read from this file, built the same way by every format.

        The file is made relative to the CI checkout (`locations.checkout_path`), as the JSON
        readers do, so annotations point into the repository on any runner.
        Output of passing tests is dropped (nobody reads it, and a million passing tests must stay
        small); details and output are bounded (`bound_text`); a `TestDetail` is only attached when
        there is something in it.
        """
        if not name and not self._warned_unnamed:
            self._warned_unnamed = True
            self.warn(
                "a test has no name: it is counted, but cannot be mapped to a TestRail case or "
                "matched with its reruns; check the reporter's configuration"
            )
        if outcome is Outcome.PASSED:
            stdout = stderr = None
        detail = None
        if (
            message
            or details
            or stdout
            or stderr
            or properties
            or tags
            or attachments
            or parameters
            or attempts
        ):
            detail = TestDetail(
                message=bound_text(message.strip(), MESSAGE_LIMIT) if message else None,
                details=bound_text(details),
                stdout=bound_text(stdout),
                stderr=bound_text(stderr),
                properties=properties,
                tags=tuple(dict.fromkeys(tags)),
                attachments=tuple(dict.fromkeys(attachments)),
                parameters=parameters,
                attempts=attempts,
            )
        return new_result(
            self.suite(suite),
            self.share(classname),
            name,
            outcome,
            duration,
            self.source,
            self.share(checkout_path(file) or file) if file else None,
            line,
            detail,
        )


#: A parser reads one stream and yields tests as it goes; it raises ReportParseError when the
#: rest of the file cannot be read (tests already yielded are kept).
Parser = Callable[[BinaryIO, ParseContext], Iterator[TestResult]]

_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}
_DURATION = re.compile(r"^\s*([-+]?(?:\d[\d_]*)?(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*([a-z]*)\s*$")


def parse_duration(value: str | None) -> float | None:
    """Seconds from a report's time value; None when missing or meaningless.

    Accepts `1.5`, `1e-3`, `1,5` (decimal comma), `1,234.5` (thousands separator), `12ms`, `3s`.
    Negative, NaN and infinite values are treated as missing rather than crashing the run.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if "," in text:
        text = text.replace(",", "") if "." in text else text.replace(",", ".")
    match = _DURATION.match(text)
    if not match or not match.group(1) or match.group(1) in "+-.":
        return None
    try:
        number = float(match.group(1))
    except ValueError:
        return None
    unit = _DURATION_UNITS.get(match.group(2) or "s")
    if unit is None or not math.isfinite(number) or number < 0:
        return None
    return number * unit


def bound_text(text: str | None, limit: int = OUTPUT_LIMIT) -> str | None:
    """Keep the head and the tail of long output, at most `limit` characters in all (so cutting
    twice changes nothing); None for blank text."""
    if text is None:
        return None
    text = text.strip("\n")
    if not text.strip():
        return None
    if len(text) <= limit:
        return text
    head = text[: limit // 2]
    tail = text[-(limit - len(head) - _MARKER_ROOM) :]
    cut = len(text) - len(head) - len(tail)
    return f"{head}\n… [{cut} characters cut] …\n{tail}"


def first_line(text: str | None, limit: int = 500) -> str | None:
    """A one-line message from a longer text (for formats without a separate message)."""
    if not text:
        return None
    for raw in text.splitlines():
        line = raw.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return None


def parse_line(text: str | None) -> int | None:
    """A positive line number from an attribute, or None."""
    if text and text.isdigit():
        number = int(text)
        return number if number > 0 else None
    return None


class TextBuffer:
    """Text gathered piece by piece (XML character data) in bounded memory: the head and a tail of
    at least `limit` characters are kept, the middle is only counted. `value()` is the text as
    `bound_text` would cut it, at most `limit` characters long."""

    __slots__ = ("_head", "_limit", "_parts", "_size", "_total")

    def __init__(self, limit: int = OUTPUT_LIMIT) -> None:
        self._limit = limit
        self._head: str | None = None
        self._parts: list[str] = []
        self._size = 0
        self._total = 0

    def append(self, text: str) -> None:
        self._parts.append(text)
        self._size += len(text)
        self._total += len(text)
        if self._size > 4 * self._limit:
            text = "".join(self._parts)
            if self._head is None:
                self._head = text[: self._limit // 2]
            tail = text[-self._limit :]
            self._parts = [tail]
            self._size = len(tail)

    def value(self) -> str | None:
        """The bounded text, or None when blank."""
        text = "".join(self._parts)
        if self._head is None:
            return bound_text(text, self._limit)
        tail = text[-(self._limit - len(self._head) - _MARKER_ROOM) :]
        cut = self._total - len(self._head) - len(tail)
        return f"{self._head}\n… [{cut} characters cut] …\n{tail}"


_MARKER_ROOM = 48  # room for the "… [N characters cut] …" line inside the limit
