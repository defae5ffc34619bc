"""The pinned table (`testrail.pinned`): test identity -> case ids. Pure; no I/O.

A test's identity is `classname.name` (or `suite.name` when a report has no class, or the bare
name). Entries are tried in table order and the first that matches wins: exact entries are one
dict lookup, and only glob and regex entries written before that exact entry are tried first.
"""

from __future__ import annotations

from tmsaction.config.model import PinKind, PinnedRule
from tmsaction.model import TestResult


def identity_text(result: TestResult) -> str:
    """`com.acme.CartTest.addsItem`, as pinned entries and the default automation id read it."""
    if result.classname:
        return f"{result.classname}.{result.name}"
    if result.suite:
        return ".".join((*result.suite, result.name))
    return result.name


class PinTable:
    def __init__(self, pins: tuple[PinnedRule, ...]) -> None:
        self._exact: dict[str, PinnedRule] = {}
        for pin in pins:
            if pin.kind is PinKind.EXACT:
                self._exact.setdefault(pin.pattern, pin)
        self._patterns = tuple(pin for pin in pins if pin.kind is not PinKind.EXACT)
        self.empty = not pins

    def lookup(self, identity: str) -> PinnedRule | None:
        if self.empty:
            return None
        exact = self._exact.get(identity)
        limit = exact.index if exact else None
        for pin in self._patterns:
            if limit is not None and pin.index > limit:
                break
            assert pin.regex is not None
            if pin.regex.fullmatch(identity):
                return pin
        return exact
