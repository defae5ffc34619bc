"""Name matching: each test's section path and title, their normalised keys, and the index of a
TestRail suite's cases by those keys. Pure; no I/O.

Matching is index-based: the suite's cases go into a dict keyed by (section path, title) once, and
each test is one dict lookup, so 100,000 tests against 100,000 cases stay well under a second
(bench/mapping.py). There are no pairwise comparisons.

Normalisation (README "Name matching" documents it with examples):
- A test's section path comes from `testrail.names.section` (suite, classname, class, package,
  file or none), after removing the first matching `strip_prefix` and `strip_suffix` from that
  source, under the route's root section.
- A test's title is its name; then `split_title` moves leading parts into the section path;
  `strip_case_ids` / `strip_tags` / `strip_parameters` remove those parts; `title: words` turns
  `test_adds_item` or `addsItem` into `Adds item`. Titles are cut to TestRail's 250 characters.
- Keys compare section names and titles with runs of whitespace as one space, trimmed, and
  case-insensitively (Unicode casefold) unless `case_sensitive`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from tmsaction.catalog import Case, SuiteCatalog
from tmsaction.config.model import NameRules, SectionSource
from tmsaction.mapping.caseids import strip_ids
from tmsaction.model import TestResult

#: TestRail rejects longer titles: `Field :title is too long (250 characters at most).`
TITLE_LIMIT = 250

_TAG_WORD = re.compile(r"(?:(?<=\s)|^)@[^\s@]+")
_TRAILING_PARAMETERS = re.compile(r"\s*\[[^\[\]]*\]\s*$")
_TEST_PREFIX = re.compile(r"^test(?:_+|\s+|(?=[A-Z0-9]))", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

SectionKey = tuple[str, ...]
NameKey = tuple[SectionKey, str]


def clean(text: str) -> str:
    """Whitespace runs as one space, trimmed; NFC so that composed and decomposed accents agree."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def humanise(text: str) -> str:
    """`test_adds_item_to_cart` / `addsItemToCart` -> `Adds item to cart`; acronyms stay."""
    stripped = _TEST_PREFIX.sub("", text) or text
    spaced = _CAMEL.sub(" ", stripped.replace("_", " "))
    words = [w if len(w) > 1 and w.isupper() else w.lower() for w in spaced.split()]
    if not words:
        return text
    first = words[0]
    words[0] = first[:1].upper() + first[1:]
    return " ".join(words)


