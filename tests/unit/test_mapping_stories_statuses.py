"""Stories a test covers, outcome -> TestRail status, flaky notes, and the compact mapping table."""

from __future__ import annotations

import pytest
from tmsaction.mapping.model import TestMapping
from tmsaction.mapping.outcomes import flaky_note
from tmsaction.model import Attempt, Outcome, TestResult

from tests.mapping_world import CATALOG, LOOKUPS, config, mapped, one
from tests.mapping_world import make_result as result

STORIES: list[tuple[str, str, TestResult, tuple[str, ...]]] = [
    ("a story property", "", result("x", properties=[("story", "SHOP-12")]), ("SHOP-12",)),
    (
        "a list in a requirements property",
        "",
        result("x", properties=[("requirements", "SHOP-1, SHOP-2;WEB-3 SHOP-1")]),
        ("SHOP-1", "SHOP-2", "WEB-3"),
    ),
    ("property names ignore case", "", result("x", properties=[("Jira", "SHOP-4")]), ("SHOP-4",)),
    (
        "configured property names only",
        "jira:\n  stories: {properties: [covers]}\n",
        result("x", properties=[("covers", "SHOP-5"), ("story", "SHOP-6")]),
        ("SHOP-5",),
    ),
    (
        "tags: a key, @key, property:key",
        "",
        result("x", tags=["SHOP-7", "@SHOP-8", "@story:SHOP-9", "smoke", "jira=SHOP-10"]),
        ("SHOP-7", "SHOP-8", "SHOP-9", "SHOP-10"),
    ),
    (
        "tags can be turned off",
        "jira:\n  stories: {tags: false}\n",
        result("x", tags=["SHOP-7"]),
        (),
    ),
    (
        "@keys in names (Playwright, Cucumber)",
        "",
        result("Login › signs in @C201 @SHOP-3 @smoke"),
        ("SHOP-3",),
    ),
    ("a bare key in a name is not taken", "", result("parses UTF-8 and ISO-8601 dates"), ()),
    ("an e-mail is not a tag", "", result("mails bob@SHOP-3.example"), ()),
    (
        "a custom name pattern, group 1",
        "jira:\n  stories: {name_pattern: 'covers ([A-Z]+-[0-9]+)'}\n",
        result("checkout covers SHOP-11 and SHOP-12"),
        ("SHOP-11",),
    ),
    (
        "a custom name pattern, whole match",
        "jira:\n  stories: {name_pattern: 'SHOP-[0-9]+'}\n",
        result("SHOP-11 and SHOP-12"),
        ("SHOP-11", "SHOP-12"),
    ),
    (
        "no name pattern",
        "jira:\n  stories: {name_pattern: null}\n",
        result("signs in @SHOP-3"),
        (),
    ),
    (
        "projects filter",
        "jira:\n  stories: {projects: [SHOP]}\n",
        result("x", properties=[("story", "SHOP-1, WEB-2")]),
        ("SHOP-1",),
    ),
    (
        "in order found, without repeats",
        "",
        result("@SHOP-2 x", properties=[("story", "SHOP-1")], tags=["SHOP-2", "SHOP-1"]),
        ("SHOP-1", "SHOP-2"),
    ),
]


@pytest.mark.parametrize(("case", "text", "test", "expected"), STORIES, ids=[s[0] for s in STORIES])
def test_stories(case: str, text: str, test: TestResult, expected: tuple[str, ...]) -> None:
    assert one(config(text), test).stories == expected


def test_stories_from_the_refs_of_matched_cases() -> None:
    cfg = config()
    test = result("Adds item to empty cart", "Cart", properties=[("story", "SHOP-1")])
    assert one(cfg, test, catalog=CATALOG).stories == ("SHOP-1", "SHOP-12")
    off = config("jira:\n  stories: {case_refs: false}\n")
    assert one(off, test, catalog=CATALOG).stories == ("SHOP-1",)


def test_values_that_are_not_keys_are_reported_once_per_kind() -> None:
    run = mapped(
        config("jira:\n  stories: {projects: [SHOP]}\n"),
        [
            result("a", properties=[("story", "shop-12")]),
            result("b", properties=[("story", "SHOP12")]),
            result("c", properties=[("story", "WEB-1")]),
        ],
    )
    assert run.notes == (
        "'shop-12' in property story of com.acme.shop.CartTest › a is not a Jira issue key (like "
        "SHOP-12) and was ignored (and 1 more like it)",
        "WEB-1 (property story of com.acme.shop.CartTest › c) is outside jira.stories.projects "
        "(SHOP) and was ignored",
    )
    assert [m.stories for m in run.mappings] == [(), (), ()]


def test_equal_story_lists_are_shared_between_tests() -> None:
    run = mapped(config(), [result(f"t{i}", properties=[("story", "SHOP-1")]) for i in range(3)])
    first, second, third = run.mappings
    assert first.stories is second.stories is third.stories


# -- statuses ------------------------------------------------------------------------------------

