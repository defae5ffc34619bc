"""Shared mapping entries completed from each test when read (see `table.py`): a name target
without TestRail, and an unmatched test whose reason is worked out on demand. Pure; no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tmsaction.mapping.model import CaseRef, Route, Strategy, TestMapping
from tmsaction.mapping.names import Namer
from tmsaction.mapping.routes import Destination
from tmsaction.model import TestResult

if TYPE_CHECKING:
    from tmsaction.mapping.mapper import Mapper


@dataclass(frozen=True, eq=False)
class NameTarget:
    """Pending: a name-matching target without TestRail (section and title from the test on read).

    `shared` is every test's mapping but its case: route, strategy, stories, status and reason."""

    namer: Namer
    shared: TestMapping

    has_target = True

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
        return self.namer.placed(result)

    def reason(self, result: TestResult) -> str | None:
        return self.shared.reason

    def materialise(self, result: TestResult) -> TestMapping:
        shared = self.shared
        path, title = self.namer.placed(result)
        # Positional: the contract's field order, as in the mapper's hot path.
        return TestMapping(
            shared.route,
            (CaseRef(None, path, title),),
            shared.matched_by,
            shared.stories,
            shared.status_id,
            shared.status,
            shared.comment,
            shared.reason,
        )


@dataclass(frozen=True, eq=False)
class Unmatched:
    """Pending: a test no strategy matched; the reason is worked out from the test on read.

    `shared` is every test's mapping but its reason: route, stories and status, no case."""

    mapper: Mapper
    destination: Destination
    shared: TestMapping

    has_target = False

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
