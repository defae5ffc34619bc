"""The pure TestRail plan: where each result goes, what is created and in which order, what
cannot be sent and why, the run target, and the idempotency keys. Hand-built TestRail facts; no
emulator."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tmsaction.inputs import Inputs, RunContext, parse_inputs
from tmsaction.mapping.model import Route
from tmsaction.model import Attempt, Outcome, ReportSet, TestResult, Totals
from tmsaction.plan.build import plan_mapping
from tmsaction.plan.testrail import build_testrail_plan
from tmsaction.plan.testrail_keys import key_base, key_of, result_key, with_key
from tmsaction.plan.testrail_model import (
    CaseField,
    ConfigChoice,
    ExistingRun,
    PlanInfo,
    RunKind,
    TestRailFacts,
    TestRailPlan,
)
from tmsaction.plan.testrail_newcases import fold, required_fields_missing

from tests.mapping_world import CATALOG, LOOKUPS, config, make_result

CONTEXT = RunContext(
    workspace=Path("/ws"),
    repository="acme/shop",
    run_id="4242",
    run_number="17",
    workflow="CI",
    ref="refs/heads/main",
    ref_name="main",
    sha="0123456789abcdef",
)
FACTS = TestRailFacts(catalog=CATALOG, lookups=LOOKUPS, base_url="https://acme.testrail.io")


def inputs(**values: str) -> Inputs:
    env = {
        "INPUT_TESTRAIL_URL": "https://acme.testrail.io",
        "INPUT_TESTRAIL_PROJECT": "Shop",
        "INPUT_TESTRAIL_SUITE": "Backend",
        **{f"INPUT_{k.upper()}": v for k, v in values.items()},
    }
    return parse_inputs([], env)


def build(
    results: list[TestResult],
    text: str = "",
    *,
    facts: TestRailFacts = FACTS,
    context: RunContext = CONTEXT,
    **values: str,
) -> TestRailPlan:
    cfg = config(text)
    given = inputs(**values)
    reports = ReportSet(tuple(results), totals=Totals.of(results))
    planned = plan_mapping(
        reports.results,
        reports.totals,
        cfg,
        catalog=facts.catalog,
        lookups=facts.lookups,
        create_cases=given.testrail_create_cases,
        default_project=given.testrail_project,
        default_suite=given.testrail_suite,
    )
    return build_testrail_plan(
        reports, planned.mappings, cfg, context=context, inputs=given, facts=facts
    )


def with_id(name: str, case_id: int, **options: object) -> TestResult:
    return make_result(name, properties=[("test_id", f"C{case_id}")], **options)  # type: ignore[arg-type]


def test_results_per_case_with_status_elapsed_and_rank() -> None:
    plan = build(
        [
            with_id("adds", 101),
            with_id("merges", 102, outcome=Outcome.FAILED, message="2 != 3"),
            with_id("skipped", 103, outcome=Outcome.SKIPPED),
            make_result("nothing here"),
        ]
    )
    [run] = plan.runs
    assert (run.label, run.project_id, run.suite_id) == ("Shop › Backend", 1, 10)
    assert [(r.index, r.case_id, r.status_id, r.elapsed, r.rank) for r in run.results] == [
        (0, 101, 1, "1s", 0),  # 0.1 s is sent as 1 s: TestRail refuses anything shorter
        (1, 102, 5, "1s", 3),
        (2, 103, 4, "1s", 2),
    ]
    assert plan.skipped == {3: "matched no TestRail case"}
    assert plan.unsent == {}
    assert run.case_ids == (101, 102, 103)


def test_the_new_run_carries_name_description_marker_milestone_and_refs() -> None:
    text = """
        testrail:
          run:
            description: "Nightly on {{ ref_name }}"
            milestone: 7
            refs: "SHOP-{{ run_number }}"
    """
    [run] = build([with_id("adds", 101)], text).runs
    target = run.target
    assert target.kind is RunKind.CREATE
    assert target.name == "CI #17 (main)"
    assert target.description == (
        "Nightly on main\n\ntmsaction-run: repo=acme/shop run=4242 workflow=CI "
        "ref=refs/heads/main sha=0123456789abcdef "
    )
    assert (target.milestone_id, target.refs) == (7, "SHOP-17")
    assert target.marker == "tmsaction-run: repo=acme/shop run=4242 "


def test_without_a_workflow_run_id_there_is_no_marker_and_a_note_says_so() -> None:
    plan = build([with_id("adds", 101)], context=replace(CONTEXT, run_id=""))
    assert plan.runs[0].target.marker is None
    assert plan.runs[0].target.description is None
    assert any(note.startswith("no GITHUB_RUN_ID") for note in plan.notes)


def test_an_unknown_case_id_is_unsent_with_the_fix_and_unmatched_tests_are_skipped() -> None:
    plan = build([with_id("adds", 101), with_id("ghost", 999), make_result("plain")])
    assert plan.unsent == {
        1: "TestRail case C999 does not exist in Shop › Backend (or is in another suite): fix or "
        "remove the case id in the test or the mapping config"
    }
    assert plan.skipped == {2: "matched no TestRail case"}


def test_an_outcome_that_sends_nothing_is_skipped_with_the_config_key() -> None:
    text = """
        testrail:
          results:
            status:
              skipped: null
    """
    plan = build([with_id("skipped", 103, outcome=Outcome.SKIPPED)], text)
    assert plan.skipped == {0: "a skipped test sends no result (testrail.results.status.skipped)"}
    assert plan.runs == ()


def test_a_route_that_could_not_be_read_leaves_its_tests_unsent() -> None:
    facts = replace(FACTS, route_errors={Route(): "TestRail suite 'Backendd' was not found"})
    plan = build([with_id("adds", 101)], facts=facts)
    assert plan.unsent == {0: "TestRail suite 'Backendd' was not found"}
    assert plan.runs == ()


def test_a_fatal_read_error_leaves_every_sending_test_unsent() -> None:
    facts = TestRailFacts(fatal="TestRail rejected the credentials")
    plan = build([with_id("adds", 101), make_result("plain")], facts=facts)
    assert plan.unsent == {
        0: "TestRail rejected the credentials",
        1: "TestRail rejected the credentials",
    }


NAMES = """
    testrail:
      names:
        section: class
        strip_suffix: [Test]
        title: words
        root: [Automated]
      new_cases:
        type: Automated
        priority: High
