"""Open Test Reporting event XML (`<e:events>`): the JUnit Platform's successor to the legacy
JUnit XML (`junit.platform.reporting.open.xml.enabled=true`), also written by PHPUnit 11+
(`--log-otr`). A flat stream of `started`, `reported` and `finished` events linked by ids.

Identity: suite = the root node (the engine, e.g. `JUnit Jupiter`, or PHPUnit's configuration);
class = the `methodSource`/`classSource` class name, else the parent's; name = the JUnit legacy
reporting name when present (what the legacy XML calls the test: `totals(int, int)[1]`), else the
node name. File/line = `fileSource`/`filePosition`. Tags = `metadata/tags`; properties = the display
name when it differs from the name, and `reported` data entries (`TestReporter.publishEntry`);
attachments = `reported` files; output = `reported` stdout/stderr.

A node is a test when its `junit:type` is TEST, or, without a type, when nothing started below it.
Outcomes: SUCCESSFUL -> passed; SKIPPED and ABORTED (an assumption failed, PHPUnit incomplete) ->
skipped; FAILED -> failed, error when the throwable is not an assertion error; ERRORED -> error. A
failed container (a `@BeforeAll` that threw) is an error result of its own: its tests never ran.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext, first_line, parse_line
from tmsaction.reports.xmlstream import local_name
from tmsaction.reports.xmltree import basename, child, children, text, walk

FORMAT = "open-test-reporting"
ROOTS = ("events",)
_OUTCOMES = {
    "SUCCESSFUL": Outcome.PASSED,
    "SKIPPED": Outcome.SKIPPED,
    "ABORTED": Outcome.SKIPPED,
    "FAILED": Outcome.FAILED,
    "ERRORED": Outcome.ERROR,
}


@dataclass
class _Node:
    name: str
    parent: str | None
    started: str | None
    kind: str | None = None  # junit:type: TEST, CONTAINER, CONTAINER_AND_TEST
    legacy_name: str | None = None
    classname: str | None = None
    file: str | None = None
    line: int | None = None
    tags: list[str] = field(default_factory=list)
    properties: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    has_children: bool = False


def parse_open_test_reporting(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield one `TestResult` per finished test node, streaming (open nodes are kept until they
    finish; a finished node is forgotten)."""
    nodes: dict[str, _Node] = {}
    whole = ("started", "reported", "finished", "infrastructure")
    for event, tag, element, _ in walk(stream, context, whole, ROOTS, "Open Test Reporting"):
        if event != "end":
            continue
        node_id = element.get("id") or ""
        if tag == "started":
            node = _started(element)
            nodes[node_id] = node
            if node.parent in nodes:
                nodes[node.parent].has_children = True
        elif tag == "reported" and node_id in nodes:
            _reported(element, nodes[node_id])
        elif tag == "finished" and node_id in nodes:
            result = _finished(element, node_id, nodes, context)
            if result is not None:
                yield result
            # Children finish before their parent, so a node is no longer needed once finished.
            del nodes[node_id]


def _started(element: ET.Element) -> _Node:
    node = _Node(element.get("name") or "", element.get("parentId"), element.get("time"))
    metadata = child(element, "metadata")
    if metadata is not None:
        for item in metadata:
            tag = local_name(item.tag)
            if tag == "tags":
                node.tags.extend((text(t) or "").strip() for t in children(item, "tag"))
            elif tag == "type":
                node.kind = (text(item) or "").strip()
            elif tag == "legacyReportingName":
                node.legacy_name = (text(item) or "").strip() or None
    sources = child(element, "sources")
    for source in sources if sources is not None else ():
        tag = local_name(source.tag)
        if tag in ("methodSource", "classSource") and source.get("className"):
            node.classname = node.classname or source.get("className")
        position = child(source, "filePosition")
        if tag == "fileSource":
            node.file = source.get("path")
        if position is not None and node.line is None:
            node.line = parse_line(position.get("line"))
    return node


def _reported(element: ET.Element, node: _Node) -> None:
    attachments = child(element, "attachments")
    for item in attachments if attachments is not None else ():
        tag = local_name(item.tag)
        if tag == "data":
            node.properties.extend(
                (entry.get("key") or "", (text(entry) or "").strip())
                for entry in children(item, "entry")
            )
        elif tag == "file" and item.get("path"):
            node.attachments.append(item.get("path") or "")
        elif tag == "output":
            target = node.stderr if item.get("source") == "stderr" else node.stdout
            target.append(text(item) or "")


def _seconds(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    try:
        seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _suite_and_class(node_id: str, nodes: dict[str, _Node]) -> tuple[tuple[str, ...], str]:
    root = nodes[node_id]
    classname = root.classname
    current = root
    while current.parent is not None and current.parent in nodes:
        current = nodes[current.parent]
        classname = classname or current.classname
    return (basename(current.name),) if current is not root else (), classname or ""


def _finished(
    element: ET.Element, node_id: str, nodes: dict[str, _Node], context: ParseContext
) -> TestResult | None:
    node = nodes[node_id]
    result = child(element, "result")
    status = (result.get("status") or "") if result is not None else ""
    outcome = _OUTCOMES.get(status, Outcome.ERROR)
    is_test = node.kind in ("TEST", "CONTAINER_AND_TEST") or (
        node.kind is None and not node.has_children
    )
    throwable = child(result, "throwable") if result is not None else None
    if node.parent is None or not (is_test or (outcome.is_failure and throwable is not None)):
        # The root, or a container: JUnit gives a container a throwable only when the container
        # itself failed (a @BeforeAll); PHPUnit marks containers failed when a child failed.
        return None
    reason = child(result, "reason") if result is not None else None
    details = text(throwable)
    if (
        outcome is Outcome.FAILED
        and throwable is not None
        and throwable.get("assertionError") == "false"
    ):
        outcome = Outcome.ERROR
    if not is_test:
        outcome = Outcome.ERROR
    message = first_line(details) or (text(reason) or "").strip() or None
    name = node.legacy_name or node.name
    properties = list(node.properties)
    if node.name and node.name != name:
        properties.insert(0, ("display-name", node.name))
    suite, classname = _suite_and_class(node_id, nodes)
    return context.result(
        suite,
        classname,
        name,
        outcome,
        _seconds(node.started, element.get("time")),
        file=node.file,
        line=node.line,
        message=message,
        details=details,
        stdout="".join(node.stdout) or None,
        stderr="".join(node.stderr) or None,
        properties=tuple(properties),
        tags=tuple(t for t in node.tags if t),
        attachments=tuple(node.attachments),
    )
