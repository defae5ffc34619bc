"""Shared mapping entries completed from each test when read (see `table.py`): a name target
without TestRail, and an unmatched test whose reason is worked out on demand. Pure; no I/O."""

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


@dataclass(frozen=True, eq=False)
class NameTarget:
    """Pending: a name-matching target without TestRail (title built from the test on read)."""

    mapper: Mapper
    destination: Destination
    stories: tuple[str, ...]
    status: ResolvedStatus
    reason: str
    has_target: bool = True
    matched_by: Strategy | None = Strategy.NAME

    @property
    def route(self) -> Route:
        return self.destination.route

    @property
    def status_name(self) -> str | None:
        return self.status.name

    def target(self, result: TestResult) -> tuple[tuple[str, ...], str]:
        section, title = self.namer.place(result)
        root = self.destination.root
        return (root + section if root else section), title

    @property
    def namer(self) -> Namer:
        return self.mapper.namer_for(self.destination)

    def materialise(self, result: TestResult) -> TestMapping:
        path, title = self.target(result)
        return TestMapping(
            route=self.destination.route,
            cases=(CaseRef(None, path, title),),
            matched_by=Strategy.NAME,
            stories=self.stories,
            status_id=self.status.id,
            status=self.status.name,
            reason=self.reason,
        )


@dataclass(frozen=True, eq=False)
class Unmatched:
    """Pending: a test no strategy matched; the reason is worked out from the test on read."""

    mapper: Mapper
    destination: Destination
    stories: tuple[str, ...]
    status: ResolvedStatus
    has_target: bool = False
    matched_by: Strategy | None = None

    @property
    def route(self) -> Route:
        return self.destination.route

    @property
    def status_name(self) -> str | None:
        return self.status.name

    def target(self, result: TestResult) -> tuple[tuple[str, ...], str] | None:
        return None

    def materialise(self, result: TestResult) -> TestMapping:
        return TestMapping(
            route=self.destination.route,
            stories=self.stories,
            status_id=self.status.id,
            status=self.status.name,
            reason=self.mapper.explain(result, self.destination),
        )
