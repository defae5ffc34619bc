"""The sink's phases as the pipeline calls them, with Jira woven in between: `prepare` gives each
test's TestRail test (id and URL) for defects to link to, and `post` writes the defect keys Jira
returned into the results' defects field. Also: custom result fields, a run inside a plan given
as testrail_run_id, and a setup job that checks TestRail before a matrix starts."""

from __future__ import annotations

import io
from pathlib import Path

from tmsaction.config.load import load_config
from tmsaction.ghactions import Console
from tmsaction.inputs import RunContext, parse_inputs
from tmsaction.mapping.model import DEFAULT_ROUTE
from tmsaction.mapping.routes import routes_in_use
from tmsaction.plan.build import plan_mapping
from tmsaction.reports.collect import read_reports
from tmsaction.sandbox.testrail import DEMO_API_KEY, DEMO_USER, TestRailEmulator, seed_demo
from tmsaction.sandbox.testrail.defaults import STRING
from tmsaction.sinks.testrail import TestRailSync

from tests.testrail_support import FakeClock, serve
from tests.testrail_sync_support import Case, run_action, workspace

TESTS = [Case("addsItem", case_id=101), Case("merges", case_id=102, failure="2 != 3")]


def test_prepare_links_tests_for_jira_and_post_writes_the_defect_keys(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"TEST-x.xml": TESTS})
    with serve() as (emulator, url):
        inputs = parse_inputs(
            [],
            {
                "INPUT_REPORTS": "reports/*.xml",
                "INPUT_TESTRAIL_URL": url,
                "INPUT_TESTRAIL_USER": DEMO_USER,
                "INPUT_TESTRAIL_API_KEY": DEMO_API_KEY,
                "INPUT_TESTRAIL_PROJECT": "Shop",
                "INPUT_TESTRAIL_SUITE": "Backend",
            },
        )
        context = RunContext.from_env(
            {"GITHUB_WORKSPACE": str(root), "GITHUB_RUN_ID": "9", "GITHUB_REPOSITORY": "a/b"}, root
        )
        clock = FakeClock()
        console = Console(io.StringIO(), in_actions=True)
        sync = TestRailSync.start(inputs, context, console, sleep=clock.sleep, clock=clock.now)
        assert sync is not None
        config = load_config(root, inputs.config, explicit=False)
        reports = read_reports(root, inputs.reports)
        routes = routes_in_use(reports.results, config.testrail.routes) or (DEFAULT_ROUTE,)
        facts = sync.read(routes, config, reports.results)
        planned = plan_mapping(
            reports.results,
            reports.totals,
            config,
            catalog=facts.mapping_catalog,
            lookups=facts.lookups,
            default_project=inputs.testrail_project,
            default_suite=inputs.testrail_suite,
        )
        plan = sync.plan(reports, planned.mappings, config, routes, facts)

        prepared = sync.prepare(plan, test_ids=True)
        [merges_link] = prepared.links(1)
        # ... Jira files a defect for the failed test, linking to its TestRail test ...
        posted = sync.post(prepared, defects={1: ("SHOP-7", "SHOP-8")})
        outcome = sync.finish(posted)

        [tr_run] = emulator.runs()
        tests = {t["case_id"]: t for t in emulator.tests(tr_run["id"])}
        results = {r["test_id"]: r for r in emulator.results(tr_run["id"])}
    assert (merges_link.run_id, merges_link.case_id) == (tr_run["id"], 102)
    assert merges_link.test_id == tests[102]["id"]
    assert merges_link.url == f"{url}/index.php?/tests/view/{tests[102]['id']}"
    assert results[tests[102]["id"]]["defects"] == "SHOP-7, SHOP-8"
    assert results[tests[101]["id"]]["defects"] is None
    assert outcome.sent == 2
    assert outcome.problems == ()


def test_custom_result_fields_from_the_config(tmp_path: Path) -> None:
    emulator = seed_demo(TestRailEmulator())
    emulator.world.add_result_field("environment", STRING, "Environment")
    config = (
        "version: 1\ntestrail:\n  results:\n    fields:\n"
        '      custom_environment: "ci-{{ ref_name }}"\n'
    )
    root = workspace(tmp_path / "ws", {"TEST-x.xml": TESTS}, config)
    with serve(emulator) as (_, url):
        run = run_action(root, url)
        [tr_run] = emulator.runs()
        results = emulator.results(tr_run["id"])
    assert run.code == 0, run.log
    assert {r["custom_environment"] for r in results} == {"ci-main"}


def test_a_run_inside_a_plan_given_as_testrail_run_id(tmp_path: Path) -> None:
    emulator = seed_demo(TestRailEmulator())
    world = emulator.world
    plan = world.add_plan(1, {"name": "Release"}, 1)
    entry = world.add_entry(
        plan, {"suite_id": 1, "name": "Backend", "include_all": False, "description": None}
    )
    run = world.create_run(
        1,
        1,
        {"name": "Backend"},
        include_all=False,
        case_ids=[103],
        created_by=1,
        plan=plan,
        entry=entry,
    )
    entry["_runs"].append(run["id"])
    root = workspace(tmp_path / "ws", {"TEST-x.xml": TESTS})
    with serve(emulator) as (_, url):
        result = run_action(root, url, testrail_run_id=str(run["id"]), testrail_close_run="true")
        tests = {t["case_id"] for t in emulator.tests(run["id"])}
        still_open = not emulator.runs()[0]["is_completed"]
    assert result.code == 0, result.log
    assert tests == {101, 102, 103}  # added through the plan entry, 103 kept
    assert still_open
    assert "is inside plan" in result.log  # closed with the plan, as TestRail requires


def test_a_setup_job_checks_testrail_before_the_matrix(tmp_path: Path) -> None:
    """No reports yet: a dry run still reads TestRail and fails on what is wrong."""
    root = tmp_path / "ws"
    root.mkdir()
    with serve() as (emulator, url):
        good = run_action(root, url, dry_run="true", fail_on="sync-errors")
        bad = run_action(
            root, url, dry_run="true", fail_on="sync-errors", testrail_api_key="wrong-key"
        )
        written = [m for m, _ in emulator.requests if m == "POST"]
    assert good.code == 0, good.log
    assert bad.code == 1
    assert "TestRail rejected the credentials of user 'demo@example.com'" in bad.log
    assert written == []
