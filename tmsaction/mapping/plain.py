"""The short path of a mapping run without TestRail, for the common test. Pure; no I/O.

Without TestRail and pinned entries, a test without detail can hold case ids and story keys only
in its name, and only with their marks in it (`C123`, `@SHOP-12`). A test without them, as most
are, can only go to its name target (or nowhere, with name matching off) and covers no story:
asking each strategy would find nothing more. Such *plain* tests are mapped here a class at a
time, as reports list them: the destination and section of a class are worked out once, and a
test costs its title and a lookup. Every other test goes through `Mapper._map_one`.

tests/unit/test_mapping_plain.py checks that every test is mapped as the strategies one by one
would map it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tmsaction.mapping.model import Strategy, TestMapping
from tmsaction.mapping.names import Namer
from tmsaction.mapping.pending import NameTarget, Unmatched
from tmsaction.mapping.routes import Destination
from tmsaction.model import Outcome, TestResult

if TYPE_CHECKING:
    from tmsaction.mapping.mapper import Mapper

Entry = TestMapping | NameTarget | Unmatched
#: A class's destination, namer, section path, and entries by outcome (titles that are names,
#: other titles).
_Class = tuple[Destination, Namer, tuple[str, ...], dict[Outcome, Entry], dict[Outcome, Entry]]


def plain_marks(mapper: Mapper) -> tuple[str | None, str | None] | None:
    """(case-id mark, story mark) a plain test's name must not contain (None: nothing to look
    for); None when this run has no plain tests (TestRail read, pinned entries, or a story
    pattern of the config, which any name may match)."""
    order = mapper.order
    if mapper.catalog is not None or Strategy.PINNED in order or mapper.stories.reads_every_name:
        return None
    id_mark = "C" if Strategy.CASE_ID in order and mapper.config.testrail.case_ids.names else None
    return id_mark, mapper.stories.name_mark


def map_plain(
    mapper: Mapper,
    marks: tuple[str | None, str | None],
    results: Sequence[TestResult],
    map_one: Callable[[TestResult], Entry],
) -> list[Entry]:
    """Every test's entry, in order: plain tests here, the others by `map_one`."""
    id_mark, story_mark = marks
    by_name = Strategy.NAME in mapper.order
    routed = mapper.routed
    router = mapper.router
    statuses = mapper.statuses
    shared = mapper.shared
    used = mapper.used
    entries: list[Entry] = []
    append = entries.append
    # The class's facts: its destination, namer, section and entries by outcome (for tests whose
    # title is their name and for the others). Kept per class, as a runner can interleave classes;
    # the readers share suite, class, file and source objects between the tests of a class, so
    # the last class's are found by identity.
    classes: dict[tuple[object, ...], _Class] = {}
    nothing = object()
    suite_of: object = nothing
    class_of: object = nothing
    file_of: object = nothing
    source_of: object = nothing
    destination = mapper.router.default
    namer = mapper.namer_for(destination)
    title = namer.title
    split = namer.rules.split_title  # a split title adds sections: not plain
    path: tuple[str, ...] = ()
    named: dict[Outcome, Entry] = {}
    titled: dict[Outcome, Entry] = {}
    for result in results:
        name = result.name
        if (
            result.detail is not None
            or (id_mark is not None and id_mark in name)
            or (story_mark is not None and story_mark in name)
            or (split and split in name)
        ):
            append(map_one(result))
            continue
        if (
            result.suite is not suite_of
            or result.classname is not class_of
            or result.file is not file_of
            or result.source is not source_of
        ):
            suite_of, class_of, file_of = result.suite, result.classname, result.file
            source_of = result.source
            key = (suite_of, class_of, file_of, source_of)
            known = classes.get(key)
            if known is None:
                if routed:
                    destination = router.destination(result)
                    namer = mapper.namer_for(destination)
                known = (destination, namer, namer.section_path(result), {}, {})
                if len(classes) > 100_000:  # bound memory on pathological inputs
                    classes.clear()
                classes[key] = known
            destination, namer, path, named, titled = known
            title = namer.title
            split = namer.rules.split_title
            if split and split in name:
                suite_of = nothing  # this test again with the next one's class
                append(map_one(result))
                continue
        if routed:
            used[destination] = used.get(destination, 0) + 1
        # Whether the title is the name as written: then readers take the name (`NameTarget`).
        is_name = by_name and title(name) == name
        entries_of = named if is_name else titled
        entry = entries_of.get(result.outcome)
        if entry is None:
            status = statuses[result.outcome]
            if by_name:
                entry = shared.name_target(
                    destination, namer, (), status, path=path, titles_are_names=is_name
                )
            else:
                entry = shared.unmatched(destination, (), status)
            entries_of[result.outcome] = entry
        append(entry)
    return entries
