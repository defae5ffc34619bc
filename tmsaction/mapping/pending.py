"""Shared mapping entries completed from each test when read (see `table.py`): a name target
without TestRail, and an unmatched test whose reason is worked out on demand; `SharedEntries`
builds each once. Pure; no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tmsaction.mapping.model import CaseRef, Route, Strategy, TestMapping
from tmsaction.mapping.names import Namer
from tmsaction.mapping.outcomes import ResolvedStatus
from tmsaction.mapping.routes import Destination
from tmsaction.model import TestResult

if TYPE_CHECKING:
    from tmsaction.mapping.mapper import Mapper


@dataclass(frozen=True, eq=False, slots=True)
class NameTarget:
    """Pending: name-matching targets without TestRail in one section (`path`, under the root).

    `shared` is every test's mapping but its case: route, strategy, stories, status and reason.
    The mapper works each test's title out once, to choose its entry: with `titles_are_names`,
    every title is the test's name as written (the common case, nothing to strip or clean), so
    later readers take the name; otherwise they work the title out again, which keeps memory
    flat (no title string kept per test)."""

    namer: Namer
    shared: TestMapping
    path: tuple[str, ...]
    titles_are_names: bool

    has_target = True

    @property
    def section(self) -> tuple[str, ...]:
        return self.path

    @property
    def route(self) -> Route:
        return self.shared.route

    @property
    def matched_by(self) -> Strategy | None:
        return self.shared.matched_by

    @property
    def stories(self) -> tuple[str, ...]:
        return self.shared.stories

    @property
    def status_name(self) -> str | None:
        return self.shared.status

    def target(self, result: TestResult) -> tuple[tuple[str, ...], str]:
        if self.titles_are_names:
            return self.path, result.name
        return self.path, self.namer.title_of(result)

    def reason(self, result: TestResult) -> str | None:
        return self.shared.reason

    def materialise(self, result: TestResult) -> TestMapping:
        shared = self.shared
        title = result.name if self.titles_are_names else self.namer.title_of(result)
        # Positional: the contract's field order, as in the mapper's hot path.
        return TestMapping(
            shared.route,
            (CaseRef(None, self.path, title),),
            shared.matched_by,
            shared.stories,
            shared.status_id,
            shared.status,
            shared.comment,
            shared.reason,
        )


@dataclass(frozen=True, eq=False, slots=True)
class Unmatched:
    """Pending: a test no strategy matched; the reason is worked out from the test on read.

    `shared` is every test's mapping but its reason: route, stories and status, no case."""

    mapper: Mapper
    destination: Destination
    shared: TestMapping

    has_target = False
    section = None
    titles_are_names = False

    @property
    def route(self) -> Route:
        return self.shared.route

    @property
    def matched_by(self) -> Strategy | None:
        return None

    @property
    def stories(self) -> tuple[str, ...]:
        return self.shared.stories

    @property
    def status_name(self) -> str | None:
        return self.shared.status

    def target(self, result: TestResult) -> tuple[tuple[str, ...], str] | None:
        return None

    def reason(self, result: TestResult) -> str | None:
        return self.mapper.explain(result, self.destination)

    def materialise(self, result: TestResult) -> TestMapping:
        shared = self.shared
        return TestMapping(
            route=shared.route,
            stories=shared.stories,
            status_id=shared.status_id,
            status=shared.status,
            reason=self.reason(result),
        )


class SharedEntries:
    """The shared entries of one mapping run, each built once: a `NameTarget` per destination,
    stories, status, section and whether titles are names; an `Unmatched` per destination,
    stories and status. A pathological run with more than 100,000 of either starts its cache
    afresh (equal entries are then different objects, which readers allow)."""

    def __init__(self, mapper: Mapper, name_reason: str) -> None:
        self._mapper = mapper
        self._name_reason = name_reason  # why a name target is only a section and a title
        self._name_targets: dict[tuple[object, ...], NameTarget] = {}
        self._unmatched: dict[tuple[object, ...], Unmatched] = {}
        # A run has tens of thousands of sections but few routes, stories and statuses: the
        # name targets of all sections share their `shared` mapping.
        self._shared: dict[tuple[object, ...], TestMapping] = {}

    def name_target(
        self,
        destination: Destination,
        namer: Namer,
        stories: tuple[str, ...],
        status: ResolvedStatus,
        *,
        path: tuple[str, ...],
        titles_are_names: bool,
    ) -> NameTarget:
        key = (destination, stories, status, path, titles_are_names)
        entry = self._name_targets.get(key)
        if entry is None:
            of = (destination, stories, status)
            shared = self._shared.get(of)
            if shared is None:
                if len(self._shared) > 100_000:
                    self._shared.clear()
                shared = self._shared[of] = TestMapping(
                    destination.route,
                    (),
                    Strategy.NAME,
                    stories,
                    status.id,
                    status.name,
                    None,
                    self._name_reason,
                )
            entry = NameTarget(namer, shared, path, titles_are_names)
            if len(self._name_targets) > 100_000:
                self._name_targets.clear()
            self._name_targets[key] = entry
        return entry

    def unmatched(
        self, destination: Destination, stories: tuple[str, ...], status: ResolvedStatus
    ) -> Unmatched:
        key = (destination, stories, status)
        entry = self._unmatched.get(key)
        if entry is None:
            shared = TestMapping(destination.route, (), None, stories, status.id, status.name)
            entry = Unmatched(self._mapper, destination, shared)
            if len(self._unmatched) > 100_000:
                self._unmatched.clear()
            self._unmatched[key] = entry
        return entry
