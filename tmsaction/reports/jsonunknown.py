"""JSON of no known report shape: a precise per-file problem instead of a guess.

A file that starts like JSON but matches no reader is either broken (then the decoder's line and
column say where) or another tool's JSON picked up by a broad glob (then its top-level keys say
what it is). Pure apart from reading the given stream.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from tmsaction.model import TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.jsontext import load_document

FORMAT = "json-unknown"
#: Larger unknown files are not parsed just to say that they are unknown.
PARSE_LIMIT = 8 << 20
_KNOWN = (
    "Cucumber, behave, Mocha, mochawesome, Jest/Vitest, Playwright, pytest-json-report, RSpec, "
    "Robot Framework, go test -json, Dart/Flutter JSON"
)


def _keys(value: object) -> str:
    if isinstance(value, dict):
        keys = list(value)[:8]
        more = ", …" if len(value) > len(keys) else ""
        return "an object with keys " + ", ".join(repr(key) for key in keys) + more
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    return f"a {type(value).__name__}"


def parse_unknown_json(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Raise the problem that describes this file (a reader that never yields a test)."""
    raise _problem(stream, context)


def _problem(stream: BinaryIO, context: ParseContext) -> ReportParseError:
    head = stream.read(PARSE_LIMIT + 1)
    if len(head) > PARSE_LIMIT:
        return ReportParseError(
            f"a JSON file of no report shape tmsaction reads ({_KNOWN}); narrow the `reports` glob"
        )
    first_line = head.split(b"\n", 1)[0].strip()
    if head.count(b"\n{") >= 1 and first_line.startswith(b"{"):
        try:
            first = json.loads(first_line.decode("utf-8", errors="replace"))
        except json.JSONDecodeError:
            first = None
        if isinstance(first, dict):
            return ReportParseError(
                f"JSON lines (one object per line) of no format tmsaction reads: the first line is "
                f"{_keys(first)} (supported JSON lines: go test -json, Dart/Flutter JSON, "
                "Cucumber Messages); "
                "narrow the `reports` glob or write one of the supported formats"
            )
    stream.seek(0)
    value = load_document(stream, context, f"test report ({_KNOWN})")
    return ReportParseError(
        f"valid JSON, but not a test report tmsaction reads: {_keys(value)} (supported JSON "
        f"reports: {_KNOWN}); narrow the `reports` glob or write one of those formats"
    )
