"""The TestRail sync through `main()` with a dict environment, against the emulator on loopback:
one run holding every mapped result, re-runs that add nothing, `testrail_run_id`, a plan entry
with configurations, the three suite modes, closing, and a dry run that writes nothing. Each
test asserts what the emulator holds afterwards."""

from __future__ import annotations

from pathlib import Path

from tmsaction.render.escape import inline
from tmsaction.sandbox.testrail import TestRailEmulator, seed_demo

from tests.testrail_support import serve
from tests.testrail_sync_support import Case, keys_by_case, posts, run_action, workspace

CONFIG = """\
version: 1
testrail:
  results:
    version: "{{ short_sha }}"
  run:
    description: "Nightly on {{ ref_name }}"
    milestone: Release 1.0
    refs: SHOP-1
"""

SHOP = [
    Case("addsItem", case_id=101, time=0.4),
    Case("mergesQuantities", case_id=102, time=62.2, failure="expected 2 items but was 3"),
    Case("appliesDiscount", case_id=103, skipped=True),
    Case("recalculatesTotal", case_id=104, flaky="Timeout after 5s", time=2.0),
    Case("noCaseForThisOne"),
]


def test_one_run_holds_every_mapped_result(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"TEST-cart.xml": SHOP}, CONFIG)
    with serve() as (emulator, url):
        run = run_action(root, url)
        [tr_run] = emulator.runs()
        tests = {t["case_id"]: t for t in emulator.tests(tr_run["id"])}
        results = {r["test_id"]: r for r in emulator.results(tr_run["id"])}
        requests = list(emulator.requests)
    assert run.code == 0, run.log
    assert tr_run["name"] == "CI #17 (main)"
    assert tr_run["description"] == (
        "Nightly on main\n\ntmsaction-run: repo=acme/shop run=4242 workflow=CI "
        "ref=refs/heads/main sha=0123456789abcdef0123456789abcdef01234567 "
    )
    assert (tr_run["include_all"], tr_run["milestone_id"], tr_run["refs"]) == (False, 1, "SHOP-1")
    assert set(tests) == {101, 102, 103, 104}  # only the mapped cases, not the whole suite
    by_case = {case: results[test["id"]] for case, test in tests.items()}
    assert {case: r["status_id"] for case, r in by_case.items()} == {101: 1, 102: 5, 103: 4, 104: 1}
    assert (by_case[101]["elapsed"], by_case[102]["elapsed"]) == ("1s", "1m 2s")
    assert by_case[101]["version"] == "0123456"
    assert "expected 2 items but was 3" in by_case[102]["comment"]
    assert by_case[104]["comment"].startswith(
        "Flaky: passed on attempt 2 of 2; failed on attempt 1"
    )
    # Reads, one run, one batch of results: nothing else is written.
    assert [route for method, route in requests if method == "POST"] == [
        "add_run",
        "add_results_for_cases",
    ]
    assert run.outputs["run_id"] == str(tr_run["id"])
    assert run.outputs["run_url"].endswith(f"index.php?/runs/view/{tr_run['id']}")
    assert run.sync("addsItem") == {
        "status": "sent",
        "case_id": 101,
        "run_id": tr_run["id"],
        "test_id": tests[101]["id"],
        "result_id": by_case[101]["id"],
        "error": None,
    }
    assert run.sync("noCaseForThisOne")["status"] == "skipped"
    assert run.results["testrail"]["runs"][0]["sent"] == 4
    # The run is linked under the headline (`#17` is kept from linking to issue 17).
    assert f"[R{tr_run['id']} CI #\u206017 (main)]({tr_run['url']}) · 4 sent" in run.summary


