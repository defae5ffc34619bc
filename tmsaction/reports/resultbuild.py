"""Building lean `TestResult`s for the JSON and text readers. Pure; no I/O.

The rules every reader follows, in one place: a `TestDetail` only when there is something to put
in it, stdout/stderr of passing tests dropped, long text bounded, ANSI colour codes removed,
repeated strings (suite paths, class names, files) shared through the `ParseContext`.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Iterable, Sequence

from tmsaction.model import OUTPUT_LIMIT, Attempt, Outcome, TestResult
from tmsaction.reports.base import ParseContext, bound_text, first_line
from tmsaction.reports.jsontext import strip_ansi

#: Longest message kept; the full text stays in `details`.
MESSAGE_LIMIT = 4096

# Where the message of an error text ends: a JavaScript/Java stack frame, a Python traceback.
_STACK_START = re.compile(r"^(?:\s+at\s|\tat\s|Traceback \(most recent call last\))", re.M)


def clean(text: object) -> str | None:
    """Report text -> bounded text without colour codes; None for blank or missing values."""
    if text is None:
        return None
    if not isinstance(text, str):
        text = "\n".join(str(part) for part in text) if isinstance(text, list) else str(text)
    return bound_text(strip_ansi(text))


def message_of(text: str | None) -> str | None:
    """A short message: the text itself when short, else its first line."""
    if not text:
        return None
    stripped = text.strip()
    if len(stripped) <= MESSAGE_LIMIT:
        return stripped
    return first_line(stripped, MESSAGE_LIMIT)


def failure_message(text: str | None) -> str | None:
    """The message of an error text: pytest's `E   ` lines, else what comes before the stack."""
    if not text:
        return None
    pytest_lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E   ")]
    if pytest_lines:
        return message_of("\n".join(pytest_lines))
    frame = _STACK_START.search(text)
    head = text[: frame.start()].strip() if frame else text
    return message_of(head) or message_of(text)


def make_result(
    context: ParseContext,
    *,
    suite: Sequence[str],
    classname: str,
    name: str,
    outcome: Outcome,
    duration: float | None = None,
    file: str | None = None,
    line: int | None = None,
    message: str | None = None,
    details: str | None = None,
    stdout: str | None = None,
    stderr: str | None = None,
    properties: Iterable[tuple[str, str]] = (),
    tags: Iterable[str] = (),
    attachments: Iterable[str] = (),
    parameters: str | None = None,
    attempts: Sequence[Attempt] = (),
) -> TestResult:
    """`ParseContext.result` (the one way every reader builds a result) in the JSON readers'
    terms: any iterables, colour codes removed from output, a lone attempt left implicit."""
    keep_output = outcome is not Outcome.PASSED
    return context.result(
        tuple(suite),
        classname,
        name,
        outcome,
        duration,
        file=file,
        line=line,
        message=message,
        details=details,
        stdout=clean(stdout) if keep_output else None,
        stderr=clean(stderr) if keep_output else None,
        properties=tuple(properties),
        tags=tuple(tags),
        attachments=tuple(attachments),
        parameters=parameters,
        attempts=tuple(attempts) if len(attempts) > 1 else (),
    )


def seconds(value: object, scale: float = 1.0) -> float | None:
    """A duration in seconds from a number in the report's unit (`scale` seconds per unit)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return value * scale


class OutputBuffer:
    """Output collected line by line in bounded memory: the head and the tail are kept, as
    `bound_text` would keep them, without ever holding the middle."""

    __slots__ = ("_cut", "_head", "_head_size", "_limit", "_tail", "_tail_size")

    def __init__(self, limit: int = OUTPUT_LIMIT) -> None:
        self._limit = limit // 2
        self._head: list[str] = []
        self._head_size = 0
        self._tail: deque[str] = deque()
        self._tail_size = 0
        self._cut = 0

    def add(self, text: str) -> None:
        if self._head_size < self._limit:
            self._head.append(text)
            self._head_size += len(text)
            return
        self._tail.append(text)
        self._tail_size += len(text)
        while self._tail_size > self._limit and len(self._tail) > 1:
            dropped = self._tail.popleft()
            self._tail_size -= len(dropped)
            self._cut += len(dropped)

    def text(self) -> str | None:
        head = "".join(self._head)
        if self._cut:
            head += f"\n… [{self._cut} characters cut] …\n"
        return bound_text(head + "".join(self._tail))

    def __bool__(self) -> bool:
        return bool(self._head)
