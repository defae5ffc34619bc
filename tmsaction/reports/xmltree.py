"""Element-tree streaming for the readers of richer formats (NUnit, xUnit.net, TRX, TestNG, Robot,
Catch2, CTest, Open Test Reporting): small subtrees in, everything else released as it ends.

Namespaces are ignored (`{uri}Name` -> `Name`): the formats we read use one vocabulary each, and
their namespace versions (TRX 2006/2010, Open Test Reporting) differ in the URI, not the names.
Pure apart from reading the given stream.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterator
from typing import BinaryIO

from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.xmlstream import iter_events, local_name

#: (event, local name, element, open ancestors outermost first)
Event = tuple[str, str, ET.Element, list[ET.Element]]


def walk(
    stream: BinaryIO,
    context: ParseContext,
    whole: Collection[str],
    roots: Collection[str],
    format_name: str,
) -> Iterator[Event]:
    """Start and end events with bounded memory.

    Elements named in `whole` are read whole: no events from inside them, one end event with the
    complete subtree. Every other element is cleared and detached from its parent once its end
    event has been handled, so a document of any size never sits in memory. The root element must
    be one of `roots`, else `ReportParseError`.
    """
    stack: list[ET.Element] = []
    inside = 0  # depth inside an element read whole
    for event, element in iter_events(stream, context.warn):
        if event == "start":
            if inside:
                inside += 1
                stack.append(element)
                continue
            tag = local_name(element.tag)
            if not stack and tag not in roots:
                raise ReportParseError(f"not a {format_name} report: the root element is <{tag}>")
            if tag in whole:
                inside = 1
            stack.append(element)
            yield "start", tag, element, stack
            continue
        stack.pop()
        if inside:
            inside -= 1
            if inside:
                continue
        yield "end", local_name(element.tag), element, stack
        element.clear()
        if stack and len(stack[-1]) and stack[-1][-1] is element:
            del stack[-1][-1]


def child(element: ET.Element, name: str) -> ET.Element | None:
    """First child with this local name."""
    for item in element:
        if local_name(item.tag) == name:
            return item
    return None


def children(element: ET.Element, name: str) -> list[ET.Element]:
    return [item for item in element if local_name(item.tag) == name]


def listed(element: ET.Element, wrapper: str, name: str) -> list[ET.Element]:
    """The `name` children of the `wrapper` child (`<traits><trait/>...`); empty when absent."""
    found = child(element, wrapper)
    return children(found, name) if found is not None else []


def text(element: ET.Element | None) -> str | None:
    """All text inside `element`, or None when absent or blank."""
    if element is None:
        return None
    value = "".join(element.itertext())
    return value if value.strip() else None


def child_text(element: ET.Element, *path: str) -> str | None:
    """Text of the element at `path` (local names) below `element`."""
    current: ET.Element | None = element
    for name in path:
        if current is None:
            return None
        current = child(current, name)
    return text(current)


def basename(path: str) -> str:
    """Last component of a Windows or POSIX path (assembly and DLL names in .NET reports)."""
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
