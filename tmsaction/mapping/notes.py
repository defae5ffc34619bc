"""Problems met while mapping (an unknown case id, a malformed story key, a duplicate title),
grouped by kind so a million tests with the same problem give one line. Pure; no I/O."""

from __future__ import annotations


class Notes:
    """Each kind keeps its first full message and a count."""

    def __init__(self) -> None:
        self._first: dict[str, str] = {}
        self._count: dict[str, int] = {}

    def add(self, kind: str, message: str) -> None:
        if kind not in self._first:
            self._first[kind] = message
        self._count[kind] = self._count.get(kind, 0) + 1

    def lines(self) -> tuple[str, ...]:
        lines = []
        for kind, message in self._first.items():
            more = self._count[kind] - 1
            lines.append(message + (f" (and {more} more like it)" if more else ""))
        return tuple(lines)
