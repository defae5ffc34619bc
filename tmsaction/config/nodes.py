"""Value shapes shared by several config sections (lists of names, section paths, templates, ids).
Pure declarations.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

from tmsaction.config import convert
from tmsaction.config.shapes import Either, ListOf
from tmsaction.config.spec import At, Convert, Int, Node, Str
from tmsaction.templates import TemplateKind, compile_template

N = TypeVar("N", bound=Node)

_INDEX = re.compile(r"\[(\d+)\]$")


def index_of(at: At) -> int:
    """The list position at the end of a path (`testrail.routes[2]` -> 2)."""
    found = _INDEX.search(at.path)
    return int(found.group(1)) if found else 0


def variant(node: N, **changes: Any) -> N:
    """The same node with other help, nullability, ...; declarations stay short."""
    return dataclasses.replace(node, **changes)  # type: ignore[type-var]


def texts(
    help_text: str, convert_item: Convert | None = None, pattern: str | None = None
) -> ListOf:
    """A list of non-empty texts; one bare text counts as a list of one. `pattern` tells editors
    (JSON Schema) what `convert_item` accepts."""
    item = Str(convert=convert_item, pattern=pattern)
    return ListOf(item, help=help_text, single=True, unique=True)


def template(kind: TemplateKind, help_text: str) -> Str:
    """A Jinja2 template, compiled and checked at load (its path names it in errors)."""
    return Str(
        help=help_text,
        nullable=True,
        convert=lambda value, at: compile_template(at.path, value, kind),
    )


NAME_OR_ID = Either(
    (Int(minimum=1), Str()),
    expected_text="a name or an id",
)


def names_or_ids(help_text: str) -> ListOf:
    return ListOf(NAME_OR_ID, help=help_text, single=True, unique=True)


SECTION_PATH = Either(
    (Str(), ListOf(Str())),
    expected_text='a section path ("Backend > Cart" or a list of section names)',
    help='A section path from the suite root: "Backend > Cart", or a list of section names.',
    convert=convert.section_path,
)


def _case_ids(value: Any, at: At) -> tuple[int, ...]:
    items = value if isinstance(value, tuple) else (value,)
    ids: list[int] = []
    for item in items:
        number = convert.case_id(item, at)
        if number not in ids:
            ids.append(number)
    return tuple(ids)


_CASE_ID_TEXT = r"^[Cc]?[1-9][0-9]*$"

CASE_IDS = Either(
    (
        Int(minimum=1),
        Str(pattern=_CASE_ID_TEXT),
        ListOf(
            Either((Int(minimum=1), Str(pattern=_CASE_ID_TEXT)), expected_text="a case id"),
        ),
    ),
    expected_text="a case id (C123 or 123) or a list of case ids",
    help="TestRail case id(s): 123, C123, or a list of them.",
    convert=_case_ids,
)
