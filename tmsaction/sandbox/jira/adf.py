"""Atlassian Document Format for the emulator: validation as Jira Cloud applies it, and the
conversions Jira does between ADF (v3) and wiki markup (v2) when one API reads what the other wrote.
Pure; no I/O.

Validation follows the ADF structure page (developer.atlassian.com/cloud/jira/platform/apis/document/
structure): a `doc` root with `version: 1` and block content, only the node and mark types Jira
renders, `text` nodes with a non-empty string (the JSON schema's `minLength: 1`), code blocks whose
text carries no marks, headings with a level of 1-6, links with an `href`.
"""

from __future__ import annotations

import json
import re
from typing import Any

BLOCK_NODES = frozenset(
    {
        "paragraph",
        "heading",
        "bulletList",
        "orderedList",
        "codeBlock",
        "blockquote",
        "rule",
        "panel",
        "table",
        "expand",
        "mediaSingle",
        "mediaGroup",
        "blockCard",
    }
)
INLINE_NODES = frozenset(
    {"text", "hardBreak", "mention", "emoji", "inlineCard", "date", "status", "mediaInline"}
)
MARKS = frozenset(
    {
        "strong",
        "em",
        "code",
        "strike",
        "underline",
        "link",
        "subsup",
        "textColor",
        "backgroundColor",
    }
)
PANEL_TYPES = frozenset({"info", "note", "warning", "success", "error", "tip", "custom"})

# Which children each container accepts (the "content" rules of the ADF JSON schema, simplified).
_LIST_ITEM_CHILDREN = frozenset(
    {"paragraph", "bulletList", "orderedList", "codeBlock", "mediaSingle"}
)
_CHILDREN: dict[str, frozenset[str]] = {
    "doc": BLOCK_NODES,
    "paragraph": INLINE_NODES,
    "heading": INLINE_NODES,
    "bulletList": frozenset({"listItem"}),
    "orderedList": frozenset({"listItem"}),
    "listItem": _LIST_ITEM_CHILDREN,
    "codeBlock": frozenset({"text"}),
    "blockquote": frozenset({"paragraph", "bulletList", "orderedList", "codeBlock", "mediaSingle"}),
    "panel": frozenset({"paragraph", "heading", "bulletList", "orderedList", "codeBlock", "rule"}),
    "table": frozenset({"tableRow"}),
    "tableRow": frozenset({"tableCell", "tableHeader"}),
    "tableCell": BLOCK_NODES - {"table"},
    "tableHeader": BLOCK_NODES - {"table"},
    "expand": BLOCK_NODES - {"expand"},
    "mediaSingle": frozenset({"media"}),
    "mediaGroup": frozenset({"media"}),
}
_LEAVES = frozenset(
    {"rule", "hardBreak", "mention", "emoji", "inlineCard", "date", "status", "media", "blockCard"}
)
_REQUIRED_ATTRS = {
    "mention": "id",
    "emoji": "shortName",
    "inlineCard": "url",
    "blockCard": "url",
    "date": "timestamp",
    "status": "text",
    "media": "id",
}


def validate_adf(doc: Any) -> str | None:
    """The first problem in `doc` as `path: what`, or None when Jira would accept it."""
    if not isinstance(doc, dict):
        return "$: an Atlassian Document must be a JSON object"
    if doc.get("type") != "doc":
        return "$.type: the root node must be 'doc'"
    if doc.get("version") != 1:
        return "$.version: must be 1"
    if not isinstance(doc.get("content"), list):
        return "$.content: the root node needs a content array"
    return _check_children(doc, "$")


def _check_children(node: dict[str, Any], path: str) -> str | None:
    allowed = _CHILDREN.get(str(node.get("type")), frozenset())
    for index, child in enumerate(node.get("content") or []):
        where = f"{path}.content[{index}]"
        if not isinstance(child, dict) or not isinstance(child.get("type"), str):
            return f"{where}: a node must be an object with a 'type'"
        kind = child["type"]
        if kind not in allowed:
            return f"{where}: '{kind}' is not allowed inside '{node.get('type')}'"
        problem = _check_node(child, node, where)
        if problem:
            return problem
    return None


