"""Creating the sections and cases `testrail_create_cases` asks for, each exactly once.

- Sections are created parents first, level by level. A create whose answer was lost is checked
  with `find_sections` before it is sent again.
- Two jobs (matrix shards) may create the same section or case at the same moment, and a create
  whose answer was lost may have landed. After each level of sections, and after each section's
  cases, the sink reads what TestRail holds and keeps the lowest id of each (parent, name) or
  (section, title). Later duplicates made since the suite was read (ids above the highest id it
  held then: ids only grow) are deleted, whoever made them: every job keeps the lowest, so none
  is ever used, and none holds a case or result yet. Duplicates a person made are never touched.
- Case fields come from the plan (`testrail.new_cases`); required fields were checked before the
  first create (`plan/testrail.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tmsaction.clients.testrail import TestRailClient, TestRailError
from tmsaction.errors import OutcomeUnknown, SyncError
from tmsaction.http import write_once
from tmsaction.mapping.names import clean
from tmsaction.plan.testrail_model import RunPlan
from tmsaction.plan.testrail_newcases import fold
from tmsaction.sinks.testrail_kinds import is_fatal
from tmsaction.sinks.testrail_outcome import CreatedCase

PathKey = tuple[str, ...]


@dataclass
class CreatedItems:
    """What case creation did for one suite."""

    case_ids: dict[int, int] = field(default_factory=dict)  # new case number -> case id
    cases: list[CreatedCase] = field(default_factory=list)  # created by this job
    sections: list[tuple[str, ...]] = field(default_factory=list)  # created by this job
    failed: dict[int, str] = field(default_factory=dict)  # new case number -> why not created
    fatal: TestRailError | None = None


class CaseMaker:
    def __init__(
        self, client: TestRailClient, plan: RunPlan, *, sleep: Callable[[float], None]
    ) -> None:
        self.client = client
        self.plan = plan
        self.sleep = sleep
        self.made = CreatedItems()
        self.sections: dict[PathKey, int] = dict(plan.sections)
        self.section_errors: dict[PathKey, str] = {}
        self._mine: set[int] = set()  # sections this job created (answers received)

    def run(self) -> CreatedItems:
        try:
            self._sections()
            self._cases()
        except TestRailError as error:
            if not is_fatal(error):
                raise
            self.made.fatal = error
            for number in range(len(self.plan.new_cases)):
                if number not in self.made.case_ids:
                    self.made.failed.setdefault(number, str(error))
        return self.made

    # -- sections ----------------------------------------------------------------------------
    def _sections(self) -> None:
        by_depth: dict[int, list[tuple[str, ...]]] = {}
        for path in self.plan.new_sections:
            by_depth.setdefault(len(path), []).append(path)
        for depth in sorted(by_depth):
            attempted: list[PathKey] = []
            for path in by_depth[depth]:
                key = fold(path)
                parent_key = key[:-1]
                if parent_key in self.section_errors:
                    self.section_errors[key] = self.section_errors[parent_key]
                    continue
                parent = self.sections.get(parent_key) if parent_key else None
                try:
                    section_id, ours = self._add_section(path[-1], parent)
                except (TestRailError, SyncError) as error:
                    if isinstance(error, TestRailError) and is_fatal(error):
                        raise
                    self.section_errors[key] = str(error)
                    continue
                attempted.append(key)
                self.sections[key] = section_id
                if ours:
                    self.made.sections.append(path)
                    self._mine.add(section_id)
            if attempted:
                self._converge_sections(attempted)

    def _add_section(self, name: str, parent: int | None) -> tuple[int, bool]:
        plan = self.plan

        def send() -> tuple[int, bool]:
            section = self.client.add_section(
                plan.project_id, name, suite_id=plan.suite_id, parent_id=parent
            )
            return int(section["id"]), True

        def verify() -> tuple[int, bool] | None:
            found = self.client.find_sections(plan.project_id, plan.suite_id, name, parent)
            return (min(int(s["id"]) for s in found), False) if found else None

        return write_once(send, verify, sleep=self.sleep)

    def _converge_sections(self, keys: list[PathKey]) -> None:
        """Keep the lowest id of each (parent, name) on these paths; delete the fresh others."""
        by_key: dict[tuple[int | None, str], list[int]] = {}
        for section in self.client.get_sections(self.plan.project_id, self.plan.suite_id):
            key = (section.get("parent_id"), clean(section["name"]).casefold())
            by_key.setdefault(key, []).append(int(section["id"]))
        for path_key in keys:
            parent = self.sections.get(path_key[:-1]) if len(path_key) > 1 else None
            ids = sorted(by_key.get((parent, path_key[-1]), [self.sections[path_key]]))
            self.sections[path_key] = ids[0]
            for duplicate in ids[1:]:
                if duplicate > self.plan.max_section_id:
                    self._delete(
                        f"delete_section/{duplicate}", f"the duplicate section {duplicate}"
                    )
                    if duplicate in self._mine:
                        self.made.sections = [p for p in self.made.sections if fold(p) != path_key]

    # -- cases -------------------------------------------------------------------------------
    def _cases(self) -> None:
        by_section: dict[int, list[int]] = {}
        repeated: tuple[str, int] = ("", 0)
        for number, case in enumerate(self.plan.new_cases):
            key = fold(case.section_path)
            if key in self.section_errors:
                self.made.failed[number] = self.section_errors[key]
                continue
            section_id = self.sections.get(key)
            if section_id is None:
                self.made.failed[number] = "its section could not be created"
                continue
            if repeated[1] >= 3:
                # The same refusal three times in a row (a field value, a permission): the
                # rest would be refused too; say it once instead of sending them all.
                self.made.failed[number] = repeated[0]
                continue
            try:
                case_id, ours = self._add_case(section_id, case.title, dict(case.fields))
            except (TestRailError, SyncError) as error:
                if isinstance(error, TestRailError) and is_fatal(error):
                    raise
                message = str(error)
                repeated = (message, repeated[1] + 1 if repeated[0] == message else 1)
                self.made.failed[number] = message
                continue
            repeated = ("", 0)
            self.made.case_ids[number] = case_id
            by_section.setdefault(section_id, []).append(number)
            if ours:
                self.made.cases.append(CreatedCase(case_id, case.title, case.section_path))
        for section_id, numbers in by_section.items():
            self._converge_cases(section_id, numbers)

    def _add_case(self, section_id: int, title: str, fields: dict[str, object]) -> tuple[int, bool]:
        plan = self.plan

        def send() -> tuple[int, bool]:
            return int(self.client.add_case(section_id, {"title": title, **fields})["id"]), True

        def verify() -> tuple[int, bool] | None:
            found = self.client.find_cases(plan.project_id, plan.suite_id, section_id, title)
            return (min(int(c["id"]) for c in found), False) if found else None

        return write_once(send, verify, sleep=self.sleep)

    def _converge_cases(self, section_id: int, numbers: list[int]) -> None:
        """Keep the lowest id of each title in the section; delete the fresh others."""
        by_title: dict[str, list[int]] = {}
        cases = self.client.iter_cases(
            self.plan.project_id, self.plan.suite_id, section_id=section_id
        )
        for case in cases:
            if case["section_id"] == section_id:
                by_title.setdefault(clean(case["title"]).casefold(), []).append(int(case["id"]))
        for number in numbers:
            title = clean(self.plan.new_cases[number].title).casefold()
            ids = sorted(by_title.get(title, [self.made.case_ids[number]]))
            self.made.case_ids[number] = ids[0]
            for duplicate in ids[1:]:
                if duplicate > self.plan.max_case_id:
                    self._delete(f"delete_case/{duplicate}", f"the duplicate case C{duplicate}")
            self.made.cases = [c for c in self.made.cases if c.id not in ids[1:]]

    def _delete(self, endpoint: str, what: str) -> None:
        """Best effort: a duplicate left behind is harmless to results (nobody uses it), and
        another job may have deleted it first."""
        for _ in range(3):
            try:
                self.client.post(endpoint, {}, what=f"deleting {what}")
                return
            except OutcomeUnknown:
                continue
            except TestRailError as error:
                if is_fatal(error):
                    raise
                return
