"""What tmsaction knows of TestRail before planning: suites, sections and cases (a read-only
snapshot taken by the TestRail client, or built by hand in tests). Pure values; no I/O.

Mapping (automation id and name matching), planning and coverage all read this; none of them
talk to TestRail themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True, slots=True)
class Section:
    id: int
    suite_id: int | None
    name: str
    parent_id: int | None = None
    depth: int = 0


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    title: str
    section_id: int
    suite_id: int | None = None
    type_id: int | None = None
    priority_id: int | None = None
    refs: tuple[str, ...] = ()  # story keys from the case's `refs` field, split and trimmed
    automation_id: str | None = None  # custom_automation_id / custom_case_automation_id, unwrapped
    fields: Mapping[str, object] = field(default_factory=dict)  # other custom_* values


@dataclass(frozen=True)
class SuiteCatalog:
    """One suite of one project, with every section and case in it."""

    project_id: int
    project_name: str
    suite_id: int | None  # None only for single-suite projects whose suite was not read
    suite_name: str
    sections: tuple[Section, ...] = ()
    cases: tuple[Case, ...] = ()

    @cached_property
    def sections_by_id(self) -> dict[int, Section]:
        return {s.id: s for s in self.sections}

    def section_path(self, section_id: int) -> tuple[str, ...]:
        """Names from the root section down to `section_id`."""
        path: list[str] = []
        seen: set[int] = set()
        current = self.sections_by_id.get(section_id)
        while current is not None and current.id not in seen:
            seen.add(current.id)
            path.append(current.name)
            current = self.sections_by_id.get(current.parent_id) if current.parent_id else None
        return tuple(reversed(path))


@dataclass(frozen=True)
class CaseCatalog:
    """Every suite the run's routes touch."""

    suites: tuple[SuiteCatalog, ...] = ()

    def suite(self, project: str | int | None, suite: str | int | None) -> SuiteCatalog | None:
        """The suite matching a route, by id or (case-insensitive) name; None when unknown."""
        for candidate in self.suites:
            if (
                project is not None
                and str(project) not in (str(candidate.project_id), candidate.project_name)
                and str(project).casefold() != candidate.project_name.casefold()
            ):
                continue
            if (
                suite is None
                or str(suite) == str(candidate.suite_id)
                or (str(suite).casefold() == candidate.suite_name.casefold())
            ):
                return candidate
        return None
