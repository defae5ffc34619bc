"""The rich-text model: ADF that Jira's validation accepts, wiki markup that renders literally, and
truncation that fits Jira's limits without breaking either format."""

from __future__ import annotations

import json

import pytest
from tmsaction.clients.jira_text import (
    TEXT_LIMIT,
    BulletList,
    CodeBlock,
    Heading,
    RichText,
    Span,
    adf_size,
    bullets,
    clean,
    document,
    escape_wiki,
    fit,
    link,
    paragraph,
    render,
    safe_label,
    summary_line,
    to_adf,
    to_wiki,
)
from tmsaction.sandbox.jira.adf import adf_to_wiki, validate_adf

TRACE = "\n".join(f"  at com.acme.shop.Checkout.step{i}(Checkout.java:{i})" for i in range(1, 4000))


def failure_report(message: str = "expected 10.00 but was 9.99", trace: str = TRACE) -> RichText:
    return document(
        Heading("Test failure"),
        paragraph(
            "Test ",
            Span("CheckoutTest › total", code=True),
            " failed in ",
            link("run 812", "https://github.com/acme/shop/actions/runs/812"),
            ".",
        ),
        paragraph(Span("Message: ", strong=True), message),
        CodeBlock(trace, "java"),
        bullets(
            "first seen: run 812", ["TestRail: ", link("R55", "https://acme.testrail.io/r/55")]
        ),
    )


def test_adf_of_a_failure_report_passes_jiras_validation() -> None:
    rendered = to_adf(failure_report())
    assert validate_adf(rendered) is None
    kinds = [node["type"] for node in rendered["content"]]
    assert kinds == ["heading", "paragraph", "paragraph", "codeBlock", "bulletList"]
    code_span = rendered["content"][1]["content"][1]
    assert code_span == {
        "type": "text",
        "text": "CheckoutTest › total",
        "marks": [{"type": "code"}],
    }


def test_adf_never_emits_empty_text_and_turns_newlines_into_hard_breaks() -> None:
    rendered = to_adf(
        document(
            paragraph("", Span("", strong=True), "one\ntwo\n"),
            Heading(""),
            CodeBlock(""),
            paragraph(Span("x", code=True, strong=True)),
        )
    )
    assert validate_adf(rendered) is None
    assert rendered["content"][0]["content"] == [
        {"type": "text", "text": "one"},
        {"type": "hardBreak"},
        {"type": "text", "text": "two"},
        {"type": "hardBreak"},
    ]
    assert rendered["content"][2] == {"type": "codeBlock"}
    assert rendered["content"][3]["content"][0]["marks"] == [{"type": "code"}]


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("aws_vpc_endpoint", "aws\\_vpc\\_endpoint"),
        ("{noformat} and {id}", "\\{noformat\\} and \\{id\\}"),
        (
            "*bold* -strike- +under+ ^sup^ ~sub~",
            "\\*bold\\* \\-strike\\- \\+under\\+ \\^sup\\^ \\~sub\\~",
        ),
        ("[link|http://x] !image.png! a|b", "\\[link\\|http://x\\] \\!image.png\\! a\\|b"),
        ("C:\\dir", "C:&#92;dir"),
        ("(x) :) ??cite??", "\\(x\\) :\\) \\?\\?cite\\?\\?"),
        ("h1. not a heading\nbq. nor a quote", "\\h1. not a heading\n\\bq. nor a quote"),
        ("# not a list", "\\# not a list"),
        ("\x1b[31mred\x1b[0m", "red"),
    ],
)
def test_wiki_escaping_renders_text_literally(raw: str, escaped: str) -> None:
    assert escape_wiki(raw) == escaped


def test_wiki_of_a_failure_report() -> None:
    wiki = to_wiki(
        document(
            Heading("Test failure", 3),
            paragraph(Span("Message: ", strong=True), "a_b"),
            CodeBlock("line {noformat} inside\nnext"),
            bullets(["see ", link("run [1]", "https://ci/x?a=1|2")]),
        )
    )
    assert wiki == (
        "h3. Test failure\n\n"
        "*Message:*&#32;a\\_b\n\n"
        "{noformat}\nline { noformat} inside\nnext\n{noformat}\n\n"
        "* see [run \\[1\\]|https://ci/x?a=1%7C2]"
    ).replace("&#32;", " ")


def test_fitting_cuts_the_middle_of_the_trace_and_keeps_adf_valid() -> None:
    report = failure_report()
    assert adf_size(to_adf(report)) > TEXT_LIMIT
    rendered = render(report, "adf")
    assert validate_adf(rendered) is None
    assert adf_size(rendered) <= 32000
    text = json.dumps(rendered)
    assert "step1(" in text  # the head of the trace survives
    assert "step3999(" in text  # and its tail (the root cause usually sits at one end)
    assert "characters cut" in text
    assert "Truncated to fit Jira" in text
    assert "expected 10.00 but was 9.99" in text


def test_fitting_wiki_counts_the_escaped_text() -> None:
    message = "_*{}" * 20000  # every character doubles when escaped
    rendered = render(failure_report(message=message), "wiki", budget=TEXT_LIMIT)
    assert isinstance(rendered, str)
    assert len(rendered) <= TEXT_LIMIT
    assert rendered.count("{noformat}") % 2 == 0  # blocks stay closed
    assert rendered.count("{code") % 2 == 0


@pytest.mark.parametrize("budget", [200, 1000, 5000])
def test_tiny_budgets_still_give_valid_documents(budget: int) -> None:
    report = failure_report(message="m" * 10000)
    for fmt in ("adf", "wiki"):
        fitted = fit(report, fmt, budget)
        rendered = to_adf(fitted) if fmt == "adf" else to_wiki(fitted)
        size = adf_size(rendered) if fmt == "adf" else len(rendered)
        assert size <= budget, (fmt, size)
        if fmt == "adf":
            assert validate_adf(rendered) is None


def test_text_that_fits_is_left_alone() -> None:
    report = document(paragraph("short"), CodeBlock("trace"))
    assert fit(report, "adf") is report
    assert fit(report, "wiki") is report


def test_summary_line_is_one_line_within_255() -> None:
    assert summary_line("  Checkout \n total\tis wrong  ") == "Checkout total is wrong"
    long = summary_line("x" * 400)
    assert len(long) == 255
    assert long.endswith("…")
    assert summary_line("\x1b[1mbold\x1b[0m") == "bold"


def test_labels_and_cleaning() -> None:
    assert safe_label("flaky test  name") == "flaky-test-name"
    assert len(safe_label("y" * 300)) == 255
    assert clean("a\r\nb\x00c\x1b[2Kd\te") == "a\nbcd\te"


def test_plain_text_and_the_v2_view_of_v3_text() -> None:
    report = document(Heading("H"), paragraph("p ", Span("code", code=True)), bullets("i"))
    assert report.plain() == "H\np code\ni"
    assert isinstance(report.blocks[2], BulletList)
    assert adf_to_wiki(to_adf(report)) == "h3. H\n\np {{code}}\n\n* i"