def test_a_rerun_with_the_same_reports_adds_no_run_and_no_result(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"TEST-cart.xml": SHOP}, CONFIG)
    with serve() as (emulator, url):
        first = run_action(root, url)
        before = len(emulator.requests)
        again = run_action(root, url, env={"GITHUB_RUN_ATTEMPT": "2"})
        second_posts = [m for m, _ in emulator.requests[before:] if m == "POST"]
        [tr_run] = emulator.runs()
        keys = keys_by_case(emulator, tr_run["id"])
    assert (first.code, again.code) == (0, 0), again.log
    assert second_posts == []
    assert sum(keys.values()) == 4
    assert set(keys.values()) == {1}
    assert again.sync("mergesQuantities")["status"] == "present"
    assert again.outputs["run_id"] == str(tr_run["id"])
    assert "4 already there" in again.summary


def test_a_rerun_with_a_changed_result_adds_only_that_result(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"TEST-cart.xml": SHOP}, CONFIG)
    with serve() as (emulator, url):
        run_action(root, url)
        fixed = [Case("mergesQuantities", case_id=102, time=3.0), *SHOP[2:]]
        workspace(root, {"TEST-cart.xml": [SHOP[0], *fixed]})
        again = run_action(root, url, env={"GITHUB_RUN_ATTEMPT": "2"})
        [tr_run] = emulator.runs()
        tests = {t["case_id"]: t for t in emulator.tests(tr_run["id"])}
        results = emulator.results(tr_run["id"])
    assert again.code == 0, again.log
    assert len(results) == 5
    assert tests[102]["status_id"] == 1  # the latest result decides the test's status
    assert again.sync("mergesQuantities")["status"] == "sent"
    assert again.sync("addsItem")["status"] == "present"


def test_testrail_run_id_adds_missing_cases_and_keeps_the_runs_own(tmp_path: Path) -> None:
    emulator = seed_demo(TestRailEmulator())
    world = emulator.world
    manual = world.create_run(
        1, 1, {"name": "Manual regression"}, include_all=False, case_ids=[105, 106], created_by=1
    )
    test_105 = world.tests[world.run_tests[manual["id"]][105]]
    world.add_result(test_105, {"status_id": 1, "comment": "checked by hand"}, 1)
    root = workspace(
        tmp_path / "ws",
        {
            "TEST-x.xml": [
                Case("addsItem", case_id=101),
                Case("chargesOnce", case_id=105, failure="x"),
            ]
        },
    )
    with serve(emulator) as (_, url):
        run = run_action(root, url, testrail_run_id=str(manual["id"]))
        tests = {t["case_id"]: t for t in emulator.tests(manual["id"])}
        runs = emulator.runs()
        comments = [r["comment"] for r in emulator.results(manual["id"])]
    assert run.code == 0, run.log
    assert [r["id"] for r in runs] == [manual["id"]]  # no new run
    assert set(tests) == {101, 105, 106}  # 101 added, 105 and 106 kept
    assert comments[0] == "checked by hand"  # the run's own result survived the update
    assert len(comments) == 3
    assert (tests[101]["status_id"], tests[105]["status_id"]) == (1, 5)
    assert run.outputs["run_id"] == str(manual["id"])


def test_a_closed_testrail_run_id_is_refused_with_the_fix(tmp_path: Path) -> None:
    emulator = seed_demo(TestRailEmulator())
    closed = emulator.world.create_run(
        1, 1, {"name": "Old"}, include_all=False, case_ids=[101], created_by=1
    )
    emulator.world.close_run(closed)
    root = workspace(tmp_path / "ws", {"TEST-x.xml": [Case("addsItem", case_id=101)]})
    with serve(emulator) as (_, url):
        run = run_action(root, url, testrail_run_id=str(closed["id"]))
        written = posts(emulator)
    assert run.code == 1
    assert written == []
    message = (
        f"TestRail run R{closed['id']} is closed, and closed runs are read-only: leave "
        "testrail_run_id empty to create a new run, or give the id of an active run"
    )
    assert run.sync("addsItem")["error"] == message
    assert inline(message, 500) in run.summary
    assert f"::warning title=TestRail::{message}" in run.log