def _check_node(node: dict[str, Any], parent: dict[str, Any], path: str) -> str | None:
    kind = node["type"]
    attrs = node.get("attrs")
    if attrs is not None and not isinstance(attrs, dict):
        return f"{path}.attrs: must be an object"
    attrs = attrs or {}
    if kind == "text":
        text = node.get("text")
        if not isinstance(text, str) or not text:
            return f"{path}.text: a text node needs a non-empty string"
        return _check_marks(node, parent, path)
    if "marks" in node and kind not in ("paragraph", "heading", "codeBlock"):
        return f"{path}.marks: '{kind}' takes no marks"
    if kind == "heading" and attrs.get("level") not in (1, 2, 3, 4, 5, 6):
        return f"{path}.attrs.level: a heading level must be 1-6"
    if kind == "panel" and attrs.get("panelType") not in PANEL_TYPES:
        return f"{path}.attrs.panelType: unknown panel type {attrs.get('panelType')!r}"
    if kind == "codeBlock" and not isinstance(attrs.get("language", ""), str):
        return f"{path}.attrs.language: must be a string"
    required = _REQUIRED_ATTRS.get(kind)
    if required and not attrs.get(required):
        return f"{path}.attrs.{required}: '{kind}' needs it"
    if kind in _LEAVES:
        if node.get("content"):
            return f"{path}.content: '{kind}' has no content"
        return None
    content = node.get("content")
    if content is None and kind in ("bulletList", "orderedList", "listItem", "table", "tableRow"):
        return f"{path}.content: '{kind}' needs content"
    if content is not None and not isinstance(content, list):
        return f"{path}.content: must be an array"
    if kind in ("bulletList", "orderedList", "listItem", "tableRow") and not content:
        return f"{path}.content: '{kind}' needs at least one child"
    return _check_children(node, path)


def _check_marks(node: dict[str, Any], parent: dict[str, Any], path: str) -> str | None:
    marks = node.get("marks")
    if marks is None:
        return None
    if not isinstance(marks, list):
        return f"{path}.marks: must be an array"
    if marks and parent.get("type") == "codeBlock":
        return f"{path}.marks: text inside a codeBlock cannot have marks"
    kinds: list[str] = []
    for index, mark in enumerate(marks):
        if not isinstance(mark, dict) or mark.get("type") not in MARKS:
            return f"{path}.marks[{index}]: unknown mark {mark!r}"
        if mark["type"] == "link":
            href = (mark.get("attrs") or {}).get("href")
            if not isinstance(href, str) or not href:
                return f"{path}.marks[{index}].attrs.href: a link needs an href"
        kinds.append(mark["type"])
    if len(set(kinds)) != len(kinds):
        return f"{path}.marks: a mark type appears twice"
    if "code" in kinds and set(kinds) - {"code", "link"}:
        return f"{path}.marks: the code mark combines only with link"
    return None


def adf_size(doc: Any) -> int:
    """Characters Jira stores for an ADF value: its compact JSON text (the 32,767 limit applies to
    the stored field, and Cloud stores ADF as JSON; measuring the JSON is the conservative reading)."""
    return len(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))


# -- ADF -> wiki markup (what Cloud's v2 API returns for a field written through v3) ---------------


def adf_to_wiki(doc: dict[str, Any]) -> str:
    blocks = [_block_to_wiki(node) for node in doc.get("content") or []]
    return "\n\n".join(block for block in blocks if block)


def _block_to_wiki(node: dict[str, Any], depth: int = 0) -> str:
    kind = node.get("type")
    attrs = node.get("attrs") or {}
    if kind == "paragraph":
        return _inline_to_wiki(node)
    if kind == "heading":
        return f"h{attrs.get('level', 1)}. {_inline_to_wiki(node)}"
    if kind == "codeBlock":
        text = "".join(child.get("text", "") for child in node.get("content") or [])
        language = attrs.get("language")
        return (
            f"{{code:{language}}}{text}{{code}}" if language else f"{{noformat}}{text}{{noformat}}"
        )
    if kind in ("bulletList", "orderedList"):
        bullet = ("*" if kind == "bulletList" else "#") * (depth + 1)
        lines: list[str] = []
        for item in node.get("content") or []:
            for child in item.get("content") or []:
                if child.get("type") in ("bulletList", "orderedList"):
                    lines.append(_block_to_wiki(child, depth + 1))
                else:
                    lines.append(f"{bullet} {_block_to_wiki(child, depth)}")
        return "\n".join(lines)
    if kind == "rule":
        return "----"
    if kind == "blockquote":
        inner = "\n".join(_block_to_wiki(child) for child in node.get("content") or [])
        return f"{{quote}}{inner}{{quote}}"
    if kind == "panel":
        inner = "\n".join(_block_to_wiki(child) for child in node.get("content") or [])
        return f"{{panel}}{inner}{{panel}}"
    inner_blocks = [_block_to_wiki(child) for child in node.get("content") or []]
    return "\n".join(block for block in inner_blocks if block)


