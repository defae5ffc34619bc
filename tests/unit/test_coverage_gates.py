"""Coverage figures (with and without TestRail), story traceability, and quality gates."""

from __future__ import annotations

import pytest
from tmsaction.config.model import Config
from tmsaction.coverage import Coverage, SectionCoverage, StoryCoverage
from tmsaction.gates import evaluate_gates
from tmsaction.model import Outcome, TestResult, Totals
from tmsaction.plan.build import Planned, plan_mapping

from tests.mapping_world import CATALOG, LOOKUPS, config
from tests.mapping_world import make_result as result

BACKEND_RUN = [
    result("Adds item to empty cart", "Cart"),  # C101 regression
    result("Merges quantities of same item", "Cart", outcome=Outcome.FAILED),  # C102 regression
    result("x_C105", "Checkout", outcome=Outcome.SKIPPED),  # C105 regression
    result("Sends confirmation email", "Checkout", outcome=Outcome.FLAKY),  # C106 functional
    result("nothing matches", "Cart"),
]


def planned(cfg: Config, results: list[TestResult], *, testrail: bool = True) -> Planned:
    return plan_mapping(
        results,
        Totals.of(results),
        cfg,
        catalog=CATALOG if testrail else None,
        lookups=LOOKUPS if testrail else None,
        default_project="Shop",
        default_suite="Backend",
    )


def test_coverage_over_the_testrail_suites() -> None:
    coverage = planned(config(), BACKEND_RUN).coverage
    assert coverage.source == "testrail"
    # Every case of both suites is in scope (the snapshot holds the suites the routes use).
    assert (coverage.cases, coverage.automated) == (14, 4)
    assert (coverage.regression, coverage.regression_automated) == (14, 4)  # no filter: all
    assert coverage.automation_percent == 28.6
    assert coverage.note is None
    assert coverage.sections == (
        SectionCoverage("Shop › Backend", ("Automated",), 1, 0, 1, 0),
        SectionCoverage("Shop › Backend", ("Cart",), 4, 2, 4, 2),
        SectionCoverage("Shop › Backend", ("Checkout",), 6, 2, 6, 2),
        SectionCoverage("Shop › Web", ("Login",), 2, 0, 2, 0),
        SectionCoverage("Shop › Web", ("Search",), 1, 0, 1, 0),
    )


REGRESSION: list[tuple[str, str, tuple[int, int]]] = [
    ("case type by name", "regression: {case_types: [Regression]}", (7, 3)),
    ("case type by id", "regression: {case_types: [6]}", (7, 1)),
    ("priorities", "regression: {priorities: [Critical, 3]}", (5, 2)),
    ("section subtree", "regression: {sections: ['Automated > Cart']}", (1, 0)),
    ("refs glob", "regression: {refs: ['SHOP-1*']}", (3, 2)),
    ("has refs", "regression: {has_refs: true}", (6, 3)),
    ("custom field", "regression: {fields: {custom_automation_type: [1]}}", (1, 0)),
    ("automation id present", "regression: {automation_id: true}", (1, 1)),
    (
        "criteria combine with AND",
        "regression: {case_types: [Regression], priorities: [High]}",
        (3, 1),
    ),
    ("a list of filters is OR", "regression: [{priorities: [Critical]}, {has_refs: true}]", (7, 4)),
    (
        "saved filters",
        "filters:\n    critical: {priorities: [Critical]}\n"
        "    reg: {filter: critical, case_types: [Regression]}\n"
        "  regression: reg",
        (2, 1),
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), REGRESSION, ids=[r[0] for r in REGRESSION])
def test_regression_suite_definitions(case: str, text: str, expected: tuple[int, int]) -> None:
    coverage = planned(config(f"coverage:\n  {text}\n"), BACKEND_RUN).coverage
    assert (coverage.regression, coverage.regression_automated) == expected


def test_cases_flagged_automated_in_testrail_count_as_automated() -> None:
    cfg = config("coverage:\n  automated: {fields: {custom_automation_type: [1]}}\n")
    coverage = planned(cfg, BACKEND_RUN).coverage
    assert coverage.automated == 5  # C103 joins the four mapped cases


def test_unknown_case_type_names_are_reported() -> None:
    cfg = config("coverage:\n  regression: {case_types: [Smoke]}\n")
    result_plan = planned(cfg, BACKEND_RUN)
    assert result_plan.coverage.regression == 0
    assert result_plan.coverage.problems == (
        "case type 'Smoke' is not known to TestRail (known: automated, functional, regression)",
    )
    assert result_plan.plan.mapping.notes[-1] == result_plan.coverage.problems[0]


def test_section_depth() -> None:
    coverage = planned(config("coverage:\n  section_depth: 2\n"), BACKEND_RUN).coverage
    assert [s.path for s in coverage.sections if s.suite == "Shop › Backend"] == [
        ("Automated", "Cart"),  # C109 sits in Automated › Cart › Guest
        ("Cart",),
        ("Checkout",),
    ]


def test_without_testrail_coverage_counts_what_the_mapping_knows_and_says_so() -> None:
    coverage = planned(config(), BACKEND_RUN, testrail=False).coverage
    assert coverage.source == "mapping"
    assert (coverage.cases, coverage.automated, coverage.regression) == (None, 5, None)
    assert coverage.regression_percent is None
    assert coverage.note == (
        "TestRail was not read, so coverage counts only what the mapping knows: 5 tests map to 5 "
        "cases (1 by id, 4 by section and title). The share of all cases and of the regression "
        "suite needs TestRail credentials."
    )
    assert coverage.sections == (
        SectionCoverage("", ("(cases by id)",), None, 1),
        SectionCoverage("", ("Cart",), None, 3),
        SectionCoverage("", ("Checkout",), None, 1),
    )


