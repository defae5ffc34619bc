"""TestRail calls about what exists: users, projects, suites, sections, cases and reference data
(fields, statuses, case types, priorities, templates, configurations, milestones)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, cast

from tmsaction.clients.testrail_errors import TestRailError
from tmsaction.clients.testrail_transport import TestRailTransport, without_none
from tmsaction.clients.testrail_types import (
    Case,
    CaseType,
    ConfigGroup,
    CustomField,
    Milestone,
    Priority,
    Project,
    Section,
    Status,
    Suite,
    Template,
    User,
)


class CatalogCalls(TestRailTransport):
    """Typed reads and writes of the catalogue."""

    # -- users ------------------------------------------------------------------------------------
    def get_current_user(self) -> User:
        """The signed-in user; falls back to get_user_by_email on servers before 6.6."""
        try:
            return cast(User, self.get("get_current_user", what="reading the current user"))
        except TestRailError as error:
            if error.kind != "endpoint_missing":
                raise
        return self.get_user_by_email(self.user)

    def get_user_by_email(self, email: str) -> User:
        return cast(User, self.get("get_user_by_email", {"email": email}, what="finding a user"))

    def get_users(self, project_id: int | None = None) -> list[User]:
        endpoint = f"get_users/{project_id}" if project_id else "get_users"
        return cast(list[User], list(self.paginate(endpoint, "users", what="listing users")))

    # -- projects and suites ----------------------------------------------------------------------
    def get_projects(self, *, is_completed: bool | None = None) -> list[Project]:
        items = self.paginate(
            "get_projects", "projects", {"is_completed": is_completed}, what="listing projects"
        )
        return cast(list[Project], list(items))

    def get_project(self, project_id: int) -> Project:
        return cast(
            Project,
            self.get(
                f"get_project/{project_id}",
                what=f"reading project {project_id}",
                subject={"project": project_id},
            ),
        )

    def get_suites(self, project_id: int) -> list[Suite]:
        """An envelope since 9.3.1, a bare array before (§2): both are read."""
        items = self.paginate(
            f"get_suites/{project_id}",
            "suites",
            what=f"listing the suites of project {project_id}",
            subject={"project": project_id},
        )
        return cast(list[Suite], list(items))

    def get_suite(self, suite_id: int) -> Suite:
        return cast(
            Suite,
            self.get(
                f"get_suite/{suite_id}",
                what=f"reading suite {suite_id}",
                subject={"suite": suite_id},
            ),
        )

    def add_suite(self, project_id: int, name: str, description: str | None = None) -> Suite:
        body = {"name": name, "description": description}
        return cast(
            Suite,
            self.post(
                f"add_suite/{project_id}",
                without_none(body),
                what=f"creating suite '{name}'",
                subject={"project": project_id},
            ),
        )

    # -- sections ---------------------------------------------------------------------------------
    def get_sections(self, project_id: int, suite_id: int | None = None) -> list[Section]:
        items = self.paginate(
            f"get_sections/{project_id}",
            "sections",
            {"suite_id": suite_id},
            what=f"listing the sections of suite {suite_id or '(single)'}",
            subject={"project": project_id, "suite": suite_id},
        )
        return cast(list[Section], list(items))

    def add_section(
        self,
        project_id: int,
        name: str,
        *,
        suite_id: int | None = None,
        parent_id: int | None = None,
        description: str | None = None,
    ) -> Section:
        body = {
            "name": name,
            "suite_id": suite_id,
            "parent_id": parent_id,
            "description": description,
        }
        return cast(
            Section,
            self.post(
                f"add_section/{project_id}",
                without_none(body),
                what=f"creating section '{name}'",
                subject={"project": project_id, "suite": suite_id},
            ),
        )

    def find_sections(
        self, project_id: int, suite_id: int | None, name: str, parent_id: int | None
    ) -> list[Section]:
        """Sections with this name under this parent: the read-back after a lost `add_section`."""
        return [
            s
            for s in self.get_sections(project_id, suite_id)
            if s["name"] == name and s.get("parent_id") == parent_id
        ]

    # -- cases ------------------------------------------------------------------------------------
    def iter_cases(
        self, project_id: int, suite_id: int | None = None, **filters: object
    ) -> Iterator[Case]:
        """Cases page by page; filters as TestRail names them (`section_id`, `type_id`, ...)."""
        items = self.paginate(
            f"get_cases/{project_id}",
            "cases",
            {"suite_id": suite_id, **filters},
            what=f"listing the cases of suite {suite_id or '(single)'}",
            subject={"project": project_id, "suite": suite_id},
        )
        return cast(Iterator[Case], items)

    def get_cases(
        self, project_id: int, suite_id: int | None = None, **filters: object
    ) -> list[Case]:
        return list(self.iter_cases(project_id, suite_id, **filters))

    def get_case(self, case_id: int) -> Case:
        return cast(
            Case,
            self.get(
                f"get_case/{case_id}", what=f"reading case C{case_id}", subject={"case_id": case_id}
            ),
        )

    def add_case(self, section_id: int, fields: Mapping[str, Any]) -> Case:
        """`fields` holds `title` and any of `type_id`, `refs`, `custom_*` (§3.4)."""
        return cast(
            Case,
            self.post(
                f"add_case/{section_id}",
                dict(fields),
                what=f"creating case '{fields.get('title', '')}'",
                subject={"section_id": section_id},
            ),
        )

    def update_case(self, case_id: int, fields: Mapping[str, Any]) -> Case:
        return cast(
            Case,
            self.post(
                f"update_case/{case_id}",
                dict(fields),
                what=f"updating case C{case_id}",
                subject={"case_id": case_id},
                idempotent=True,  # the same values sent twice leave the same case
            ),
        )

    def find_cases(
        self, project_id: int, suite_id: int | None, section_id: int, title: str
    ) -> list[Case]:
        """Cases with exactly this title in this section: the read-back after a lost `add_case`."""
        return [
            c
            for c in self.iter_cases(project_id, suite_id, section_id=section_id, filter=title)
            if c["title"] == title and c["section_id"] == section_id
        ]

    # -- reference data ---------------------------------------------------------------------------
    def get_case_fields(self) -> list[CustomField]:
        return cast(list[CustomField], self.get("get_case_fields", what="reading case fields"))

    def get_result_fields(self) -> list[CustomField]:
        return cast(list[CustomField], self.get("get_result_fields", what="reading result fields"))

    def get_statuses(self) -> list[Status]:
        return cast(list[Status], self.get("get_statuses", what="reading statuses"))

    def get_case_types(self) -> list[CaseType]:
        return cast(list[CaseType], self.get("get_case_types", what="reading case types"))

    def get_priorities(self) -> list[Priority]:
        return cast(list[Priority], self.get("get_priorities", what="reading priorities"))

    def get_templates(self, project_id: int) -> list[Template]:
        return cast(
            list[Template],
            self.get(
                f"get_templates/{project_id}",
                what="reading templates",
                subject={"project": project_id},
            ),
        )

    def get_configs(self, project_id: int) -> list[ConfigGroup]:
        return cast(
            list[ConfigGroup],
            self.get(
                f"get_configs/{project_id}",
                what="reading configurations",
                subject={"project": project_id},
            ),
        )

    def get_milestones(
        self, project_id: int, *, is_completed: bool | None = None
    ) -> list[Milestone]:
        items = self.paginate(
            f"get_milestones/{project_id}",
            "milestones",
            {"is_completed": is_completed},
            what="listing milestones",
            subject={"project": project_id},
        )
        return cast(list[Milestone], list(items))
