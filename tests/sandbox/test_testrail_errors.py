"""The TestRail emulator answers every documented mistake with TestRail's status and text
(research/testrail-api.md §1-§4), table-driven over raw HTTP calls."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from tmsaction.sandbox.testrail import TestRailEmulator, seed_demo

from tests.testrail_support import Api, serve

AUTH = "Authentication failed: invalid or missing user/password or session cookie."
CLOSED = "This operation is not allowed. The test run is already completed."
RESULTS_INVALID = "Field :results contains one or more invalid results"


@dataclass
class Scenario:
    emulator: TestRailEmulator
    url: str
    ids: dict[str, Any]


@pytest.fixture(scope="module")
def scenario() -> Iterator[Scenario]:
    """The demo world plus users of every kind, an open run, a closed run and a plan run.

    Module-scoped: every row below is a refused request, so the state does not change.
    """
    emulator = seed_demo(TestRailEmulator())
    world = emulator.world
    world.add_user("Viewer", "viewer@example.com", api_key="viewer-key", role="Read-only")
    world.add_user("Outsider", "outsider@example.com", api_key="outsider-key", project_ids=[2])
    world.add_user("Gone", "gone@example.com", api_key="gone-key", is_active=False)
    with serve(emulator) as (_, url):
        api = Api(url)
        cases = {"include_all": False, "case_ids": [101, 102]}
        open_run = api.post("add_run/1", {"suite_id": 1, "name": "open", **cases}).body
        closed = api.post("add_run/1", {"suite_id": 1, "name": "closed", **cases}).body
        api.post(f"close_run/{closed['id']}")
        plan = api.post(
            "add_plan/1",
            {"name": "plan", "entries": [{"suite_id": 1, **cases}]},
        ).body
        entry = plan["entries"][0]
        ids = {
            "open": open_run["id"],
            "closed": closed["id"],
            "plan": plan["id"],
            "plan_run": entry["runs"][0]["id"],
            "entry": entry["id"],
        }
        yield Scenario(emulator, url, ids)


USERS = {
    "demo": ("demo@example.com", "demo-key"),
    "password": ("DEMO@example.com", "demo-password"),  # the login email is not case-sensitive
    "viewer": ("viewer@example.com", "viewer-key"),
    "outsider": ("outsider@example.com", "outsider-key"),
    "gone": ("gone@example.com", "gone-key"),
    "bad key": ("demo@example.com", "wrong"),
}

IN_PLAN = "This operation is not allowed. The test run belongs to a test plan and cannot be {} independently."
PLAN_EDIT = IN_PLAN.format("edited")
PLAN_CLOSE = IN_PLAN.format("closed")
ONE_RESULT = {"results": [{"case_id": 101, "status_id": 1}]}
NOT_A_PROJECT = "Field :project_id is not a valid or accessible project."
NOT_A_CASE = "Field :case_id is not a valid test case."
SUITE_REQUIRED = "Field :suite_id is a required field."

# (label, user, verb, route, body, status, error text or None for success)
# fmt: off
ROWS: list[tuple[str, str, str, str, Any, int, str | None]] = [
    ("API key", "demo", "GET", "get_project/1", None, 200, None),
    ("password instead of key", "password", "GET", "get_project/1", None, 200, None),
    ("bad key", "bad key", "GET", "get_project/1", None, 401, AUTH),
    ("inactive user", "gone", "GET", "get_project/1", None, 401, AUTH),
    ("unknown method", "demo", "GET", "get_everything/1", None, 404, "Unknown method 'get_everything'"),
    ("missing project", "demo", "GET", "get_project/999", None, 400, NOT_A_PROJECT),
    ("hidden project reads as missing", "outsider", "GET", "get_project/1", None, 400, NOT_A_PROJECT),
    ("non-numeric case id", "demo", "GET", "get_case/abc", None, 400, NOT_A_CASE),
    ("missing case", "demo", "GET", "get_case/99999", None, 400, NOT_A_CASE),
    ("get_run on newer servers", "demo", "GET", "get_run/999", None, 400,
     "Field :run is not a valid test run."),
    ("tests of a missing run", "demo", "GET", "get_tests/999", None, 400,
     "Field :run_id is not a valid test run."),
    ("missing plan", "demo", "GET", "get_plan/999", None, 400, "Field :plan_id is not a valid test plan."),
    ("missing suite", "demo", "GET", "get_suite/999", None, 400,
     "Field :suite_id is not a valid test suite."),
    ("missing section", "demo", "GET", "get_section/999", None, 400,
     "Field :section_id is not a valid section."),
    ("missing test", "demo", "GET", "get_test/999", None, 400, "Field :test_id is not a valid test."),
    ("unknown email", "demo", "GET", "get_user_by_email&email=nobody%40example.com", None, 400,
     "Field :email is not a valid email address."),
    ("limit 0", "demo", "GET", "get_cases/1&suite_id=1&limit=0", None, 400,
     "Field :limit is too small (minimum 1)."),
    ("limit 251", "demo", "GET", "get_cases/1&suite_id=1&limit=251", None, 400,
     "Field :limit is too large (maximum 250)."),
    ("limit -1", "demo", "GET", "get_cases/1&suite_id=1&limit=-1", None, 400,
     "Field :limit is not a valid natural number."),
    ("limit o", "demo", "GET", "get_cases/1&suite_id=1&limit=o", None, 400,
     "Field :limit is not a valid natural number."),
    ("offset -1", "demo", "GET", "get_cases/1&suite_id=1&offset=-1", None, 400,
     "Field :offset is not a valid natural number."),
    ("quote in GET", "demo", "GET", 'get_cases/1&suite_id=1&limit="', None, 400,
     'Invalid characters in GET: [limit] ["]'),
    ("multi-suite project needs suite_id", "demo", "GET", "get_cases/1", None, 400, SUITE_REQUIRED),
    ("sections need suite_id too", "demo", "GET", "get_sections/1", None, 400, SUITE_REQUIRED),
    ("another project's suite", "demo", "GET", "get_cases/1&suite_id=3", None, 400,
     "Field :suite_id is not a valid test suite."),
    ("single-suite quirk: any suite id", "demo", "GET", "get_sections/2&suite_id=1", None, 200, None),
    ("GET on a write method", "demo", "GET", "add_run/1", None, 400, None),
    ("add_run without suite", "demo", "POST", "add_run/1", {"name": "x"}, 400, SUITE_REQUIRED),
    ("add_run without name", "demo", "POST", "add_run/1", {"suite_id": 1}, 400,
     "Field :name is a required field."),
    ("add_run name too long", "demo", "POST", "add_run/1", {"suite_id": 1, "name": "n" * 251}, 400,
     "Field :name is too long (250 characters at most)."),
    ("add_run case ids not numbers", "demo", "POST", "add_run/1",
     {"suite_id": 1, "name": "x", "include_all": False, "case_ids": ["C101"]}, 400,
     "Field :case_ids is not a valid ID."),
    ("add_run nested case ids", "demo", "POST", "add_run/1",
     {"suite_id": 1, "name": "x", "include_all": False, "case_ids": [[101]]}, 400,
     "Field :case_ids is not a valid ID."),
    ("add_run unknown case", "demo", "POST", "add_run/1",
     {"suite_id": 1, "name": "x", "include_all": False, "case_ids": [101, 201]}, 400,
     "Field :case_ids contains unrecognized case IDs."),
    ("add_run unknown milestone", "demo", "POST", "add_run/1",
     {"suite_id": 1, "name": "x", "milestone_id": 999}, 400,
     "Field :milestone_id is not a valid milestone."),
    ("add_run refs too long", "demo", "POST", "add_run/1",
     {"suite_id": 1, "name": "x", "refs": "R" * 251}, 400,
     "Field :refs is too long (250 characters at most)."),
    ("read-only user", "viewer", "POST", "add_run/1", {"suite_id": 1, "name": "x"}, 403,
     "You are not allowed to add test runs (insufficient permissions)."),
    ("update a plan run", "demo", "POST", "update_run/{plan_run}", {"name": "y"}, 403, PLAN_EDIT),
    ("close a plan run", "demo", "POST", "close_run/{plan_run}", None, 403, PLAN_CLOSE),
    ("update a closed run", "demo", "POST", "update_run/{closed}", {"name": "y"}, 403, CLOSED),
    ("close a closed run", "demo", "POST", "close_run/{closed}", None, 403, CLOSED),
    ("results to a closed run", "demo", "POST", "add_results_for_cases/{closed}", ONE_RESULT, 403,
     CLOSED),
    ("results to a missing run", "demo", "POST", "add_results_for_cases/999", ONE_RESULT, 400,
     "Field :run_id is not a valid test run."),
    ("rule 3: empty results", "demo", "POST", "add_results_for_cases/{open}", {"results": []}, 400,
     "Field :results cannot be empty (one result is required)"),
    ("rule 3: no results key", "demo", "POST", "add_results_for_cases/{open}", {}, 400,
     "Field :results is a required field."),
    ("rule 5: item without case_id", "demo", "POST", "add_results_for_cases/{open}",
     {"results": [{"status_id": 1}]}, 400, "Field :results.case_id is a required field."),
    ("rule 2: case outside the run", "demo", "POST", "add_results_for_cases/{open}",
     {"results": [{"case_id": 101, "status_id": 1}, {"case_id": 103, "status_id": 1}]}, 400,
     RESULTS_INVALID + " (case C103 unknown or not part of the test run)"),
    ("rule 4: no valid case at all", "demo", "POST", "add_results_for_cases/{open}",
     {"results": [{"case_id": "C101", "status_id": 1}]}, 400,
     "Field :results cannot be empty but no valid tests or cases found"),
    ("rule 6: nothing to record", "demo", "POST", "add_results_for_cases/{open}",
     {"results": [{"case_id": 101, "version": "1.0"}]}, 400,
     RESULTS_INVALID + " (one of Status ID, Assigned To or Comment is required)"),
    ("rule 7: Untested refused", "demo", "POST", "add_results_for_cases/{open}",
     {"results": [{"case_id": 101, "status_id": 3}]}, 400,
     "Field :results.status_id uses an invalid status (Untested)."),
    ("rule 7: disabled custom status", "demo", "POST", "add_results_for_cases/{open}",
     {"results": [{"case_id": 101, "status_id": 6}]}, 400, None),
    ("rule 8: 0s elapsed", "demo", "POST", "add_results_for_cases/{open}",
     {"results": [{"case_id": 101, "status_id": 1, "elapsed": "0s"}]}, 400,
     "Field :results.elapsed is not in a valid time span format."),
    ("rule 8: sub-second elapsed", "demo", "POST", "add_results_for_cases/{open}",
     {"results": [{"case_id": 101, "status_id": 1, "elapsed": "0.4s"}]}, 400,
     "Field :results.elapsed is not in a valid time span format."),
    ("rule 8: garbage elapsed", "demo", "POST", "add_results_for_cases/{open}",
     {"results": [{"case_id": 101, "status_id": 1, "elapsed": "XXX"}]}, 400,
     "Field :results.elapsed is not in a valid time span format."),
    ("rule 11: read-only user", "viewer", "POST", "add_results_for_cases/{open}", ONE_RESULT, 403,
     "You are not allowed to add test results (insufficient permissions)."),
    ("add_results with a foreign test", "demo", "POST", "add_results/{open}",
     {"results": [{"test_id": 99999, "status_id": 1}]}, 400,
     RESULTS_INVALID + " (test T99999 unknown or not part of the test run)"),
    ("single result: Untested", "demo", "POST", "add_result_for_case/{open}/101",
     {"status_id": 3}, 400, "Field :status_id uses an invalid status (Untested)."),
    ("single result: nothing to record", "demo", "POST", "add_result_for_case/{open}/101",
     {"version": "1"}, 400, "One of Status ID, Assigned To or Comment is required"),
    ("single result: case not in run", "demo", "POST", "add_result_for_case/{open}/105",
     {"status_id": 1}, 400, "No (active) test found for the run/case combination."),
    ("single result: 0 elapsed", "demo", "POST", "add_result_for_case/{open}/101",
     {"status_id": 1, "elapsed": "0"}, 400, "Field :elapsed is not in a valid time span format."),
    ("add_case to a missing section", "demo", "POST", "add_case/999", {"title": "t"}, 400,
     "Field :section_id is not a valid section."),
    ("add_case without title", "demo", "POST", "add_case/1", {}, 400,
     "Field :title is a required field."),
    ("add_case title too long", "demo", "POST", "add_case/1", {"title": "t" * 251}, 400,
     "Field :title is too long (250 characters at most)."),
    ("add_case unknown type", "demo", "POST", "add_case/1", {"title": "t", "type_id": 99}, 400,
     "Field :type_id is not a valid case type."),
    ("add_case unknown priority", "demo", "POST", "add_case/1", {"title": "t", "priority_id": 99},
     400, "Field :priority_id is not a valid priority."),
    ("add_case unknown template", "demo", "POST", "add_case/1", {"title": "t", "template_id": 99},
     400, "Field :template_id is not a valid template."),
    ("add_case bad estimate", "demo", "POST", "add_case/1", {"title": "t", "estimate": "-10"}, 400,
     "Field :estimate is not in a valid time span format."),
    ("add_section without suite", "demo", "POST", "add_section/1", {"name": "s"}, 400,
     SUITE_REQUIRED),
    ("add_section with a parent elsewhere", "demo", "POST", "add_section/1",
     {"name": "s", "suite_id": 2, "parent_id": 1}, 400, "Field :section_id is not a valid section."),
    ("add_section without name", "demo", "POST", "add_section/1", {"suite_id": 1}, 400,
     "Field :name is a required field."),
    ("add_plan without name", "demo", "POST", "add_plan/1", {}, 400,
     "Field :name is a required field."),
    ("add_plan unknown milestone", "demo", "POST", "add_plan/1", {"name": "p", "milestone_id": 999},
     400, "Field :milestone_id is not a valid milestone."),
    ("add_plan_entry without suite", "demo", "POST", "add_plan_entry/{plan}", {"name": "e"}, 400,
     SUITE_REQUIRED),
    ("add_plan_entry to a missing plan", "demo", "POST", "add_plan_entry/999", {"suite_id": 1}, 400,
     "Field :plan_id is not a valid test plan."),
    ("a run id where the entry GUID goes", "demo", "POST", "update_plan_entry/{plan}/{plan_run}",
     {"name": "e"}, 400, "Field :entry_id is not a valid test plan entry."),
    ("attachment to a missing result", "demo", "POST", "add_attachment_to_result/999", None, 400,
     "Field :result_id is not a valid result."),
]
# fmt: on


@pytest.mark.parametrize("row", [pytest.param(row, id=row[0]) for row in ROWS])
def test_documented_error(
    scenario: Scenario, row: tuple[str, str, str, str, Any, int, str | None]
) -> None:
    _, user, verb, route, body, status, text = row
    email, key = USERS[user]
    api = Api(scenario.url, email, key)
    path = route.format(**scenario.ids)
    if "attachment" in path:
        answer = api.post(path, files={"attachment": ("a.txt", b"x")})
    else:
        answer = api.get(path) if verb == "GET" else api.post(path, body)
    assert answer.status == status, answer.body
    assert answer.headers["Content-Type"].startswith("application/json")
    if text is not None:
        assert answer.body == {"error": text}
    elif status >= 400:
        assert isinstance(answer.error, str)
        assert answer.error


def test_refused_requests_changed_nothing(scenario: Scenario) -> None:
    emulator = scenario.emulator
    run = next(r for r in emulator.runs() if r["id"] == scenario.ids["open"])
    assert emulator.results(run["id"]) == []
    # the plan entry had no name: its run is named after the suite
    assert [r["name"] for r in emulator.runs()] == ["open", "closed", "Backend"]
    assert [c["id"] for c in emulator.cases()] == [101, 102, 103, 104, 105, 106, 201, 202, 301, 302]


def test_missing_credentials_and_non_basic_schemes_get_401(scenario: Scenario) -> None:
    api = Api(scenario.url)
    api.auth = None
    assert api.get("get_projects").body == {"error": AUTH}
    bearer = api.get("get_projects", headers={"Authorization": "Bearer demo-key"})
    assert (bearer.status, bearer.error) == (401, AUTH)


def test_content_type_rules(scenario: Scenario) -> None:
    api = Api(scenario.url)
    missing = api.post("add_run/1", data=b'{"suite_id": 1, "name": "x"}')
    assert (missing.status, missing.error) == (
        400,
        "Content-Type header missing (use Content-Type: application/json)",
    )
    wrong = api.post(
        "add_run/1", data=b'{"suite_id": 1, "name": "x"}', headers={"Content-Type": "text/plain"}
    )
    assert (wrong.status, wrong.error) == (
        400,
        "Content-Type header invalid (use Content-Type: application/json)",
    )
    # GETs may carry the JSON header, as the official bindings send it.
    assert api.get("get_projects", headers={"Content-Type": "application/json"}).status == 200


def test_api_switched_off() -> None:
    emulator = seed_demo(TestRailEmulator(api_enabled=False))
    with serve(emulator) as (_, url):
        answer = Api(url).get("get_projects")
    assert answer.status == 403
    assert answer.error == (
        "The API is disabled for your installation. It can be enabled in the administration area "
        "in TestRail under Administration > Site Settings > API."
    )


def test_wrong_base_path_is_an_html_404() -> None:
    emulator = seed_demo(TestRailEmulator(path_prefix="/testrail"))
    with serve(emulator) as (_, url):
        answer = Api(url).get("get_projects")  # the instance lives under /testrail
        inside = Api(url + "/testrail").get("get_projects")
    assert answer.status == 404
    assert answer.headers["Content-Type"].startswith("text/html")
    assert inside.status == 200
