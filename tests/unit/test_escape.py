"""Escaping hostile test names, messages and traces, proven with GitHub's own Markdown engine.

Each hostile string is rendered with cmarkgfm (cmark-gfm, what GitHub runs) with raw HTML allowed,
so an escaping gap shows up as an element, a link, an extra table cell or a lost character.
"""

from __future__ import annotations

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from tmsaction.render.escape import (
    clean,
    code_block,
    flatten,
    html_text,
    inline,
    link,
    shorten_middle,
)
from tmsaction.render.structure import check_html, parse_html
from tmsaction.render.structure import visible_text as visible

HOSTILE = [
    "a | b | c",
    "ends with a pipe |",
    "back\\|slash \\\\| double",
    "`code` and ``` fence ````",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "</td></tr></table><table><tr><td>x",
    "</summary></details><details open><summary>pwn",
    "<!-- hidden --> <!-- tmsaction:comment key=CI/test -->",
    "&lt;b&gt; &#60;i&#62; &amp; &#x3C;",
    "**bold** __b__ *i* _i_ ~~s~~ ~s~ snake_case_name",
    "[link](https://evil.example) ![img](https://evil.example/x.png) [ref][1]",
    "<https://evil.example> https://evil.example/x www.evil.example mail@evil.example",
    "@octocat @acme/team #123 acme/shop#9",
    "::error file=x::injected %0A ::add-mask::secret",
    "# heading",
    "> quote",
    "- list",
    "+ list",
    "1. ordered",
    "12) ordered",
    "---",
    "===",
    "zero\u200bwidth \u202eevil\u202c \u2066isolate\u2069 \ufeffbom \u00adsoft",
    "\x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x07osc link\x1b]8;;\x07 \x07bell",
    "a" * 400,
    "$x$ and $$y$$ and Foo$Bar",
    "line1\nline2\r\n| a | b |\n|---|---|",
    "trailing backslash \\",
    "C:\\Users\\x\\file.txt",
    "- [ ] task [x] done",
    "\\<not a tag> \\*not emphasis*",
]


def to_html(markdown: str) -> str:
    return str(
        cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    )


def expected(text: str, limit: int = 300) -> str:
    return flatten(text, limit)


def test_hostile_text_in_table_cells_keeps_the_table_and_renders_as_text() -> None:
    rows = "".join(f"| {inline(text)} | {inline(text, 40)} |\n" for text in HOSTILE)
    html = to_html("| Test | Message |\n|---|---|\n" + rows)
    structure = check_html(html)
    assert structure.problems == ()
    assert structure.tables == 1
    assert structure.rows == len(HOSTILE)
    assert structure.links == ()
    cells = list(parse_html(html).iter("td"))
    for index, text in enumerate(HOSTILE):
        assert visible(cells[2 * index]) == expected(text), text
        assert visible(cells[2 * index + 1]) == expected(text, 40), text


def test_hostile_text_in_a_paragraph_and_at_line_start() -> None:
    for text in HOSTILE:
        html = to_html(inline(text) + "\n")
        structure = check_html(html)
        assert structure.problems == (), text
        root = parse_html(html)
        assert [e.tag for e in root.children] == ["p"], (text, html)
        assert visible(root.children[0]) == expected(text), text


def test_hostile_text_in_a_summary_stays_inside_it() -> None:
    blocks = "".join(
        f"<details><summary>❌ <b>{html_text(text)}</b></summary>\n\n"
        f"{code_block(text)}\n\n</details>\n\n"
        for text in HOSTILE
    )
    html = to_html(blocks)
    structure = check_html(html)
    assert structure.problems == ()
    assert structure.details == len(HOSTILE)
    root = parse_html(html)
    for block, text in zip(root.iter("details"), HOSTILE, strict=True):
        summary = block.children[0]
        assert visible(summary) == "❌ " + expected(text), text
        code = block.iter("code")[0]
        assert visible(code) == clean(text).rstrip("\n") + "\n", text


def test_code_blocks_cannot_be_closed_from_inside() -> None:
    trace = "```\n</details>\n````\nstill code"
    block = code_block(trace)
    assert block.startswith("`````\n")
    assert block.endswith("\n`````")
    html = to_html(f"<details><summary>x</summary>\n\n{block}\n\n</details>\n\nafter\n")
    root = parse_html(html)
    assert [e.tag for e in root.children] == ["details", "p"]
    assert visible(root.iter("code")[0]) == trace + "\n"


def test_plain_names_stay_readable_in_a_terminal() -> None:
    for name in (
        "com.acme.shop.CartTest › appliesPercentageDiscount",
        "tests/unit/test_cart.py::test_total_with_tax[en_US-1.5]",
        "test_cart_total",
        "Cart › adds item (2 of 3) - fast!",
        "C:\\build\\reports",
        "a && b || c",
        "x = y + 1",
    ):
        assert inline(name) == name.replace("[", "\\[").replace("]", "\\]").replace("|", "\\|")


def test_mentions_and_issue_references_cannot_notify_or_link() -> None:
    escaped = inline("ping @octocat about #12 and acme/shop#3")
    assert "@octocat" not in escaped
    assert "#12" not in escaped
    assert "#3" not in escaped
    assert escaped.replace("\u2060", "") == "ping @octocat about #12 and acme/shop#3"
    assert "@\u2060team" in html_text("@team")


def test_long_words_get_break_opportunities_and_long_text_is_cut() -> None:
    word = "x" * 200
    assert "<wbr>" in inline(word)
    assert inline(word).replace("<wbr>", "") == word
    assert "<wbr>" in html_text(word)
    assert inline("y" * 1000, limit=50) == "y" * 49 + "…"  # short enough to wrap as it is
    assert inline("y" * 1000, limit=70) == "y" * 30 + "<wbr>" + "y" * 30 + "<wbr>" + "y" * 9 + "…"


def test_controls_ansi_and_bidi_are_removed_everywhere() -> None:
    text = "\x1b[1;31mFAIL\x1b[0m \u202etxt.exe\u202c done\x00"
    assert clean(text) == "FAIL txt.exe done"
    assert "\u202e" not in code_block(text)
    assert "\x1b" not in html_text(text)


def test_shorten_middle_keeps_head_and_tail_on_line_boundaries() -> None:
    trace = "\n".join(f"frame {i:04d}" for i in range(2000))
    short = shorten_middle(trace, 600)
    lines = short.splitlines()
    assert lines[0] == "frame 0000"
    assert lines[-1] == "frame 1999"
    assert any("characters cut" in line for line in lines)
    assert len(short) < 700


@pytest.mark.parametrize(
    ("url", "rendered"),
    [
        (
            "https://github.com/acme/shop/actions/runs/1",
            "https://github.com/acme/shop/actions/runs/1",
        ),
        ("https://x.test/a b(c)", "https://x.test/a%20b%28c%29"),
    ],
)
def test_links_we_write_keep_their_url(url: str, rendered: str) -> None:
    html = to_html(link("run [1]", url))
    structure = check_html(html, lambda href: href == rendered)
    assert structure.problems == ()
    assert structure.links == (rendered,)
