"""YAML text -> plain Python values that remember their line numbers. Pure; no I/O.

PyYAML forgets where a value came from and silently keeps the last of two equal keys; the config
loader needs both to say `.github/tmsaction.yml:14 → testrail.routes[1]: ...`. Mappings become
`LineDict` (a dict with the line of every key) and sequences `LineList` (a list with the line of
every item); scalars are the usual str/int/float/bool/None.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode


class LineDict(dict[str, Any]):
    """A YAML mapping: `line` is where it starts, `key_lines[k]` where key `k` is written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line: int | None = None
        self.key_lines: dict[str, int] = {}


class LineList(list[Any]):
    """A YAML sequence: `line` is where it starts, `item_lines[i]` where item `i` is written."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.line: int | None = None
        self.item_lines: list[int] = [0] * len(self)


class YamlProblem(Exception):
    """The text is not YAML we can read; `line`/`column` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class _Loader(yaml.SafeLoader):
    """SafeLoader (no Python objects, no tags) that keeps lines and rejects duplicate keys."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        result = LineDict()
        result.line = node.start_mark.line + 1
        merge_tag = "tag:yaml.org,2002:merge"
        own = {id(key_node) for key_node, _ in node.value if key_node.tag != merge_tag}
        # YAML merge keys (`<<: *anchor`) are legal in configs: flatten_mapping puts the merged
        # pairs first, and the mapping's own keys then override them, as YAML specifies.
        self.flatten_mapping(node)
        written: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                # Keys like `1:` or `yes:` are read as numbers/booleans; every config key is text.
                key = str(key).lower() if isinstance(key, bool) else str(key)
            if id(key_node) in own:
                if key in written:
                    raise YamlProblem(
                        f"key '{key}' appears twice (lines {written[key]} and {line}); "
                        "YAML keeps only the last one, so remove or merge one of them",
                        line,
                    )
                written[key] = line
            result.key_lines[key] = line
            result[key] = self.construct_object(value_node, deep=True)
        return result

    def construct_sequence(self, node: SequenceNode, deep: bool = False) -> list[Any]:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


def _construct_mapping(loader: _Loader, node: Node) -> dict[Any, Any]:
    assert isinstance(node, MappingNode)
    return loader.construct_mapping(node)


def _construct_sequence(loader: _Loader, node: Node) -> list[Any]:
    assert isinstance(node, SequenceNode)
    return loader.construct_sequence(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_yaml(text: str) -> Any:
    """Parse one YAML document; raise `YamlProblem` with a line for syntax errors and duplicates."""
    try:
        documents = list(yaml.load_all(text, Loader=_Loader))
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or "syntax error"
        hint = _hint(problem)
        raise YamlProblem(
            f"not valid YAML: {problem}{hint}",
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"not valid YAML: {error}") from None
    if len(documents) > 1:
        raise YamlProblem("the file holds several YAML documents (`---`); keep one")
    return documents[0] if documents else None


def _hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return " (check the indentation, and quote values that contain ': ')"
    if "found character '\\t'" in problem:
        return " (YAML indents with spaces, not tabs)"
    if "found undefined alias" in problem or "found unhashable key" in problem:
        return ""
    if "expected <block end>" in problem:
        return " (check the indentation of this line against the lines above)"
    return ""
