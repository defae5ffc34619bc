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
from tmsaction.reports.xmlstream import expat_parser, feed_expat

#: (event, local name, element, its parent and grandparent when open: outermost first)
Event = tuple[str, str, ET.Element, tuple[ET.Element, ...]]

_NAMES_CACHED = 4096  # distinct tag names remembered (a document has a few dozen)


class _Walker:
    """expat handlers: containers become bare elements on a stack (no children, no text), the
    elements read whole are built by a C `TreeBuilder`; events wait in `events` until drained."""

    def __init__(
        self,
        whole: Collection[str],
        roots: Collection[str],
        format_name: str,
        skip: Collection[str],
    ) -> None:
        self.whole = whole
        self.skip = skip
        self.skipping = 0  # depth inside a skipped element
        self.roots = roots
        self.format_name = format_name
        self.events: list[Event] = []
        self.stack: list[ET.Element] = []
        self.builder: ET.TreeBuilder | None = None
        self.depth = 0  # depth inside an element read whole
        self.names: dict[str, str] = {}
        self.parser = expat_parser()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end

    def local(self, tag: str) -> str:
        name = self.names.get(tag)
        if name is None:
            name = tag.rsplit(":", 1)[-1]  # no namespace processing: `e:started` -> `started`
            if len(self.names) < _NAMES_CACHED:
                self.names[tag] = name
        return name

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.skipping:
            self.skipping += 1
            return
        name = self.local(tag)
        if name in self.skip and self.stack:
            self.skipping = 1
            return
        if self.builder is not None:
            self.depth += 1
            self.builder.start(name, attrs)
            return
        if not self.stack and name not in self.roots:
            raise ReportParseError(f"not a {self.format_name} report: the root element is <{name}>")
        if name in self.whole:
            self.builder = ET.TreeBuilder()
            self.builder.start(name, attrs)
            self.depth = 1
            self.parser.CharacterDataHandler = self.builder.data
            return
        element = ET.Element(name, attrs)
        self.events.append(("start", name, element, tuple(self.stack[-2:])))
        self.stack.append(element)

    def end(self, tag: str) -> None:
        if self.skipping:
            self.skipping -= 1
            return
        name = self.local(tag)
        if self.builder is not None:
            element = self.builder.end(name)
            self.depth -= 1
            if self.depth == 0:
                self.builder = None
                self.parser.CharacterDataHandler = None
                self.events.append(("end", name, element, tuple(self.stack[-2:])))
            return
        element = self.stack.pop()
        self.events.append(("end", name, element, tuple(self.stack[-2:])))


def walk(
    stream: BinaryIO,
    context: ParseContext,
    whole: Collection[str],
    roots: Collection[str],
    format_name: str,
    *,
    skip: Collection[str] = (),
) -> Iterator[Event]:
    """Start and end events with bounded memory, on the defused expat funnel.

    Elements named in `whole` are read whole: no events from inside them, one end event with the
    complete subtree. Every other element is a bare element (its attributes, no children, no text)
    that is forgotten once its end event has been handled, so a document of any size never sits
    in memory. Elements named in `skip` (outside those read whole) are passed over with everything
    in them: no events, no objects. Tags and `child()` use local names: `prefix:` is dropped. The
    root element must be one of `roots`, else `ReportParseError`.
    """
    walker = _Walker(whole, roots, format_name, skip)
    for _ in feed_expat(walker.parser, stream, context.warn):
        if walker.events:
            yield from walker.events
            walker.events.clear()


def child(element: ET.Element, name: str) -> ET.Element | None:
    """First child with this (local) name; `walk` builds elements with local names only."""
    for item in element:
        if item.tag == name:
            return item
    return None


def children(element: ET.Element, name: str) -> list[ET.Element]:
    return [item for item in element if item.tag == name]


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
