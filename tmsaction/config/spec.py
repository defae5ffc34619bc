"""A small declarative schema language: each config key is declared once, as a node that both
checks a YAML value (collecting every problem with its path and line) and describes itself as JSON
Schema (`tmsaction/config.schema.json` is generated from the same declaration). Pure; no I/O.

This module holds the base (`Node`, `At`, `Problems`) and the scalar nodes; `shapes.py` the lists,
objects, maps and alternatives built from them.

Checking returns a *cleaned* value: defaults filled in, regexes and globs compiled, templates
compiled, objects turned into frozen dataclasses by their `build` function. A node that finds a
problem records it and returns `INVALID`; the loader raises once, with every problem.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


#: Returned by a node whose value had a problem (already recorded).
INVALID: Any = _Invalid()

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Problems:
    """Every problem found in one config file, formatted `<file>:<line> → <path>: <message>`."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._found: list[tuple[int, str]] = []

    def add(self, path: str, message: str, line: int | None = None) -> None:
        where = f"{self.source}:{line}" if line else self.source
        text = f"{where} → {path}: {message}" if path else f"{where}: {message}"
        self._found.append((line or 0, text))

    @property
    def messages(self) -> list[str]:
        """In file order, so the list reads top to bottom like the file."""
        return [text for _, text in sorted(self._found, key=lambda found: found[0])]

    def __bool__(self) -> bool:
        return bool(self._found)


@dataclass(frozen=True)
class At:
    """Where a value sits: its dotted path, its line, and the problem list to report into."""

    path: str
    line: int | None
    problems: Problems
    key_lines: Mapping[str, int] = field(default_factory=dict)  # of the object at this path

    def key(self, name: str, line: int | None = None) -> At:
        part = f".{name}" if _IDENTIFIER.match(name) else f'["{name}"]'
        line = line or self.key_lines.get(name) or self.line
        return At(f"{self.path}{part}" if self.path else name, line, self.problems)

    def index(self, position: int, line: int | None) -> At:
        return At(f"{self.path}[{position}]", line or self.line, self.problems)

    def error(self, message: str) -> Any:
        self.problems.add(self.path, message, self.line)
        return INVALID


def describe_type(value: object) -> str:
    """How a YAML value reads to a person: `a number`, `a list`, `an object`, ..."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """` (did you mean 'x'?)` when a choice is close to `word`, else `; use one of a, b, c`."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        close = [c for c in choices if c.casefold() == word.casefold()]
    if close:
        return f" (did you mean '{close[0]}'?)"
    return "; use one of " + ", ".join(choices)


Defs = dict[str, dict[str, Any]]


class Node:
    """One declared value. Subclasses implement `_check` and `_schema`."""

    help: str = ""
    nullable: bool = False

    def check(self, value: Any, at: At) -> Any:
        if value is None:
            if self.nullable:
                return None
            return at.error(
                f"expected {self.expected()}, got nothing (null); remove the key instead"
            )
        return self._check(value, at)

    def schema(self, defs: Defs | None = None) -> dict[str, Any]:
        """JSON Schema of this node; named objects go once into `defs` and are referenced."""
        name = getattr(self, "schema_name", None)
        if name and defs is not None:
            if name not in defs:
                defs[name] = {}  # placeholder first: a definition may refer to itself
                defs[name] = self._described(self._schema(defs))
            result: dict[str, Any] = {"$ref": f"#/$defs/{name}"}
            return {"anyOf": [result, {"type": "null"}]} if self.nullable else result
        return self._described(self._nullable(self._schema(defs if defs is not None else {})))

    def _nullable(self, result: dict[str, Any]) -> dict[str, Any]:
        return {"anyOf": [result, {"type": "null"}]} if self.nullable else result

    def _described(self, result: dict[str, Any]) -> dict[str, Any]:
        return {"description": self.help, **result} if self.help else result

    def expected(self) -> str:
        raise NotImplementedError

    def _check(self, value: Any, at: At) -> Any:
        raise NotImplementedError

    def _schema(self, defs: Defs) -> dict[str, Any]:
        raise NotImplementedError


