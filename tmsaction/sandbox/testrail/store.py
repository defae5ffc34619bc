"""The TestRail emulator's catalogue state: global auto-increment ids, users and credentials,
projects, suites, sections, custom fields, statuses, templates, milestones and configurations.
Test double; no I/O.

Records are the JSON TestRail returns, minus computed keys (`url`, counts); keys starting with `_`
are internal and never rendered. Seeding helpers (`add_project`, `add_section`, ...) skip API
validation: tests and the demo build worlds with them; the endpoints validate, then call them.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable

from tmsaction.sandbox.testrail.defaults import (
    AI_TEMPLATE,
    DEFAULT_TEMPLATE,
    ROLES,
    TEMPLATES,
    TEXT,
    install_defaults,
)
from tmsaction.sandbox.testrail.wire import Record


def public(record: Record) -> Record:
    return {key: value for key, value in record.items() if not key.startswith("_")}


class Store:
    """The catalogue half of one emulated TestRail instance (`World` adds runs and results)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.base_url = "http://127.0.0.1"  # set from the Host header of each request
        self.rich_text = False  # Text fields come back HTML-escaped in <p>…</p> (rich editor)
        self.timespan_style = "classic"  # or "new": `1min 30sec` (newer Cloud, §3.11)
        self.suites_as_array = False  # get_suites before 9.3.1 answered a bare array (§2)
        self.elapsed_required = False  # an admin made the built-in elapsed field required (§3.5)
        self.attachment_max_bytes = 256 * 1024 * 1024  # §3.12
        self.ai_template = False  # the "AI Evaluation" template trcli looks for (rule 13, §4.1)
        self._next_ids: dict[str, itertools.count[int]] = {}
        self._floor: dict[str, int] = {}
        self.users: dict[int, Record] = {}
        self.projects: dict[int, Record] = {}
        self.suites: dict[int, Record] = {}
        self.sections: dict[int, Record] = {}
        self.cases: dict[int, Record] = {}
        self.section_sizes: dict[int, int] = {}  # cases ever added per section
        self.milestones: dict[int, Record] = {}
        self.runs: dict[int, Record] = {}
        self.tests: dict[int, Record] = {}
        self.results: dict[int, Record] = {}
        self.plans: dict[int, Record] = {}
        self.entries: dict[str, Record] = {}
        self.config_groups: dict[int, Record] = {}
        self.configs: dict[int, Record] = {}
        self.attachments: dict[int, Record] = {}
        self.attachment_data: dict[int, bytes] = {}
        self.case_fields: list[Record] = []
        self.result_fields: list[Record] = []
        self.statuses: dict[int, Record] = {}
        self.run_tests: dict[int, dict[int, int]] = {}  # run id -> case id -> test id
        self.test_results: dict[int, list[int]] = {}  # test id -> result ids, oldest first
        self.run_results: dict[int, list[int]] = {}  # run id -> result ids, oldest first
        self._fields_cache: dict[tuple[str, int], list[Record]] = {}
        install_defaults(self)

    # -- ids ---------------------------------------------------------------------------------------

    def new_id(self, kind: str, wanted: int | None = None) -> int:
        """Ids are global per entity type and only grow (§6: "global per entity type")."""
        floor = self._floor.get(kind, 0)
        if wanted is not None:
            if wanted <= 0:
                raise ValueError(f"{kind} id must be positive")
            self._floor[kind] = max(floor, wanted)
            return wanted
        self._floor[kind] = floor + 1
        return floor + 1

    def now(self) -> int:
        return int(self.clock())

    # -- defaults ----------------------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        email: str,
        *,
        api_key: str | None = None,
        password: str | None = None,
        role: str = "Lead",
        is_admin: bool = True,
        is_active: bool = True,
        project_ids: Iterable[int] | None = None,
        id: int | None = None,
    ) -> Record:
        """`project_ids` restricts which projects the user can see (None: all)."""
        role_id = next((rid for rid, rname in ROLES.items() if rname == role), 3)
        user_id = self.new_id("user", id)
        user = {
            "id": user_id,
            "name": name,
            "email": email,
            "is_active": is_active,
            "role_id": role_id,
            "role": role,
            "_admin": is_admin,
            "_password": password,
            "_api_keys": {api_key} if api_key else set(),
            "_projects": None if project_ids is None else set(project_ids),
        }
        self.users[user_id] = user
        return user

    def authenticate(self, email: str, secret: str) -> Record | None:
        """§1.3: Basic auth with the login email and either the password or an API key."""
        for user in self.users.values():
            if user["email"].casefold() != email.casefold() or not user["is_active"]:
                continue
            if secret and (secret == user["_password"] or secret in user["_api_keys"]):
                return user
        return None

    def user_by_email(self, email: str) -> Record | None:
        return next(
            (u for u in self.users.values() if u["email"].casefold() == email.casefold()), None
        )

    @staticmethod
    def can_see(user: Record, project_id: int) -> bool:
        allowed = user["_projects"]
        return allowed is None or project_id in allowed

    # -- projects and suites -------------------------------------------------------------------------
    def add_project(
        self,
        name: str,
        *,
        suite_mode: int = 1,
        announcement: str | None = None,
        is_completed: bool = False,
        id: int | None = None,
    ) -> Record:
        """Modes 1 and 2 get their master suite at once, as TestRail creates it (§3.1)."""
        project_id = self.new_id("project", id)
        project = {
            "id": project_id,
            "name": name,
            "announcement": announcement,
            "show_announcement": announcement is not None,
            "is_completed": is_completed,
            "completed_on": self.now() if is_completed else None,
            "suite_mode": suite_mode,
            "default_role_id": 3,
            "default_role": "Tester",
        }
        self.projects[project_id] = project
        if suite_mode in (1, 2):
            self.add_suite(project_id, "Master", is_master=True)
        return project

    def add_suite(
        self,
        project_id: int,
        name: str,
        *,
        description: str | None = None,
        is_master: bool = False,
        is_baseline: bool = False,
        id: int | None = None,
    ) -> Record:
        suite_id = self.new_id("suite", id)
        suite = {
            "id": suite_id,
            "name": name,
            "description": description,
            "project_id": project_id,
            "is_master": is_master,
            "is_baseline": is_baseline,
            "is_completed": False,
            "completed_on": None,
        }
        self.suites[suite_id] = suite
        return suite

    def project_suites(self, project_id: int) -> list[Record]:
        return [s for s in self.suites.values() if s["project_id"] == project_id]

    # -- sections ----------------------------------------------------------------------------------
    def add_section(
        self,
        suite_id: int,
        name: str,
        *,
        parent_id: int | None = None,
        description: str | None = None,
        id: int | None = None,
    ) -> Record:
        """Names need not be unique, even among siblings (§3.3)."""
        section_id = self.new_id("section", id)
        self.sections[section_id] = {
            "id": section_id,
            "suite_id": suite_id,
            "name": name,
            "description": description,
            "parent_id": parent_id,
            "display_order": 0,
            "depth": 0,
            "_seq": section_id,
        }
        self.renumber_sections(suite_id)
        return self.sections[section_id]

    def renumber_sections(self, suite_id: int) -> None:
        """`display_order` is the pre-order position in the suite's whole tree; `depth` 0 at roots."""
        members = [s for s in self.sections.values() if s["suite_id"] == suite_id]
        children: dict[int | None, list[Record]] = {}
        for section in sorted(members, key=lambda s: s["_seq"]):
            children.setdefault(section["parent_id"], []).append(section)
        order = itertools.count(1)

        def walk(parent: int | None, depth: int) -> None:
            for section in children.get(parent, []):
                section["display_order"] = next(order)
                section["depth"] = depth
                walk(section["id"], depth + 1)

        walk(None, 0)

    def suite_sections(self, suite_id: int) -> list[Record]:
        members = [s for s in self.sections.values() if s["suite_id"] == suite_id]
        return sorted(members, key=lambda s: s["display_order"])

    def section_subtree(self, section_id: int) -> set[int]:
        found = {section_id}
        changed = True
        while changed:
            changed = False
            for section in self.sections.values():
                if section["parent_id"] in found and section["id"] not in found:
                    found.add(section["id"])
                    changed = True
        return found

    # -- fields ------------------------------------------------------------------------------------
    def add_case_field(
        self,
        name: str,
        type_id: int,
        label: str,
        *,
        required: bool = False,
        project_ids: Iterable[int] | None = None,
        default: str = "",
        items: str | None = None,
        is_active: bool = True,
    ) -> Record:
        """A custom case field; `project_ids` None makes it global (§3.5 contexts)."""
        return self._add_field(
            self.case_fields, "case_field", name, type_id, label, required=required,
            project_ids=project_ids, default=default, items=items, is_active=is_active,
        )  # fmt: skip

    def add_result_field(
        self,
        name: str,
        type_id: int,
        label: str,
        *,
        required: bool = False,
        project_ids: Iterable[int] | None = None,
        default: str = "",
        items: str | None = None,
        is_active: bool = True,
    ) -> Record:
        return self._add_field(
            self.result_fields, "result_field", name, type_id, label, required=required,
            project_ids=project_ids, default=default, items=items, is_active=is_active,
        )  # fmt: skip

    def _add_field(
        self,
        into: list[Record],
        kind: str,
        name: str,
        type_id: int,
        label: str,
        *,
        required: bool,
        project_ids: Iterable[int] | None,
        default: str,
        items: str | None,
        is_active: bool,
    ) -> Record:
        field_id = self.new_id(kind)
        options: Record = {
            "default_value": default,
            "format": "markdown" if type_id == TEXT else None,
            "is_required": required,
        }
        if items is not None:
            options["items"] = items
        options = {k: v for k, v in options.items() if v is not None}
        scoped = None if project_ids is None else sorted(project_ids)
        definition = {
            "id": field_id,
            "is_active": is_active,
            "type_id": type_id,
            "name": name,
            "system_name": f"custom_{name}",
            "label": label,
            "description": None,
            "display_order": len(into) + 1,
            "include_all": True,
            "template_ids": [],
            "configs": [
                {
                    "id": str(uuid.UUID(int=field_id)),
                    "context": {"is_global": scoped is None, "project_ids": scoped},
                    "options": options,
                }
            ],
        }
        into.append(definition)
        self._fields_cache.clear()
        return definition

    def fields_for(self, kind: str, project_id: int) -> list[Record]:
        """Active fields that apply to the project: a global config or the project in its ids."""
        key = (kind, project_id)
        if key not in self._fields_cache:
            source = self.case_fields if kind == "case" else self.result_fields
            self._fields_cache[key] = [
                field
                for field in source
                if field["is_active"]
                and any(
                    c["context"]["is_global"] or project_id in (c["context"]["project_ids"] or [])
                    for c in field["configs"]
                )
            ]
        return self._fields_cache[key]

    @staticmethod
    def field_options(field: Record, project_id: int) -> Record:
        for config in field["configs"]:
            context = config["context"]
            if context["is_global"] or project_id in (context["project_ids"] or []):
                options: Record = config["options"]
                return options
        return {}

    def templates(self) -> list[Record]:
        """§3.13; the AI Evaluation template only when enabled (trcli finds it by i18n id)."""
        found = [
            {
                "id": index,
                "name": name,
                "is_default": index == DEFAULT_TEMPLATE,
                "i18n_custom_id": key,
            }
            for index, (name, key) in enumerate(TEMPLATES, start=1)
        ]
        if self.ai_template:
            found.append(
                {
                    "id": AI_TEMPLATE,
                    "name": "AI Evaluation",
                    "is_default": False,
                    "i18n_custom_id": "templates_ai_evaluation",
                }
            )
        return found

    def enable_custom_status(self, index: int, label: str, *, is_final: bool = False) -> Record:
        """Custom statuses 6..12 (`custom_status1..7`) become valid once enabled (§3.10)."""
        status = self.statuses[5 + index]
        status.update(label=label, is_final=is_final, _active=True)
        return status

    def active_statuses(self) -> list[Record]:
        return [s for s in self.statuses.values() if s["_active"]]

    # -- cases -------------------------------------------------------------------------------------

    def add_milestone(
        self,
        project_id: int,
        name: str,
        *,
        description: str | None = None,
        due_on: int | None = None,
        is_completed: bool = False,
        parent_id: int | None = None,
        refs: str | None = None,
        id: int | None = None,
    ) -> Record:
        milestone_id = self.new_id("milestone", id)
        milestone = {
            "id": milestone_id,
            "name": name,
            "description": description,
            "due_on": due_on,
            "start_on": None,
            "started_on": None,
            "is_completed": is_completed,
            "is_started": False,
            "completed_on": self.now() if is_completed else None,
            "parent_id": parent_id,
            "project_id": project_id,
            "refs": refs,
        }
        self.milestones[milestone_id] = milestone
        return milestone

    def add_config_group(self, project_id: int, name: str) -> Record:
        group_id = self.new_id("config_group")
        group = {"id": group_id, "name": name, "project_id": project_id, "configs": []}
        self.config_groups[group_id] = group
        return group

    def add_config(self, group_id: int, name: str) -> Record:
        config_id = self.new_id("config")
        config = {"id": config_id, "name": name, "group_id": group_id}
        self.configs[config_id] = config
        self.config_groups[group_id]["configs"].append(config)
        return config
