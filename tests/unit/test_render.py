"""The summary and comment layout: headline and verdict, section slots, overrides, golden files.

Regenerate the golden Markdown with `TMSACTION_UPDATE_GOLDENS=1 .venv/bin/pytest
tests/unit/test_render.py` and review the diff.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from tmsaction.inputs import RunContext
from tmsaction.model import Outcome, ReportFile, ReportProblem, ReportSet, TestResult, Totals
from tmsaction.render.comment import render_comment, render_comment_status
from tmsaction.render.structure import check_html
from tmsaction.render.summary import render_summary
from tmsaction.reports.collect import read_reports
from tmsaction.runreport import RunReport, SyncProblem
from tmsaction.sinks.github_comment import CommentAction, CommentOutcome

from tests.conftest import FIXTURES, ROOT
from tests.goldens import assert_golden_text

GOLDENS = FIXTURES / "render"
CONTEXT = RunContext(
    workspace=Path("/ws"),
    repository="acme/shop",
    sha="9f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6",
    run_id="8675309",
    run_number="42",
    run_attempt="2",
    workflow="CI",
    job="test",
)


def html_ok(markdown: str) -> None:
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    structure = check_html(html, lambda href: href.startswith("https://github.com/acme/shop/"))
    assert structure.problems == ()


@pytest.fixture(scope="module")
def examples() -> RunReport:
    reports = read_reports(ROOT / "examples", ("reports/**/*.xml",))
    return RunReport(
        reports=reports,
        context=CONTEXT,
        results_json="tmsaction-results.json",
        fail_on=frozenset({"test-failures", "sync-errors"}),
        step_failures=("2 tests failed",),
    )


def report_of(*results: TestResult, **changes: object) -> RunReport:
    reports = ReportSet(
        results=results,
        files=(ReportFile("r.xml", "junit", len(results)),),
        totals=Totals.of(results),
    )
    return replace(RunReport(reports=reports, context=CONTEXT), **changes)  # type: ignore[arg-type]


def test_example_summary_and_comment_match_the_reviewed_golden_files(examples: RunReport) -> None:
    summary = render_summary(examples)
    comment = render_comment(examples, "<!-- tmsaction:comment key=CI/test -->\n")
    assert_golden_text(GOLDENS / "examples.summary.md", summary)
    assert_golden_text(GOLDENS / "examples.comment.md", comment)
    html_ok(summary)
    html_ok(comment)


def test_headline_reads_the_verdict_in_one_line() -> None:
    passed = TestResult((), "Cart", "adds", Outcome.PASSED)
    failed = TestResult((), "Cart", "totals", Outcome.FAILED, detail=None)
    green = render_summary(report_of(passed, passed))
    assert green.startswith("## ✅ All 2 tests passed\n")
    assert "This step fails" not in green
    red_but_allowed = render_summary(report_of(passed, failed, fail_on=frozenset({"sync-errors"})))
    assert red_but_allowed.startswith("## ❌ 1 of 2 tests failed\n")
    assert "Failed tests do not fail this step (`fail_on`: sync-errors)." in red_but_allowed
    failing_step = render_summary(
        report_of(
            passed,
            problems=(SyncProblem("testrail", "TestRail answered 500"),),
            fail_on=frozenset({"sync-errors"}),
            step_failures=("1 sync problems",),
        )
    )
    assert failing_step.startswith("## ❌ The test passed\n")
    assert "**This step fails:** 1 sync problems (`fail_on`: sync-errors)." in failing_step
    assert "- ⚠️ **testrail**: TestRail answered 500" in failing_step
    nothing = render_summary(
        replace(report_of(), reports=ReportSet(results=(), patterns=("x/*.xml",)))
    )
    assert nothing.startswith("## ⚠️ No test reports found\n")
    assert "**No test reports found** for `reports` = x/\\*.xml" in nothing


def test_sections_from_other_work_plug_into_the_slots(examples: RunReport) -> None:
    coverage = (
        "{% if detail.short %}📊 **Coverage** {{ report.reports.totals.total }} tests\n\n"
        "{% else %}### 📊 Coverage\n\n| Section | Automated |\n|---|---|\n"
        "{% for f in report.reports.files[:detail.rows] %}| {{ f.source | inline }} | ✅ |\n"
        "{% endfor %}\n{% endif %}"
    )
    overrides = {"coverage.md.j2": coverage, "stories.md.j2": "### 📖 Stories\n\nnone\n\n"}
    summary = render_summary(examples, overrides)
    order = [summary.index(h) for h in ("### ❌ Failed", "### 📊 Coverage", "### 📖", "### 🔁")]
    assert order == sorted(order)
    assert "| reports/backend/TEST\\-com.acme.shop.CartTest.xml | ✅ |" not in summary
    assert "| reports/backend/TEST-com.acme.shop.CartTest.xml | ✅ |" in summary
    comment = render_comment(examples, "", overrides)
    assert "📊 **Coverage** 12 tests" in comment
    html_ok(summary)


def test_a_broken_override_falls_back_to_the_built_in_summary(examples: RunReport) -> None:
    broken = render_summary(examples, {"summary.md.j2": "{% for x in %}"})
    assert broken.startswith("> ⚠️ **The template override summary.md.j2, line 1 failed:**")
    assert "## ❌ 2 of 12 tests failed" in broken
    undefined = render_summary(examples, {"coverage.md.j2": "{{ report.no_such_field }}"})
    assert "coverage.md.j2" in undefined.splitlines()[0]
    assert "## ❌ 2 of 12 tests failed" in undefined


def test_override_templates_are_sandboxed(examples: RunReport) -> None:
    escape = "{{ report.__class__.__init__.__globals__ }}"
    summary = render_summary(examples, {"summary.md.j2": escape})
    assert summary.startswith("> ⚠️ **The template override")
    assert "__globals__" not in summary.split("\n", 1)[1]
    assert "os.environ" not in summary


def test_the_comment_is_short_and_points_at_the_summary(examples: RunReport) -> None:
    comment = render_comment(examples, "<!-- tmsaction:comment key=CI/test -->\n")
    assert comment.startswith("<!-- tmsaction:comment key=CI/test -->\n### ❌ 2 of 12 tests failed")
    assert "| ❌ | com.acme.shop.CartTest › appliesPercentageDiscount |" in comment
    assert "[Job summary](https://github.com/acme/shop/actions/runs/8675309/attempts/2)" in comment
    assert "CI / test #42 (attempt 2)" in comment
    assert "### 🔁" not in comment  # the summary's long form is not repeated


def test_the_comment_status_line_for_the_summary() -> None:
    created = CommentOutcome(
        CommentAction.CREATED, "Created the PR comment on #7.", 7, "https://github.com/x#c1"
    )
    read_only = CommentOutcome(CommentAction.READ_ONLY, "No PR comment on #8: read-only.", 8)
    status = render_comment_status([created, read_only])
    assert status == (
        "\n> ℹ️ No PR comment on #\u20608: read-only.\n\n"
        "<sub>💬 Created the PR comment on #\u20607: [view it](https://github.com/x#c1).</sub>\n"
    )
    assert render_comment_status([]) == ""


def test_report_problems_are_listed_with_their_location() -> None:
    problems = tuple(ReportProblem(f"bad{i}.xml", "not XML | <b>", line=i) for i in range(30))
    base = report_of(TestResult((), "C", "n", Outcome.PASSED))
    summary = render_summary(replace(base, reports=replace(base.reports, problems=problems)))
    assert "- ⚠️ bad0.xml:0: not XML \\| \\<b>" in summary
    assert "- …and 0 more" not in summary
    assert summary.count("- ⚠️ bad") == 30
    html_ok(summary)
