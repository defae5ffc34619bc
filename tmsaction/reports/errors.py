"""Parse problems as values: a parser raises `ReportParseError` and `collect` records it per file."""

from __future__ import annotations


class ReportParseError(Exception):
    """The file cannot be read (further); carries the position when the parser knows it."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