STATUS_CASES: list[tuple[str, str, Outcome, int | None, str | None]] = [
    ("passed", "", Outcome.PASSED, 1, "passed"),
    ("failed", "", Outcome.FAILED, 5, "failed"),
    ("error as failed", "", Outcome.ERROR, 5, "failed"),
    ("skipped as retest (like trcli)", "", Outcome.SKIPPED, 4, "retest"),
    ("flaky as passed", "", Outcome.FLAKY, 1, "passed"),
    ("blocked by name", "status: {skipped: blocked}", Outcome.SKIPPED, 2, "blocked"),
    ("names ignore case", "status: {failed: Failed}", Outcome.FAILED, 5, "failed"),
    ("an id", "status: {error: 2}", Outcome.ERROR, 2, "blocked"),
    ("nothing sent", "status: {skipped: null}", Outcome.SKIPPED, None, None),
    (
        "custom name before TestRail is read",
        "status: {flaky: Known issue}",
        Outcome.FLAKY,
        None,
        "Known issue",
    ),
    ("custom id", "status: {flaky: 6}", Outcome.FLAKY, 6, "6"),
]


@pytest.mark.parametrize(
    ("case", "text", "outcome", "status_id", "name"), STATUS_CASES, ids=[s[0] for s in STATUS_CASES]
)
def test_outcome_statuses(
    case: str, text: str, outcome: Outcome, status_id: int | None, name: str | None
) -> None:
    cfg = config(f"testrail:\n  results:\n    {text}\n" if text else "")
    mapping = one(cfg, result("x_C1", outcome=outcome))
    assert (mapping.status_id, mapping.status) == (status_id, name)


def test_custom_statuses_resolve_against_testrail() -> None:
    cfg = config("testrail:\n  results:\n    status: {flaky: known ISSUE, skipped: Waived}\n")
    run = mapped(
        cfg,
        [result("a_C1", outcome=Outcome.FLAKY), result("b_C1", outcome=Outcome.SKIPPED)],
        lookups=LOOKUPS,
    )
    flaky, skipped = run.mappings
    assert (flaky.status_id, flaky.status) == (6, "known ISSUE")
    assert (skipped.status_id, skipped.status) == (None, None)
    assert run.notes == (
        "testrail.results.status.skipped: 'Waived' is not a TestRail status (known: blocked, "
        "custom_status1, failed, known issue, passed, retest, untested); results with this "
        "outcome are not sent",
    )


def test_a_custom_status_id_must_be_enabled() -> None:
    cfg = config("testrail:\n  results:\n    status: {flaky: 9}\n")
    run = mapped(cfg, [result("a_C1", outcome=Outcome.FLAKY)], lookups=LOOKUPS)
    assert run.mappings[0].status is None
    assert run.notes == (
        "testrail.results.status.flaky: status id 9 is not enabled in TestRail (Administration "
        "> Customizations > Result Statuses)",
    )


FLAKY: list[tuple[str, tuple[Attempt, ...], str | None]] = [
    (
        "one failed attempt",
        (
            Attempt(Outcome.FAILED, message="Timed out after\n 500 ms"),
            Attempt(Outcome.PASSED),
        ),
        "Flaky: passed on attempt 2 of 2; failed on attempt 1 (Timed out after 500 ms).",
    ),
    (
        "several, an error without message",
        (
            Attempt(Outcome.FAILED, message="boom"),
            Attempt(Outcome.ERROR),
            Attempt(Outcome.PASSED),
        ),
        "Flaky: passed on attempt 3 of 3; failed on attempts 1 (boom), 2.",
    ),
    (
        "long messages are cut",
        (Attempt(Outcome.FAILED, message="x" * 300), Attempt(Outcome.PASSED)),
        "Flaky: passed on attempt 2 of 2; failed on attempt 1 (" + "x" * 199 + "…).",
    ),
]


@pytest.mark.parametrize(("case", "attempts", "note"), FLAKY, ids=[f[0] for f in FLAKY])
def test_flaky_notes(case: str, attempts: tuple[Attempt, ...], note: str) -> None:
    assert flaky_note(result("x", outcome=Outcome.FLAKY, attempts=attempts)) == note


def test_only_flaky_tests_get_a_note() -> None:
    assert flaky_note(result("x", outcome=Outcome.FAILED)) is None


# -- the mapping table -----------------------------------------------------------------------------


def test_the_table_holds_one_mapping_per_result_in_order() -> None:
    results = [result("a_C1"), result("plain"), result("b_C2", outcome=Outcome.FAILED)]
    run = mapped(config("testrail:\n  match: [case_id]\n"), results)
    table = run.mappings
    assert len(table) == 3
    assert [m.cases[0].case_id if m.cases else None for m in table] == [1, None, 2]
    assert list(table) == [table[0], table[1], table[2]]
    assert table[-1].status == "failed"
    assert table[1:] == [table[1], table[2]]
    assert [r.name for r, _ in table.pairs()] == ["a_C1", "plain", "b_C2"]
    assert table.unmatched_count() == 1
    assert all(isinstance(m, TestMapping) for m in table)


def test_pending_mappings_are_built_from_each_result() -> None:
    results = [result(f"test number {i}") for i in range(5)]
    table = mapped(config(), results).mappings
    titles = [m.cases[0].title for m in table]
    assert titles == [f"test number {i}" for i in range(5)]
    assert table[3].cases[0].section_path == ("com.acme.shop.CartTest",)
