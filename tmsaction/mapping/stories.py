"""The Jira stories a test covers: from properties, tags, a regex over the name, and the refs of
the TestRail cases it maps to. Keys are validated (`[A-Z][A-Z0-9_]+-[0-9]+`). Pure; no I/O.

- Properties (`jira`, `story`, `stories`, `requirement`, `requirements` by default) hold one key or
  a list separated by commas, semicolons or spaces.
- Tags count when the whole tag is a key (`SHOP-12`, `@SHOP-12`) or a story property name with
  `:` or `=` (`@story:SHOP-12`).
- `jira.stories.name_pattern` (default: `@SHOP-12` words, as Playwright and Cucumber print tags)
  finds keys in names: group 1 of each match, or the whole match.
- With `jira.stories.projects`, keys of other projects are ignored.
Values that are not keys are ignored and reported once in the plan.
"""

from __future__ import annotations

import re

from tmsaction.config.keys_jira import DEFAULT_NAME_PATTERN
from tmsaction.config.model import StorySources
from tmsaction.mapping.notes import Notes
from tmsaction.model import TestResult

_KEY = re.compile(r"[A-Z][A-Z0-9_]+-[0-9]+")
_SEPARATORS = re.compile(r"[\s,;]+")


class StoryFinder:
    def __init__(self, sources: StorySources, notes: Notes) -> None:
        self.sources = sources
        self.notes = notes
        self._properties = {name.casefold() for name in sources.properties}
        self._interned: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}
        # The default pattern needs an @ in the name: skip the regex for the other names.
        pattern = sources.name_pattern
        self._default_pattern = pattern is not None and pattern.pattern == DEFAULT_NAME_PATTERN
        #: A name holds a story key only if it contains this (`@`, with the default pattern);
        #: None: names hold none (no pattern) or any may (`reads_every_name`).
        self.name_mark: str | None = "@" if self._default_pattern else None
        #: A pattern of the config's: every name must be searched.
        self.reads_every_name = pattern is not None and not self._default_pattern

    def stories(self, result: TestResult, refs: tuple[str, ...] = ()) -> tuple[str, ...]:
        """Keys in the order found (properties, tags, name, case refs), without repeats; equal
        tuples are shared between tests."""
        if result.detail is None and not refs and self._default_pattern and "@" not in result.name:
            return ()  # the common case, a million times over: nothing to look at
        found: list[str] = []
        if result.detail is not None:
            if self._properties:
                for key, value in result.detail.properties:
                    if key.casefold() in self._properties:
                        self._take(found, value, result, f"property {key}")
            if self.sources.tags and result.detail.tags:
                self._from_tags(found, result)
        pattern = self.sources.name_pattern
        if pattern is not None and ("@" in result.name or not self._default_pattern):
            for match in pattern.finditer(result.name):
                key = match.group(1) if pattern.groups else match.group(0)
                self._keep(found, key, result, "the name")
        for key in refs:
            self._keep(found, key, result, "case refs")
        if not found:
            return ()
        if len(found) == 1:
            return self._intern((found[0],))
        return self._intern(tuple(dict.fromkeys(found)))

    def _from_tags(self, found: list[str], result: TestResult) -> None:
        for tag in result.tags:
            text = tag.strip().lstrip("@")
            if _KEY.fullmatch(text):
                self._keep(found, text, result, "a tag")
                continue
            for separator in (":", "="):
                if separator in text:
                    prefix, _, value = text.partition(separator)
                    if prefix.strip().casefold() in self._properties:
                        self._take(found, value, result, f"tag {tag}")
                    break

    def _take(self, found: list[str], value: str, result: TestResult, where: str) -> None:
        for part in _SEPARATORS.split(value.strip()):
            if part:
                self._keep(found, part, result, where)

    def _keep(self, found: list[str], key: str, result: TestResult, where: str) -> None:
        if not _KEY.fullmatch(key):
            self.notes.add(
                "story-key",
                f"'{key}' in {where} of {result.identity.display()} is not a Jira issue key "
                "(like SHOP-12) and was ignored",
            )
            return
        projects = self.sources.projects
        if projects and key.rsplit("-", 1)[0] not in projects:
            self.notes.add(
                "story-project",
                f"{key} ({where} of {result.identity.display()}) is outside "
                f"jira.stories.projects ({', '.join(sorted(projects))}) and was ignored",
            )
            return
        found.append(key)

    def _intern(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        shared = self._interned.get(keys)
        if shared is None:
            if len(self._interned) < 50_000:
                self._interned[keys] = keys
            shared = keys
        return shared
