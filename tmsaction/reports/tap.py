"""TAP, the Test Anything Protocol (versions 12 to 14), as `node --test` (its TAP reporter), the
`tap` package, Perl's Test::More, bats and pytest-tap write it: `ok`/`not ok` lines with
`# SKIP`/`# TODO` directives, YAML diagnostics blocks (`---` ... `...`), `#` diagnostics, indented
subtests (with or without `# Subtest:` headers), plans and `Bail out!`.

Identity: suite = (report file name without extension, enclosing subtests...), class = "",
name = the test description (`test <n>` when there is none). TAP has no file or class of its own;
one report usually comes from one test script, so the report's name stands in for it.
- `not ok` fails; `# SKIP` skips; `# TODO` failing is skipped (TAP: not a failure), passing is
  passed. `Bail out!` is an error result, and a plan that promises more tests than were reported
  is a warning.
- A test with subtests is counted only when it failed on its own (all its subtests passed; for
  node, not `failureType: subtestsFailed`); node's `describe` suites (`type: suite`) never are.
- node's YAML block gives duration, `location` (file and line), error and stack; hook failures
  and tests cancelled by a failing parent are errors. Test::More's `#` diagnostics after a failed
  test are its details, with file and line from `at t/x.t line 8.`.

Pure apart from reading the given stream.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.jsontext import iter_lines, strip_ansi
from tmsaction.reports.locations import checkout_path
from tmsaction.reports.resultbuild import clean, make_result, message_of, seconds

FORMAT = "tap"
_TEST_LINE = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*)$", re.I)
_DIRECTIVE = re.compile(r"(?<!\\)#\s*(SKIP|TODO)\S*\s*(.*)$", re.I)
_PLAN = re.compile(r"^1\.\.(\d+)")
_SUBTEST = re.compile(r"^#\s*Subtest:\s*(.*)$")
_BAIL_OUT = re.compile(r"^Bail out!\s*(.*)$", re.I)
_PERL_AT = re.compile(r"^\s*at (.+?) line (\d+)\.?$")
_PERL_NOISE = re.compile(r"^\s*(?:Failed test|Failed \(TODO\) test|Looks like you )", re.I)
_NODE_LOCATION = re.compile(r"^(.*?):(\d+)(?::\d+)?$")
_YAML_KEY = re.compile(r"^([A-Za-z_][\w-]*):\s*(.*)$")
_ERROR_TYPES = {"hookFailure", "cancelledByParent", "uncaughtException", "unhandledRejection"}


@dataclass
class _Entry:
    """A test line and what follows it, until its result can be built."""

    ok: bool
    number: str | None
    description: str
    directive: str | None
    reason: str
    level: int
    path: list[str] = field(default_factory=list)  # enclosing subtests, filled in on the way out
    yaml: list[str] = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)
    children: list[_Entry] = field(default_factory=list)
    in_yaml: bool = False


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            return str(json.loads(value))
        except json.JSONDecodeError:
            return value[1:-1]
    return value


def read_yaml_block(lines: list[str]) -> dict[str, str]:
    """The top-level keys of a TAP YAML block as text. A deliberately small reader (scalars,
    quoted strings, `|`/`>` block scalars, nested values kept as text): diagnostics come from
    untrusted output, and a real YAML loader would expand aliases without bound."""
    if not lines:
        return {}
    indent = min(len(line) - len(line.lstrip(" ")) for line in lines if line.strip())
    values: dict[str, str] = {}
    key: str | None = None
    block: list[str] = []
    for raw in lines:
        line = raw[indent:] if raw.strip() else ""
        match = _YAML_KEY.match(line) if line[:1] not in (" ", "-") else None
        if match:
            if key is not None and block:
                values[key] = "\n".join(block).strip("\n")
            key, rest = match.group(1), match.group(2).strip()
            block = []
            if rest and rest[0] not in "|>":
                values[key] = _unquote(rest)
                key = None
        elif key is not None:
            block.append(line[2:] if line.startswith("  ") else line.strip())
    if key is not None and block:
        values[key] = "\n".join(block).strip("\n")
    return values


class _Reader:
    def __init__(self, context: ParseContext) -> None:
        self.context = context
        self.stem = PurePosixPath(context.source).stem or context.source
        self.pending: dict[int, list[_Entry]] = {}  # finished entries waiting for their parent
        self.headers: dict[int, str] = {}  # `# Subtest:` names by the level they open
        self.last: _Entry | None = None
        self.held: _Entry | None = None  # a finished top-level entry, until its diagnostics end
        self.plan: int | None = None
        self.top_level = 0

    def release(self) -> Iterator[TestResult]:
        if self.held is not None:
            held, self.held = self.held, None
            yield from self.flush(held)

    def line(self, text: str) -> Iterator[TestResult]:
        stripped = text.lstrip(" ")
        indent = len(text) - len(stripped)
        if self.last is not None and self.last.in_yaml:
            if stripped.rstrip() == "...":
                self.last.in_yaml = False
            else:
                self.last.yaml.append(text)
            return
        if self.last is not None and stripped.rstrip() == "---":
            self.last.in_yaml = True
            return
        level = indent // 4
        test = _TEST_LINE.match(stripped)
        if test:
            yield from self.release()
            self.test_line(test, level)
            return
        subtest = _SUBTEST.match(stripped)
        if subtest:
            yield from self.release()
            self.headers[level + 1] = subtest.group(1).strip()
            self.last = None
            return
        if stripped.startswith("#"):
            if self.last is not None and not self.last.ok:
                self.last.diagnostics.append(stripped[1:].rstrip())
            return
        plan = _PLAN.match(stripped)
        if plan:
            yield from self.release()
            if level == 0:
                self.plan = int(plan.group(1))
            self.last = None
            return
        bail = _BAIL_OUT.match(stripped)
        if bail:
            yield from self.release()
            yield from self.bail_out(bail.group(1).strip())

    def test_line(self, match: re.Match[str], level: int) -> None:
        ok = match.group(1).lower() == "ok"
        rest = match.group(3) or ""
        directive = _DIRECTIVE.search(rest)
        description = (rest[: directive.start()] if directive else rest).strip()
        entry = _Entry(
            ok=ok,
            number=match.group(2),
            description=description.replace("\\#", "#"),
            directive=directive.group(1).upper() if directive else None,
            reason=directive.group(2).strip() if directive else "",
            level=level,
        )
        entry.children = self.pending.pop(level + 1, [])
        self.headers.pop(level + 1, None)
        self.last = entry
        if level == 0:
            self.top_level += 1
            self.held = entry
        else:
            self.pending.setdefault(level, []).append(entry)

    def flush(self, entry: _Entry, path: list[str] | None = None) -> Iterator[TestResult]:
        """Emit a finished top-level entry and its subtests, depth first, in report order."""
        stack: list[tuple[_Entry, list[str]]] = [(entry, path or [])]
        while stack:
            current, path = stack.pop()
            own = self.counts(current)
            inner = [*path, current.description or f"test {current.number or '?'}"]
            stack.extend((child, inner) for child in reversed(current.children))
            if own:
                current.path = path
                yield self.result(current)

    def counts(self, entry: _Entry) -> bool:
        """Whether an entry is a test of its own (see the module docstring)."""
        if not entry.children:
            return read_yaml_block(entry.yaml).get("type") != "suite" if entry.yaml else True
        if entry.ok:
            return False
        yaml = read_yaml_block(entry.yaml)
        if yaml.get("type") == "suite" or yaml.get("failureType") == "subtestsFailed":
            return False
        return all(child.ok for child in entry.children)

    def result(self, entry: _Entry) -> TestResult:
        yaml = read_yaml_block(entry.yaml)
        outcome = Outcome.PASSED if entry.ok else Outcome.FAILED
        message: str | None = None
        if entry.directive == "SKIP":
            outcome, message = Outcome.SKIPPED, entry.reason or None
        elif entry.directive == "TODO":
            message = f"TODO: {entry.reason}" if entry.reason else "TODO"
            if not entry.ok:
                outcome = Outcome.SKIPPED
        elif not entry.ok and yaml.get("failureType") in _ERROR_TYPES:
            outcome = Outcome.ERROR
        file, line = self.location(entry, yaml)
        details: str | None = None
        if outcome.is_failure:
            error = yaml.get("error") or yaml.get("message")
            stack = yaml.get("stack") or yaml.get("at")
            diagnostics = [d for d in entry.diagnostics if not _PERL_NOISE.match(d)]
            found = [d.strip() for d in diagnostics if d.strip() and not _PERL_AT.match(d)]
            message = message_of(clean(error)) or ("; ".join(found[:4]) if found else None)
            details = clean(
                "\n".join(part for part in (error, stack, *entry.diagnostics) if part)
            ) or (clean("\n".join(entry.yaml)) if entry.yaml else None)
        duration_ms = yaml.get("duration_ms")
        try:
            duration = seconds(float(duration_ms), 0.001) if duration_ms else None
        except ValueError:
            duration = None
        return make_result(
            self.context,
            suite=(self.stem, *entry.path),
            classname="",
            name=strip_ansi(entry.description) or f"test {entry.number or '?'}",
            outcome=outcome,
            duration=duration,
            file=file,
            line=line,
            message=message,
            details=details,
        )

    @staticmethod
    def location(entry: _Entry, yaml: dict[str, str]) -> tuple[str | None, int | None]:
        where = _NODE_LOCATION.match(yaml.get("location", ""))
        if where:
            return checkout_path(where.group(1)), int(where.group(2))
        for diagnostic in entry.diagnostics:
            perl = _PERL_AT.match(diagnostic)
            if perl:
                return checkout_path(perl.group(1)), int(perl.group(2))
        return None, None

    def bail_out(self, reason: str) -> Iterator[TestResult]:
        self.context.warn(f"the TAP stream bailed out: {reason or 'no reason given'}")
        yield make_result(
            self.context,
            suite=(self.stem,),
            classname="",
            name="Bail out!",
            outcome=Outcome.ERROR,
            message=reason or "the test run bailed out",
        )
        self.last = None

    def end(self) -> Iterator[TestResult]:
        yield from self.release()
        # Subtests whose parent line never came (the stream was cut off): report what we have.
        for level in sorted(self.pending, reverse=True):
            path = [self.headers.get(outer, "") for outer in range(1, level + 1)]
            for entry in self.pending.pop(level):
                yield from self.flush(entry, [part for part in path if part])
        if self.plan is not None and self.top_level < self.plan:
            self.context.warn(
                f"the TAP plan announces {self.plan} tests but {self.top_level} were reported; "
                "the run may have stopped early"
            )


def parse_tap(stream: BinaryIO, context: ParseContext) -> Iterator[TestResult]:
    """Yield results as top-level test lines complete; subtests wait for their parent line."""
    reader = _Reader(context)
    seen = False
    for _, text in iter_lines(stream, context):
        for result in reader.line(text.rstrip()):
            seen = True
            yield result
    for result in reader.end():
        seen = True
        yield result
    if not seen and reader.plan is None:
        raise ReportParseError("no TAP test lines (`ok` / `not ok`) or plan in the file")
