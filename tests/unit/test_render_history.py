"""The coverage and "what changed" partials and the gate verdict in the headline, rendered through
`render_summary`/`render_comment` and checked as GitHub renders them (cmark-gfm): golden files,
hostile test names, every budget level, and what shows when there is nothing to compare with.

Regenerate the golden Markdown with `TMSACTION_UPDATE_GOLDENS=1 .venv/bin/pytest
tests/unit/test_render_history.py` and review the diff.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from tmsaction.config.model import Gate, GateMetric
from tmsaction.coverage import Coverage, SectionCoverage
from tmsaction.gates import evaluate_gates
from tmsaction.history.compare import compare, display_from_key
from tmsaction.history.model import Figures, PreviousRun, Side
from tmsaction.history.sides import by_test, figures_of
from tmsaction.inputs import RunContext
from tmsaction.model import Outcome, ReportFile, ReportSet, TestDetail, TestResult, Totals
from tmsaction.render.budget import (
    COMMENT_BUDGET,
    COMMENT_LEVELS,
    SUMMARY_BUDGET,
    SUMMARY_LEVELS,
    Detail,
)
from tmsaction.render.comment import render_comment
from tmsaction.render.env import builtin_environment
from tmsaction.render.structure import check_html
from tmsaction.render.summary import render_summary
from tmsaction.render.view import template_context, with_detail
from tmsaction.reports.collect import read_reports
from tmsaction.runreport import RunReport

from tests.conftest import FIXTURES, ROOT
from tests.goldens import assert_golden_text

GOLDENS = FIXTURES / "render"
CONTEXT = RunContext(
    workspace=Path("/ws"),
    repository="acme/shop",
    sha="9f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6",
    run_id="8675309",
    run_number="42",
    workflow="CI",
    job="test",
)
PREVIOUS = PreviousRun(
    source="github",
    label="CI #41 on main",
    url="https://github.com/acme/shop/actions/runs/8675001",
    run_url="https://github.com/acme/shop/actions/runs/8675001",
    branch="main",
    sha="1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d",
)
TESTRAIL_COVERAGE = Coverage(
    source="testrail",
    automated=9,
    cases=14,
    regression=7,
    regression_automated=6,
    sections=(
        SectionCoverage("Shop › Backend", ("Cart",), 4, 4, 4, 4),
        SectionCoverage("Shop › Backend", ("Checkout",), 3, 2, 2, 1),
        SectionCoverage("Shop › Web", ("Login",), 2, 2, 1, 1),
        SectionCoverage("Shop › Web", (), 5, 1, 0, 0),
    ),
    filters={"regression": (7, 6), "smoke": (0, 0)},
)
GATES = (
    Gate("Regression automation", GateMetric.REGRESSION_AUTOMATION, minimum=80),
    Gate("Pass rate", GateMetric.PASS_RATE, minimum=95),
    Gate("Flaky tests", GateMetric.FLAKY_TESTS, maximum=0),
)


def allowed(href: str) -> bool:
    return href.startswith(("https://github.com/acme/shop/", "https://acme.testrail.io/"))


def structure_ok(markdown: str) -> str:
    """The visible text of `markdown` as GitHub renders it, after checking nothing is broken."""
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    structure = check_html(html, allowed)
    assert structure.problems == ()
    return structure.text.replace("\u2060", "")


def examples_report(**changes: object) -> RunReport:
    """The example reports, a TestRail coverage, gates, and what changed since an earlier run in
    which the discount test passed, merging failed and one login test existed."""
    reports = read_reports(ROOT / "examples", ("reports/**/*.xml",))
    current = by_test(reports.results, TESTRAIL_COVERAGE)
    before = dict(current.outcomes)
    keys = {display_from_key(k): k for k in before}
    before[keys["com.acme.shop.CartTest › appliesPercentageDiscount"]] = Outcome.PASSED
    before[keys["com.acme.shop.CartTest › mergesQuantitiesOfSameItem"]] = Outcome.FAILED
    before[keys["com.acme.shop.CartTest › recalculatesTotalAfterRemoval"]] = Outcome.PASSED
    del before[keys["com.acme.shop.CheckoutTest › sendsConfirmationEmail"]]
    before["login.spec.ts\x1f\x1e\x1flogin.spec.ts\x1fLogin › remembers the session"] = (
        Outcome.PASSED
    )
    previous = Side("test", before, figures=Figures(8, 14, 71.4, "testrail"))
    report = RunReport(
        reports=reports,
        context=CONTEXT,
        results_json="tmsaction-results.json",
        fail_on=frozenset({"test-failures"}),
        step_failures=("2 tests failed",),
        coverage=TESTRAIL_COVERAGE,
        gates=evaluate_gates(GATES, TESTRAIL_COVERAGE, reports.totals, 0),
        changes=compare(previous, current),
        previous=PREVIOUS,
    )
    return replace(report, **changes)  # type: ignore[arg-type]


def test_the_examples_with_history_match_the_reviewed_golden_files() -> None:
    report = examples_report()
    summary = render_summary(report)
    comment = render_comment(report, "<!-- tmsaction:comment key=CI/test -->\n")
    assert_golden_text(GOLDENS / "history.summary.md", summary)
    assert_golden_text(GOLDENS / "history.comment.md", comment)
    text = structure_ok(summary)
    assert "What changed since CI #41 on main" in text
    assert "🆕 1 new failure · ✅ 1 fixed · ❌ 1 still failing" in text
    assert "automated cases 8 → 9 (▲ +1)" in text
    assert "regression automation 71.4% → 85.7% (▲ +14.3 pts)" in text
    assert "9 of 14 cases automated (64.3%)" in text
    short = structure_ok(comment)
    assert "Since CI #41 on main: 🆕 1 new failure" in short
    assert "New failures: com.acme.shop.CartTest › appliesPercentageDiscount" in short


def test_the_headline_carries_the_gate_verdict_failed_gates_first() -> None:
    report = examples_report()
    lines = render_summary(report).splitlines()
    assert lines[0] == "## ❌ 2 of 12 tests failed · 2 quality gates failed"
    assert lines[4] == (
        "**Quality gates:** ❌ Pass rate is 81.8%, below the minimum of 95.0%. · ❌ Flaky tests "
        "is 1, above the maximum of 0. · ✅ Regression automation is 85.7% (minimum 80.0%)."
    )
    green_gates = replace(report, gates=(report.gates[0],))
    assert render_summary(green_gates).splitlines()[0] == "## ❌ 2 of 12 tests failed"
    comment = render_comment(report).splitlines()
    assert comment[4] == (
        "**Quality gates:** ❌ Pass rate is 81.8%, below the minimum of 95.0%. · ❌ Flaky tests "
        "is 1, above the maximum of 0. · ✅ 1 passed"
    )
    not_evaluated = replace(report, gates=evaluate_gates(GATES[:1], None, report.reports.totals, 0))
    assert render_comment(not_evaluated).splitlines()[4] == "**Quality gates:** ⏸️ 1 not evaluated"


def test_a_failed_gate_alone_is_a_warning_unless_it_fails_the_step() -> None:
    passed = TestResult(("s",), "Cart", "adds", Outcome.PASSED)
    reports = ReportSet((passed,), (ReportFile("r.xml", "junit", 1),), totals=Totals.of([passed]))
    gates = evaluate_gates(
        (Gate("Regression automation", GateMetric.REGRESSION_AUTOMATION, minimum=90),),
        TESTRAIL_COVERAGE,
        reports.totals,
        0,
    )
    report = RunReport(reports=reports, context=CONTEXT, gates=gates)
    assert render_summary(report).startswith("## ⚠️ The test passed · 1 quality gate failed\n")
    failing = replace(
        report,
        fail_on=frozenset({"quality-gates"}),
        step_failures=(f"quality gate failed: {gates[0].sentence}",),
    )
    assert render_summary(failing).startswith("## ❌ The test passed · 1 quality gate failed\n")


def test_coverage_without_testrail_says_so() -> None:
    coverage = Coverage(
        source="mapping",
        automated=12,
        sections=(SectionCoverage("", ("(cases by id)",), None, 8),),
        note="TestRail was not read, so coverage counts only what the mapping knows: 12 tests.",
    )
    report = examples_report(coverage=coverage, gates=(), changes=None, previous=None)
    text = structure_ok(render_summary(report))
    assert "12 cases receive results from this run's tests." in text
    assert "TestRail was not read, so coverage counts only what the mapping knows" in text
    assert "(cases by id)8" in text.replace("\n", "")
    short = structure_ok(render_comment(report))
    assert "this run's tests reach 12 cases; TestRail was not read" in short


def test_many_sections_are_capped_with_and_n_more() -> None:
    sections = tuple(
        SectionCoverage("Shop › Backend", (f"Area {n:03}",), 10, n % 11) for n in range(60)
    )
    report = examples_report(coverage=replace(TESTRAIL_COVERAGE, sections=sections))
    summary = render_summary(report)
    assert "| Shop › Backend › Area 024 |" in summary
    assert "Area 025" not in summary
    assert "…and 35 more sections" in summary
    structure_ok(summary)


HOSTILE = "x | <script>alert(1)</script> @octocat #12 [link](https://evil.example) `y` **b**"


def test_hostile_test_names_and_messages_stay_text() -> None:
    result = TestResult(
        ("s",),
        f"Evil {HOSTILE}",
        HOSTILE,
        Outcome.FAILED,
        detail=TestDetail(message=HOSTILE),
    )
    reports = ReportSet((result,), (ReportFile("r.xml", "junit", 1),), totals=Totals.of([result]))
    current = by_test(reports.results)
    previous = Side(
        "test", {result.identity.key: Outcome.PASSED, f"gone {HOSTILE}": Outcome.FAILED}
    )
    evil_previous = replace(PREVIOUS, label=f"CI {HOSTILE}", branch=HOSTILE)
    report = RunReport(
        reports=reports,
        context=CONTEXT,
        changes=compare(previous, current),
        previous=evil_previous,
        coverage=replace(
            TESTRAIL_COVERAGE,
            sections=(SectionCoverage(HOSTILE, (HOSTILE,), 1, 1),),
            filters={HOSTILE: (1, 1)},
            problems=(HOSTILE,),
        ),
    )
    for markdown in (render_summary(report), render_comment(report)):
        text = structure_ok(markdown)  # no <script>, no link to evil.example, tables intact
        assert "<script>alert(1)</script>" in text  # shown as the characters it is
        assert "@\u2060octocat" in markdown  # no mention


@pytest.mark.parametrize("level", SUMMARY_LEVELS, ids=lambda d: d.name)
def test_every_summary_level_renders_and_lists_honour_detail_rows(level: Detail) -> None:
    """Many changed tests: each budget level lists at most `detail.rows` per list, counts stay."""
    many = 700
    results = tuple(
        TestResult(("s",), "Big", f"t{n}", Outcome.FAILED if n % 2 else Outcome.PASSED)
        for n in range(many)
    )
    reports = ReportSet(results, (ReportFile("r.xml", "junit", many),), totals=Totals.of(results))
    current = by_test(results)
    previous = Side(
        "test",
        {
            key: (Outcome.PASSED if o.is_failure else Outcome.FAILED)
            for key, o in current.outcomes.items()
        },
    )
    report = RunReport(
        reports=reports, context=CONTEXT, changes=compare(previous, current), previous=PREVIOUS
    )
    env = builtin_environment()
    context = with_detail(template_context(report), level, SUMMARY_BUDGET)
    markdown = env.get_template("changes.md.j2").render(context)
    rows = markdown.count("| 🆕 new failure |") + markdown.count("| ✅ fixed |")
    cap = min(level.rows, 100)
    assert rows == 2 * min(cap, 350)
    assert "**🆕 350 new failures** · **✅ 350 fixed**" in markdown
    if 0 < cap < 350:
        assert f"…and {350 - cap:,} more new failures" in markdown
    if not cap:
        assert "<details>" not in markdown  # counts only
    structure_ok(markdown)


@pytest.mark.parametrize("level", COMMENT_LEVELS, ids=lambda d: d.name)
def test_every_comment_level_is_short(level: Detail) -> None:
    report = examples_report()
    env = builtin_environment()
    context = with_detail(template_context(report), level, COMMENT_BUDGET)
    markdown = env.get_template("changes.md.j2").render(context)
    assert markdown.startswith("**🔄 Since [CI #\u206041 on main]")
    assert "|" not in markdown  # no table in the comment
    listed = "🆕 **New failures:**" in markdown
    assert listed == bool(level.rows)


def test_nothing_to_compare_with_is_one_calm_line_in_the_summary_only() -> None:
    report = examples_report(
        changes=None,
        previous=None,
        history_note="No earlier completed run of CI on main to compare with.",
    )
    summary = render_summary(report)
    assert "<sub>🔄 No earlier completed run of CI on main to compare with.</sub>" in summary
    assert "What changed" not in summary
    assert "No earlier" not in render_comment(report)


def test_identical_runs_say_nothing_changed() -> None:
    report = examples_report()
    current = by_test(report.reports.results, report.coverage)
    same = Side("test", dict(current.outcomes), figures=figures_of(report.coverage))
    summary = render_summary(replace(report, changes=compare(same, current)))
    assert (
        "Nothing changed: the same tests, with the same outcomes (2 tests still failing)."
        in summary
    )
    assert (
        "**🔄 Since [CI #\u206041 on main](https://github.com/acme/shop/actions/runs/8675001):** "
        "nothing changed" in render_comment(replace(report, changes=compare(same, current)))
    )
    assert "pass rate 81.8% (no change) · tests 12 (no change)" in summary
    everything_removed = compare(same, replace(current, outcomes={}))
    summary = render_summary(replace(report, changes=everything_removed))
    assert "Nothing changed" not in summary
    assert "➖ 12 removed" in summary


def test_a_testrail_comparison_links_the_testrail_run_and_the_workflow_run() -> None:
    previous = PreviousRun(
        source="testrail",
        label="Shop CI #41 (main)",
        url="https://acme.testrail.io/index.php?/runs/view/12",
        run_url="https://github.com/acme/shop/actions/runs/8675001",
        branch="main",
        sha="1a2b3c4",
    )
    report = examples_report(previous=previous)
    assert report.changes is not None
    report = replace(report, changes=replace(report.changes, kind="case"))
    summary = render_summary(report)
    assert "[Shop CI #\u206041 (main)](https://acme.testrail.io/index.php?/runs/view/12)" in summary
    assert "Compared by TestRail case with the previous TestRail run" in summary
    assert "([workflow run](https://github.com/acme/shop/actions/runs/8675001))" in summary
    structure_ok(summary)
