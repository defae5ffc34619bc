"""Composite nodes of the config schema language (see `spec.py`): lists, objects with declared
keys, maps with free keys, and alternatives chosen by the YAML type of the value. Pure; no I/O."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tmsaction.config.spec import (
    INVALID,
    At,
    Bool,
    Convert,
    Defs,
    Int,
    Node,
    Num,
    Problems,
    Str,
    did_you_mean,
    type_error,
)
from tmsaction.config.yamlread import LineDict, LineList


@dataclass(frozen=True)
class ListOf(Node):
    """A list; with `single`, one bare item is accepted as a list of one (`tag: web`)."""

    item: Node
    help: str = ""
    nullable: bool = False
    single: bool = False
    unique: bool = False
    convert: Callable[[tuple[Any, ...], At], Any] | None = None

    def expected(self) -> str:
        return f"a list of {_plural(self.item)}"

    def _check(self, value: Any, at: At) -> Any:
        if not isinstance(value, list):
            if self.single and not isinstance(value, dict):
                value = [value]
                lines: list[int] = [at.line or 0]
            else:
                return type_error(self, value, at)
        else:
            lines = value.item_lines if isinstance(value, LineList) else [0] * len(value)
        items: list[Any] = []
        seen: dict[Any, int] = {}
        ok = True
        for position, (item, line) in enumerate(zip(value, lines, strict=True)):
            item_at = at.index(position, line)
            cleaned = self.item.check(item, item_at)
            if cleaned is INVALID:
                ok = False
                continue
            if self.unique and isinstance(item, str | int):
                if item in seen:
                    item_at.error(f"'{item}' is listed twice (also at [{seen[item]}])")
                    ok = False
                    continue
                seen[item] = position
            items.append(cleaned)
        if not ok:
            return INVALID
        result = tuple(items)
        if self.convert is None:
            return result
        try:
            return self.convert(result, at)
        except ValueError as error:
            return at.error(str(error))

    def _schema(self, defs: Defs) -> dict[str, Any]:
        listed: dict[str, Any] = {"type": "array", "items": self.item.schema(defs)}
        if self.unique:
            listed["uniqueItems"] = True
        if self.single:
            return {"anyOf": [listed, self.item.schema(defs)]}
        return listed


def _plural(node: Node) -> str:
    names = {
        Str: "text values",
        Int: "whole numbers",
        Num: "numbers",
        Bool: "booleans",
        Obj: "objects",
    }
    if isinstance(node, Str) and node.choices:
        return "values from " + ", ".join(node.choices)
    return names.get(type(node), "values")


@dataclass(frozen=True)
class Key:
    """One key of an object: its node, and its default (a raw YAML value, checked like any other,
    so the default is cleaned by the same rules; `_MISSING` means required)."""

    name: str
    node: Node
    default: Any = None
    required: bool = False


#: Builds the dataclass for an object from its cleaned values; may report cross-key problems.
Build = Callable[[dict[str, Any], At], Any]


@dataclass(frozen=True)
class Obj(Node):
    keys: tuple[Key, ...]
    help: str = ""
    nullable: bool = False
    build: Build | None = None
    required_hint: Mapping[str, str] = field(default_factory=dict)
    schema_name: str | None = None  # emitted once under $defs when set
    unknown_hints: Mapping[str, str] = field(default_factory=dict)  # key -> where it belongs
    list_keys: bool = True  # README's key table lists each key (False: the object as one row)
    extensions: str | None = None  # keys starting with this are ignored (top level: "x-")

    def expected(self) -> str:
        return "an object (key: value lines)"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys)

    def _check(self, value: Any, at: At) -> Any:
        if not isinstance(value, dict):
            return type_error(self, value, at)
        key_lines = value.key_lines if isinstance(value, LineDict) else {}
        own_line = value.line if isinstance(value, LineDict) else at.line
        here = At(at.path, own_line or at.line, at.problems, key_lines)
        ok = True
        for name in value:
            if self.extensions and str(name).startswith(self.extensions):
                continue  # a place for YAML anchors (`x-web: &web ...`), ignored
            if name not in self.names:
                hint = (
                    f" ({self.unknown_hints[name]})"
                    if name in self.unknown_hints
                    else did_you_mean(str(name), self.names)
                )
                At(at.path, key_lines.get(name, here.line), at.problems).error(
                    f"unknown key '{name}'{hint}"
                )
                ok = False
        cleaned: dict[str, Any] = {}
        for key in self.keys:
            key_at = here.key(key.name, key_lines.get(key.name))
            if key.name in value:
                result = key.node.check(value[key.name], key_at)
            elif key.required:
                hint = self.required_hint.get(key.name, "")
                here.error(f"missing key '{key.name}'{hint}")
                result = INVALID
            else:
                result = key.node.check(key.default, key_at) if key.default is not None else None
            if result is INVALID:
                ok = False
            cleaned[key.name] = result
        if not ok:
            return INVALID
        if self.build is None:
            return cleaned
        return self.build(cleaned, here)

    def check_default(self, problems: Problems) -> Any:
        """The value this object has when it is absent from the file."""
        return self.check(LineDict(), At("", None, problems))

    def _schema(self, defs: Defs) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        for key in self.keys:
            entry = key.node.schema(defs)
            if key.default is not None and not isinstance(key.default, dict):
                entry["default"] = key.default
            properties[key.name] = entry
        result: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
        if self.extensions:
            result["patternProperties"] = {f"^{self.extensions}": {}}
        required = [k.name for k in self.keys if k.required]
        if required:
            result["required"] = required
        return result


@dataclass(frozen=True)
class MapOf(Node):
    """An object with free keys (custom field names, filter names) and one kind of value."""

    value: Node
    key_check: Callable[[str], str | None] | None = None  # returns a problem message or None
    key_pattern: str | None = None  # JSON Schema propertyNames pattern
    help: str = ""
    nullable: bool = False

    def expected(self) -> str:
        return "an object (key: value lines)"

    def _check(self, value: Any, at: At) -> Any:
        if not isinstance(value, dict):
            return type_error(self, value, at)
        key_lines = value.key_lines if isinstance(value, LineDict) else {}
        cleaned: dict[str, Any] = {}
        ok = True
        for name, item in value.items():
            item_at = at.key(str(name), key_lines.get(name))
            if self.key_check is not None:
                message = self.key_check(str(name))
                if message:
                    item_at.error(message)
                    ok = False
                    continue
            result = self.value.check(item, item_at)
            if result is INVALID:
                ok = False
            cleaned[str(name)] = result
        return cleaned if ok else INVALID

    def _schema(self, defs: Defs) -> dict[str, Any]:
        result: dict[str, Any] = {"type": "object", "additionalProperties": self.value.schema(defs)}
        if self.key_pattern:
            result["propertyNames"] = {"pattern": self.key_pattern}
        return result


@dataclass(frozen=True)
class Either(Node):
    """One of several shapes, chosen by the YAML type of the value (text, number, list, object)."""

    options: tuple[Node, ...]
    help: str = ""
    nullable: bool = False
    expected_text: str = ""
    convert: Convert | None = None  # applied to the checked value of whichever option matched

    def expected(self) -> str:
        return self.expected_text or " or ".join(o.expected() for o in self.options)

    def _check(self, value: Any, at: At) -> Any:
        for option in self.options:
            if _accepts(option, value):
                result = option.check(value, at)
                if result is INVALID or self.convert is None:
                    return result
                try:
                    return self.convert(result, at)
                except ValueError as error:
                    return at.error(str(error))
        return type_error(self, value, at)

    def _schema(self, defs: Defs) -> dict[str, Any]:
        return {"anyOf": [option.schema(defs) for option in self.options]}


def _accepts(node: Node, value: Any) -> bool:
    if isinstance(node, Str):
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        return isinstance(value, str) or (node.numbers_as_text and numeric)
    if isinstance(node, Int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(node, Num):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(node, Bool):
        return isinstance(value, bool)
    if isinstance(node, ListOf):
        return isinstance(value, list)
    if isinstance(node, Obj | MapOf):
        return isinstance(value, dict)
    if isinstance(node, Either):
        return any(_accepts(option, value) for option in node.options)
    return True
