"""JQL built from untrusted text (test names, labels, config values): quoting and clause builders.
Pure; no I/O.

Every value goes out as a double-quoted JQL string. Quoting is what makes JQL's reserved words
(AND, OR, NOT, EMPTY, ORDER, IN, ...) and reserved characters (space + . , ; ? | * / % ^ $ # @ [ ])
literal; inside the quotes only the backslash, the double quote and control characters need an
escape. JQL's escape sequences are \\" \\' \\\\ \\n \\r \\t and \\uXXXX (Atlassian, "Advanced searching:
reserved characters"). A value can therefore never end the string early and inject a clause:
`x" OR project = OPS` stays one value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_PLAIN_FIELD = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*|cf\[\d+\])$")
_ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]*-[1-9][0-9]*$")
_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Words JQL reserves for its grammar: a field name that equals one must be quoted too.
_KEYWORDS = frozenset(
    {
        "and",
        "or",
        "not",
        "empty",
        "null",
        "order",
        "by",
        "asc",
        "desc",
        "in",
        "is",
        "was",
        "changed",
    }
)


def quote(value: str) -> str:
    """`value` as a JQL string literal that always means exactly `value`."""
    out: list[str] = ['"']
    for char in value:
        named = _NAMED.get(char)
        if named is not None:
            out.append(named)
        elif ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F or char in "\u2028\u2029":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def quote_list(values: Iterable[str]) -> str:
    """`("a", "b")`; an empty list is a programming error (JQL has no empty list)."""
    items = [quote(value) for value in values]
    if not items:
        raise ValueError("a JQL list needs at least one value")
    return "(" + ", ".join(items) + ")"


def field_ref(name: str) -> str:
    """A field name as JQL accepts it: plain ids and `cf[10020]` as they are, anything else
    (custom field names with spaces, reserved words) quoted."""
    if _PLAIN_FIELD.match(name) and name.lower() not in _KEYWORDS:
        return name
    return quote(name)


def is_issue_key(text: str) -> bool:
    return bool(_ISSUE_KEY.match(text))


def equals(field: str, value: str) -> str:
    return f"{field_ref(field)} = {quote(value)}"


def within(field: str, values: Sequence[str]) -> str:
    """`field in (...)`, or `field = "v"` for a single value."""
    if len(values) == 1:
        return equals(field, values[0])
    return f"{field_ref(field)} in {quote_list(values)}"


def all_of(*clauses: str) -> str:
    """Clauses joined with AND, each parenthesised when it contains OR."""
    parts = [f"({c})" if _or_outside_quotes(c) else c for c in clauses if c]
    return " AND ".join(parts)


def _or_outside_quotes(clause: str) -> bool:
    outside = re.sub(r'"(?:\\.|[^"\\])*"', '""', clause)
    return bool(re.search(r"\bOR\b|\|\|", outside, re.I))


def order_by(*fields: str, descending: bool = True) -> str:
    direction = "DESC" if descending else "ASC"
    return "ORDER BY " + ", ".join(f"{field_ref(f)} {direction}" for f in fields)