def _inline_to_wiki(node: dict[str, Any]) -> str:
    parts: list[str] = []
    for child in node.get("content") or []:
        kind = child.get("type")
        if kind == "text":
            text = str(child.get("text", ""))
            for mark in child.get("marks") or []:
                mark_type = mark.get("type")
                if mark_type == "strong":
                    text = f"*{text}*"
                elif mark_type == "em":
                    text = f"_{text}_"
                elif mark_type == "code":
                    text = f"{{{{{text}}}}}"
                elif mark_type == "link":
                    text = f"[{text}|{(mark.get('attrs') or {}).get('href', '')}]"
            parts.append(text)
        elif kind == "hardBreak":
            parts.append("\\\\\n")
        elif kind == "inlineCard":
            parts.append(f"[{(child.get('attrs') or {}).get('url', '')}]")
        elif kind == "mention":
            parts.append(f"[~accountid:{(child.get('attrs') or {}).get('id', '')}]")
        elif kind == "emoji":
            parts.append(str((child.get("attrs") or {}).get("shortName", "")))
    return "".join(parts)


# -- wiki markup -> ADF (what Cloud's v3 API returns for a field written through v2) ---------------

_CODE_BLOCK = re.compile(r"\{(code(?::[^}]*)?|noformat)\}(.*?)\{(?:code|noformat)\}", re.S)
_HEADING = re.compile(r"^h([1-6])\.\s+(.*)$")


def wiki_to_adf(text: str) -> dict[str, Any]:
    """A faithful-enough ADF for wiki text: headings, code/noformat blocks, bullet lines and
    paragraphs; inline markup is kept as literal text (Jira's converter is richer; tests only need
    the text to survive the round trip)."""
    content: list[dict[str, Any]] = []
    position = 0
    for match in _CODE_BLOCK.finditer(text):
        content.extend(_wiki_paragraphs(text[position : match.start()]))
        macro, body = match.group(1), match.group(2)
        block: dict[str, Any] = {"type": "codeBlock"}
        if macro.startswith("code:"):
            block["attrs"] = {"language": macro.split(":", 1)[1]}
        if body:
            block["content"] = [{"type": "text", "text": body}]
        content.append(block)
        position = match.end()
    content.extend(_wiki_paragraphs(text[position:]))
    return {"type": "doc", "version": 1, "content": content}


def _wiki_paragraphs(text: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for chunk in re.split(r"\n\s*\n", text):
        lines = [line for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        heading = _HEADING.match(lines[0])
        if heading and len(lines) == 1:
            blocks.append(
                {
                    "type": "heading",
                    "attrs": {"level": int(heading.group(1))},
                    "content": _text_nodes(heading.group(2)),
                }
            )
        elif all(line.startswith("* ") for line in lines):
            items = [
                {
                    "type": "listItem",
                    "content": [{"type": "paragraph", "content": _text_nodes(line[2:])}],
                }
                for line in lines
            ]
            blocks.append({"type": "bulletList", "content": items})
        else:
            blocks.append({"type": "paragraph", "content": _text_nodes("\n".join(lines))})
    return blocks


def _text_nodes(text: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": text}] if text else []


def adf_plain_text(doc: Any) -> str:
    """All text of an ADF document, blocks separated by newlines (for search and inspection)."""
    if not isinstance(doc, dict):
        return ""
    if doc.get("type") == "text":
        return str(doc.get("text", ""))
    parts = [adf_plain_text(child) for child in doc.get("content") or []]
    separator = "" if doc.get("type") in ("paragraph", "heading", "codeBlock") else "\n"
    return separator.join(parts)
