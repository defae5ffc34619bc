"""The TestRail emulator's whole state: the catalogue (`Store`) plus cases, runs, tests, results and
plans, the rules that tie them together (include_all runs, tests per case, counts), and how each
entity renders as JSON. Test double; no I/O.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from tmsaction.sandbox.testrail.defaults import (
    DEFAULT_CASE_TYPE,
    DEFAULT_PRIORITY,
    DEFAULT_TEMPLATE,
    TEXT,
    UNTESTED,
)
from tmsaction.sandbox.testrail.store import Store, public
from tmsaction.sandbox.testrail.timespan import format_timespan, parse_timespan
from tmsaction.sandbox.testrail.wire import Record


class World(Store):
    """Everything one emulated TestRail instance holds."""

    # -- cases -------------------------------------------------------------------------------------
    def add_case(
        self,
        section_id: int,
        title: str,
        *,
        created_by: int = 1,
        id: int | None = None,
        **values: Any,
    ) -> Record:
        """Store a case; `values` are any case fields (`type_id`, `refs`, `custom_*`)."""
        section = self.sections[section_id]
        case_id = self.new_id("case", id)
        now = self.now()
        # display_order numbers cases within their section, in creation order.
        self.section_sizes[section_id] = self.section_sizes.get(section_id, 0) + 1
        case: Record = {
            "id": case_id,
            "title": title,
            "section_id": section_id,
            "template_id": DEFAULT_TEMPLATE,
            "type_id": DEFAULT_CASE_TYPE,
            "priority_id": DEFAULT_PRIORITY,
            "milestone_id": None,
            "refs": None,
            "created_by": created_by,
            "created_on": now,
            "updated_by": created_by,
            "updated_on": now,
            "estimate": None,
            "estimate_forecast": None,
            "suite_id": section["suite_id"],
            "display_order": self.section_sizes[section_id],
            "is_deleted": 0,
        }
        case.update(self.stored_values(values))
        self.cases[case_id] = case
        # TestRail adds new cases to active runs that include the whole suite.
        for run in self.runs.values():
            if (
                run["include_all"]
                and not run["is_completed"]
                and run["suite_id"] == case["suite_id"]
            ):
                self.add_test(run, case_id)
        return case

    def stored_values(self, values: Record) -> Record:
        """Normalise values as the server stores them (rich-text wrapping, timespans)."""
        stored = dict(values)
        if self.rich_text:
            text_fields = {f["system_name"] for f in self.case_fields if f["type_id"] == TEXT}
            for name in text_fields & stored.keys():
                value = stored[name]
                if isinstance(value, str) and value and not value.startswith("<p>"):
                    stored[name] = f"<p>{html.escape(value)}</p>"
        if isinstance(stored.get("estimate"), str):
            seconds = parse_timespan(stored["estimate"])
            stored["estimate"] = None if seconds is None else self.timespan(seconds)
        return stored

    def timespan(self, seconds: float) -> str:
        return format_timespan(seconds, style=self.timespan_style)

    def project_of_suite(self, suite_id: int) -> int:
        return int(self.suites[suite_id]["project_id"])

    def suite_cases(self, suite_id: int) -> list[Record]:
        return [c for c in self.cases.values() if c["suite_id"] == suite_id]

    def delete_case(self, case_id: int) -> None:
        """Active runs lose the case's test; completed runs keep it as archived (§3.6)."""
        case = self.cases.pop(case_id)
        for run_id, tests in self.run_tests.items():
            test_id = tests.get(case_id)
            if test_id is None:
                continue
            if self.runs[run_id]["is_completed"]:
                self.tests[test_id]["_case"] = dict(case)
            else:
                self.remove_test(run_id, case_id)

    # -- milestones and configurations ---------------------------------------------------------------

    # -- runs and tests ------------------------------------------------------------------------------
    def create_run(
        self,
        project_id: int,
        suite_id: int,
        fields: Record,
        *,
        include_all: bool,
        case_ids: Iterable[int],
        created_by: int,
        plan: Record | None = None,
        entry: Record | None = None,
        config_ids: Iterable[int] = (),
    ) -> Record:
        """A new run with one Untested test per included case (§3.6)."""
        run_id = self.new_id("run")
        configs = sorted(config_ids)
        run: Record = {
            "id": run_id,
            "suite_id": suite_id,
            "name": fields.get("name") or "Test Run",
            "description": fields.get("description"),
            "milestone_id": fields.get("milestone_id"),
            "assignedto_id": fields.get("assignedto_id"),
            "include_all": include_all,
            "is_completed": False,
            "completed_on": None,
            "config": ", ".join(self.configs[c]["name"] for c in configs) or None,
            "config_ids": configs,
            "project_id": project_id,
            "plan_id": plan["id"] if plan else None,
            "created_on": self.now(),
            "created_by": created_by,
            "updated_on": None,
            "refs": fields.get("refs"),
            "start_on": fields.get("start_on"),
            "due_on": fields.get("due_on"),
        }
        if entry is not None:
            run["entry_id"] = entry["id"]
        self.runs[run_id] = run
        self.run_tests[run_id] = {}
        self.run_results[run_id] = []
        self.set_run_cases(run, include_all, case_ids)
        return run

    def set_run_cases(self, run: Record, include_all: bool, case_ids: Iterable[int]) -> None:
        """`case_ids` replaces the selection; dropped cases lose their tests and results (§3.6)."""
        run["include_all"] = include_all
        if include_all:
            wanted = [c["id"] for c in self.suite_cases(run["suite_id"])]
        else:
            wanted = list(dict.fromkeys(case_ids))
        current = self.run_tests[run["id"]]
        keep = set(wanted)
        for case_id in [c for c in current if c not in keep]:
            self.remove_test(run["id"], case_id)
        for case_id in wanted:
            if case_id not in current:
                self.add_test(run, case_id)

    def add_test(self, run: Record, case_id: int) -> Record:
        test_id = self.new_id("test")
        test = {
            "id": test_id,
            "case_id": case_id,
            "run_id": run["id"],
            "status_id": UNTESTED,
            "assignedto_id": run["assignedto_id"],
        }
        self.tests[test_id] = test
        self.run_tests[run["id"]][case_id] = test_id
        self.test_results[test_id] = []
        return test

    def remove_test(self, run_id: int, case_id: int) -> None:
        test_id = self.run_tests[run_id].pop(case_id)
        del self.tests[test_id]
        gone = set(self.test_results.pop(test_id, []))
        for result_id in gone:
            del self.results[result_id]
        if gone:
            self.run_results[run_id] = [r for r in self.run_results[run_id] if r not in gone]

    def delete_run(self, run_id: int) -> None:
        for test_id in self.run_tests.pop(run_id).values():
            del self.tests[test_id]
            for result_id in self.test_results.pop(test_id, []):
                del self.results[result_id]
        del self.run_results[run_id], self.runs[run_id]

    def close_run(self, run: Record) -> None:
        """Irreversible; the run's tests keep the case content of this moment (archived)."""
        run["is_completed"] = True
        run["completed_on"] = self.now()
        for case_id, test_id in self.run_tests[run["id"]].items():
            if case_id in self.cases:
                self.tests[test_id]["_case"] = dict(self.cases[case_id])

    def run_counts(self, run_ids: Iterable[int]) -> Record:
        counts = dict.fromkeys(range(1, 13), 0)
        for run_id in run_ids:
            for test_id in self.run_tests.get(run_id, {}).values():
                counts[self.tests[test_id]["status_id"]] += 1
        rendered: Record = {
            "passed_count": counts[1],
            "blocked_count": counts[2],
            "untested_count": counts[3],
            "retest_count": counts[4],
            "failed_count": counts[5],
        }
        for index in range(1, 8):
            rendered[f"custom_status{index}_count"] = counts[5 + index]
        return rendered

    # -- results -----------------------------------------------------------------------------------
    def add_result(self, test: Record, values: Record, created_by: int) -> Record:
        """Store a result; the test takes its status when it has one (§3.9)."""
        result_id = self.new_id("result")
        result: Record = {
            "id": result_id,
            "test_id": test["id"],
            "status_id": values.get("status_id"),
            "created_by": created_by,
            "created_on": self.now(),
            "assignedto_id": values.get("assignedto_id"),
            "comment": values.get("comment"),
            "version": values.get("version"),
            "elapsed": values.get("elapsed"),
            "defects": values.get("defects"),
            "custom_step_results": values.get("custom_step_results") or [],
            "attachment_ids": [],
        }
        if "quality_rating" in values:
            result["quality_rating"] = values["quality_rating"]
        project_id = self.runs[test["run_id"]]["project_id"]
        for field in self.fields_for("result", project_id):
            name = field["system_name"]
            if name not in result:
                result[name] = values.get(name)
        self.results[result_id] = result
        self.test_results[test["id"]].append(result_id)
        self.run_results[test["run_id"]].append(result_id)
        if result["status_id"] is not None:
            test["status_id"] = result["status_id"]
        if "assignedto_id" in values:
            test["assignedto_id"] = values["assignedto_id"]
        return result

    # -- plans -------------------------------------------------------------------------------------
    def add_plan(self, project_id: int, fields: Record, created_by: int) -> Record:
        plan_id = self.new_id("plan")
        plan: Record = {
            "id": plan_id,
            "name": fields["name"],
            "description": fields.get("description"),
            "milestone_id": fields.get("milestone_id"),
            "assignedto_id": None,
            "is_completed": False,
            "completed_on": None,
            "project_id": project_id,
            "created_on": self.now(),
            "created_by": created_by,
            "refs": fields.get("refs"),
            "start_on": fields.get("start_on"),
            "due_on": fields.get("due_on"),
            "_entries": [],
        }
        self.plans[plan_id] = plan
        return plan

    def add_entry(self, plan: Record, fields: Record) -> Record:
        """Plan entry ids are GUID strings (§3.7)."""
        entry_id = str(uuid.uuid4())
        entry: Record = {
            "id": entry_id,
            "suite_id": fields["suite_id"],
            "name": fields["name"],
            "refs": fields.get("refs"),
            "description": fields.get("description"),
            "include_all": fields["include_all"],
            "_plan_id": plan["id"],
            "_runs": [],
        }
        self.entries[entry_id] = entry
        plan["_entries"].append(entry_id)
        return entry

    def plan_runs(self, plan: Record) -> Iterator[int]:
        for entry_id in plan["_entries"]:
            yield from self.entries[entry_id]["_runs"]

    # -- rendering -----------------------------------------------------------------------------------
    def url(self, page: str) -> str:
        return f"{self.base_url}/index.php?/{page}"

    def render_project(self, project: Record) -> Record:
        return {**public(project), "url": self.url(f"projects/overview/{project['id']}")}

    def render_suite(self, suite: Record) -> Record:
        return {**public(suite), "url": self.url(f"suites/view/{suite['id']}")}

    def render_section(self, section: Record) -> Record:
        return public(section)

    def render_case(self, case: Record) -> Record:
        rendered = public(case)
        project_id = self.project_of_suite(case["suite_id"])
        for field in self.fields_for("case", project_id):
            rendered.setdefault(field["system_name"], None)
        return rendered

    def render_milestone(self, milestone: Record) -> Record:
        return {**public(milestone), "url": self.url(f"milestones/view/{milestone['id']}")}

    def render_run(self, run: Record) -> Record:
        rendered = public(run)
        rendered.update(self.run_counts([run["id"]]))
        if run.get("entry_id"):
            plan = self.plans[run["plan_id"]]
            rendered["entry_index"] = plan["_entries"].index(run["entry_id"]) + 1
        rendered["url"] = self.url(f"runs/view/{run['id']}")
        return rendered

    def render_test(self, test: Record) -> Record:
        case = test.get("_case") or self.cases[test["case_id"]]
        rendered = public(test)
        for key in ("title", "template_id", "type_id", "priority_id", "estimate", "refs"):
            rendered[key] = case.get(key)
        rendered["estimate_forecast"] = case.get("estimate_forecast")
        rendered["milestone_id"] = case.get("milestone_id")
        for key, value in self.render_case(case).items():
            if key.startswith("custom_"):
                rendered[key] = value
        return rendered

    def render_result(self, result: Record) -> Record:
        return public(result)

    def render_entry(self, entry: Record) -> Record:
        return {
            **public(entry),
            "runs": [self.render_run(self.runs[run_id]) for run_id in entry["_runs"]],
        }

    def render_plan(self, plan: Record, *, with_entries: bool = True) -> Record:
        rendered = public(plan)
        rendered.update(self.run_counts(self.plan_runs(plan)))
        rendered["url"] = self.url(f"plans/view/{plan['id']}")
        if with_entries:
            rendered["entries"] = [self.render_entry(self.entries[e]) for e in plan["_entries"]]
        return rendered

    def render_user(self, user: Record) -> Record:
        return public(user)

    def render_status(self, status: Record) -> Record:
        return public(status)
