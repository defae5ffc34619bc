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
from dataclasses import dataclass, field

from tmsaction.catalog import SuiteCatalog
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
    elif " " not in text:
        # Most names have no space (`test_adds_item`, `addsItem`): one split says whether they
        # hold any other whitespace, faster than the checks below (run twice per test).
        words = text.split()
        if len(words) == 1 and len(words[0]) == len(text):
            return text
        return " ".join(words)
    elif (
        text.isprintable()  # no tab or newline
        and "  " not in text
        and text[0] != " "
        and text[-1] != " "
    ):
        return text  # already clean, as most names are: no split and join
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


#: One test's place, cached per (suite path, class, file): the section path below the root, the
#: same path under the root, and that path's comparison key.
_Placed = tuple[tuple[str, ...], tuple[str, ...], SectionKey]


@dataclass
class Namer:
    """Derives (section path, title) for tests under one `NameRules`, caching the section part
    (tests of one class share it) so each test costs a few string operations."""

    rules: NameRules
    root: tuple[str, ...] = ()  # the destination's root section path (see `placed`, `keyed`)
    _section_keys: dict[tuple[str, ...], SectionKey] = field(default_factory=dict)
    _places: dict[tuple[object, object, object], _Placed] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Read a million times per run: plain attributes, not lookups through `rules`.
        rules = self.rules
        self._split = rules.split_title
        self._strip_ids = rules.strip_case_ids
        self._strip_tags = rules.strip_tags
        self._strip_parameters = rules.strip_parameters
        self._words = rules.title == "words"
        self._fold_case = not rules.case_sensitive
        # The last test's (suite, classname, file) objects and their place: the readers share
        # these objects between the tests of a class, which come one after another, so most
        # tests are placed by three identity checks.
        self._last_of: tuple[object, object, object] = (None, None, None)
        self._last: _Placed = ((), (), ())

    def fold(self, text: str) -> str:
        """The comparison key of a section name or title as written anywhere."""
        cleaned = clean(text)
        return cleaned if self.rules.case_sensitive else cleaned.casefold()

    def title_key(self, title: str) -> str:
        """The key of a title from `place` (already cleaned)."""
        return title.casefold() if self._fold_case else title

    def section_key(self, path: tuple[str, ...]) -> SectionKey:
        """The key of a section path; paths are shared between tests, so keys are cached."""
        key = self._section_keys.get(path)
        if key is None:
            key = tuple(self.fold(part) for part in path)
            if len(self._section_keys) > 200_000:
                self._section_keys.clear()
            self._section_keys[path] = key
        return key

    def place(self, result: TestResult) -> tuple[tuple[str, ...], str]:
        """The test's section path (below the root) and its title, as they would be created."""
        name = result.name
        separator = self._split
        if separator and separator in name:
            *heads, name = name.split(separator)
            extra = tuple(part for part in (clean(h) for h in heads) if part)
            return self._placed(result)[0] + extra, self.title(name)
        return self._placed(result)[0], self.title(name)

    def placed(self, result: TestResult) -> tuple[tuple[str, ...], str]:
        """The test's section path under the root and its title: where its name target is.
        Tests of one section share the path tuple."""
        name = result.name
        separator = self._split
        if separator and separator in name:
            section, title = self.place(result)
            return self.root + section, title
        suite, classname, file = self._last_of
        if result.suite is suite and result.classname is classname and result.file is file:
            return self._last[1], self.title(name)
        return self._placed(result)[1], self.title(name)

    def section_path(self, result: TestResult) -> tuple[str, ...]:
        """The test's section path under the root, without the parts a split title adds."""
        return self._placed(result)[1]

    def title_of(self, result: TestResult) -> str:
        """The test's title alone, as `place` and `placed` give it."""
        separator = self._split
        if separator and separator in result.name:
            return self.title(result.name.rsplit(separator, 1)[1])
        return self.title(result.name)

    def keyed(self, result: TestResult) -> tuple[tuple[str, ...], SectionKey, str, str]:
        """(section path under the root, its key, title, title key): what name matching looks
        up. The section part is cached per class, so a test costs its title and one lookup."""
        name = result.name
        separator = self._split
        if separator and separator in name:
            section, title = self.place(result)
            path = self.root + section
            return path, self.section_key(path), title, self.title_key(title)
        _, path, key = self._placed(result)
        title = self.title(name)
        return path, key, title, title.casefold() if self._fold_case else title

    def _placed(self, result: TestResult) -> _Placed:
        suite, classname, file = self._last_of
        if result.suite is suite and result.classname is classname and result.file is file:
            return self._last
        # Keyed by all three: which of them the section comes from depends on the rules and on
        # what the test has (a class-based section falls back to the suite without a class).
        of = (result.suite, result.classname, result.file)
        placed = self._places.get(of)
        if placed is None:
            section = self._derive_section(result)
            path = self.root + section
            placed = (section, path, self.section_key(path))
            if len(self._places) > 200_000:  # bound memory on pathological inputs
                self._places.clear()
            self._places[of] = placed
        self._last_of = of
        self._last = placed
        return placed

    def title(self, name: str) -> str:
        title = name
        if self._strip_ids and "C" in title:
            title = strip_ids(title)
        if self._strip_tags and "@" in title:
            title = _TAG_WORD.sub("", title)
        if self._strip_parameters and title.endswith("]"):
            title = _TRAILING_PARAMETERS.sub("", title)
        if self._words:
            title = humanise(title)
        title = clean(title) or clean(name) or name
        if len(title) > TITLE_LIMIT:
            title = title[: TITLE_LIMIT - 1] + "…"
        return title

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
    """One suite's cases by (section path key, title key), built once per run; each key holds
    the case ids with that title in that section, oldest first."""

    by_name: dict[NameKey, tuple[int, ...]]
    by_title: dict[str, list[tuple[SectionKey, int]]]
    _entries: list[tuple[SectionKey, str, int]]

    @staticmethod
    def build(suite: SuiteCatalog, namer: Namer) -> NameIndex:
        paths = section_paths(suite)
        folded: dict[int, SectionKey] = {}
        by_name: dict[NameKey, tuple[int, ...]] = {}
        entries: list[tuple[SectionKey, str, int]] = []
        duplicated = False
        for case in suite.cases:
            section = folded.get(case.section_id)
            if section is None:
                section = namer.section_key(paths.get(case.section_id, ()))
                folded[case.section_id] = section
            title = namer.fold(case.title)
            key = (section, title)
            found = by_name.get(key)
            if found is None:
                by_name[key] = (case.id,)
            else:
                by_name[key] = (*found, case.id)
                duplicated = True
            entries.append((section, title, case.id))
        if duplicated:
            for key, ids in by_name.items():
                if len(ids) > 1:
                    by_name[key] = tuple(sorted(ids))
        return NameIndex(by_name, {}, entries)

    def find(self, section: SectionKey, title: str) -> tuple[int, ...]:
        """Case ids with this title in this section, oldest first."""
        return self.by_name.get((section, title), ())

    def find_anywhere(self, section: SectionKey, title: str) -> tuple[int, ...]:
        """Case ids with this title in any section under `section`, oldest first."""
        if not self.by_title and self._entries:  # built on first use: most configs never ask
            for path, case_title, case_id in self._entries:
                self.by_title.setdefault(case_title, []).append((path, case_id))
        depth = len(section)
        return tuple(
            sorted(c for path, c in self.by_title.get(title, ()) if path[:depth] == section)
        )


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
