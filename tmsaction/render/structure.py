"""Checks on the HTML GitHub makes of our Markdown: tables intact, nothing injected. Pure.

Meant for HTML from `cmarkgfm` (GitHub's own cmark-gfm) rendered with raw HTML *allowed*: GitHub
would sanitise an injected `<script>` away, but here it shows up as an element and fails the
check, so escaping bugs cannot hide behind the sanitiser. Used by scripts/render_summary.py and
the tests.

The rules:
- only the elements our templates write (headings, paragraphs, lists, tables, `<details>`,
  code, `<sub>`, `<b>`, `<wbr>`, ...), and no attributes but `href` on links, `align` on cells and
  the `lang`/`class` cmark puts on code blocks;
- every table row has as many cells as the header;
- every `<details>` opens with its `<summary>`, and every element is closed where it should be;
- every link goes where `allowed_link` says (the workflow run, TestRail, Jira), never to a URL
  taken from a test report;
- HTML comments only for our hidden marker lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    {
        "h2", "h3", "h4", "p", "strong", "em", "b", "code", "pre", "del", "table", "thead",
        "tbody", "tr", "th", "td", "details", "summary", "ul", "ol", "li", "a", "sub", "blockquote",
        "br", "wbr", "hr",
    }
)  # fmt: skip
VOID_TAGS = frozenset({"br", "wbr", "hr"})
ALLOWED_ATTRIBUTES = {"a": {"href"}, "th": {"align"}, "td": {"align"}, "pre": {"lang"}}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def iter(self, tag: str | None = None) -> list[Element]:
        found = [self] if tag is None or self.tag == tag else []
        for child in self.children:
            found.extend(child.iter(tag))
        return found


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.stack = [self.root]
        self.problems: list[str] = []
        self.texts: list[str] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        if len(self.stack) > 1 and self.stack[-1].tag == tag:
            self.stack.pop()
            return
        self.problems.append(f"</{tag}> closes <{self.stack[-1].tag}>")
        for depth in range(len(self.stack) - 1, 0, -1):  # recover like a browser would
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].text.append(data)
        self.texts.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


@dataclass(frozen=True)
class Structure:
    """What the check found; `ok` when there is no problem."""

    problems: tuple[str, ...]
    tables: int
    rows: int
    details: int
    links: tuple[str, ...]
    text: str  # every text node, in order

    @property
    def ok(self) -> bool:
        return not self.problems


def _cells(row: Element) -> int:
    return sum(1 for child in row.children if child.tag in ("td", "th"))


def _build(html: str) -> _Builder:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder


def parse_html(html: str) -> Element:
    """The element tree of an HTML fragment (a root `#root` element holding it)."""
    return _build(html).root


def visible_text(element: Element) -> str:
    """The text a reader sees in an element (word joiners are invisible)."""
    parts = [*element.text, *(visible_text(child) for child in element.children)]
    return "".join(parts).replace("\u2060", "")


def check_html(html: str, allowed_link: Callable[[str], bool] = lambda _url: False) -> Structure:
    """Parse `html` and list every way it departs from what our templates can produce."""
    builder = _build(html)
    problems = list(builder.problems)
    problems += [f"<{e.tag}> left open" for e in builder.stack[1:]]
    root = builder.root
    for element in root.iter():
        if element is root:
            continue
        if element.tag not in ALLOWED_TAGS:
            problems.append(f"unexpected element <{element.tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(element.tag, set())
        for name, value in element.attrs.items():
            is_language = (
                element.tag == "code" and name == "class" and value.startswith("language-")
            )
            if name not in allowed and not is_language:
                problems.append(f"unexpected attribute {name}={value!r} on <{element.tag}>")
    links = tuple(a.attrs.get("href", "") for a in root.iter("a"))
    problems += [f"link to {href!r}" for href in links if not allowed_link(href)]
    rows = 0
    tables = root.iter("table")
    for index, table in enumerate(tables, 1):
        header = [row for head in table.iter("thead") for row in head.iter("tr")]
        body = [row for part in table.iter("tbody") for row in part.iter("tr")]
        if len(header) != 1:
            problems.append(f"table {index}: {len(header)} header rows")
            continue
        width = _cells(header[0])
        rows += len(body)
        for number, row in enumerate(body, 1):
            if _cells(row) != width:
                problems.append(f"table {index} row {number}: {_cells(row)} cells, header {width}")
    details = root.iter("details")
    for number, block in enumerate(details, 1):
        if not block.children or block.children[0].tag != "summary":
            problems.append(f"<details> {number} does not open with <summary>")
    problems += [
        f"HTML comment {c.strip()[:60]!r}"
        for c in builder.comments
        if not c.strip().startswith("tmsaction:")
    ]
    return Structure(
        tuple(problems), len(tables), rows, len(details), links, "".join(builder.texts)
    )
