"""Story traceability (pure) and how the summary and the PR comment show it and the Jira defects:
rows, statuses, open defects, escaping of Jira's own texts, HTML structure; the sink's texts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import cmarkgfm
from cmarkgfm.cmark import Options
from tmsaction.clients.jira_model import IssueLinkRef, JiraIssue, LinkedIssue
from tmsaction.clients.jira_text import (
    CodeBlock,
    RichText,
    paragraph,
    rendered_size,
    to_adf,
    to_wiki,
)
from tmsaction.coverage import StoryCoverage
from tmsaction.inputs import RunContext
from tmsaction.mapping.model import TestMapping
from tmsaction.model import Outcome, ReportFile, ReportSet, TestResult, Totals
from tmsaction.plan.jira import Action, DefectStep, JiraPlan
from tmsaction.plan.jira_fingerprint import Fingerprint
from tmsaction.plan.jira_snapshot import JiraSnapshot
from tmsaction.render.comment import render_comment
from tmsaction.render.structure import check_html
from tmsaction.render.summary import render_summary
from tmsaction.runreport import RunReport
from tmsaction.sinks import jira_texts
from tmsaction.sinks.jira_outcome import DefectChange, JiraOutcome, TestDefect
from tmsaction.traceability import DefectState, build_traceability

SITE = "https://acme.atlassian.net"
CONTEXT = RunContext(
    workspace=Path("/ws"),
    repository="acme/shop",
    run_id="8675309",
    run_number="42",
    workflow="CI",
    ref_name="main",
    sha="9f1c2d3e4b5a6978",
)
RESULTS = (
    TestResult(("Cart",), "CartTest", "adds", Outcome.PASSED),
    TestResult(("Cart",), "CartTest", "totals", Outcome.FAILED),
    TestResult(("Cart",), "CartTest", "skips", Outcome.SKIPPED),
)
MAPPINGS = (
    TestMapping(stories=("SHOP-12",)),
    TestMapping(stories=("SHOP-12", "SHOP-14")),
    TestMapping(stories=("SHOP-19",)),
)
STORIES = (
    StoryCoverage("SHOP-12", tests=2, passed=1, failed=1),
    StoryCoverage("SHOP-14", tests=1, failed=1),
    StoryCoverage("SHOP-19", tests=1, skipped=1),
    StoryCoverage("SHOP-40", cases=(7,)),
    StoryCoverage("SHOP-3", tests=1, passed=1),
)


def linked(key: str, issue_type: str, category: str = "new", status: str = "To Do") -> IssueLinkRef:
    return IssueLinkRef(
        "1",
        "Relates",
        "relates to",
        "inward",
        LinkedIssue("1", key, f"{key} title", status, category, issue_type),
    )


def story(key: str, summary: str, *links: IssueLinkRef) -> JiraIssue:
    return JiraIssue(
        id=1,
        key=key,
        summary=summary,
        status="In Progress",
        status_category="indeterminate",
        links=links,
    )


SNAPSHOT = JiraSnapshot(
    site_url=SITE,
    stories={
        "SHOP-12": story(
            "SHOP-12",
            "Cart | *bold* <script>alert(1)</script> @team",
            linked("SHOP-90", "Bug"),
            linked("SHOP-91", "Bug", "done", "Done"),
            linked("SHOP-92", "Story"),
        ),
        "SHOP-14": story("SHOP-14", "Discounts"),
        "SHOP-19": story("SHOP-19", "Quantity"),
        "SHOP-3": story("SHOP-3", "Login"),
    },
    missing_stories=("SHOP-40",),
)


def test_rows_statuses_and_open_defects() -> None:
    trace = build_traceability(
        STORIES,
        RESULTS,
        MAPPINGS,
        snapshot=SNAPSHOT,
        defects_of_tests={1: "SHOP-95"},
        defect_states={
            "SHOP-95": DefectState("SHOP-95", True, "filed by this run", "Failing: totals")
        },
    )
    assert [(r.key, r.coverage) for r in trace.rows] == [
        ("SHOP-12", "failing"),
        ("SHOP-14", "failing"),
        ("SHOP-19", "not run"),
        ("SHOP-40", "no tests"),
        ("SHOP-3", "passing"),
    ]
    cart = trace.rows[0]
    assert [d.key for d in cart.defects] == ["SHOP-90", "SHOP-95"]  # open bugs, and ours
    assert cart.url == f"{SITE}/browse/SHOP-12"
    assert [(t.name, t.outcome) for t in cart.listed] == [
        ("CartTest › adds", Outcome.PASSED),
        ("CartTest › totals", Outcome.FAILED),
    ]
    assert [d.key for d in trace.rows[1].defects] == ["SHOP-95"]
    assert trace.rows[3].found is False
    assert trace.missing == ("SHOP-40",)
    assert dict(trace.counts) == {"failing": 2, "not run": 1, "no tests": 1, "passing": 1}
    resolved = build_traceability(
        STORIES,
        RESULTS,
        MAPPINGS,
        snapshot=SNAPSHOT,
        defect_states={"SHOP-90": DefectState("SHOP-90", False, "Done")},
    )
    assert resolved.rows[0].defects == ()  # resolved by this run: no longer open
    offline = build_traceability(STORIES, RESULTS, MAPPINGS)
    assert offline.jira_read is False
    assert {row.found for row in offline.rows} == {None}
    assert offline.rows[0].url is None


def report() -> RunReport:
    reports = ReportSet(
        results=RESULTS, files=(ReportFile("r.xml", "junit", 3),), totals=Totals.of(RESULTS)
    )
    trace = build_traceability(STORIES, RESULTS, MAPPINGS, snapshot=SNAPSHOT)
    step = DefectStep(
        fingerprint=Fingerprint("tms-1", "x"),
        action=Action.CREATE,
        reason="no defect has this fingerprint",
        tests=(1,),
        lead=1,
        failing=True,
        stories=("SHOP-12", "SHOP-14"),
        summary="Failing test: CartTest › totals",
    )
    skip = replace(
        step, action=Action.SKIP, defect="SHOP-80", reason="SHOP-80 was resolved as Won't Fix"
    )
    plan = JiraPlan("SHOP", True, steps=(step, skip), max_new=10)
    change = DefectChange(
        action=Action.CREATE,
        done=True,
        key="SHOP-95",
        url=f"{SITE}/browse/SHOP-95",
        title="Failing test: CartTest › totals [x](http://evil)",
        tests=("CartTest › totals",),
        test_count=1,
        stories=("SHOP-12", "SHOP-14"),
    )
    outcome = JiraOutcome(
        dry_run=False,
        site_url=SITE,
        project="SHOP",
        plan=plan,
        by_test=MappingProxyType({1: TestDefect("SHOP-95", Action.CREATE, True, "new")}),
        changes=(change,),
        created=("SHOP-95",),
    )
    return RunReport(reports=reports, context=CONTEXT, jira=outcome, traceability=trace)


def html_ok(markdown: str) -> None:
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    allowed = ("https://github.com/acme/shop/", f"{SITE}/browse/")
    structure = check_html(html, lambda href: href.startswith(allowed))
    assert structure.problems == ()


def test_the_summary_shows_stories_and_defects_with_jira_texts_escaped() -> None:
    summary = render_summary(report())
    html_ok(summary)
    assert "### 📚 Stories (5)" in summary
    assert "❌ 2 failing · ⏸️ 1 not run · ➖ 1 no tests · ✅ 1 passing" in summary
    cart = next(line for line in summary.splitlines() if line.startswith("| [SHOP-12]"))
    assert cart.startswith(f"| [SHOP-12]({SITE}/browse/SHOP-12) Cart \\| \\*bold\\* \\<script>")
    assert "@\u2060team" in cart
    assert f"[SHOP-90]({SITE}/browse/SHOP-90) To Do" in cart
    assert "SHOP-91" not in cart
    assert "SHOP-92" not in cart
    assert (
        "| [SHOP-40](https://acme.atlassian.net/browse/SHOP-40) (not in Jira) | — | 0 |" in summary
    )
    assert "- **SHOP-12**: ✅ CartTest › adds · ❌ CartTest › totals" in summary
    assert "### 🐞 Jira defects" in summary
    assert "Filed **1**, updated **0**, resolved **0**." in summary
    row = next(line for line in summary.splitlines() if line.startswith("| [SHOP-95]"))
    assert "\\[x\\](http\\://evil)" in row
    assert "🆕 filed" in row
    assert "<details><summary>Defects left as they are (1)</summary>" in summary
    assert f"- [SHOP-80]({SITE}/browse/SHOP-80): SHOP-80 was resolved as Won't Fix" in summary


def test_the_comment_shows_one_line_each_and_the_dry_run_says_would() -> None:
    comment = render_comment(report(), "")
    html_ok(comment)
    assert (
        f"📚 **Stories:** ❌ 2 failing · ⏸️ 1 not run · ➖ 1 no tests · ✅ 1 passing: "
        f"❌ [SHOP-12]({SITE}/browse/SHOP-12) ([SHOP-90]({SITE}/browse/SHOP-90) To Do)"
    ) in comment
    assert f"🐞 **Jira:** [SHOP-95]({SITE}/browse/SHOP-95) 🆕 filed" in comment
    base = report()
    assert base.jira is not None
    dry = replace(
        base,
        dry_run=True,
        jira=replace(
            base.jira, dry_run=True, changes=(replace(base.jira.changes[0], done=False, key=None),)
        ),
    )
    summary = render_summary(dry)
    assert "### 🐞 Jira defects (dry run: nothing was written)" in summary
    assert "Would file **1**, comment on **0**, reopen **0** and resolve **0**" in summary
    assert "| Failing test: CartTest › totals \\[x\\](http\\://evil) | would file |" in summary


def test_texts_from_a_template_keep_code_links_and_paragraphs() -> None:
    blocks = jira_texts.text_blocks(
        "CartTest failed on main.\n\nexpected 3\n\n```java\nat Cart.total(Cart.java:9)\n```\n"
        "Workflow run: https://github.com/acme/shop/actions/runs/1.\nStories: SHOP-12"
    )
    doc = RichText(tuple(blocks))
    wiki = to_wiki(doc)
    assert "{code:java}\nat Cart.total(Cart.java:9)\n{code}" in wiki
    assert (
        "Workflow run: [https://github.com/acme/shop/actions/runs/1|https://github.com/acme/"
        "shop/actions/runs/1].\nStories: SHOP\\-12"
    ) in wiki
    unclosed = jira_texts.text_blocks("trace:\n```\nline 1")
    assert unclosed[-1] == CodeBlock("line 1")


def test_a_text_cut_to_jiras_limit_keeps_its_signature() -> None:
    signature = jira_texts.signature("failed", CONTEXT)
    assert signature == "tmsaction · failed · acme/shop run 8675309"
    huge = RichText(
        (
            *(paragraph(f"line {i} " + "x" * 500) for i in range(200)),
            CodeBlock("y" * 50_000),
            paragraph(signature),
        )
    )
    for fmt in ("adf", "wiki"):
        cut = jira_texts.fitted(huge, fmt, 32_000)
        assert rendered_size(cut, fmt) <= 32_000
        assert cut.blocks[-1] == paragraph(signature)
        assert signature in cut.plain()
    assert to_adf(jira_texts.fitted(RichText(), "adf", 100)) == {
        "type": "doc",
        "version": 1,
        "content": [],
    }
