"""Escaping untrusted text (test names, messages, stack traces) for GitHub-flavoured Markdown. Pure.

Three contexts, three filters:
- `inline`: Markdown text in a sentence, list item or table cell. Only what GitHub's cmark-gfm
  would read as markup is escaped, so plain names such as `com.acme.Foo › adds_item` stay
  readable in a terminal.
- `html_text`: text inside an HTML block (`<summary>…</summary>`): cmark-gfm does not parse
  Markdown there, so backslash escapes would show; HTML entities are used instead.
- `code_block`: a fenced block; the fence is longer than any backtick run inside, so nothing in
  the text can close it.

Every filter first removes what must never reach a reader: ANSI colour sequences (test runners
print them), C0/C1 control characters, zero-width characters and bidi overrides (the "Trojan
Source" trick, CVE-2021-42574), then stops GitHub's post-processing from acting on the text:
`@user` would notify that user and `#123` would link (and cross-reference) issue 123, so a word
joiner (U+2060, invisible) is put after `@` and `#`.
"""

from __future__ import annotations

import html
import re

#: CSI (`ESC [ … final`), OSC (`ESC ] … BEL/ST`) and two-character escape sequences.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]")
#: Controls other than tab/newline, zero-width characters, bidi embeddings/overrides/isolates,
#: the BOM and the interlinear annotation marks: invisible, or able to reorder what is shown.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_WORD_JOINER = "\u2060"
_MENTION = re.compile(r"([@#])(?=[0-9A-Za-z])")  # @user, @org/team, #123, owner/repo#123

#: Characters cmark-gfm always treats as markup inside a line.
_ALWAYS = frozenset("`*[]|~<")
_ASCII_PUNCTUATION = frozenset(r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~""")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
#: At the start of a line these open a heading, quote, list, thematic break or setext underline.
_LINE_START = re.compile(r"^(?:[#>+=-]|\d{1,9}[.)])")
#: GFM's autolink extension turns these into links even without `<…>`.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(:)(?=//)|(?<![\w.])(www)(\.)")

LONG_WORD = 60  # longer runs without a space get break opportunities so tables keep their shape
_BREAK_EVERY = 30


def clean(text: str | None) -> str:
    """Remove ANSI sequences and invisible or reordering characters; keep tabs and newlines."""
    if not text:
        return ""
    text = _ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _INVISIBLE.sub("", text)


def flatten(text: str | None, limit: int | None = None) -> str:
    """One line of clean text: whitespace runs become one space, cut at `limit` with `…`."""
    flat = " ".join(clean(text).split())
    if limit is not None and len(flat) > limit:
        flat = flat[: max(0, limit - 1)].rstrip() + "…"
    return flat


def _defuse_mentions(text: str) -> str:
    return _MENTION.sub(lambda m: m.group(1) + _WORD_JOINER, text)


def _break_points(word: str) -> list[int]:
    """Offsets inside a long word after which a line may break (`<wbr>`)."""
    if len(word) <= LONG_WORD:
        return []
    return list(range(_BREAK_EVERY, len(word) - 1, _BREAK_EVERY))


def _escape_markdown_word(word: str, at_line_start: bool, dollar_pairs: bool) -> str:
    out: list[str] = []
    breaks = set(_break_points(word))
    for index, char in enumerate(word):
        previous = word[index - 1] if index else ""
        following = word[index + 1] if index + 1 < len(word) else ""
        if char == "\\":
            # A backslash only escapes ASCII punctuation (CommonMark §2.4); keep `C:\Users` as is.
            out.append("\\\\" if (not following or following in _ASCII_PUNCTUATION) else "\\")
        elif char in _ALWAYS:
            out.append("\\" + char)
        elif char == "_":
            # Intraword `_` never opens or closes emphasis (CommonMark §6.2): keep snake_case.
            out.append("_" if previous.isalnum() and following.isalnum() else "\\_")
        elif char == "&":
            out.append("\\&" if _ENTITY.match(word, index) else "&")
        elif char == "$" and dollar_pairs:
            out.append("\\$")  # `$…$` is inline math on GitHub
        else:
            out.append(char)
        if index + 1 in breaks:
            out.append("<wbr>")
    escaped = "".join(out)
    if at_line_start and _LINE_START.match(word):
        first = _LINE_START.match(escaped)
        if first:
            token = first.group(0)
            escaped = token[:-1] + "\\" + token[-1] + escaped[len(token) :]
    return escaped


def inline(text: str | None, limit: int = 300) -> str:
    """Escape untrusted text for one line of Markdown (sentences, list items, table cells).

    The result renders as exactly the original text (cleaned, whitespace collapsed, cut at
    `limit`), never as markup: no emphasis, links, images, HTML, autolinks, mentions, issue
    references, extra table cells or line breaks.
    """
    flat = _defuse_mentions(flatten(text, limit))
    if not flat:
        return ""
    dollar_pairs = flat.count("$") >= 2
    escaped = " ".join(
        _escape_markdown_word(word, index == 0, dollar_pairs)
        for index, word in enumerate(flat.split(" "))
    )
    return _AUTOLINK.sub(lambda m: "\\:" if m.group(1) else m.group(2) + "\\" + m.group(3), escaped)


def html_text(text: str | None, limit: int = 300) -> str:
    """Escape untrusted text for one line inside an HTML block, such as `<summary>`."""
    flat = _defuse_mentions(flatten(text, limit))
    words = []
    for word in flat.split(" "):
        breaks = _break_points(word)
        if not breaks:
            words.append(html.escape(word, quote=True))
            continue
        pieces, start = [], 0
        for stop in [*breaks, len(word)]:
            pieces.append(html.escape(word[start:stop], quote=True))
            start = stop
        words.append("<wbr>".join(pieces))
    return " ".join(words)


def shorten_middle(text: str, limit: int) -> str:
    """Keep the head (the exception and top frames) and the tail (the root cause) of a long text."""
    if len(text) <= limit:
        return text
    head = int(limit * 0.7)
    tail = max(0, limit - head)
    cut = len(text) - head - tail
    # Cut on line boundaries when there is one close by, so frames stay whole.
    head_end = text.rfind("\n", 0, head)
    head_end = head_end if head_end > head * 0.8 else head
    tail_start = text.find("\n", len(text) - tail)
    tail_start = tail_start + 1 if 0 <= tail_start < len(text) - tail * 0.8 else len(text) - tail
    cut = tail_start - head_end
    return f"{text[:head_end].rstrip()}\n… ({cut:,} characters cut) …\n{text[tail_start:].lstrip()}"


def code_block(text: str | None, limit: int = 4000, language: str = "") -> str:
    """A fenced code block that no content can break out of (head and tail kept when cut)."""
    body = shorten_middle(clean(text).expandtabs(4).rstrip("\n"), limit) if limit else ""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{body}\n{fence}"


def link(label: str, url: str | None) -> str:
    """`[label](url)` with an escaped label; the URL must come from us, never from a report."""
    if not url:
        return inline(label)
    safe_url = (
        url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C")
    ).replace(">", "%3E")
    return f"[{inline(label)}]({safe_url})"


def plain(text: str | None, limit: int = 4000) -> str:
    """Untrusted text for a log line or an annotation: cleaned and cut, otherwise as written."""
    body = clean(text).strip()
    return body if len(body) <= limit else body[: limit - 1] + "…"