@dataclass
class Namer:
    """Derives (section path, title) for tests under one `NameRules`, caching the section part
    (tests of one class share it) so each test costs a few string operations."""

    rules: NameRules
    _sections: dict[tuple[tuple[str, ...], str, str | None], tuple[str, ...]] = field(
        default_factory=dict
    )

    def fold(self, text: str) -> str:
        cleaned = clean(text)
        return cleaned if self.rules.case_sensitive else cleaned.casefold()

    def section_key(self, path: Iterable[str]) -> SectionKey:
        return tuple(self.fold(part) for part in path)

    def place(self, result: TestResult) -> tuple[tuple[str, ...], str]:
        """The test's section path (below the root) and its title, as they would be created."""
        name = result.name
        extra: tuple[str, ...] = ()
        separator = self.rules.split_title
        if separator and separator in name:
            *heads, name = name.split(separator)
            extra = tuple(part for part in (clean(h) for h in heads) if part)
        return self._section(result) + extra, self.title(name)

    def title(self, name: str) -> str:
        rules = self.rules
        title = name
        if rules.strip_case_ids:
            title = strip_ids(title)
        if rules.strip_tags and "@" in title:
            title = _TAG_WORD.sub("", title)
        if rules.strip_parameters and title.endswith("]"):
            title = _TRAILING_PARAMETERS.sub("", title)
        if rules.title == "words":
            title = humanise(title)
        title = clean(title) or clean(name) or name
        if len(title) > TITLE_LIMIT:
            title = title[: TITLE_LIMIT - 1] + "…"
        return title

    def _section(self, result: TestResult) -> tuple[str, ...]:
        key = (result.suite, result.classname, result.file)
        cached = self._sections.get(key)
        if cached is None:
            cached = self._derive_section(result)
            if len(self._sections) > 200_000:  # bound memory on pathological inputs
                self._sections.clear()
            self._sections[key] = cached
        return cached

    def _derive_section(self, result: TestResult) -> tuple[str, ...]:
        source = self.rules.section
        if source is SectionSource.NONE:
            return ()
        parts: list[str]
        if source is SectionSource.SUITE:
            parts = list(result.suite) or ([result.classname] if result.classname else [])
            if parts:
                parts[0] = self._strip(parts[0])
        elif source is SectionSource.FILE and result.file:
            path = self._strip(result.file.replace("\\", "/").removeprefix("./"))
            parts = path.split("/")
        else:  # classname, class, package (and file without a file: fall back to the class)
            classname = self._strip(result.classname) or (result.suite[-1] if result.suite else "")
            if source is SectionSource.CLASS:
                parts = [re.split(r"[.:/\\]", classname)[-1]] if classname else []
            elif source is SectionSource.PACKAGE:
                parts = classname.split(".")
            else:
                parts = [classname]
        return tuple(part for part in (clean(p) for p in parts) if part)

    def _strip(self, text: str) -> str:
        """Remove the first matching prefix and the first matching suffix."""
        for prefix in self.rules.strip_prefix:
            if text.startswith(prefix):
                text = text[len(prefix) :]
                break
        for suffix in self.rules.strip_suffix:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                break
        return text


@dataclass
class NameIndex:
    """One suite's cases by (section path key, title key), built once per run."""

    by_name: dict[NameKey, list[int]]
    by_title: dict[str, list[tuple[SectionKey, int]]]

    @staticmethod
    def build(suite: SuiteCatalog, namer: Namer) -> NameIndex:
        paths = section_paths(suite)
        folded: dict[int, SectionKey] = {}
        by_name: dict[NameKey, list[int]] = {}
        by_title: dict[str, list[tuple[SectionKey, int]]] = {}
        for case in suite.cases:
            section = folded.get(case.section_id)
            if section is None:
                section = namer.section_key(paths.get(case.section_id, ()))
                folded[case.section_id] = section
            title = namer.fold(case.title)
            by_name.setdefault((section, title), []).append(case.id)
            by_title.setdefault(title, []).append((section, case.id))
        return NameIndex(by_name, by_title)

    def find(self, section: SectionKey, title: str, *, anywhere: bool) -> list[int]:
        """Case ids with this title in this section (or, `anywhere`, in any section under
        `section`), oldest first."""
        if not anywhere:
            return sorted(self.by_name.get((section, title), ()))
        depth = len(section)
        return sorted(c for path, c in self.by_title.get(title, ()) if path[:depth] == section)


def section_paths(suite: SuiteCatalog) -> dict[int, tuple[str, ...]]:
    """Every section's path from the suite root, computed once (memoised along parents)."""
    by_id = suite.sections_by_id
    paths: dict[int, tuple[str, ...]] = {}

    def path_of(section_id: int) -> tuple[str, ...]:
        chain: list[int] = []
        current: int | None = section_id
        while current is not None and current not in paths and current in by_id:
            if current in chain:  # a parent loop in hand-built data: stop, do not spin
                break
            chain.append(current)
            current = by_id[current].parent_id
        prefix = paths.get(current, ()) if current is not None else ()
        for member in reversed(chain):
            prefix = (*prefix, by_id[member].name)
            paths[member] = prefix
        return paths.get(section_id, ())

    for section in suite.sections:
        path_of(section.id)
    return paths


def case_place(case: Case, paths: dict[int, tuple[str, ...]]) -> tuple[tuple[str, ...], str]:
    return paths.get(case.section_id, ()), case.title