"""


def test_new_cases_and_their_sections_parents_first() -> None:
    results = [
        make_result("rejectsNegativeQuantity"),
        make_result("keepsTheCartOnReload"),
        make_result("paysByCard", "com.acme.shop.CheckoutTest"),
        make_result("paysByCard", "com.acme.shop.CheckoutV2Test"),
    ]
    plan = build(results, NAMES, testrail_create_cases="true")
    [run] = plan.runs
    # "Automated" and "Automated › Cart" exist in the Backend suite; the rest is new.
    assert run.sections == {fold(["Automated"]): 102, fold(["Automated", "Cart"]): 103}
    assert run.new_sections == (("Automated", "Checkout"), ("Automated", "CheckoutV2"))
    assert [(c.section_path, c.title, c.tests) for c in run.new_cases] == [
        (("Automated", "Cart"), "Rejects negative quantity", 1),
        (("Automated", "Cart"), "Keeps the cart on reload", 1),
        (("Automated", "Checkout"), "Pays by card", 1),
        (("Automated", "CheckoutV2"), "Pays by card", 1),
    ]
    # Type and priority by name; no automation id field in this project; no stories, no refs.
    assert run.new_cases[0].fields == {"type_id": 3, "priority_id": 3}
    assert [(r.case_id, r.new_case) for r in run.results] == [
        (None, 0),
        (None, 1),
        (None, 2),
        (None, 3),
    ]


def test_missing_required_case_fields_stop_case_creation_with_one_message() -> None:
    fields = (
        CaseField("custom_component", "Component", 6, True, items="1, Cart\n2, Checkout"),
        CaseField("custom_owner", "Owner", 1, True, default="qa"),
        CaseField("custom_notes", "Notes", 3, False),
        CaseField("custom_automation_id", "Automation ID", 1, True),
    )
    facts = replace(FACTS, case_fields={1: fields})
    plan = build(
        [make_result("rejectsNegativeQuantity"), with_id("adds", 101)],
        NAMES,
        facts=facts,
        testrail_create_cases="true",
    )
    message = (
        "TestRail requires case fields that the mapping config does not give, so none of the 1 "
        "new cases of Shop › Backend was created: set testrail.new_cases.fields.custom_component "
        "(Component, one of 1 = Cart; 2 = Checkout); testrail.new_cases.fields.custom_owner "
        "(Owner, TestRail's default is qa)"
    )
    [run] = plan.runs
    assert run.case_problem == message
    assert plan.unsent == {0: message}
    assert (run.new_cases, run.new_sections) == ((), ())
    assert [r.case_id for r in run.results] == [101]  # the rest is still sent


def test_required_fields_given_or_filled_are_not_missing() -> None:
    fields = [
        CaseField("custom_component", "Component", 6, True),
        CaseField("custom_x", "X", 1, True),
    ]
    assert required_fields_missing(fields, {"custom_component": 2}, {"custom_x"}) == []


def test_testrail_run_id_that_is_closed_or_of_another_suite() -> None:
    closed = ExistingRun(5, "Old", "u", project_id=1, suite_id=10, is_completed=True)
    plan = build(
        [with_id("adds", 101)], facts=replace(FACTS, reused_run=closed), testrail_run_id="5"
    )
    assert plan.runs[0].target.kind is RunKind.REUSE
    assert plan.unsent[0].startswith("TestRail run R5 is closed, and closed runs are read-only")
    other = replace(closed, is_completed=False, suite_id=20)
    plan = build(
        [with_id("adds", 101)], facts=replace(FACTS, reused_run=other), testrail_run_id="5"
    )
    assert plan.unsent[0].startswith("TestRail run R5 ('Old') is not a run of this suite")


def test_plan_entries_resolve_configurations_by_name_one_per_group() -> None:
    configs = (
        ConfigChoice(11, "Chrome", 1, "Browsers"),
        ConfigChoice(12, "Firefox", 1, "Browsers"),
        ConfigChoice(21, "Linux", 2, "OS"),
    )
    facts = replace(
        FACTS,
        plan=PlanInfo(9, "Release", "u", project_id=1, is_completed=False),
        configs={1: configs},
    )
    text = "testrail:\n  run:\n    configurations: [chrome, Linux]\n"
    [run] = build([with_id("adds", 101)], text, facts=facts, testrail_plan_id="9").runs
    assert (run.target.kind, run.target.config_ids) == (RunKind.PLAN_ENTRY, (11, 21))
    assert run.close is False
    text = "testrail:\n  run:\n    configurations: [Chrome, Firefox]\n"
    plan = build([with_id("adds", 101)], text, facts=facts, testrail_plan_id="9")
    assert plan.unsent[0].startswith("testrail.run.configurations: give at most one configuration")
    text = "testrail:\n  run:\n    configurations: [Safari]\n"
    plan = build([with_id("adds", 101)], text, facts=facts, testrail_plan_id="9")
    assert plan.unsent[0] == (
        "testrail.run.configurations: TestRail has no configuration 'Safari' in this project "
        "(known: 'Chrome' (Browsers), 'Firefox' (Browsers), 'Linux' (OS))"
    )


def test_an_unknown_milestone_is_a_problem_and_the_run_is_made_without_it() -> None:
    facts = replace(FACTS, milestones={1: {"release 1.0": 4}})
    text = "testrail:\n  run:\n    milestone: Release 2.0\n"
    plan = build([with_id("adds", 101)], text, facts=facts)
    assert plan.runs[0].target.milestone_id is None
    assert plan.problems == (
        "testrail.run.milestone: TestRail has no milestone 'Release 2.0' in this project "
        "(known: release 1.0); the run is created without a milestone",
    )
    text = "testrail:\n  run:\n    milestone: release 1.0\n"
    assert build([with_id("adds", 101)], text, facts=facts).runs[0].target.milestone_id == 4


def test_keys_stay_the_same_for_the_same_reports_and_change_with_the_content() -> None:
    marker = "tmsaction-run: repo=acme/shop run=4242 "
    result = make_result("adds", outcome=Outcome.FAILED, message="2 != 3")
    assert key_base(marker, result) == key_base(marker, replace(result))
    assert key_base(marker, result) != key_base(marker, replace(result, outcome=Outcome.PASSED))
    assert key_base(marker, result) != key_base(marker, replace(result, duration=0.2))
    assert key_base(marker, result) != key_base("tmsaction-run: repo=acme/shop run=4243 ", result)
    assert result.detail is not None
    attempts = (Attempt(Outcome.FAILED, message="timeout"), Attempt(Outcome.PASSED))
    flaky = replace(result, outcome=Outcome.FLAKY, detail=replace(result.detail, attempts=attempts))
    assert key_base(marker, flaky) != key_base(marker, result)
    base = key_base(marker, result)
    assert result_key(base, 101) != result_key(base, 102)
    key = result_key(base, 101)
    assert key.startswith("tms:")
    assert len(key) == 20


def test_the_key_is_read_back_from_the_comments_last_line_only() -> None:
    key = "tms:0123456789abcdef"
    assert key_of(with_key("Failed in 2s\n\nboom", key)) == key
    assert key_of(with_key("", key)) == key
    assert key_of(with_key("Passed", key) + "\r\n") == key
    assert key_of(f"{key} was quoted by someone\nand then more text") is None
    assert key_of("checked by hand") is None
    assert key_of(None) is None
