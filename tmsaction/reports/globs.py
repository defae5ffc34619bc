"""Report globs relative to the workspace: `**` recurses, `!glob` excludes, `{a,b}` alternatives.

Pure pattern logic plus one directory walk. `.git` is never searched, and `node_modules` only when
a pattern names it, so `**/*.xml` stays fast in JavaScript repositories.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_ALWAYS_SKIPPED = {".git"}
_SKIPPED_UNLESS_NAMED = {"node_modules"}


def glob_to_regex(pattern: str) -> str:
    """Translate a glob into a regular expression over `/`-separated paths."""
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**", i):
            before_ok = i == 0 or pattern[i - 1] == "/"
            after = pattern[i + 2 : i + 3]
            if before_ok and after == "/":
                out.append("(?:[^/]*/)*")
                i += 3
                continue
            if before_ok and after == "":
                out.append(".*")
                i += 2
                continue
            out.append("[^/]*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 2)
            if end == -1:
                out.append(re.escape(c))
                i += 1
                continue
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        elif c == "{":
            end = pattern.find("}", i)
            if end == -1:
                out.append(re.escape(c))
                i += 1
                continue
            options = pattern[i + 1 : end].split(",")
            out.append("(?:" + "|".join(glob_to_regex(o) for o in options) + ")")
            i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class GlobSet:
    includes: tuple[str, ...]
    excludes: tuple[str, ...]

    @staticmethod
    def parse(patterns: Sequence[str]) -> GlobSet:
        includes = tuple(_normalise(p) for p in patterns if p and not p.startswith("!"))
        excludes = tuple(_normalise(p[1:]) for p in patterns if p.startswith("!") and len(p) > 1)
        return GlobSet(includes, excludes)


def _normalise(pattern: str) -> str:
    pattern = pattern.strip().replace("\\", "/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern


def _literal_prefix(pattern: str) -> str:
    """Directory part of the pattern before its first wildcard segment."""
    parts = pattern.split("/")
    literal: list[str] = []
    for part in parts[:-1]:
        if any(ch in part for ch in "*?[{"):
            break
        literal.append(part)
    return "/".join(literal)


def expand(workspace: Path, patterns: Sequence[str]) -> tuple[list[Path], list[str]]:
    """Files matching any include and no exclude, sorted; plus the include patterns that matched
    nothing (for the "no report found" message)."""
    globs = GlobSet.parse(patterns)
    excludes = [re.compile(glob_to_regex(p)) for p in globs.excludes]
    found: dict[Path, None] = {}
    unmatched: list[str] = []
    for pattern in globs.includes:
        absolute = pattern.startswith("/")
        regex = re.compile(glob_to_regex(pattern))
        start = (Path("/") if absolute else workspace) / _literal_prefix(pattern.lstrip("/"))
        names_node_modules = "node_modules" in pattern
        hits = 0
        if start.is_file():
            candidates = [start]
        elif start.is_dir():
            candidates = list(_walk(start, names_node_modules))
        else:
            candidates = []
        for path in candidates:
            key = path.as_posix() if absolute else _relative(path, workspace)
            if key is None or not regex.fullmatch(key):
                continue
            relative = _relative(path, workspace) or path.as_posix()
            if any(e.fullmatch(relative) for e in excludes):
                continue
            hits += 1
            found[path] = None
        if hits == 0:
            unmatched.append(pattern)
    return sorted(found), unmatched


def _relative(path: Path, workspace: Path) -> str | None:
    try:
        return path.relative_to(workspace).as_posix()
    except ValueError:
        return None


def _walk(start: Path, include_node_modules: bool) -> list[Path]:
    files: list[Path] = []
    for root, dirs, names in os.walk(start):
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in _ALWAYS_SKIPPED and (include_node_modules or d not in _SKIPPED_UNLESS_NAMED)
        )
        files.extend(Path(root, name) for name in names)
    return files
