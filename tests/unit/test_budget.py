"""Size budgets: huge and hostile reports stay under GitHub's limits, saying what was dropped."""

from __future__ import annotations

from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options
from tmsaction.inputs import RunContext
from tmsaction.model import Outcome, ReportFile, ReportSet, TestDetail, TestResult, Totals
from tmsaction.render.budget import (
    COMMENT_BUDGET,
    SUMMARY_BUDGET,
    SUMMARY_LEVELS,
    Budget,
    Detail,
    cut_markdown,
    fit,
    utf8_size,
)
from tmsaction.render.comment import render_comment
from tmsaction.render.structure import check_html
from tmsaction.render.summary import render_summary
from tmsaction.runreport import RunReport

CONTEXT = RunContext(workspace=Path("/ws"), repository="acme/shop", run_id="1", sha="a" * 40)
MARKER = "<!-- tmsaction:comment key=CI/test -->\n"
HOSTILE_NAME = "| <b>x</b> `y` @team #1 [l](http://e) " * 10


def html_problems(markdown: str) -> tuple[str, ...]:
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    return check_html(html, lambda href: href.startswith("https://github.com/acme/shop/")).problems


def huge_report(failures: int, trace_chars: int, name: str = "test") -> RunReport:
    # Emoji are four bytes each in UTF-8: the byte budget is hit with fewer characters.
    trace = ("🔥" * 39 + "\n") * (trace_chars // 40)
    results = tuple(
        TestResult(
            ("suite",),
            f"com.acme.Suite{i}",
            f"{name} {i}",
            Outcome.FAILED,
            detail=TestDetail(message=f"boom {i} {name}", details=trace),
        )
        for i in range(failures)
    )
    reports = ReportSet(
        results=results, files=(ReportFile("r.xml", "junit", failures),), totals=Totals.of(results)
    )
    return RunReport(reports=reports, context=CONTEXT, results_json="tmsaction-results.json")


def test_a_huge_report_keeps_the_summary_under_1_mib_and_says_what_went() -> None:
    report = huge_report(600, 6000, HOSTILE_NAME)
    summary = render_summary(report)
    size = utf8_size(summary)
    assert size <= SUMMARY_BUDGET.target < SUMMARY_BUDGET.limit
    assert "✂️ **Shortened to fit GitHub's 1 MiB job-summary limit:**" in summary
    assert "`tmsaction-results.json` (step output `results_json`)" in summary
    assert "### ❌ Failed tests (600)" in summary
    assert "…and 100 more: every failure is in" in summary  # 500 rows listed
    assert html_problems(summary) == ()


def test_a_small_report_is_rendered_in_full_without_a_note() -> None:
    summary = render_summary(huge_report(3, 500))
    assert "Shortened" not in summary
    assert summary.count("<details>") == 3


def test_a_huge_report_keeps_the_comment_under_65536_characters() -> None:
    comment = render_comment(huge_report(600, 6000, HOSTILE_NAME), MARKER)
    assert len(comment) <= COMMENT_BUDGET.target < COMMENT_BUDGET.limit
    assert comment.startswith(MARKER)
    assert "✂️ **Shortened to fit GitHub's 65,536-character comment limit:**" in comment
    assert "[job summary](https://github.com/acme/shop/actions/runs/1)" in comment
    assert html_problems(comment) == ()


def test_fit_takes_the_first_level_that_fits() -> None:
    sizes = {"a": 50, "b": 20, "c": 5}
    levels = tuple(Detail(name, rows=0, traces=0, trace_chars=0) for name in sizes)
    budget = Budget(40, 30, len, "a test budget")
    fitted = fit(lambda d: "x" * sizes[d.name], levels, budget)
    assert (fitted.detail.name, fitted.size, fitted.cut) == ("b", 20, False)
    reserved = fit(lambda d: "x" * sizes[d.name], levels, budget, reserve=15)
    assert reserved.detail.name == "c"


def test_when_nothing_fits_the_text_is_cut_and_closed() -> None:
    lines = ["## Title", ""]
    for index in range(2000):
        lines += [f"<details><summary>block {index}</summary>", "", "```", "x" * 80, "```", ""]
        lines += ["</details>", ""]
    text = "\n".join(lines)
    for target in (5_000, 5_050, 5_100, 5_137):
        cut = cut_markdown(text, target, "> ✂️ cut here", utf8_size)
        assert utf8_size(cut) <= target
        assert cut.rstrip().endswith("> ✂️ cut here")
        assert html_problems(cut) == ()
        assert cut.count("<details>") == cut.count("</details>")


def test_a_section_that_explodes_is_cut_at_the_hard_limit() -> None:
    report = huge_report(2, 100)
    exploding = "{% for i in range(40000) %}| row {{ i }} | " + "y" * 40 + " |\n{% endfor %}\n"
    summary = render_summary(report, {"coverage.md.j2": "| a | b |\n|---|---|\n" + exploding})
    assert utf8_size(summary) <= SUMMARY_BUDGET.target
    assert "The rest of this summary was cut to fit GitHub's 1 MiB job-summary limit" in summary
    assert summary.startswith("## ❌ 2 of 2 tests failed")
    assert html_problems(summary) == ()


def test_levels_drop_detail_in_the_documented_order() -> None:
    traces = [level.traces for level in SUMMARY_LEVELS]
    rows = [level.rows for level in SUMMARY_LEVELS]
    assert traces == sorted(traces, reverse=True)
    assert rows == sorted(rows, reverse=True)
    assert all(level.dropped for level in SUMMARY_LEVELS[1:])
    assert not SUMMARY_LEVELS[0].dropped
