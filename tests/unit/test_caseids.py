"""Case ids written in tests: the documented true and false positives, table by table."""

from __future__ import annotations

import pytest
from tmsaction.mapping.caseids import ids_in_name, ids_in_tags, ids_in_value, strip_ids

NAMES: list[tuple[str, tuple[int, ...]]] = [
    # counts
    ("test_login_C123", (123,)),
    ("C123_test_login", (123,)),
    ("C12_C13_checkout", (12, 13)),
    ("[C12, C13] checkout pays", (12, 13)),
    ("[C12,C13,C14] checkout", (12, 13, 14)),
    ("checkout pays [C12]", (12,)),
    ("[C1][C2] two groups", (1, 2)),
    ("Login › signs in @C201 @SHOP-3", (201,)),
    ("refund (C5) is issued", (5,)),
    ("C5: checkout", (5,)),
    ("module_1_C123_my_test_case", (123,)),
    ("my_test_case_C123()", (123,)),
    ("test_x[C1]", (1,)),
    ("[interactions] example to-do app [C2] can add new todo items", (2,)),
    ("C1 and again C1", (1,)),
    ("C2 then [C1]", (2, 1)),
    ("C2147483647 is the largest id", (2147483647,)),
    # does not count
    ("test_x[c1]", ()),
    ("test_cache_c0ffee12", ()),
    ("deadbeefC123", ()),
    ("TC123 is a test-management key", ()),
    ("ABC123", ()),
    ("C123abc", ()),
    ("C0 is not an id", ()),
    ("C012 has a leading zero", ()),
    ("C2147483648 is too large", ()),
    ("test_price[EUR-C1]", ()),
    ("test_price[C1-large]", ()),
    ("test_matrix[C1 x C2]", ()),
    ("Cart totals in CHF", ()),
    ("cases C and D", ()),
    ("", ()),
]


@pytest.mark.parametrize(("name", "expected"), NAMES)
def test_case_ids_in_names(name: str, expected: tuple[int, ...]) -> None:
    assert ids_in_name(name) == expected


VALUES: list[tuple[str, tuple[int, ...], bool]] = [
    ("C123", (123,), True),
    ("c123", (123,), True),
    ("123", (123,), True),
    (" C1, C2 ", (1, 2), True),
    ("C1 C2;C3", (1, 2, 3), True),
    ("[C7]", (7,), True),
    ("C1, C1", (1,), True),
    ("CALC-12", (), False),
    ("C1, TC2", (), False),
    ("", (), False),
    ("0", (), False),
]


@pytest.mark.parametrize(("value", "expected", "ok"), VALUES)
def test_case_ids_in_property_values(value: str, expected: tuple[int, ...], ok: bool) -> None:
    assert ids_in_value(value) == (expected, ok)


TAGS: list[tuple[list[str], tuple[int, ...]]] = [
    (["C123"], (123,)),
    (["@C123"], (123,)),
    (["c123"], (123,)),
    (["@test_id:C123"], (123,)),
    (["testrail_case_id=123"], (123,)),
    (["test_id: C1, C2"], (1, 2)),
    (["smoke", "@C5", "C6"], (5, 6)),
    (["123"], ()),
    (["@smoke"], ()),
    (["Chrome"], ()),
    (["jira:C5"], ()),  # not a case-id property name
    (["@"], ()),
]


@pytest.mark.parametrize(("tags", "expected"), TAGS)
def test_case_ids_in_tags(tags: list[str], expected: tuple[int, ...]) -> None:
    assert ids_in_tags(tags, ("test_id", "testrail_case_id")) == expected


STRIPPED: list[tuple[str, str]] = [
    ("test_login_C123", "test_login"),
    ("C12_C13_checkout", "checkout"),
    ("[C12, C13] checkout pays", "checkout pays"),
    ("Login › signs in @C201 @SHOP-3", "Login › signs in @SHOP-3"),
    ("test_price[EUR-C1]", "test_price[EUR-C1]"),
    ("[C1] x [p-C2]", "x [p-C2]"),
    ("C5: checkout", "checkout"),
    ("no ids here", "no ids here"),
]


@pytest.mark.parametrize(("name", "expected"), STRIPPED)
def test_titles_without_case_ids(name: str, expected: str) -> None:
    assert strip_ids(name) == expected


def test_real_cypress_reports_name_their_cases(corpus: object) -> None:
    """gurock's own Cypress samples write `[C1]` in test names; every id is found, and the
    `[smoke]` / `[interactions]` groups of the other samples are not taken for ids."""
    from pathlib import Path

    from tmsaction.reports.collect import read_reports

    root = Path(str(corpus)) / "testrail-samples" / "samples" / "javascript"
    reports = read_reports(root, ("cypress-specfirst/sample_reports/junit-report.xml",))
    found = [ids_in_name(r.name) for r in reports.results]
    assert len(found) == 6
    assert sorted(i for ids in found for i in ids) == [1, 2, 3, 4, 5, 6]
    # Their sibling samples carry no ids: "[smoke] Todo app ..." brackets are not read as ids.
    plain = read_reports(root, ("cypress/sample_reports/junit-report.xml",))
    assert plain.results
    assert [ids_in_name(r.name) for r in plain.results] == [()] * len(plain.results)
