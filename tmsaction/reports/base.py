"""What every format parser shares: the parser signature, the per-file context and value helpers.

Pure apart from reading the stream it is given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from tmsaction.model import OUTPUT_LIMIT, ReportProblem, TestResult


@dataclass
class ParseContext:
    """Per-file state: where the file is, warnings met while reading it, and string interning."""

    source: str  # report path relative to the workspace (posix)
    problems: list[ReportProblem] = field(default_factory=list)
    _strings: dict[str, str] = field(default_factory=dict)
    _suites: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)

    def warn(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.problems.append(ReportProblem(self.source, message, line, column, "warning"))

    def share(self, text: str) -> str:
        """One string object per distinct class name, file and so on, instead of one per test."""
        return self._strings.setdefault(text, text)

    def suite(self, path: tuple[str, ...]) -> tuple[str, ...]:
        return self._suites.setdefault(path, path)


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
    """Keep the head and the tail of long output; None for blank text."""
    if text is None:
        return None
    text = text.strip("\n")
    if not text.strip():
        return None
    if len(text) <= limit:
        return text
    half = limit // 2
    cut = len(text) - 2 * half
    return f"{text[:half]}\n… [{cut} characters cut] …\n{text[-half:]}"


def first_line(text: str | None, limit: int = 500) -> str | None:
    """A one-line message from a longer text (for formats without a separate message)."""
    if not text:
        return None
    for raw in text.splitlines():
        line = raw.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return None
