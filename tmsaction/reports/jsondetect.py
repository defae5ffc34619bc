"""Detection of the JSON and text report formats by shape, from the first 64 KiB. Pure.

Reports may be far larger than the head, so detection never parses a whole document: a tolerant
scanner walks the JSON tokens it has and records which key paths occur (`stats.passes`,
`tests[].fullTitle`, `[].elements[].steps[].step_type`), stopping quietly where the head is cut.
Line-oriented formats (`go test -json`, the Dart reporter) are recognised from the first lines
that hold a JSON object, so text before them (Go build errors on stderr) does not hide them; TAP
from its first non-comment line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([{}\[\]:,])|(-?[\d.][\d.eE+-]*|true|false|null))')
_MAX_DEPTH = 8  # path segments recorded; deeper keys are scanned but not remembered
# `ok` followed by a tab is `go test`'s package line, not TAP.
_TAP_LINE = re.compile(r"^(?:TAP version \d+|1\.\.\d+|(?:not )?ok\b(?![ ]*\t))", re.I)
_LINES_CHECKED = 200


@dataclass
class Shape:
    """What the head of a JSON document shows: the key paths met and the kind of its root."""

    keys: set[str] = field(default_factory=set)
    root: str = ""  # "{" or "[" for the first root value

    def has(self, *paths: str) -> bool:
        return all(path in self.keys for path in paths)

    def any(self, *paths: str) -> bool:
        return any(path in self.keys for path in paths)


def scan_shape(text: str) -> Shape:
    """Key paths of the JSON in `text`, however it is cut off (several roots: JSON lines)."""
    shape = Shape()
    # Stack entries: [container path, is_object, expecting_key, current key path]
    stack: list[list[object]] = []
    position = 0
    end = len(text)
    while position < end:
        token = _TOKEN.match(text, position)
        if token is None:
            break
        position = token.end()
        string, punct, _scalar = token.groups()
        top = stack[-1] if stack else None
        if punct in ("{", "["):
            if top is None:
                path = ""
                shape.root = shape.root or punct
            elif len(stack) > _MAX_DEPTH:
                path = str(top[0])  # deeper than any rule looks: stop growing the path (O(n²))
            elif top[1]:
                path = str(top[3])
            else:
                path = f"{top[0]}[]"
            stack.append([path, punct == "{", True, ""])
        elif punct in ("}", "]"):
            if stack:
                stack.pop()
        elif punct == ",":
            if top is not None and top[1]:
                top[2] = True
        elif punct == ":":
            if top is not None:
                top[2] = False
        elif top is not None and top[1] and top[2] and string is not None:
            parent = str(top[0])
            key_path = f"{parent}.{string}" if parent else string
            top[3] = key_path
            if len(stack) <= _MAX_DEPTH:
                shape.keys.add(key_path)
    return shape


def _line_objects(text: str) -> list[dict[str, object]]:
    """The JSON objects among the first lines of `text` (a line cut by the head does not parse)."""
    objects: list[dict[str, object]] = []
    for line in text.split("\n", _LINES_CHECKED)[:_LINES_CHECKED]:
        stripped = line.strip()
        if not stripped.startswith("{"):
            continue
        try:
            value = json.loads(stripped)
        except (json.JSONDecodeError, RecursionError):
            continue
        if isinstance(value, dict):
            objects.append(value)
    return objects


# Before Go 1.24, a package that does not build is plain text on stderr, even with -json.
_GO_BUILD_FAILED = re.compile(r"^FAIL\s+\S+\s+\[(?:build|setup) failed\]", re.M)


def _is_gotest(event: dict[str, object]) -> bool:
    return "Action" in event and ("Package" in event or "ImportPath" in event)


def _is_dart(event: dict[str, object]) -> bool:
    kind = event.get("type")
    if kind == "start":
        return "protocolVersion" in event
    return kind in ("suite", "testStart", "group", "allSuites") and "time" in event


_CUCUMBER_MESSAGES = {"gherkinDocument", "pickle", "testCaseStarted", "testRunStarted", "source"}


def _is_cucumber_message(envelope: dict[str, object]) -> bool:
    meta = envelope.get("meta")
    if isinstance(meta, dict):
        return "protocolVersion" in meta
    return len(envelope) == 1 and next(iter(envelope)) in _CUCUMBER_MESSAGES


_LINE_FORMATS: tuple[tuple[str, Callable[[dict[str, object]], bool]], ...] = (
    ("gotest", _is_gotest),
    ("dart", _is_dart),
    ("cucumber-messages", _is_cucumber_message),
)


def _document_format(shape: Shape) -> str | None:
    if shape.root == "[":
        if not shape.keys:
            return "cucumber"  # `[]`: a Cucumber run without features
        if shape.any("[].elements[].location", "[].elements[].steps[].step_type"):
            return "behave"
        if shape.any("[].elements", "[].keyword") and shape.any(
            "[].uri", "[].elements", "[].id", "[].name"
        ):
            return "cucumber"
        return None
    if shape.any("numTotalTests", "numTotalTestSuites") or shape.has(
        "testResults", "numFailedTests"
    ):
        return "jest"
    if shape.has("config") and shape.any(
        "config.rootDir", "config.configFile", "config.projects", "suites[].specs"
    ):
        return "playwright"
    if shape.has("stats") and shape.any("stats.passes", "stats.suites", "stats.tests"):
        if shape.any("results", "stats.passPercent", "stats.testsRegistered"):
            return "mochawesome"
        if shape.any("tests", "passes", "failures", "pending"):
            return "mocha"
    if shape.has("examples") and shape.any(
        "examples[].full_description",
        "examples[].file_path",
        "summary_line",
        "summary.example_count",
    ):
        return "rspec"
    if shape.has("suite") and shape.any("generator", "suite.tests", "suite.suites", "suite.source"):
        return "robot-json"
    if shape.has("exitcode", "root") or shape.any("tests[].nodeid", "collectors[].nodeid"):
        return "pytest-json"
    return None


def _tap(text: str) -> bool:
    for raw in text.split("\n")[:_LINES_CHECKED]:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        return bool(_TAP_LINE.match(line))
    return False


def json_format(text: str) -> str | None:
    """Format name for a report whose first 64 KiB (decoded, BOM removed) are `text`, or None.

    Text that starts like JSON but has no known shape is `json-unknown`, whose reader turns it
    into a precise problem (where the JSON breaks, or which keys it has).
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        return None
    if _tap(stripped):
        return "tap"
    objects = _line_objects(stripped)
    for name, matches in _LINE_FORMATS:
        if any(matches(event) for event in objects[:20]):
            return name
    if stripped[0] not in "{[":
        return "gotest" if _GO_BUILD_FAILED.search(stripped) else None
    # JSON of no known shape goes to a reader that explains why (syntax error position, keys).
    return _document_format(scan_shape(stripped)) or "json-unknown"
