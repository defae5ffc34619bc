"""The TestRail emulator's behaviour, over raw HTTP: pagination, ids, suite modes, sections, cases,
runs, results, plans, attachments, throttling and the legacy-server toggles
(research/testrail-api.md)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from tmsaction.sandbox.server import RateLimit
from tmsaction.sandbox.testrail import TestRailEmulator, seed_demo
from tmsaction.sandbox.testrail.defaults import DROPDOWN, STRING, TEXT
from tmsaction.sandbox.testrail.timespan import format_timespan, parse_timespan

from tests.testrail_support import Api, FakeClock, serve


@pytest.fixture
def demo() -> Iterator[tuple[TestRailEmulator, Api]]:
    with serve() as (emulator, url):
        yield emulator, Api(url)


def add_cases(emulator: TestRailEmulator, count: int, section_id: int = 1) -> list[int]:
    with emulator.lock:
        return [emulator.world.add_case(section_id, f"case {n}")["id"] for n in range(count)]


# -- pagination (§2) ---------------------------------------------------------------------------------


def test_pages_carry_the_envelope_and_links_that_repeat_the_filters(
    demo: tuple[TestRailEmulator, Api],
) -> None:
    emulator, api = demo
    add_cases(emulator, 294)  # 300 in suite 1 with the six demo cases
    first = api.get("get_cases/1&suite_id=1").body
    assert (first["offset"], first["limit"], first["size"]) == (0, 250, 250)
    assert first["_links"] == {
        "next": "/api/v2/get_cases/1&suite_id=1&limit=250&offset=250",
        "prev": None,
    }
    second = api.get(first["_links"]["next"].removeprefix("/api/v2/")).body
    assert (second["offset"], second["size"]) == (250, 50)
    assert second["_links"] == {
        "next": None,
        "prev": "/api/v2/get_cases/1&suite_id=1&limit=250&offset=0",
    }
    ids = [c["id"] for c in first["cases"] + second["cases"]]
    assert len(ids) == len(set(ids)) == 300
    past_end = api.get("get_cases/1&suite_id=1&offset=1000").body
    assert (past_end["size"], past_end["cases"], past_end["_links"]["next"]) == (0, [], None)


def test_small_pages_and_ordering(demo: tuple[TestRailEmulator, Api]) -> None:
    _emulator, api = demo
    for n in range(5):
        api.post("add_run/1", {"suite_id": 1, "name": f"Test Run {n}"})
    page = api.get("get_runs/1&limit=2&offset=2").body
    assert [r["name"] for r in page["runs"]] == ["Test Run 2", "Test Run 1"]  # newest first
    cases = api.get("get_cases/1&suite_id=1&limit=3").body["cases"]
    assert [c["id"] for c in cases] == [101, 102, 103]


def test_non_paginated_endpoints_answer_bare_arrays(demo: tuple[TestRailEmulator, Api]) -> None:
    _, api = demo
    for route in ("get_statuses", "get_case_fields", "get_result_fields", "get_case_types",
                  "get_priorities", "get_templates/1", "get_configs/1"):  # fmt: skip
        assert isinstance(api.get(route).body, list), route
    assert [s["id"] for s in api.get("get_statuses").body] == [1, 2, 3, 4, 5]
    types = {t["name"]: t for t in api.get("get_case_types").body}
    assert types["Regression"]["id"] == 9
    assert types["Other"]["is_default"]


def test_legacy_servers_answer_arrays() -> None:
    old = seed_demo(TestRailEmulator(legacy_arrays=True))
    pre_931 = seed_demo(TestRailEmulator(suites_as_array=True))
    with serve(old) as (_, url):
        assert [c["id"] for c in Api(url).get("get_cases/1&suite_id=2").body] == [201, 202]
    with serve(pre_931) as (_, url):
        api = Api(url)
        assert [s["name"] for s in api.get("get_suites/1").body] == ["Backend", "Web"]
        assert "cases" in api.get("get_cases/1&suite_id=2").body


# -- ids, suites and sections (§3.1-3.3, §6) -------------------------------------------------------------


def test_ids_are_global_per_entity_and_entry_ids_are_guids(
    demo: tuple[TestRailEmulator, Api],
) -> None:
    _, api = demo
    shop_case = api.post("add_case/1", {"title": "new in Shop"}).body
    legacy_case = api.post("add_case/4", {"title": "new in Legacy"}).body
    assert (shop_case["id"], legacy_case["id"]) == (303, 304)  # one sequence for all projects
    run = api.post(
        "add_run/1", {"suite_id": 1, "name": "r", "include_all": False, "case_ids": [105]}
    ).body
    test = api.get(f"get_tests/{run['id']}").body["tests"][0]
    assert test["case_id"] == 105
    assert test["id"] != 105
    entry = api.post(f"add_plan_entry/{api.post('add_plan/1', {'name': 'p'}).body['id']}",
                     {"suite_id": 2}).body  # fmt: skip
    assert uuid.UUID(entry["id"]).version == 4
    assert entry["name"] == "Web"


def test_suite_modes(demo: tuple[TestRailEmulator, Api]) -> None:
    emulator, api = demo
    assert api.get("get_cases/2").status == 200  # mode 1: suite_id optional
    assert (
        api.get("get_sections/2&suite_id=999").error == "Field :suite_id is not a valid test suite."
    )
    with emulator.lock:
        baseline_project = emulator.world.add_project("Baselines", suite_mode=2)
    project_id = baseline_project["id"]
    assert api.get(f"get_cases/{project_id}").status == 200  # mode 2, master only
    with emulator.lock:
        emulator.world.add_suite(project_id, "Baseline 1.0", is_baseline=True)
    assert api.get(f"get_cases/{project_id}").error == "Field :suite_id is a required field."
    assert api.post("add_suite/2", {"name": "second"}).status == 400  # single-suite project
    added = api.post("add_suite/1", {"name": "Mobile"}).body
    assert (added["name"], added["project_id"], added["is_master"]) == ("Mobile", 1, False)
    # In mode 1, add_section ignores suite_id entirely.
    section = api.post("add_section/2", {"name": "Extra", "suite_id": 999}).body
    assert section["suite_id"] == 3


def test_sections_allow_duplicates_and_number_the_tree_in_pre_order(
    demo: tuple[TestRailEmulator, Api],
) -> None:
    _, api = demo
    api.post("add_suite/1", {"name": "Tree"})
    suite_id = api.get("get_suites/1").body["suites"][-1]["id"]
    a = api.post("add_section/1", {"suite_id": suite_id, "name": "A"}).body
    b = api.post("add_section/1", {"suite_id": suite_id, "name": "B"}).body
    child = api.post(
        "add_section/1", {"suite_id": suite_id, "name": "A", "parent_id": a["id"]}
    ).body
    again = api.post("add_section/1", {"suite_id": suite_id, "name": "B"}).body
    sections = api.get(f"get_sections/1&suite_id={suite_id}").body["sections"]
    assert [(s["name"], s["depth"], s["parent_id"]) for s in sections] == [
        ("A", 0, None),
        ("A", 1, a["id"]),
        ("B", 0, None),
        ("B", 0, None),
    ]
    assert [s["display_order"] for s in sections] == [1, 2, 3, 4]
    assert [s["id"] for s in sections] == [a["id"], child["id"], b["id"], again["id"]]


# -- cases (§3.4, §3.5) ---------------------------------------------------------------------------------


def test_cases_carry_every_custom_field_and_enforce_required_ones(
    demo: tuple[TestRailEmulator, Api],
) -> None:
    emulator, api = demo
    with emulator.lock:
        emulator.world.add_case_field(
            "component", DROPDOWN, "Component", required=True, project_ids=[1],
            items="1, Cart\n2, Checkout",
        )  # fmt: skip
    case = api.get("get_case/101").body
    for key in ("custom_preconds", "custom_steps_separated", "custom_automation_id",
                "custom_component"):  # fmt: skip
        assert key in case
    assert case["custom_component"] is None
    legacy = api.get("get_case/301").body
    assert "custom_component" not in legacy  # the field's context is project 1 only
    assert (
        api.post("add_case/1", {"title": "t"}).error
        == "Field :custom_component is a required field."
    )
    assert api.post("add_case/1", {"title": "t", "custom_component": 7}).status == 400
    created = api.post("add_case/1", {"title": "t", "custom_component": 2, "refs": "SHOP-1",
                                      "estimate": "90s", "custom_unknown": "x"}).body  # fmt: skip
    assert (created["custom_component"], created["estimate"], created["suite_id"]) == (
        2,
        "1m 30s",
        1,
    )
    assert "custom_unknown" not in created
    assert api.post("add_case/4", {"title": "no component needed"}).status == 200


def test_rich_text_fields_come_back_wrapped_and_escaped() -> None:
    emulator = TestRailEmulator(rich_text=True)
    world = emulator.world
    world.add_user("U", "u@example.com", api_key="k")
    world.add_case_field("automation_id", TEXT, "Automation ID")
    project = world.add_project("P")
    section = world.add_section(world.project_suites(project["id"])[0]["id"], "S")
    with serve(emulator) as (_, url):
        api = Api(url, "u@example.com", "k")
        case = api.post(
            f"add_case/{section['id']}", {"title": "t", "custom_automation_id": "a.B<C>&D"}
        ).body
    assert case["custom_automation_id"] == "<p>a.B&lt;C&gt;&amp;D</p>"


def test_update_delete_and_filter_cases(demo: tuple[TestRailEmulator, Api]) -> None:
    _, api = demo
    moved = api.post("update_case/101", {"section_id": 2, "title": "renamed", "type_id": 3}).body
    assert (moved["section_id"], moved["title"], moved["type_id"]) == (2, "renamed", 3)
    assert api.post("update_case/101", {"section_id": 3}).status == 400  # another suite
    bulk = api.post("update_cases/1", {"case_ids": [102, 103], "priority_id": 4}).body
    assert [c["priority_id"] for c in bulk["updated_cases"]] == [4, 4]
    assert [c["id"] for c in api.get("get_cases/1&suite_id=1&section_id=2").body["cases"]] == [
        101,
        105,
        106,
    ]
    assert [c["id"] for c in api.get("get_cases/1&suite_id=1&refs=SHOP-14").body["cases"]] == [
        103,
        104,
    ]
    assert [c["id"] for c in api.get("get_cases/1&suite_id=1&priority_id=4").body["cases"]] == [
        102,
        103,
    ]
    assert [c["id"] for c in api.get("get_cases/1&suite_id=1&filter=CARD").body["cases"]] == [105]
    dry = api.post("delete_cases/1&soft=1", {"case_ids": [104]})
    assert dry.body == {"cases": 1, "tests": 0, "results": 0}
    assert api.get("get_case/104").status == 200
    gone = api.post("delete_cases/1", {"case_ids": [104]})
    assert (gone.status, gone.body) == (200, "")  # deletes answer an empty body (§1.2)
    assert api.get("get_case/104").status == 400


# -- runs and tests (§3.6, §3.8) -------------------------------------------------------------------------


def counts(run: dict[str, Any]) -> tuple[int, int, int, int, int]:
    return (run["passed_count"], run["blocked_count"], run["untested_count"],
            run["retest_count"], run["failed_count"])  # fmt: skip


def test_include_all_defaults_to_true_and_case_ids_alone_are_ignored(
    demo: tuple[TestRailEmulator, Api],
) -> None:
    _, api = demo
    everything = api.post("add_run/1", {"suite_id": 1, "name": "all", "case_ids": [101]}).body
    assert everything["include_all"] is True
    assert counts(everything) == (0, 0, 6, 0, 0)
    empty = api.post("add_run/1", {"suite_id": 1, "name": "empty", "include_all": False}).body
    assert counts(empty) == (0, 0, 0, 0, 0)
    # A case added to the suite joins active runs that include all cases.
    api.post("add_case/1", {"title": "late"})
    assert api.get(f"get_run/{everything['id']}").body["untested_count"] == 7
    assert api.get(f"get_run/{empty['id']}").body["untested_count"] == 0


def test_update_run_case_ids_replace_the_selection(demo: tuple[TestRailEmulator, Api]) -> None:
    emulator, api = demo
    run = api.post("add_run/1", {"suite_id": 1, "name": "r", "include_all": False,
                                 "case_ids": [101, 102, 103]}).body  # fmt: skip
    api.post(f"add_results_for_cases/{run['id']}", {"results": [
        {"case_id": 101, "status_id": 1}, {"case_id": 103, "status_id": 5}]})  # fmt: skip
    updated = api.post(
        f"update_run/{run['id']}", {"include_all": False, "case_ids": [101, 104]}
    ).body
    assert sorted(t["case_id"] for t in emulator.tests(run["id"])) == [101, 104]
    assert counts(updated) == (1, 0, 1, 0, 0)  # 103's failure left with its test
    assert [r["status_id"] for r in emulator.results(run["id"])] == [1]
    renamed = api.post(f"update_run/{run['id']}", {"name": "renamed", "description": "d"}).body
    assert (renamed["name"], renamed["description"], renamed["untested_count"]) == (
        "renamed",
        "d",
        1,
    )


def test_get_runs_filters(demo: tuple[TestRailEmulator, Api]) -> None:
    emulator, api = demo
    clock = [1_000]
    emulator.world.clock = lambda: clock[0]
    first = api.post("add_run/1", {"suite_id": 1, "name": "a", "refs": "SHOP-1, SHOP-2"}).body
    clock[0] = 2_000
    second = api.post("add_run/1", {"suite_id": 2, "name": "b", "milestone_id": 1}).body
    api.post(f"close_run/{first['id']}")
    api.post("add_plan/1", {"name": "p", "entries": [{"suite_id": 1}]})

    def names(query: str) -> list[str]:
        return [r["name"] for r in api.get("get_runs/1" + query).body["runs"]]

    assert names("") == ["b", "a"]
    assert names("&include_plan_runs=1") == ["Backend", "b", "a"]
    assert names("&created_after=1500") == ["b"]
    assert names("&is_completed=1") == ["a"]
    assert names("&suite_id=2") == ["b"]
    assert names("&milestone_id=1") == ["b"]
    assert names("&refs=SHOP-2") == ["a"]
    assert names("&created_by=1") == ["b", "a"]
    assert second["created_on"] == 2_000


def test_get_tests_filters_by_status(demo: tuple[TestRailEmulator, Api]) -> None:
    _, api = demo
    run = api.post("add_run/1", {"suite_id": 1, "name": "r"}).body
    api.post(f"add_results_for_cases/{run['id']}", {"results": [{"case_id": 102, "status_id": 5}]})
    failed = api.get(f"get_tests/{run['id']}&status_id=5,4").body["tests"]
    assert [(t["case_id"], t["title"]) for t in failed] == [
        (102, "Merges quantities of the same item")
    ]
    test = api.get(f"get_test/{failed[0]['id']}").body
    assert (test["status_id"], test["type_id"], test["refs"]) == (5, 9, "SHOP-12")


# -- results (§4.1) ------------------------------------------------------------------------------------


def test_batches_are_all_or_nothing_and_answer_in_request_order(
    demo: tuple[TestRailEmulator, Api],
) -> None:
    emulator, api = demo
    run = api.post("add_run/1", {"suite_id": 1, "name": "r", "include_all": False,
                                 "case_ids": [101, 102]}).body  # fmt: skip
    refused = api.post(f"add_results_for_cases/{run['id']}", {"results": [
        {"case_id": 101, "status_id": 1}, {"case_id": 102, "status_id": 3}]})  # fmt: skip
    assert refused.status == 400
    assert emulator.results(run["id"]) == []
    batch = [
        {
            "case_id": 101,
            "status_id": 5,
            "comment": "failed",
            "defects": "SHOP-7",
            "elapsed": "90s",
        },
        {"case_id": 102, "status_id": 1, "version": "1.0", "elapsed": "3h 2m"},
        {"case_id": 101, "assignedto_id": 1, "comment": "assigned"},
        {"case_id": 101, "status_id": 1, "elapsed": 30},
    ]
    answer = api.post(f"add_results_for_cases/{run['id']}", {"results": batch}).body
    assert [(r["status_id"], r["comment"]) for r in answer] == [
        (5, "failed"), (1, None), (None, "assigned"), (1, None)]  # fmt: skip
    assert [r["elapsed"] for r in answer] == ["1m 30s", "3h 2m", None, "30s"]
    tests = {t["case_id"]: t for t in emulator.tests(run["id"])}
    assert tests[101]["status_id"] == 1  # the last status wins
    assert tests[101]["assignedto_id"] == 1
    assert answer[0]["test_id"] == tests[101]["id"]
    assert counts(api.get(f"get_run/{run['id']}").body) == (2, 0, 0, 0, 0)


def test_comment_only_results_leave_the_status(demo: tuple[TestRailEmulator, Api]) -> None:
    emulator, api = demo
    run = api.post(
        "add_run/1", {"suite_id": 1, "name": "r", "include_all": False, "case_ids": [101]}
    ).body
    result = api.post(f"add_result_for_case/{run['id']}/101", {"comment": "looked at it"}).body
    assert result["status_id"] is None
    assert emulator.tests(run["id"])[0]["status_id"] == 3


def test_custom_statuses_and_required_result_fields(demo: tuple[TestRailEmulator, Api]) -> None:
    emulator, api = demo
    with emulator.lock:
        emulator.world.enable_custom_status(1, "Flaky")
        emulator.world.add_result_field("environment", STRING, "Environment", required=True)
    run = api.post(
        "add_run/1", {"suite_id": 1, "name": "r", "include_all": False, "case_ids": [101]}
    ).body
    missing = api.post(
        f"add_results_for_cases/{run['id']}", {"results": [{"case_id": 101, "status_id": 6}]}
    )
    assert missing.error == "Field :custom_environment is a required field."
    stored = api.post(f"add_results_for_cases/{run['id']}", {"results": [
        {"case_id": 101, "status_id": 6, "custom_environment": "linux"}]}).body  # fmt: skip
    assert (stored[0]["status_id"], stored[0]["custom_environment"]) == (6, "linux")
    assert api.get(f"get_run/{run['id']}").body["custom_status1_count"] == 1
    assert [s["label"] for s in api.get("get_statuses").body][-1] == "Flaky"


def test_invalid_utf8_is_refused_per_field(demo: tuple[TestRailEmulator, Api]) -> None:
    _, api = demo
    run = api.post(
        "add_run/1", {"suite_id": 1, "name": "r", "include_all": False, "case_ids": [101]}
    ).body
    body = b'{"results": [{"case_id": 101, "status_id": 5, "comment": "bad \xff byte"}]}'
    answer = api.post(f"add_results_for_cases/{run['id']}", data=body,
                      headers={"Content-Type": "application/json"})  # fmt: skip
    assert answer.error == "Field :comment is not a valid UTF-8 character sequence."
    steps = {"results": [{"case_id": 101, "status_id": 5,
                          "custom_step_results": [{"content": "\udcff"}]}]}  # fmt: skip
    answer = api.post(f"add_results_for_cases/{run['id']}", steps)
    assert (
        answer.error
        == "Field :custom_step_results.content is not a valid UTF-8 character sequence."
    )


def test_ai_evaluation_results_cannot_share_a_batch() -> None:
    emulator = seed_demo(TestRailEmulator())
    emulator.world.ai_template = True
    with serve(emulator) as (_, url):
        api = Api(url)
        assert api.get("get_templates/1").body[-1]["i18n_custom_id"] == "templates_ai_evaluation"
        run = api.post("add_run/1", {"suite_id": 1, "name": "r"}).body
        mixed = api.post(f"add_results_for_cases/{run['id']}", {"results": [
            {"case_id": 101, "status_id": 1, "quality_rating": {"accuracy": 4}},
            {"case_id": 102, "status_id": 1}]})  # fmt: skip
        alone = api.post(f"add_results_for_cases/{run['id']}", {"results": [
            {"case_id": 101, "status_id": 1, "quality_rating": {"accuracy": 4}}]})  # fmt: skip
    assert mixed.status == 400
    assert "quality_rating" in (mixed.error or "")
    assert alone.body[0]["quality_rating"] == {"accuracy": 4}


def test_results_read_newest_first_with_filters(demo: tuple[TestRailEmulator, Api]) -> None:
    emulator, api = demo
    emulator.world.add_user("Bot", "bot@example.com", api_key="bot-key")
    clock = [100]
    emulator.world.clock = lambda: clock[0]
    run = api.post("add_run/1", {"suite_id": 1, "name": "r"}).body
    api.post(f"add_results_for_cases/{run['id']}", {"results": [{"case_id": 101, "status_id": 1}]})
    clock[0] = 200
    bot = Api(api.base.split("/index.php")[0], "bot@example.com", "bot-key")
    bot.post(f"add_results_for_cases/{run['id']}", {"results": [
        {"case_id": 102, "status_id": 5, "defects": "SHOP-9, SHOP-10"}]})  # fmt: skip

    def statuses(query: str) -> list[int]:
        return [
            r["status_id"]
            for r in api.get(f"get_results_for_run/{run['id']}{query}").body["results"]
        ]

    assert statuses("") == [5, 1]
    assert statuses("&created_after=150") == [5]
    assert statuses("&created_by=1") == [1]
    assert statuses("&status_id=1") == [1]
    assert statuses("&defects_filter=SHOP-10") == [5]
    assert [
        r["status_id"] for r in api.get(f"get_results_for_case/{run['id']}/102").body["results"]
    ] == [5]


def test_timespans_normalise_with_work_days() -> None:
    assert parse_timespan("1w 2d 3h") == (40 + 16 + 3) * 3600
    assert format_timespan(90) == "1m 30s"
    assert format_timespan(9 * 3600) == "1d 1h"
    assert format_timespan(90, style="new") == "1min 30sec"
    assert parse_timespan("1min 30sec") == 90
    assert parse_timespan("1.5s") == 1.5
    for refused in ("0s", "0", "-10", "XXX", "1m5s", "", "0.5s"):
        assert parse_timespan(refused) is None, refused


def test_newer_cloud_echoes_the_long_units() -> None:
    emulator = seed_demo(TestRailEmulator(timespan_style="new"))
    with serve(emulator) as (_, url):
        api = Api(url)
        run = api.post("add_run/1", {"suite_id": 1, "name": "r"}).body
        answer = api.post(f"add_results_for_cases/{run['id']}",
                          {"results": [{"case_id": 101, "status_id": 1, "elapsed": "3700s"}]})  # fmt: skip
    assert answer.body[0]["elapsed"] == "1hr 1min 40sec"


# -- plans (§3.7) ------------------------------------------------------------------------------------


def test_plans_entries_and_configurations(demo: tuple[TestRailEmulator, Api]) -> None:
    emulator, api = demo
    configs = {c["name"]: c["id"] for c in api.get("get_configs/1").body[0]["configs"]}
    plan = api.post("add_plan/1", {"name": "Release", "milestone_id": 1, "entries": [
        {"suite_id": 1, "name": "Browsers", "include_all": False, "case_ids": [101, 102],
         "config_ids": [configs["Chrome"], configs["Firefox"]]}]}).body  # fmt: skip
    runs = plan["entries"][0]["runs"]
    assert sorted(r["config"] for r in runs) == ["Chrome", "Firefox"]
    assert {(r["plan_id"], r["entry_index"], r["untested_count"], r["milestone_id"]) for r in runs} == {
        (plan["id"], 1, 2, 1)}  # fmt: skip
    entry = api.post(f"add_plan_entry/{plan['id']}", {"suite_id": 2, "include_all": False,
        "case_ids": [201], "config_ids": [configs["Chrome"]],
        "runs": [{"config_ids": [configs["Chrome"]], "case_ids": [201, 202]}]}).body  # fmt: skip
    assert [(r["config"], r["untested_count"]) for r in entry["runs"]] == [("Chrome", 2)]
    listed = api.get("get_plans/1").body["plans"]
    assert "entries" not in listed[0]
    assert listed[0]["untested_count"] == 6
    updated = api.post(f"update_plan_entry/{plan['id']}/{plan['entries'][0]['id']}",
                       {"name": "Renamed", "include_all": False, "case_ids": [103]}).body  # fmt: skip
    assert [(r["name"], r["untested_count"]) for r in updated["runs"]] == [
        ("Renamed", 1),
        ("Renamed", 1),
    ]
    one = api.post(
        f"update_run_in_plan_entry/{runs[0]['id']}", {"include_all": False, "case_ids": [101, 104]}
    ).body
    assert one["untested_count"] == 2
    closed = api.post(f"close_plan/{plan['id']}").body
    assert closed["is_completed"] is True
    assert all(r["is_completed"] for r in emulator.runs() if r["plan_id"] == plan["id"])
    assert api.post(f"add_plan_entry/{plan['id']}", {"suite_id": 1}).status == 403


# -- attachments (§3.12) -------------------------------------------------------------------------------


def test_attachments_are_multipart_and_size_limited(demo: tuple[TestRailEmulator, Api]) -> None:
    emulator, api = demo
    run = api.post(
        "add_run/1", {"suite_id": 1, "name": "r", "include_all": False, "case_ids": [103]}
    ).body
    result = api.post(
        f"add_results_for_cases/{run['id']}", {"results": [{"case_id": 103, "status_id": 5}]}
    ).body[0]
    upload = api.post(f"add_attachment_to_result/{result['id']}",
                      files={"attachment": ("shot.png", b"\x89PNG data")})  # fmt: skip
    attachment_id = upload.body["attachment_id"]
    record, content = emulator.attachment(attachment_id)
    assert (record["filename"], content) == ("shot.png", b"\x89PNG data")
    assert emulator.results(run["id"])[0]["attachment_ids"] == [attachment_id]
    listed = api.get(f"get_attachments_for_test/{result['test_id']}").body["attachments"]
    assert [a["id"] for a in listed] == [attachment_id]
    assert api.get(f"get_attachment/{attachment_id}").raw == b"\x89PNG data"
    as_json = api.post(f"add_attachment_to_result/{result['id']}", {"attachment": "x"})
    assert as_json.status == 400
    wrong_part = api.post(f"add_attachment_to_result/{result['id']}", files={"file": ("a", b"x")})
    assert wrong_part.error == "Field :attachment is a required field."
    emulator.world.attachment_max_bytes = 4
    too_big = api.post(
        f"add_attachment_to_result/{result['id']}", files={"attachment": ("a", b"12345")}
    )
    assert too_big.status == 413
    assert too_big.headers["Content-Type"].startswith("text/html")


# -- throttling and legacy toggles (§1.2, §1.4, §1.5) ----------------------------------------------------


def test_rate_limit_answers_429_with_retry_after() -> None:
    clock = FakeClock()
    emulator = seed_demo(TestRailEmulator())
    emulator.rate_limit = RateLimit(3, 60.0, clock=clock.now)
    with serve(emulator) as (_, url):
        api = Api(url)
        statuses = [api.get("get_project/1").status for _ in range(4)]
        throttled = api.get("get_project/1")
        clock.sleep(60)
        after_wait = api.get("get_project/1")
    assert statuses == [200, 200, 200, 429]
    assert throttled.headers["Retry-After"] == "60"
    assert throttled.error == (
        "API Rate Limit Exceeded - 3 per minute maximum allowed. Retry after 60 seconds."
    )
    assert after_wait.status == 200


def test_oversized_bodies_get_the_web_servers_413() -> None:
    emulator = seed_demo(TestRailEmulator(max_body_bytes=200))
    with serve(emulator) as (_, url):
        answer = Api(url).post("add_run/1", {"suite_id": 1, "name": "x" * 300})
    assert answer.status == 413
    assert "413 Request Entity Too Large" in answer.body
    assert emulator.runs() == []


def test_legacy_authentication_prefix() -> None:
    emulator = seed_demo(TestRailEmulator(legacy_auth_prefix=True))
    with serve(emulator) as (_, url):
        answer = Api(url).get("get_project/1")
    assert answer.body.startswith("USER AUTHENTICATION SUCCESSFUL!\n{")


def test_users(demo: tuple[TestRailEmulator, Api]) -> None:
    _, api = demo
    assert api.get("get_current_user").body["email"] == "demo@example.com"
    assert api.get("get_current_user/1").body["id"] == 1
    assert api.get("get_user_by_email&email=demo%40example.com").body["name"] == "Demo User"
    assert [u["email"] for u in api.get("get_users/1").body["users"]] == ["demo@example.com"]
    assert "_api_keys" not in api.get("get_user/1").body


def test_the_remaining_endpoints(demo: tuple[TestRailEmulator, Api]) -> None:
    """Every other endpoint the emulator serves, each checked by its effect."""
    emulator, api = demo
    project = api.post("add_project", {"name": "Mobile", "suite_mode": 3}).body
    assert (project["name"], project["suite_mode"]) == ("Mobile", 3)
    assert api.get("get_suites/" + str(project["id"])).body["suites"] == []
    milestone = api.post("add_milestone/1", {"name": "Release 2.0", "due_on": 1_900_000_000}).body
    assert api.get(f"get_milestone/{milestone['id']}").body["due_on"] == 1_900_000_000
    group = api.post("add_config_group/1", {"name": "OS"}).body
    linux = api.post(f"add_config/{group['id']}", {"name": "Linux"}).body
    assert [c["name"] for c in api.get("get_configs/1").body[1]["configs"]] == ["Linux"]
    assert [s["name"] for s in api.get("get_case_statuses").body] == ["Approved", "Draft"]

    section = api.post("update_section/3", {"name": "Sign in", "description": "auth"}).body
    assert (section["name"], section["description"]) == ("Sign in", "auth")
    child = api.post("add_section/1", {"suite_id": 2, "name": "MFA", "parent_id": 3}).body
    api.post(f"add_case/{child['id']}", {"title": "asks for a code"})
    assert api.post("delete_section/3&soft=1").body == {"sections": 2, "cases": 3}
    assert api.post("delete_section/3").status == 200
    assert api.get("get_cases/1&suite_id=2").body["cases"] == []

    run = api.post(
        "add_run/1", {"suite_id": 1, "name": "r", "include_all": False, "case_ids": [101]}
    ).body
    test_id = emulator.tests(run["id"])[0]["id"]
    api.post(f"add_result/{test_id}", {"status_id": 2, "comment": "blocked"})
    assert [r["status_id"] for r in api.get(f"get_results/{test_id}").body["results"]] == [2]
    run_file = api.post(
        f"add_attachment_to_run/{run['id']}", files={"attachment": ("log.txt", b"log")}
    )
    case_file = api.post("add_attachment_to_case/101", files={"attachment": ("spec.md", b"spec")})
    listed = api.get(f"get_attachments_for_run/{run['id']}").body["attachments"]
    assert [a["id"] for a in listed] == [run_file.body["attachment_id"]]
    assert [a["name"] for a in api.get("get_attachments_for_case/101").body["attachments"]] == [
        "spec.md"
    ]
    assert api.post(f"delete_attachment/{case_file.body['attachment_id']}").status == 200
    assert api.get("get_attachments_for_case/101").body["attachments"] == []
    assert api.post(f"delete_run/{run['id']}&soft=1").body == {"tests": 1, "results": 1}
    assert api.post(f"delete_run/{run['id']}").status == 200
    assert api.get(f"get_run/{run['id']}").status == 400

    plan = api.post("add_plan/1", {"name": "p", "entries": [{"suite_id": 1, "include_all": False,
                                                             "case_ids": [101]}]}).body  # fmt: skip
    entry_id = plan["entries"][0]["id"]
    chrome = api.get("get_configs/1").body[0]["configs"][0]["id"]
    configured = {"config_ids": [chrome, linux["id"]], "include_all": False, "case_ids": [102]}
    grown = api.post(f"add_run_to_plan_entry/{plan['id']}/{entry_id}", configured).body
    assert [r["config"] for r in grown["runs"]] == [None, "Chrome, Linux"]
    api.post(f"add_attachment_to_plan/{plan['id']}", files={"attachment": ("plan.txt", b"p")})
    renamed = api.post(
        f"update_plan/{plan['id']}", {"name": "Release plan", "milestone_id": milestone["id"]}
    ).body
    assert (renamed["name"], renamed["milestone_id"]) == ("Release plan", milestone["id"])
    assert api.post(f"delete_plan_entry/{plan['id']}/{entry_id}").status == 200
    assert api.get(f"get_plan/{plan['id']}").body["entries"] == []
    assert api.post(f"delete_plan/{plan['id']}").status == 200
    assert emulator.plans() == []

    suite = api.post("add_suite/1", {"name": "Scratch"}).body
    api.post("add_section/1", {"suite_id": suite["id"], "name": "S"})
    assert api.post(f"delete_suite/{suite['id']}&soft=1").body == {
        "suites": 1,
        "sections": 1,
        "cases": 0,
    }
    assert api.post(f"delete_suite/{suite['id']}").status == 200
    assert api.get(f"get_suite/{suite['id']}").status == 400


def test_concurrent_batches_all_land_once(demo: tuple[TestRailEmulator, Api]) -> None:
    """Matrix shards post at the same moment: every result is stored exactly once."""
    emulator, api = demo
    case_ids = add_cases(emulator, 80)
    run = api.post("add_run/1", {"suite_id": 1, "name": "shards", "include_all": False,
                                 "case_ids": case_ids}).body  # fmt: skip
    url = api.base.split("/index.php")[0]

    def shard(index: int) -> None:
        own = Api(url)
        for start in range(index * 10, index * 10 + 10, 5):
            batch = [{"case_id": c, "status_id": 1} for c in case_ids[start : start + 5]]
            assert own.post(f"add_results_for_cases/{run['id']}", {"results": batch}).status == 200

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(shard, range(8)))
    results = emulator.results(run["id"])
    assert len(results) == 80
    assert len({r["id"] for r in results}) == 80
    assert {r["test_id"] for r in results} == {t["id"] for t in emulator.tests(run["id"])}
    assert api.get(f"get_run/{run['id']}").body["passed_count"] == 80
