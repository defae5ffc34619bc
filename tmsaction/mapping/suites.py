"""One route's TestRail suite as the mapping sees it: its case ids, refs and the indexes (names,
automation ids) built on first use. Pure; no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from tmsaction.catalog import Case, SuiteCatalog
from tmsaction.mapping.automation import automation_index
from tmsaction.mapping.model import CaseRef
from tmsaction.mapping.names import NameIndex, Namer, section_paths


@dataclass
class SuiteTarget:
    """One route's TestRail suite, with its indexes built on first use."""

    suite: SuiteCatalog
    label: str
    ids: frozenset[int]
    refs: dict[int, tuple[str, ...]]
    _paths: dict[int, tuple[str, ...]] | None = None
    _by_id: dict[int, Case] = field(default_factory=dict)
    _cases: dict[int, tuple[CaseRef]] = field(default_factory=dict)
    _names: dict[bool, NameIndex] = field(default_factory=dict)
    _automation: dict[str, list[int]] | None = None

    @staticmethod
    def of(suite: SuiteCatalog) -> SuiteTarget:
        return SuiteTarget(
            suite=suite,
            label=f"{suite.project_name} › {suite.suite_name}",
            ids=frozenset(case.id for case in suite.cases),
            refs={case.id: case.refs for case in suite.cases if case.refs},
        )

    def case(self, case_id: int) -> tuple[CaseRef]:
        """The one-case tuple for `case_id`, with section path and title; shared by its tests."""
        found = self._cases.get(case_id)
        if found is None:
            if self._paths is None:
                self._paths = section_paths(self.suite)
                self._by_id = {case.id: case for case in self.suite.cases}
            case = self._by_id[case_id]
            found = (CaseRef(case_id, self._paths.get(case.section_id, ()), case.title),)
            self._cases[case_id] = found
        return found

    def names(self, namer: Namer) -> NameIndex:
        """The name index under `namer`'s folding (case-sensitive or not), built once."""
        sensitive = namer.rules.case_sensitive
        index = self._names.get(sensitive)
        if index is None:
            index = self._names[sensitive] = NameIndex.build(self.suite, namer)
        return index

    def automation(self, field_name: str) -> dict[str, list[int]]:
        if self._automation is None:
            self._automation = automation_index(self.suite, field_name)
        return self._automation
