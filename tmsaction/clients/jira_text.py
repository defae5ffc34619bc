"""One rich-text model for defect descriptions and comments, rendered to Atlassian Document Format
(Cloud, REST v3) or wiki markup (Data Center, REST v2), and fitted to Jira's limits. Pure; no I/O.

Rules that keep Jira from rejecting or mangling the text:
- ADF `text` nodes are never empty (the schema's `minLength: 1`; empty ones are a common 400), code
  blocks carry no marks, line breaks inside a paragraph are `hardBreak` nodes.
- Wiki markup escapes every character that starts formatting (* _ - + ^ ~ { } [ ] | ! # ? ( ) so
  `aws_vpc_endpoint` does not turn italic and `{id}` is not swallowed as a macro); a literal
  backslash becomes `&#92;` because `\\\\` is a line break. Stack traces go in `{noformat}` blocks,
  where only the closing tag needs defusing.
- Text fields hold at most 32,767 characters, summaries 255 (research/jira-api.md §1.4). For ADF the
  measure is the compact JSON, the conservative reading of how Cloud stores it. Fitting cuts the
  middle of the longest code blocks first (the exception and the root cause at either end are what
  people read), then drops trailing blocks, and says what was cut.
- Terminal colour codes and control characters are removed from all text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

TEXT_LIMIT = 32767  # description, environment, comment, multi-line custom fields
SUMMARY_LIMIT = 255
LABEL_LIMIT = 255
#: Default budget for rendered text: under the limit, leaving room for what Jira adds on its side.
TEXT_BUDGET = 32000
MIN_KEPT = 400  # a block is not cut below this many characters while others can shrink

Format = Literal["adf", "wiki"]

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WIKI_SPECIAL = re.compile(r"([*_\-+^~{}\[\]|!#?()])")
_WIKI_LINE_START = re.compile(r"^(\s*)(h[1-6]\.|bq\.)", re.M)


def clean(text: str) -> str:
    """Drop ANSI colour codes and control characters (keeping tabs and newlines); CRLF -> LF."""
    text = _ANSI.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


@dataclass(frozen=True)
class Span:
    """A run of inline text; `href` makes it a link."""

    text: str
    strong: bool = False
    code: bool = False
    href: str | None = None


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 3


@dataclass(frozen=True)
class Paragraph:
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class CodeBlock:
    text: str
    language: str | None = None


@dataclass(frozen=True)
class BulletList:
    items: tuple[tuple[Span, ...], ...]


Block = Heading | Paragraph | CodeBlock | BulletList


@dataclass(frozen=True)
class RichText:
    blocks: tuple[Block, ...] = ()

    def plain(self) -> str:
        """The text without markup, blocks on separate lines (for markers and logs)."""
        lines: list[str] = []
        for block in self.blocks:
            if isinstance(block, Heading):
                lines.append(block.text)
            elif isinstance(block, Paragraph):
                lines.append("".join(span.text for span in block.spans))
            elif isinstance(block, CodeBlock):
                lines.append(block.text)
            else:
                lines.extend("".join(span.text for span in item) for item in block.items)
        return "\n".join(lines)


# -- builders ------------------------------------------------------------------------------------


def paragraph(*parts: str | Span) -> Paragraph:
    return Paragraph(tuple(Span(part) if isinstance(part, str) else part for part in parts))


def link(text: str, href: str) -> Span:
    return Span(text, href=href)


def bullets(*items: str | Span | Iterable[str | Span]) -> BulletList:
    rows: list[tuple[Span, ...]] = []
    for item in items:
        if isinstance(item, str | Span):
            rows.append((Span(item) if isinstance(item, str) else item,))
        else:
            rows.append(tuple(Span(p) if isinstance(p, str) else p for p in item))
    return BulletList(tuple(rows))


def document(*blocks: Block) -> RichText:
    return RichText(tuple(blocks))


# -- ADF --------------------------------------------------------------------------------------


def to_adf(doc: RichText) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for block in doc.blocks:
        node = _adf_block(block)
        if node is not None:
            content.append(node)
    return {"type": "doc", "version": 1, "content": content}


def _adf_block(block: Block) -> dict[str, Any] | None:
    if isinstance(block, Heading):
        level = min(6, max(1, block.level))
        return {
            "type": "heading",
            "attrs": {"level": level},
            "content": _adf_inline((Span(block.text),)),
        }
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "content": _adf_inline(block.spans)}
    if isinstance(block, CodeBlock):
        node: dict[str, Any] = {"type": "codeBlock"}
        if block.language:
            node["attrs"] = {"language": block.language}
        text = clean(block.text)
        if text:
            node["content"] = [{"type": "text", "text": text}]
        return node
    items = [
        {"type": "listItem", "content": [{"type": "paragraph", "content": _adf_inline(spans)}]}
        for spans in block.items
    ]
    return {"type": "bulletList", "content": items} if items else None


def _adf_inline(spans: tuple[Span, ...]) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for span in spans:
        marks: list[dict[str, Any]] = []
        if span.code:
            marks.append({"type": "code"})  # code combines only with link
        elif span.strong:
            marks.append({"type": "strong"})
        if span.href:
            marks.append({"type": "link", "attrs": {"href": span.href}})
        for index, line in enumerate(clean(span.text).split("\n")):
            if index:
                nodes.append({"type": "hardBreak"})
            if line:
                node: dict[str, Any] = {"type": "text", "text": line}
                if marks:
                    node["marks"] = marks
                nodes.append(node)
    return nodes


def adf_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


# -- wiki markup --------------------------------------------------------------------------------


def escape_wiki(text: str) -> str:
    """Text that renders literally in Jira wiki markup."""
    # Backslashes first go to a private-use placeholder, so the escapes added below stay apart
    # from the text's own backslashes; those become `&#92;` at the end.
    text = clean(text).replace("\\", "\ue000")
    text = _WIKI_SPECIAL.sub(r"\\\1", text)
    text = _WIKI_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return text.replace("\ue000", "&#92;")


def to_wiki(doc: RichText) -> str:
    return "\n\n".join(part for part in (_wiki_block(block) for block in doc.blocks) if part)


def _wiki_block(block: Block) -> str:
    if isinstance(block, Heading):
        level = min(6, max(1, block.level))
        return f"h{level}. {escape_wiki(block.text.replace(chr(10), ' '))}"
    if isinstance(block, Paragraph):
        return _wiki_inline(block.spans)
    if isinstance(block, CodeBlock):
        text = clean(block.text).rstrip("\n")
        if block.language and re.fullmatch(r"[A-Za-z0-9+#-]+", block.language):
            return "{code:" + block.language + "}\n" + _defuse(text, "code") + "\n{code}"
        return "{noformat}\n" + _defuse(text, "noformat") + "\n{noformat}"
    return "\n".join("* " + _wiki_inline(spans).replace("\n", " ") for spans in block.items)


def _defuse(text: str, macro: str) -> str:
    """Stop a `{noformat}` (or `{code...}`) inside the text from closing the block early."""
    return re.sub(r"\{(" + macro + r")", r"{ \1", text, flags=re.I)


def _wiki_inline(spans: tuple[Span, ...]) -> str:
    parts: list[str] = []
    for span in spans:
        text = clean(span.text)
        if not text:
            continue
        if span.href:
            label = escape_wiki(text.replace("\n", " ")) or _wiki_url(span.href)
            parts.append(f"[{label}|{_wiki_url(span.href)}]")
        elif span.code:
            parts.append("{{" + escape_wiki(text.replace("\n", " ")) + "}}")
        elif span.strong and text.strip():
            lead = text[: len(text) - len(text.lstrip())]
            tail = text[len(text.rstrip()) :]
            parts.append(f"{escape_wiki(lead)}*{escape_wiki(text.strip())}*{escape_wiki(tail)}")
        else:
            parts.append(escape_wiki(text))
    return "".join(parts)


def _wiki_url(url: str) -> str:
    # `|` and `]` end a wiki link; percent-encode them (and spaces) inside the URL.
    return url.replace(" ", "%20").replace("|", "%7C").replace("]", "%5D").replace("[", "%5B")


# -- fitting to Jira's limits ---------------------------------------------------------------------


def render(doc: RichText, fmt: Format, budget: int = TEXT_BUDGET) -> Any:
    """`doc` as ADF or wiki markup, cut to fit `budget` characters (see module docstring)."""
    fitted = fit(doc, fmt, budget)
    return to_adf(fitted) if fmt == "adf" else to_wiki(fitted)


def rendered_size(doc: RichText, fmt: Format) -> int:
    return adf_size(to_adf(doc)) if fmt == "adf" else len(to_wiki(doc))


def fit(doc: RichText, fmt: Format, budget: int = TEXT_BUDGET) -> RichText:
    """A version of `doc` whose rendering fits `budget`; unchanged when it already does."""
    size = rendered_size(doc, fmt)
    if size <= budget:
        return doc
    blocks = list(doc.blocks)
    cut_anything = False
    # 1. Cut the longest code block (its middle) or paragraph (its end), down to MIN_KEPT each.
    for _ in range(len(blocks) * 4 + 4):
        if size <= budget:
            break
        index = _longest_cuttable(blocks)
        if index is None:
            break
        block = blocks[index]
        length = _text_length(block)
        # Escaping can make rendered text longer than the source: cut a little extra.
        keep = max(MIN_KEPT, length - int((size - budget) * 1.1) - 200)
        if keep >= length:
            break
        blocks[index] = _cut_block(block, keep)
        cut_anything = True
        size = rendered_size(RichText(tuple(blocks)), fmt)
    # 2. Drop trailing blocks until the rest plus a note fits.
    note = paragraph(Span("(Truncated to fit Jira's size limit; the full text is in the CI run.)"))
    if size > budget or cut_anything:
        while blocks and rendered_size(RichText((*blocks, note)), fmt) > budget:
            last = blocks.pop()
            if isinstance(last, CodeBlock | Paragraph) and not blocks:
                blocks.append(_shrink_single(last, fmt, budget, note))
                break
        blocks.append(note)
    return RichText(tuple(blocks))


def _text_length(block: Block) -> int:
    if isinstance(block, CodeBlock):
        return len(block.text)
    if isinstance(block, Paragraph):
        return sum(len(span.text) for span in block.spans)
    return 0


def _longest_cuttable(blocks: list[Block]) -> int | None:
    lengths = [(_text_length(block), index) for index, block in enumerate(blocks)]
    longest = max(lengths, default=(0, None))
    return longest[1] if longest[0] > MIN_KEPT else None


def _cut_block(block: Block, keep: int) -> Block:
    if isinstance(block, CodeBlock):
        return replace(block, text=_cut_middle(block.text, keep))
    assert isinstance(block, Paragraph)
    spans: list[Span] = []
    left = keep
    for span in block.spans:
        if left <= 0:
            break
        if len(span.text) > left:
            spans.append(replace(span, text=span.text[:left] + "…"))
            break
        spans.append(span)
        left -= len(span.text)
    return Paragraph(tuple(spans))


def _cut_middle(text: str, keep: int) -> str:
    head = int(keep * 0.6)
    tail = keep - head
    removed = len(text) - head - tail
    return f"{text[:head]}\n… {removed:,} characters cut …\n{text[len(text) - tail :]}"


def _shrink_single(
    block: CodeBlock | Paragraph, fmt: Format, budget: int, note: Paragraph
) -> Block:
    """The last block standing, cut hard until it fits beside the note."""
    text = block.text if isinstance(block, CodeBlock) else "".join(s.text for s in block.spans)
    keep = len(text)
    while keep > 0:
        keep = keep // 2 if keep > 64 else 0
        candidate: Block = (
            CodeBlock(_cut_middle(text, keep), getattr(block, "language", None))
            if isinstance(block, CodeBlock)
            else paragraph(text[:keep] + "…")
        )
        if rendered_size(RichText((candidate, note)), fmt) <= budget:
            return candidate
    return paragraph("…")


def summary_line(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """One line of at most `limit` characters (Jira rejects newlines in a summary), ending in `…`
    when cut."""
    line = " ".join(clean(text).split())
    if len(line) <= limit:
        return line
    return line[: limit - 1].rstrip() + "…"


def safe_label(text: str, limit: int = LABEL_LIMIT) -> str:
    """A valid Jira label: no whitespace (Jira rejects it), at most `limit` characters."""
    return re.sub(r"\s+", "-", clean(text).strip())[:limit]


def wiki_or_adf_text(body: Any) -> str:
    """Plain text of a comment or description as Jira returns it (ADF object or wiki string)."""
    if isinstance(body, str):
        return body
    if isinstance(body, dict):
        if body.get("type") == "text":
            return str(body.get("text", ""))
        return "\n".join(wiki_or_adf_text(child) for child in body.get("content") or [])
    return ""
