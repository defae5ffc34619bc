"""README's key reference table, generated from the key declarations (like the schema), so the
documentation lists exactly the keys the loader accepts. Pure.

    python -m tmsaction.config.schema   # rewrites config.schema.json and README's key table
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tmsaction.config.keys import CONFIG
from tmsaction.config.shapes import Either, ListOf, MapOf, Obj
from tmsaction.config.spec import Bool, Int, Node, Num, Str


def _type(node: Node) -> str:
    if isinstance(node, Str):
        if node.choices:
            return " \\| ".join(f"`{c}`" for c in node.choices)
        return "name or id" if node.numbers_as_text else "text"
    if isinstance(node, Int):
        return "integer"
    if isinstance(node, Num):
        return "number"
    if isinstance(node, Bool):
        return "boolean"
    if isinstance(node, ListOf):
        return f"list of {_type(node.item)}" + (" (or one)" if node.single else "")
    if isinstance(node, MapOf):
        return f"map of {_type(node.value)}"
    if isinstance(node, Either):
        return node.expected_text.replace(" or a list of section names", " or list") or " or ".join(
            _type(o) for o in node.options
        )
    if isinstance(node, Obj):
        return "object"
    return "any"


def _default(value: Any) -> str:
    if value is None or value == {}:
        return ""
    return "`" + json.dumps(value, ensure_ascii=False).replace("|", "\\|") + "`"


def _rows(node: Node, path: str) -> Iterator[tuple[str, str, str, str]]:
    if isinstance(node, Obj):
        for key in node.keys:
            child = f"{path}.{key.name}" if path else key.name
            inner = key.node
            described = inner.help.replace("|", "\\|")
            if isinstance(inner, Obj) and not inner.list_keys:
                yield child, "object", "", described
            elif isinstance(inner, Obj):
                yield child, "object", "", described
                yield from _rows(inner, child)
            elif isinstance(inner, ListOf) and isinstance(inner.item, Obj):
                yield child, "list of objects", "", described
                yield from _rows(inner.item, child + "[]")
            elif isinstance(inner, MapOf) and isinstance(inner.value, Obj):
                yield child, "map of objects", "", described
                yield from _rows(inner.value, child + ".<name>")
            else:
                required = " (required)" if key.required else ""
                yield child, _type(inner) + required, _default(key.default), described


def reference_table() -> str:
    """Markdown table of every key: path, type, default, meaning."""
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for path, kind, default, meaning in _rows(CONFIG, ""):
        lines.append(f"| `{path}` | {kind} | {default} | {meaning} |")
    return "\n".join(lines) + "\n"