def test_a_plan_entry_with_a_configuration(tmp_path: Path) -> None:
    emulator = seed_demo(TestRailEmulator())
    plan = emulator.world.add_plan(1, {"name": "Release 1.0 regression"}, 1)
    chrome = next(c for c in emulator.world.configs.values() if c["name"] == "Chrome")
    config = "version: 1\ntestrail:\n  run:\n    configurations: [chrome]\n"
    root = workspace(
        tmp_path / "ws",
        {"TEST-x.xml": [Case("addsItem", case_id=101), Case("merges", case_id=102, failure="f")]},
        config,
    )
    with serve(emulator) as (_, url):
        first = run_action(root, url, testrail_plan_id=str(plan["id"]))
        again = run_action(
            root, url, testrail_plan_id=str(plan["id"]), env={"GITHUB_RUN_ATTEMPT": "2"}
        )
        [entry] = emulator.plans()[0]["entries"]
        [entry_run] = entry["runs"]
        results = emulator.results(entry_run["id"])
        standalone = emulator.runs()
    assert (first.code, again.code) == (0, 0), first.log
    assert entry["suite_id"] == 1
    assert "tmsaction-run: repo=acme/shop run=4242 " in entry["description"]
    assert (entry_run["config_ids"], entry_run["config"]) == ([chrome["id"]], "Chrome")
    assert {t["case_id"] for t in emulator.tests(entry_run["id"])} == {101, 102}
    assert len(results) == 2
    assert [r for r in standalone if r["plan_id"] is None] == []
    assert again.sync("addsItem")["status"] == "present"
    assert first.outputs["run_id"] == str(entry_run["id"])


def test_single_suite_project_needs_no_suite(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"TEST-x.xml": [Case("homePageLoads", case_id=301)]})
    with serve() as (emulator, url):
        run = run_action(root, url, testrail_project="Legacy", testrail_suite="")
        [tr_run] = emulator.runs(project_id=2)
    assert run.code == 0, run.log
    assert tr_run["suite_id"] == 3
    assert tr_run["passed_count"] == 1


def test_baseline_project_uses_the_master_suite(tmp_path: Path) -> None:
    emulator = seed_demo(TestRailEmulator())
    world = emulator.world
    mobile = world.add_project("Mobile", suite_mode=2)
    [master] = world.project_suites(mobile["id"])
    world.add_suite(mobile["id"], "Baseline 2.0", is_baseline=True)
    section = world.add_section(master["id"], "Login")
    case = world.add_case(section["id"], "Signs in")
    root = workspace(tmp_path / "ws", {"TEST-x.xml": [Case("signsIn", case_id=case["id"])]})
    with serve(emulator) as (_, url):
        run = run_action(root, url, testrail_project="Mobile", testrail_suite="")
        [tr_run] = emulator.runs(project_id=mobile["id"])
    assert run.code == 0, run.log
    assert tr_run["suite_id"] == master["id"]


def test_multi_suite_project_without_a_suite_says_what_to_set(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"TEST-x.xml": [Case("addsItem", case_id=101)]})
    with serve() as (emulator, url):
        run = run_action(root, url, testrail_suite="")
        written = posts(emulator)
    assert run.code == 1
    assert written == []
    assert run.sync("addsItem")["error"] == (
        "TestRail project 'Shop' holds several suites ('Backend', 'Web'): set testrail_suite to "
        "the suite name or id to report to."
    )


def test_closing_the_run(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"TEST-x.xml": [Case("addsItem", case_id=101)]})
    with serve() as (emulator, url):
        run = run_action(root, url, testrail_close_run="true")
        [tr_run] = emulator.runs()
    assert run.code == 0, run.log
    assert tr_run["is_completed"] is True
    assert tr_run["passed_count"] == 1
    assert "· closed" in run.summary


