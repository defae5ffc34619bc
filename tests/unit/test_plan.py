"""The plan value and its dry-run rendering (golden Markdown, reviewed as diffs).

Regenerate the golden files with `TMSACTION_UPDATE_GOLDENS=1 .venv/bin/pytest tests/unit/test_plan.py`.
"""

from __future__ import annotations

import re
from pathlib import Path

from tmsaction.config.load import load_config
from tmsaction.inputs import RunContext
from tmsaction.mapping.model import Route, Strategy
from tmsaction.model import Outcome, ReportSet, TestResult, Totals
from tmsaction.plan.build import Planned, plan_mapping
from tmsaction.render.budget import SUMMARY_BUDGET, SUMMARY_LEVELS, Detail
from tmsaction.render.env import builtin_environment
from tmsaction.render.view import template_context, with_detail
from tmsaction.reports.collect import read_reports
from tmsaction.runreport import RunReport

from tests.conftest import FIXTURES, ROOT
from tests.goldens import assert_golden_text
from tests.mapping_world import CATALOG, LOOKUPS, config
from tests.mapping_world import make_result as result

GOLDEN = FIXTURES / "mapping"
EXAMPLES = ROOT / "examples"


def examples_plan(**options: object) -> tuple[ReportSet, Planned]:
    reports = read_reports(EXAMPLES, ("reports/**/*.xml",))
    cfg = load_config(EXAMPLES, ".github/tmsaction.yml", explicit=True)
    return reports, plan_mapping(reports.results, reports.totals, cfg, **options)  # type: ignore[arg-type]


def render_plan(reports: ReportSet, planned: Planned, detail: Detail = SUMMARY_LEVELS[0]) -> str:
    """The plan partial as the summary renders it, at one budget level."""
    report = RunReport(
        reports=reports,
        context=RunContext(workspace=Path("/ws")),
        dry_run=True,
        results_json="tmsaction-results.json",
        mappings=planned.mappings,
        plan=planned.plan,
        coverage=planned.coverage,
        gates=planned.gates,
    )
    variables = with_detail(template_context(report), detail, SUMMARY_BUDGET)
    return builtin_environment().get_template("plan.md.j2").render(variables)


def test_the_examples_plan_without_testrail() -> None:
    reports, planned = examples_plan()
    plan = planned.plan.mapping
    assert (plan.tests, plan.unmatched_count, plan.testrail_read) == (12, 0, False)
    assert [(s.strategy, s.tests) for s in plan.by_strategy] == [
        (Strategy.PINNED, 2),
        (Strategy.CASE_ID, 6),
        (Strategy.NAME, 4),
    ]
    assert [(r.label, r.route, r.tests) for r in plan.routes] == [
        ("Web (Playwright)", Route("Shop", "Web"), 4),
        ("Backend (JUnit)", Route("Shop", "Backend"), 8),
    ]
    assert [(s.route_label, s.section_path, s.titles) for s in plan.new_sections] == [
        ("Shop › Backend", ("Cart",), ("Rejects negative quantity",)),
        ("Shop › Backend", ("Checkout",), ("Guest checkout creates order",)),
        (
            "Shop › Web",
            ("Search",),
            ("Finds products by name", "Suggests spelling corrections"),
        ),
    ]
    assert [(s.key, s.status) for s in plan.stories] == [
        ("SHOP-3", "passing"),
        ("SHOP-12", "passing"),
        ("SHOP-14", "failing"),
    ]
    assert [g.status for g in planned.gates] == ["not evaluated", "failed"]
    assert_golden_text(GOLDEN / "plan-examples.md", render_plan(reports, planned))


def test_the_examples_plan_with_testrail_read_and_case_creation() -> None:
    reports, planned = examples_plan(
        catalog=CATALOG, lookups=LOOKUPS, create_cases=True, default_project="Shop"
    )
    plan = planned.plan.mapping
    assert plan.testrail_read
    assert plan.new_cases == 3  # C203 exists: "Finds products by name" is matched
    assert planned.coverage.source == "testrail"
    assert_golden_text(GOLDEN / "plan-testrail.md", render_plan(reports, planned))


def unmatched_run(names: list[str]) -> tuple[ReportSet, Planned]:
    results = tuple(result(name) for name in names)
    reports = ReportSet(results=results, totals=Totals.of(results))
    cfg = config("testrail:\n  match: [case_id]\n")
    return reports, plan_mapping(results, reports.totals, cfg)


def test_lists_follow_the_summary_budget_with_the_rest_counted() -> None:
    reports, planned = unmatched_run([f"test_{i}" for i in range(60)])
    assert planned.plan.mapping.unmatched_count == 60
    text = render_plan(reports, planned)
    rows = [line for line in text.splitlines() if line.startswith("| com.acme")]
    assert len(rows) == 60
    ten = render_plan(reports, planned, next(d for d in SUMMARY_LEVELS if d.rows == 10))
    assert len([line for line in ten.splitlines() if line.startswith("| com.acme")]) == 10
    assert "…and 50 more: every test's reason is in `tmsaction-results.json`" in ten
    counts = render_plan(reports, planned, SUMMARY_LEVELS[-1])
    assert not [line for line in counts.splitlines() if line.startswith("| com")]
    assert "They are not listed here: every test's reason is in" in counts


def test_hostile_test_names_cannot_break_the_plan_tables() -> None:
    reports, planned = unmatched_run(
        ["a | b `c` <script>x</script>\n| --- |", "@everyone [x](http://e)"]
    )
    text = render_plan(reports, planned)
    rows = [line for line in text.splitlines() if line.startswith("| com")]
    assert len(rows) == 2
    assert all(line.count(" | ") == 1 for line in rows)  # two cells each, no injected cells
    assert not re.search(r"(?<!\\)<script", text)  # only escaped, shown as text
    assert "@everyone" not in text


def test_statuses_and_not_sent_counts() -> None:
    results: tuple[TestResult, ...] = (
        result("a_C1", outcome=Outcome.SKIPPED),
        result("b_C2", outcome=Outcome.PASSED),
    )
    cfg = config("testrail:\n  results:\n    status: {skipped: null}\n")
    planned = plan_mapping(results, Totals.of(results), cfg)
    plan = planned.plan.mapping
    assert plan.not_sent == 1
    assert [(s.outcome.value, s.status) for s in plan.statuses] == [
        ("passed", "passed"),
        ("failed", "failed"),
        ("error", "failed"),
        ("skipped", None),
        ("flaky", "passed"),
    ]
    reports = ReportSet(results=results, totals=Totals.of(results))
    assert (
        "skipped → nothing · flaky → passed with a note naming the failed attempts (1 test sends no result)"
        in render_plan(reports, planned)
    )


def test_the_plan_shows_in_dry_runs_only() -> None:
    reports, planned = examples_plan()
    report = RunReport(
        reports=reports,
        context=RunContext(workspace=Path("/ws")),
        dry_run=False,
        plan=planned.plan,
    )
    variables = with_detail(template_context(report), SUMMARY_LEVELS[0], SUMMARY_BUDGET)
    assert builtin_environment().get_template("plan.md.j2").render(variables) == ""
