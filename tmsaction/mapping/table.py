"""`Mappings`: one `TestMapping` per test result, in the same order, stored compactly. Pure.

A million tests go through the dry run within the memory budget (bench/parse.py), so the table
does not keep a million `TestMapping` objects when it does not need to: tests whose mapping only
differs by their own name share one `Pending` entry (a name target without TestRail: one entry per
section, status and whether the titles are the names; an unmatched test: one per destination and
status, its reason worked out when read), and their `TestMapping` is built from the result when
read. Readers that go through every test (the digest, results_json) read the entries' pieces
(`entries()`) rather than materialising; a materialised mapping costs about a microsecond.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, overload

from tmsaction.mapping.model import Route, Strategy, TestMapping
from tmsaction.model import TestResult


class Pending(Protocol):
    """A shared entry completed from each test's own result when read. Everything in `shared` is
    the same for all its tests; each test adds its target case (`target`) or, when unmatched, its
    reason (`reason`). One-pass consumers (the digest, results_json) read these pieces without
    building a `TestMapping` per test; `materialise(result)` is the test's whole mapping."""

    @property
    def shared(self) -> TestMapping:
        """The mapping of every test of this entry, without the per-test part: no `cases`, and
        `reason` only when it is the same for all (a name target's)."""
        ...

    @property
    def route(self) -> Route: ...

    @property
    def matched_by(self) -> Strategy | None: ...

    @property
    def stories(self) -> tuple[str, ...]: ...

    @property
    def status_name(self) -> str | None: ...

    @property
    def has_target(self) -> bool: ...

    @property
    def section(self) -> tuple[str, ...] | None:
        """The section path every test's target is in, when they share one (None: no target,
        or each test's own: see `target`)."""
        ...

    @property
    def titles_are_names(self) -> bool:
        """Every test's target title is its name as written: no need to ask `target`."""
        ...

    def target(self, result: TestResult) -> tuple[tuple[str, ...], str] | None:
        """The (section path, title) a name target looks for; None when unmatched."""
        ...

    def reason(self, result: TestResult) -> str | None:
        """The test's `reason` (a name target's is `shared.reason`; an unmatched test's is its
        own, worked out on each call)."""
        ...

    def materialise(self, result: TestResult) -> TestMapping: ...


class Mappings(Sequence[TestMapping]):
    """Sequence of `TestMapping`, aligned with `results` (same length, same order)."""

    def __init__(
        self, results: Sequence[TestResult], entries: Sequence[TestMapping | Pending]
    ) -> None:
        if len(results) != len(entries):
            raise ValueError("one mapping per test result is needed")
        self._results = results
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def results(self) -> Sequence[TestResult]:
        """The test results, aligned with the mappings."""
        return self._results

    @overload
    def __getitem__(self, index: int) -> TestMapping: ...

    @overload
    def __getitem__(self, index: slice) -> list[TestMapping]: ...

    def __getitem__(self, index: int | slice) -> TestMapping | list[TestMapping]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        entry = self._entries[index]
        if isinstance(entry, TestMapping):
            return entry
        return entry.materialise(self._results[index])

    def __iter__(self) -> Iterator[TestMapping]:
        for entry, result in zip(self._entries, self._results, strict=True):
            yield entry if isinstance(entry, TestMapping) else entry.materialise(result)

    def pairs(self) -> Iterator[tuple[TestResult, TestMapping]]:
        """(result, mapping) for every test, in order."""
        return zip(self._results, iter(self), strict=True)

    def entries(self) -> Iterator[tuple[TestResult, TestMapping | Pending]]:
        """(result, stored entry) for every test: a `TestMapping`, or a shared `Pending`."""
        return zip(self._results, self._entries, strict=True)

    def unmatched_count(self) -> int:
        """Tests with no target case, without building their mappings."""
        count = 0
        for entry in self._entries:
            if isinstance(entry, TestMapping):
                count += not entry.cases
            else:
                count += not entry.has_target
        return count
