"""Entity lookups with TestRail's answers for missing or hidden entities (400, never 404, §1.4), and
the suite-mode rules for `suite_id` (§3.1). Test double; no I/O.
"""

from __future__ import annotations

from tmsaction.sandbox.testrail.wire import Call, Record, bad, required
from tmsaction.sandbox.testrail.world import World

INVALID_PROJECT = "Field :project_id is not a valid or accessible project."
INVALID_SUITE = "Field :suite_id is not a valid test suite."
INVALID_SECTION = "Field :section_id is not a valid section."
INVALID_CASE = "Field :case_id is not a valid test case."
INVALID_RUN = "Field :run_id is not a valid test run."
INVALID_RUN_GET = "Field :run is not a valid test run."  # get_run on newer servers (§3.6)
INVALID_TEST = "Field :test_id is not a valid test."
INVALID_PLAN = "Field :plan_id is not a valid test plan."
INVALID_ENTRY = "Field :entry_id is not a valid test plan entry."
INVALID_MILESTONE = "Field :milestone_id is not a valid milestone."
INVALID_RESULT = "Field :result_id is not a valid result."  # [INFER] wording
INVALID_ATTACHMENT = "Field :attachment_id is not a valid attachment."
INVALID_USER = "Field :user_id is not a valid user."  # [INFER] wording


def project(world: World, call: Call, project_id: int) -> Record:
    """A wrong id and a project the user may not see answer the same (§5.16)."""
    found = world.projects.get(project_id)
    if found is None or not world.can_see(call.user, project_id):
        raise bad(INVALID_PROJECT)
    return found


def project_arg(world: World, call: Call) -> Record:
    return project(world, call, call.arg_id(0, "project_id", INVALID_PROJECT))


def suite(world: World, call: Call, suite_id: int) -> Record:
    found = world.suites.get(suite_id)
    if found is None or not world.can_see(call.user, found["project_id"]):
        raise bad(INVALID_SUITE)
    return found


def section(world: World, call: Call, section_id: int) -> Record:
    found = world.sections.get(section_id)
    if found is None or not world.can_see(call.user, world.project_of_suite(found["suite_id"])):
        raise bad(INVALID_SECTION)
    return found


def case(world: World, call: Call, case_id: int) -> Record:
    found = world.cases.get(case_id)
    if found is None or not world.can_see(call.user, world.project_of_suite(found["suite_id"])):
        raise bad(INVALID_CASE)
    return found


def run(world: World, call: Call, run_id: int, message: str = INVALID_RUN) -> Record:
    found = world.runs.get(run_id)
    if found is None or not world.can_see(call.user, found["project_id"]):
        raise bad(message)
    return found


def run_arg(world: World, call: Call, message: str = INVALID_RUN) -> Record:
    return run(world, call, call.arg_id(0, "run_id", message), message)


def test(world: World, call: Call, test_id: int) -> Record:
    found = world.tests.get(test_id)
    if found is None or not world.can_see(call.user, world.runs[found["run_id"]]["project_id"]):
        raise bad(INVALID_TEST)
    return found


def plan(world: World, call: Call, plan_id: int) -> Record:
    found = world.plans.get(plan_id)
    if found is None or not world.can_see(call.user, found["project_id"]):
        raise bad(INVALID_PLAN)
    return found


def plan_arg(world: World, call: Call) -> Record:
    return plan(world, call, call.arg_id(0, "plan_id", INVALID_PLAN))


def entry(world: World, plan_record: Record, entry_id: str) -> Record:
    """Entry ids are GUIDs; a run id in their place is the classic mistake (§3.7)."""
    found = world.entries.get(entry_id)
    if found is None or found["_plan_id"] != plan_record["id"]:
        raise bad(INVALID_ENTRY)
    return found


def milestone_in(world: World, project_id: int, milestone_id: int) -> bool:
    found = world.milestones.get(milestone_id)
    return found is not None and found["project_id"] == project_id


def user_exists(world: World, user_id: int) -> bool:
    return user_id in world.users and bool(world.users[user_id]["is_active"])


def suite_for(world: World, call: Call, project_record: Record, suite_id: int | None) -> Record:
    """The suite a call targets under the project's suite mode (§3.1).

    Mode 1: `suite_id` optional; any existing suite id, even another project's, reads as the one
    suite (quantori/GherkinSyncTool#63). Mode 2: optional until baselines exist. Mode 3: required.
    """
    suites = world.project_suites(project_record["id"])
    mode = project_record["suite_mode"]
    if mode == 1:
        if suite_id is not None and suite_id not in world.suites:
            raise bad(INVALID_SUITE)
        return suites[0]
    if suite_id is None:
        if mode == 2 and len(suites) == 1:
            return suites[0]
        raise required("suite_id")
    found = world.suites.get(suite_id)
    if found is None or found["project_id"] != project_record["id"]:
        raise bad(INVALID_SUITE)
    return found
