"""Escaping untrusted text (test names, messages, stack traces) for GitHub-flavoured Markdown. Pure.

- `inline`: text inside a sentence or a table cell; Markdown, HTML, `|` and line breaks are
  neutralised, `@mentions` and `#refs` cannot ping anyone.
- `code_block`: text inside a fenced block; the fence is longer than any backtick run inside.
"""

from __future__ import annotations

import re

_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>&:@])")
_MENTION = re.compile(r"@(?=\w)")


def inline(text: str | None, limit: int = 300) -> str:
    """Escape for a single line of Markdown (table cells included)."""
    if not text:
        return ""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    flat = re.sub(r"([\\`*_{}\[\]()#+\-.!|~:])", r"\\\1", flat)
    # A zero-width joiner after @ keeps "@user" in a test name from notifying that user.
    return _MENTION.sub("@\u2060", flat)


def code_block(text: str | None, language: str = "", limit: int = 4000) -> str:
    """A fenced code block that no content can break out of."""
    body = (text or "").replace("\r\n", "\n")
    if len(body) > limit:
        body = body[: limit - 1] + "…"
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{body}\n{fence}"


def link(label: str, url: str | None) -> str:
    """`[label](url)` with an escaped label; the URL must come from us, never from a report."""
    if not url:
        return inline(label)
    safe_url = url.replace(" ", "%20").replace(")", "%29").replace("(", "%28")
    return f"[{inline(label)}]({safe_url})"
