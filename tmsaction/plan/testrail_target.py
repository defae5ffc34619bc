"""Where a suite's results go: a new run (name, description with the marker line, milestone,
refs), the run of `testrail_run_id`, or an entry of `testrail_plan_id` with configurations
resolved by name; and why one of them cannot take the results. Pure; no I/O."""

from __future__ import annotations

from collections.abc import Mapping

from tmsaction.config.model import Config
from tmsaction.inputs import Inputs
from tmsaction.plan.testrail_model import ExistingRun, RunKind, RunTarget, TestRailFacts
from tmsaction.runmarker import RunMarker
from tmsaction.sink_texts import pick_run_name

RUN_NAME_LIMIT = 250  # `Field :name is too long (250 characters at most).`
RUN_REFS_LIMIT = 250  # trcli MAX_RUN_REFERENCES_LENGTH

#: (the target, the run already known for it, why it cannot take results)
Target = tuple[RunTarget, ExistingRun | None, str | None]


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cut_refs(refs: str, limit: int) -> str:
    """Whole references only: `SHOP-1, SHOP-2` cut before the reference that would not fit."""
    parts = [part.strip() for part in refs.split(",") if part.strip()]
    kept: list[str] = []
    for part in parts:
        if len(", ".join([*kept, part])) > limit:
            break
        kept.append(part)
    return ", ".join(kept)


class TargetPlanner:
    """Run targets per suite; `problems` collects config problems that stop nothing."""

    def __init__(
        self,
        config: Config,
        inputs: Inputs,
        facts: TestRailFacts,
        *,
        variables: Mapping[str, object],
        values: Mapping[str, object],
        marker: RunMarker | None,
        problems: list[str],
    ) -> None:
        self.config = config
        self.inputs = inputs
        self.facts = facts
        self.variables = variables
        self.values = values
        self.marker = marker
        self.problems = problems

    def target(self, project_id: int, suite_id: int | None) -> Target:
        inputs, facts = self.inputs, self.facts
        name = pick_run_name(self.config.templates.run_name, inputs.testrail_run_name).render(
            self.variables
        )
        name = cut(" ".join(name.split()) or "tmsaction", RUN_NAME_LIMIT)
        description = self.values.get("description")
        text = str(description) if description else ""
        if self.marker is not None:
            text = f"{text}\n\n{self.marker.line()}" if text else self.marker.line()
        refs = self.values.get("refs")
        refs_text = cut_refs(str(refs), RUN_REFS_LIMIT) if refs else None
        marker = self.marker.search_key() if self.marker else None
        if inputs.testrail_run_id:
            return self._reuse(name, project_id, suite_id)
        if inputs.testrail_plan_id:
            config_ids, config_names, problem = self.configurations(project_id)
            target = RunTarget(
                RunKind.PLAN_ENTRY,
                name,
                text or None,
                refs=refs_text,
                plan_id=inputs.testrail_plan_id,
                config_ids=config_ids,
                config_names=config_names,
                marker=marker,
            )
            return (
                target,
                facts.found.get((project_id, suite_id)),
                (self._plan_problem(project_id) or problem),
            )
        target = RunTarget(
            RunKind.CREATE,
            name,
            text or None,
            milestone_id=self.milestone(project_id),
            refs=refs_text,
            marker=marker,
        )
        return target, facts.found.get((project_id, suite_id)), None

    def _reuse(self, name: str, project_id: int, suite_id: int | None) -> Target:
        facts = self.facts
        assert self.inputs.testrail_run_id is not None
        target = RunTarget(RunKind.REUSE, name, None, run_id=self.inputs.testrail_run_id)
        run = facts.reused_run
        if facts.target_error or run is None:
            return target, None, facts.target_error or "testrail_run_id could not be read"
        if run.project_id != project_id or (
            run.suite_id is not None and suite_id is not None and run.suite_id != suite_id
        ):
            return (
                target,
                run,
                f"TestRail run R{run.id} ('{run.name}') is not a run of this suite: give a run "
                "of the suite these tests go to in testrail_run_id, or leave it empty",
            )
        if run.is_completed:
            return (
                target,
                run,
                f"TestRail run R{run.id} is closed, and closed runs are read-only: leave "
                "testrail_run_id empty to create a new run, or give the id of an active run",
            )
        return target, run, None

    def _plan_problem(self, project_id: int) -> str | None:
        plan, facts = self.facts.plan, self.facts
        if facts.target_error or plan is None:
            return facts.target_error or "testrail_plan_id could not be read"
        if plan.project_id != project_id:
            return (
                f"TestRail plan {plan.id} ('{plan.name}') belongs to another project than "
                "these tests' suite: give a plan of that project in testrail_plan_id"
            )
        if plan.is_completed:
            return (
                f"TestRail plan {plan.id} is closed and read-only: give an active plan in "
                "testrail_plan_id, or leave it empty"
            )
        return None

    def milestone(self, project_id: int) -> int | None:
        """`testrail.run.milestone` as an id; an unknown name is a problem, not a stop."""
        wanted = self.config.testrail.run.milestone
        if wanted is None:
            return None
        if isinstance(wanted, int):
            return wanted
        if wanted.strip().isdigit():
            return int(wanted)
        known = self.facts.milestones.get(project_id, {})
        found = known.get(wanted.strip().casefold())
        if found is None:
            names = ", ".join(sorted(known)) or "none"
            problem = (
                f"testrail.run.milestone: TestRail has no milestone '{wanted}' in this project "
                f"(known: {names}); the run is created without a milestone"
            )
            if problem not in self.problems:
                self.problems.append(problem)
        return found

    def configurations(
        self, project_id: int
    ) -> tuple[tuple[int, ...], tuple[str, ...], str | None]:
        """`testrail.run.configurations` as ids, at most one per group (a plan run has one
        browser, one OS, ...); a wrong one stops the suite (its results would go elsewhere)."""
        wanted = self.config.testrail.run.configurations
        if not wanted:
            return (), (), None
        known = self.facts.configs.get(project_id, ())
        chosen = []
        for name in wanted:
            match = [c for c in known if c.name.casefold() == name.strip().casefold()]
            if not match:
                names = ", ".join(f"'{c.name}' ({c.group})" for c in known) or "none"
                return (
                    (),
                    (),
                    (
                        f"testrail.run.configurations: TestRail has no configuration '{name}' in "
                        f"this project (known: {names})"
                    ),
                )
            chosen.append(match[0])
        groups = [c.group_id for c in chosen]
        if len(groups) != len(set(groups)):
            return (
                (),
                (),
                (
                    "testrail.run.configurations: give at most one configuration per group (a run "
                    "has one browser, one OS, ...), e.g. [Chrome, Linux]"
                ),
            )
        return tuple(c.id for c in chosen), tuple(c.name for c in chosen), None