def test_a_rerun_after_the_run_was_closed_finds_its_results_and_reports_new_ones(
    tmp_path: Path,
) -> None:
    root = workspace(tmp_path / "ws", {"TEST-x.xml": [Case("addsItem", case_id=101)]})
    with serve() as (emulator, url):
        run_action(root, url, testrail_close_run="true")
        before = len(emulator.requests)
        same = run_action(root, url, env={"GITHUB_RUN_ATTEMPT": "2"})
        same_posts = [m for m, _ in emulator.requests[before:] if m == "POST"]
        workspace(root, {"TEST-x.xml": [Case("addsItem", case_id=101, failure="broke")]})
        changed = run_action(root, url, env={"GITHUB_RUN_ATTEMPT": "3"})
        runs = emulator.runs()
    assert same.code == 0, same.log
    assert same_posts == []
    assert same.sync("addsItem")["status"] == "present"
    assert changed.code == 1
    assert changed.sync("addsItem")["error"].startswith(
        f"TestRail run R{runs[0]['id']} of this workflow run was closed before this result came"
    )
    assert len(runs) == 1  # never a second run for the same workflow run


def test_a_dry_run_reads_testrail_and_writes_nothing(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"TEST-cart.xml": SHOP}, CONFIG)
    with serve() as (emulator, url):
        dry = run_action(root, url, dry_run="true")
        dry_posts = posts(emulator)
        reads = {route for _, route in emulator.requests}
        real = run_action(root, url)
        [tr_run] = emulator.runs()
        before = len(emulator.requests)
        dry_again = run_action(root, url, dry_run="true", env={"GITHUB_RUN_ATTEMPT": "2"})
        later_posts = [m for m, _ in emulator.requests[before:] if m == "POST"]
    assert (dry.code, real.code, dry_again.code) == (0, 0, 0), dry.log
    assert dry_posts == []
    assert later_posts == []
    assert {"get_cases", "get_milestones", "get_runs"} <= reads
    assert "4 results would go to a new run “CI #\u206017 (main)”" in dry.summary
    assert dry.sync("addsItem")["status"] == "planned"
    assert dry.outputs["run_id"] == ""
    assert (
        f"4 results would go to [R{tr_run['id']} CI #\u206017 (main)]({tr_run['url']}) "
        "(this workflow run's run)" in dry_again.summary
    )


def test_a_run_whose_tests_all_name_their_case_reads_no_case_list(tmp_path: Path) -> None:
    """Request economy: the suite's cases (one request per 250) are read only when something
    needs them; TestRail itself checks the ids when the run is created."""
    tests = [Case("addsItem", case_id=101), Case("ghost", case_id=999), Case("merges", case_id=102)]
    root = workspace(tmp_path / "ws", {"TEST-x.xml": tests})
    with serve() as (emulator, url):
        run = run_action(root, url, fail_on="nothing")
        routes = [route for _, route in emulator.requests]
        [tr_run] = emulator.runs()
    assert run.code == 0, run.log
    # The unknown id is refused by add_run; only then are the case ids read, to leave it out.
    assert routes == [
        "get_projects",
        "get_suites",
        "get_runs",
        "add_run",
        "get_cases",
        "add_run",
        "get_runs",
        "add_results_for_cases",
        # Then "what changed" looks for this workflow's previous run on the base branch.
        "get_projects",
        "get_runs",
    ]
    assert {t["case_id"] for t in emulator.tests(tr_run["id"])} == {101, 102}
    assert run.sync("ghost")["error"] == (
        "TestRail case C999 does not exist in Shop › Backend (or is in another suite): fix or "
        "remove the case id in the test or the mapping config"
    )
    assert run.outputs["automation_coverage"] == ""


def test_coverage_figures_read_the_suites_cases(tmp_path: Path) -> None:
    config = "version: 1\ncoverage:\n  gates:\n    - metric: regression_automation\n      min: 1\n"
    root = workspace(tmp_path / "ws", {"TEST-x.xml": [Case("addsItem", case_id=101)]}, config)
    with serve() as (emulator, url):
        run = run_action(root, url)
        routes = {route for _, route in emulator.requests}
    assert run.code == 0, run.log
    assert {"get_sections", "get_cases"} <= routes
    assert run.outputs["automation_coverage"] == "16.7"  # 1 of the 6 Backend cases