Convert = Callable[[Any, At], Any]


def type_error(node: Node, value: Any, at: At) -> Any:
    message = f"expected {node.expected()}, got {describe_type(value)}"
    if isinstance(value, bool):
        message += " (YAML reads yes/no/on/off/true/false as booleans; put the value in quotes)"
    return at.error(message)


@dataclass(frozen=True)
class Str(Node):
    """Text. `choices` makes it an enumeration; `convert` checks and cleans it further (it raises
    `ValueError` with the message, e.g. for a regex that does not compile)."""

    help: str = ""
    nullable: bool = False
    choices: tuple[str, ...] = ()
    convert: Convert | None = None
    pattern: str | None = None  # JSON Schema pattern, for editors (the convert function rules)
    fmt: str | None = None  # JSON Schema format (regex, uri, ...)
    non_empty: bool = True
    numbers_as_text: bool = False  # accept `4` where a name is expected (written as `"4"`)

    def expected(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        return "text"

    def _check(self, value: Any, at: At) -> Any:
        if self.numbers_as_text and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return type_error(self, value, at)
        if self.non_empty and not value.strip():
            return at.error("must not be empty")
        if self.choices and value not in self.choices:
            return at.error(f"unknown value '{value}'{did_you_mean(value, self.choices)}")
        if self.convert is None:
            return value
        try:
            return self.convert(value, at)
        except ValueError as error:
            return at.error(str(error))

    def _schema(self, defs: Defs) -> dict[str, Any]:
        result: dict[str, Any] = {"type": "string"}
        if self.choices:
            result["enum"] = list(self.choices)
        elif self.non_empty:
            result["minLength"] = 1
        if self.pattern:
            result["pattern"] = self.pattern
        if self.fmt:
            result["format"] = self.fmt
        if self.numbers_as_text:
            result = {"type": ["string", "number"]} | {
                k: v for k, v in result.items() if k != "type"
            }
        return result


@dataclass(frozen=True)
class Int(Node):
    help: str = ""
    nullable: bool = False
    minimum: int | None = None
    maximum: int | None = None

    def expected(self) -> str:
        return "a whole number"

    def _check(self, value: Any, at: At) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return type_error(self, value, at)
        if self.minimum is not None and value < self.minimum:
            return at.error(f"must be at least {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            return at.error(f"must be at most {self.maximum}")
        return value

    def _schema(self, defs: Defs) -> dict[str, Any]:
        result: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            result["minimum"] = self.minimum
        if self.maximum is not None:
            result["maximum"] = self.maximum
        return result


@dataclass(frozen=True)
class Num(Node):
    help: str = ""
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None

    def expected(self) -> str:
        return "a number"

    def _check(self, value: Any, at: At) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return type_error(self, value, at)
        if self.minimum is not None and value < self.minimum:
            return at.error(f"must be at least {self.minimum:g}")
        if self.maximum is not None and value > self.maximum:
            return at.error(f"must be at most {self.maximum:g}")
        return float(value)

    def _schema(self, defs: Defs) -> dict[str, Any]:
        result: dict[str, Any] = {"type": "number"}
        if self.minimum is not None:
            result["minimum"] = self.minimum
        if self.maximum is not None:
            result["maximum"] = self.maximum
        return result


@dataclass(frozen=True)
class Bool(Node):
    help: str = ""
    nullable: bool = False

    def expected(self) -> str:
        return "true or false"

    def _check(self, value: Any, at: At) -> Any:
        if not isinstance(value, bool):
            return type_error(self, value, at)
        return value

    def _schema(self, defs: Defs) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True)
class AnyValue(Node):
    """Any JSON value (custom field values, whose type only TestRail or Jira knows)."""

    help: str = ""
    nullable: bool = True

    def expected(self) -> str:
        return "a value"

    def _check(self, value: Any, at: At) -> Any:
        return _plain(value)

    def _schema(self, defs: Defs) -> dict[str, Any]:
        return {}


def _plain(value: Any) -> Any:
    """Drop the line bookkeeping so that values compare and serialise as plain JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
