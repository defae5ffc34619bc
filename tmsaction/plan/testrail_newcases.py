"""The cases `testrail_create_cases` creates: one per (section path, title) of a suite, folded as
name matching folds them; the sections on their paths that exist and those to create (parents
first); their fields from `testrail.new_cases`; and the required custom case fields the config
leaves out, reported before anything is created. Pure; no I/O."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from tmsaction.catalog import SuiteCatalog
from tmsaction.config.model import Config, NameOrId
from tmsaction.mapping.model import CaseRef
from tmsaction.mapping.names import clean
from tmsaction.plan.testrail_model import CaseField, NewCase, TestRailFacts
from tmsaction.plan.testrail_target import cut_refs

CASE_REFS_LIMIT = 250  # older servers; newer ones take 2,000
AUTOMATION_FIELDS = ("custom_case_automation_id", "custom_automation_id")

PathKey = tuple[str, ...]


def fold(path: Sequence[str]) -> PathKey:
    """Section names compared as name matching compares them: spaces collapsed, case folded."""
    return tuple(clean(part).casefold() for part in path)


def required_fields_missing(
    fields: Sequence[CaseField], given: Mapping[str, object], filled: set[str]
) -> list[str]:
    """`testrail.new_cases.fields.custom_x (Label, one of 1 = First; 2 = Second)` for every
    required case field that neither the config nor tmsaction (automation id) fills."""
    missing: list[str] = []
    for definition in fields:
        if not definition.required or definition.system_name in filled:
            continue
        if given.get(definition.system_name) not in (None, "", []):
            continue
        hint = definition.label
        if definition.items:
            options = "; ".join(
                f"{key.strip()} = {label.strip()}"
                for key, _, label in (line.partition(",") for line in definition.items.splitlines())
                if key.strip()
            )
            hint += f", one of {options}"
        if definition.default:
            hint += f", TestRail's default is {definition.default}"
        missing.append(f"testrail.new_cases.fields.{definition.system_name} ({hint})")
    return missing


def automation_field(fields: Sequence[CaseField], configured: str) -> str | None:
    """The case field new cases get their automation id in: the configured one, or with `auto`
    the built-in `custom_case_automation_id`, else the older `custom_automation_id`."""
    names = {f.system_name for f in fields}
    wanted = AUTOMATION_FIELDS if configured == "auto" else (configured,)
    return next((name for name in wanted if name in names), None)


@dataclass
class NewCases:
    """One suite's new cases while the plan is built: each case's tests, automation id, refs."""

    suite: SuiteCatalog
    numbers: dict[tuple[PathKey, str], int] = field(default_factory=dict)
    cases: list[NewCase] = field(default_factory=list)
    tests: list[list[int]] = field(default_factory=list)  # test indexes per new case
    automation: list[str | None] = field(default_factory=list)
    refs: list[tuple[str, ...]] = field(default_factory=list)

    def add(self, case: CaseRef, index: int, automation_id: str, stories: tuple[str, ...]) -> int:
        """The number of the new case `case` names, registered on first sight."""
        key = (fold(case.section_path), clean(case.title).casefold())
        number = self.numbers.get(key)
        if number is None:
            number = self.numbers[key] = len(self.cases)
            self.cases.append(NewCase(case.section_path, case.title, {}, 0))
            self.tests.append([])
            self.automation.append(automation_id)
            self.refs.append(())
        self.tests[number].append(index)
        if stories:
            self.refs[number] = tuple(dict.fromkeys((*self.refs[number], *stories)))
        return number

    def sections(self) -> tuple[dict[PathKey, int], tuple[PathKey, ...]]:
        """Existing sections on the new cases' paths (folded path -> id, the oldest of
        duplicates), and the paths to create, parents first, as written."""
        if not self.cases:
            return {}, ()
        existing: dict[PathKey, int] = {}
        children: dict[tuple[int | None, str], int] = {}
        for section in sorted(self.suite.sections, key=lambda s: s.id):
            children.setdefault((section.parent_id, clean(section.name).casefold()), section.id)
        to_create: list[PathKey] = []
        seen: set[PathKey] = set()
        for case in self.cases:
            parent: int | None = None  # None: the suite root
            creating = False  # below a section to create, every section is new too
            for depth in range(1, len(case.section_path) + 1):
                path = case.section_path[:depth]
                key = fold(path)
                if not creating:
                    found = children.get((parent, key[-1]))
                    if found is not None:
                        existing[key] = found
                        parent = found
                        continue
                    creating = True
                if key not in seen:
                    seen.add(key)
                    to_create.append(path)
        return existing, tuple(to_create)

    def with_fields(
        self, config: Config, facts: TestRailFacts, problems: list[str]
    ) -> tuple[tuple[NewCase, ...], str | None]:
        """The cases with their `add_case` fields, or why none can be created."""
        if not self.cases:
            return (), None
        project_id = self.suite.project_id
        new_cases = config.testrail.new_cases
        fields = facts.case_fields.get(project_id, ())
        values: dict[str, object] = {}
        templates = facts.templates.get(project_id, {})
        for key, value, what, resolve in (
            ("type_id", new_cases.type, "type", facts.lookups.case_type_id),
            ("priority_id", new_cases.priority, "priority", facts.lookups.priority_id),
            ("template_id", new_cases.template, "template", templates.get),
        ):
            found = _lookup(value, what, resolve, problems)
            if found is not None:
                values[key] = found
        values.update(new_cases.fields)
        automation = (
            automation_field(fields, config.testrail.automation_id.field)
            if new_cases.automation_id
            else None
        )
        missing = required_fields_missing(fields, values, {automation} if automation else set())
        if missing:
            return (), (
                "TestRail requires case fields that the mapping config does not give, so none of "
                f"the {len(self.cases)} new cases of {self.suite.project_name} › "
                f"{self.suite.suite_name} was created: set {'; '.join(missing)}"
            )
        cases = []
        for number, case in enumerate(self.cases):
            fields_of = dict(values)
            if automation and self.automation[number]:
                fields_of[automation] = self.automation[number]
            if new_cases.refs and self.refs[number]:
                fields_of["refs"] = cut_refs(", ".join(self.refs[number]), CASE_REFS_LIMIT)
            cases.append(NewCase(case.section_path, case.title, fields_of, len(self.tests[number])))
        return tuple(cases), None


def _lookup(
    value: NameOrId | None,
    what: str,
    resolve: Callable[[str], int | None],
    problems: list[str],
) -> int | None:
    """A name or id from the config as an id; an unknown name is a problem (TestRail's default
    is used instead)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if value.strip().isdigit():
        return int(value)
    found = resolve(value.strip().casefold() if what == "template" else value)
    if found is None:
        problem = (
            f"testrail.new_cases.{what}: TestRail has no {what} '{value}'; new cases get "
            f"TestRail's default {what}"
        )
        if problem not in problems:
            problems.append(problem)
        return None
    return int(found)