def test_stories_with_their_tests_outcomes_and_cases() -> None:
    results = [
        result("Adds item to empty cart", "Cart"),  # C101, refs SHOP-12
        result("Merges quantities of same item", "Cart", outcome=Outcome.FAILED),  # C102 SHOP-12
        result("a", properties=[("story", "SHOP-12, SHOP-30")], outcome=Outcome.SKIPPED),
        result("b", properties=[("story", "SHOP-30")], outcome=Outcome.FLAKY),
    ]
    stories = planned(config(), results).coverage.stories
    assert stories == (
        StoryCoverage("SHOP-3", cases=(201, 202)),
        StoryCoverage(
            "SHOP-12",
            tests=3,
            passed=1,
            failed=1,
            skipped=1,
            cases=(101, 102),
            failing_tests=("Cart › Merges quantities of same item",),
        ),
        StoryCoverage("SHOP-14", cases=(103,)),
        StoryCoverage("SHOP-20", cases=(106,)),
        StoryCoverage("SHOP-30", tests=2, skipped=1, flaky=1),
    )
    assert [s.status for s in stories] == ["not run", "failing", "not run", "not run", "passing"]


# -- gates ---------------------------------------------------------------------------------------

COVERED = Coverage(
    source="testrail",
    automated=40,
    cases=50,
    regression=40,
    regression_automated=29,
    stories=(
        StoryCoverage("SHOP-1", tests=1, failed=1),
        StoryCoverage("SHOP-2", tests=1, passed=1),
        StoryCoverage("SHOP-3", tests=2, failed=2),
    ),
    filters={"ui": (10, 9), "empty": (0, 0)},
)
MAPPING_ONLY = Coverage(source="mapping", automated=12)
TOTALS = Totals(total=20, passed=15, failed=2, skipped=2, flaky=1)

GATES: list[tuple[str, str, Coverage, Totals, int, str, str]] = [
    (
        "regression automation below",
        "{metric: regression_automation, min: 80}",
        COVERED,
        TOTALS,
        0,
        "failed",
        "Regression automation is 72.5%, below the minimum of 80.0%.",
    ),
    (
        "regression automation met",
        "{metric: regression_automation, min: 70}",
        COVERED,
        TOTALS,
        0,
        "passed",
        "Regression automation is 72.5% (minimum 70.0%).",
    ),
    (
        "regression automation without TestRail",
        "{metric: regression_automation, min: 80}",
        MAPPING_ONLY,
        TOTALS,
        0,
        "not evaluated",
        "Regression automation was not evaluated: TestRail was not read (the regression suite is "
        "defined there).",
    ),
    (
        "automation of a saved filter",
        "{metric: automation, min: 95, filter: ui, name: UI automation}",
        COVERED,
        TOTALS,
        0,
        "failed",
        "UI automation is 90.0%, below the minimum of 95.0%.",
    ),
    (
        "automation of an empty filter",
        "{metric: automation, min: 95, filter: empty}",
        COVERED,
        TOTALS,
        0,
        "not evaluated",
        "Automation was not evaluated: no case matches the filter 'empty'.",
    ),
    (
        "automation overall",
        "{metric: automation, min: 75}",
        COVERED,
        TOTALS,
        0,
        "passed",
        "Automation is 80.0% (minimum 75.0%).",
    ),
    (
        "pass rate counts flaky as passed, skipped not at all",
        "{metric: pass_rate, min: 95}",
        COVERED,
        TOTALS,
        0,
        "failed",
        "Pass rate is 88.9%, below the minimum of 95.0%.",
    ),
    (
        "pass rate when nothing ran",
        "{metric: pass_rate, min: 95}",
        COVERED,
        Totals(total=2, skipped=2),
        0,
        "not evaluated",
        "Pass rate was not evaluated: no test ran.",
    ),
    (
        "failed tests",
        "{metric: failed_tests, max: 0}",
        COVERED,
        TOTALS,
        0,
        "failed",
        "Failed tests is 2, above the maximum of 0.",
    ),
    (
        "flaky tests",
        "{metric: flaky_tests, max: 3}",
        COVERED,
        TOTALS,
        0,
        "passed",
        "Flaky tests is 1 (maximum 3).",
    ),
    (
        "failing stories listed",
        "{metric: failing_stories, max: 0}",
        COVERED,
        TOTALS,
        0,
        "failed",
        "Stories with failing tests is 2 (SHOP-1, SHOP-3), above the maximum of 0.",
    ),
    (
        "unmatched tests",
        "{metric: unmatched_tests, max: 0}",
        COVERED,
        TOTALS,
        3,
        "failed",
        "Unmatched tests is 3, above the maximum of 0.",
    ),
]


@pytest.mark.parametrize("row", GATES, ids=[g[0] for g in GATES])
def test_gates(row: tuple[str, str, Coverage, Totals, int, str, str]) -> None:
    _, gate, coverage, totals, unmatched, status, sentence = row
    filters = "  filters:\n    ui: {}\n    empty: {}\n"
    cfg = config(f"coverage:\n{filters}  gates:\n    - {gate}\n")
    (verdict,) = evaluate_gates(cfg.coverage.gates, coverage, totals, unmatched)
    assert (verdict.status, verdict.sentence) == (status, sentence)
    assert verdict.failed is (status == "failed")


def test_gates_run_in_config_order_within_the_plan() -> None:
    cfg = config(
        "coverage:\n  gates:\n    - {metric: failed_tests, max: 0}\n"
        "    - {metric: regression_automation, min: 20}\n"
    )
    gates = planned(cfg, BACKEND_RUN).gates
    assert [(g.gate.metric.value, g.status, g.value) for g in gates] == [
        ("failed_tests", "failed", 1.0),
        ("regression_automation", "passed", 28.6),
    ]
