"""The pure diff of two runs, table by table: every pair of outcomes, new and removed tests, flaky
changes, the coverage delta, the caps, and the sides built from a run (by test and by case)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from tmsaction.coverage import Coverage
from tmsaction.history.compare import compare, display_from_key, pass_rate
from tmsaction.history.model import LIST_LIMIT, Figures, Side
from tmsaction.history.read import baseline_branch
from tmsaction.history.sides import by_case, by_test
from tmsaction.inputs import RunContext
from tmsaction.mapping.model import CaseRef, TestMapping
from tmsaction.model import Outcome, TestDetail, TestResult

P, F, E, S, K = Outcome.PASSED, Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED, Outcome.FLAKY


def side(outcomes: dict[str, Outcome], **extra: object) -> Side:
    return Side("test", outcomes, **extra)  # type: ignore[arg-type]


def categories(before: Outcome | None, after: Outcome | None) -> set[str]:
    """The lists one test lands in when it goes from `before` to `after` (None: absent)."""
    previous = side({"t": before} if before else {})
    current = side({"t": after} if after else {})
    changes = compare(previous, current)
    names = (
        "new_failures",
        "fixed",
        "still_failing",
        "new_tests",
        "removed_tests",
        "newly_flaky",
        "no_longer_flaky",
    )
    found = {name for name in names if getattr(changes, name).count}
    for name in found:  # every count matches its list
        assert [t.key for t in getattr(changes, name).tests] == ["t"]
    return found


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (P, P, set()),
        (P, F, {"new_failures"}),
        (P, E, {"new_failures"}),
        (S, F, {"new_failures"}),
        (K, F, {"new_failures"}),
        (F, F, {"still_failing"}),
        (F, E, {"still_failing"}),
        (E, F, {"still_failing"}),
        (F, P, {"fixed"}),
        (E, P, {"fixed"}),
        (F, K, {"fixed", "newly_flaky"}),
        (F, S, set()),  # skipped now: neither fixed nor failing
        (P, K, {"newly_flaky"}),
        (S, K, {"newly_flaky"}),
        (K, K, set()),
        (K, P, {"no_longer_flaky"}),
        (K, S, set()),
        (S, P, set()),
        (None, P, {"new_tests"}),
        (None, F, {"new_tests", "new_failures"}),  # a new failing test is a new failure too
        (None, K, {"new_tests"}),
        (P, None, {"removed_tests"}),
        (F, None, {"removed_tests"}),
    ],
)
def test_each_pair_of_outcomes_lands_in_the_right_lists(
    before: Outcome | None, after: Outcome | None, expected: set[str]
) -> None:
    assert categories(before, after) == expected


def test_counts_lists_order_and_messages() -> None:
    previous = side({"a": P, "b": F, "c": P, "gone": P, "d": F})
    current = side(
        {"c": F, "a": F, "b": P, "new": E, "d": F},
        messages={"c": "expected 1", "a": "boom", "new": "refused", "d": "still"},
    )
    changes = compare(previous, current)
    assert changes.compared == 4
    # Report order (the current run's order), with this run's messages.
    assert [(t.key, t.before, t.after, t.message) for t in changes.new_failures.tests] == [
        ("c", P, F, "expected 1"),
        ("a", P, F, "boom"),
        ("new", None, E, "refused"),
    ]
    assert [t.key for t in changes.fixed.tests] == ["b"]
    assert [t.key for t in changes.still_failing.tests] == ["d"]
    assert [(t.key, t.after) for t in changes.removed_tests.tests] == [("gone", None)]
    assert changes.anything


def test_identical_runs_change_nothing() -> None:
    outcomes = {"a": P, "b": F, "c": S, "d": K}
    changes = compare(side(outcomes), side(dict(outcomes)))
    assert not changes.anything
    assert changes.compared == 4
    assert changes.still_failing.count == 1
    assert changes.coverage.pass_rate.change == 0


def test_lists_are_capped_but_counts_are_complete() -> None:
    many = LIST_LIMIT + 250
    previous = side({f"old{i}": P for i in range(many)})
    current = side({f"new{i}": F for i in range(many)})
    changes = compare(previous, current)
    for changed in (changes.new_tests, changes.new_failures, changes.removed_tests):
        assert changed.count == many
        assert len(changed.tests) == LIST_LIMIT
        assert changed.more == 250
    assert changes.new_failures.tests[0].key == "new0"


def test_names_come_from_the_key_or_either_side() -> None:
    key = TestResult(("suite.xml",), "com.acme.Cart", "adds", P).identity.key
    assert display_from_key(key) == "com.acme.Cart › adds"
    suite_only = TestResult(("login.spec.ts",), "", "signs in", P).identity.key
    assert display_from_key(suite_only) == "login.spec.ts › signs in"
    assert display_from_key("C12") == "C12"
    previous = side({"C1": P, "C2": P}, names={"C2": "C2 · Old title"})
    current = Side("test", {"C1": F}, names={"C1": "C1 · Cart › adds"})
    changes = compare(previous, current)
    assert changes.new_failures.tests[0].name == "C1 · Cart › adds"
    assert changes.removed_tests.tests[0].name == "C2 · Old title"


def test_flaky_changes_need_both_runs_to_tell_flaky_from_passed() -> None:
    previous = Side("case", {"C1": P, "C2": P}, flaky_known=False)  # flaky sent as Passed
    current = Side("case", {"C1": K, "C2": F})
    changes = compare(previous, current)
    assert not changes.newly_flaky
    assert changes.new_failures.count == 1
    assert compare(replace(previous, flaky_known=True), current).newly_flaky.count == 1


def test_sides_keyed_differently_are_not_compared() -> None:
    with pytest.raises(ValueError, match="cannot compare case keys with test keys"):
        compare(Side("case", {}), Side("test", {}))


@pytest.mark.parametrize(
    ("outcomes", "rate"),
    [
        ({"a": P, "b": F, "c": S, "d": K}, 66.7),  # skipped does not count; flaky passes
        ({"a": S}, None),  # nothing ran
        ({}, None),
        ({"a": E, "b": F}, 0.0),
    ],
)
def test_pass_rate(outcomes: dict[str, Outcome], rate: float | None) -> None:
    assert pass_rate(outcomes) == rate


@pytest.mark.parametrize(
    ("before", "after", "automated", "regression"),
    [
        # The same way of counting: both figures compared.
        (
            Figures(10, 40, 50.0, "testrail"),
            Figures(12, 40, 62.5, "testrail"),
            (10.0, 12.0, 2.0),
            (50.0, 62.5, 12.5),
        ),
        # From the mapping before, from TestRail now: not comparable, only this run's figure.
        (
            Figures(10, None, None, "mapping"),
            Figures(12, 40, 62.5, "testrail"),
            (None, 12.0, None),
            (None, 62.5, None),
        ),
        # An old file without the figures.
        (Figures(), Figures(12, None, None, "mapping"), (None, 12.0, None), (None, None, None)),
        (
            Figures(12, None, None, "mapping"),
            Figures(9, None, None, "mapping"),
            (12.0, 9.0, -3.0),
            (None, None, None),
        ),
    ],
)
def test_coverage_delta_compares_like_with_like(
    before: Figures,
    after: Figures,
    automated: tuple[float | None, ...],
    regression: tuple[float | None, ...],
) -> None:
    delta = compare(side({"a": F}, figures=before), side({"a": P, "b": P}, figures=after)).coverage
    assert (delta.automated.before, delta.automated.after, delta.automated.change) == automated
    assert (
        delta.regression_percent.before,
        delta.regression_percent.after,
        delta.regression_percent.change,
    ) == regression
    assert (delta.pass_rate.before, delta.pass_rate.after, delta.pass_rate.change) == (
        0.0,
        100.0,
        100.0,
    )
    assert (delta.tests.before, delta.tests.after, delta.tests.change) == (1.0, 2.0, 1.0)


def result(name: str, outcome: Outcome, message: str | None = None) -> TestResult:
    detail = TestDetail(message=message) if message else None
    return TestResult(("s",), "Cart", name, outcome, detail=detail)


def test_a_run_by_test_keeps_failure_messages_and_the_coverage_figures() -> None:
    results = [result("adds", P), result("totals", F, "90 != 89"), result("skips", S)]
    coverage = Coverage(
        source="testrail", automated=5, cases=10, regression=4, regression_automated=3
    )
    built = by_test(results, coverage)
    assert built.kind == "test"
    assert list(built.outcomes.values()) == [P, F, S]
    assert list(built.messages.values()) == ["90 != 89"]
    assert built.figures == Figures(5, 10, 75.0, "testrail")


def test_a_run_by_case_shows_each_case_with_the_worst_of_its_tests() -> None:
    results = [
        result("a", P),
        result("b", F, "first failure"),
        result("c", K),
        result("d", S),
        result("e", P),
        result("unmapped", F),
        result("name target", F),
        result("f", E, "error"),
    ]
    mappings = [
        TestMapping(cases=(CaseRef(1),)),
        TestMapping(cases=(CaseRef(1), CaseRef(2))),  # one test, two cases
        TestMapping(cases=(CaseRef(3),)),
        TestMapping(cases=(CaseRef(4),)),
        TestMapping(cases=(CaseRef(3),)),
        TestMapping(),
        TestMapping(cases=(CaseRef(None, ("Cart",), "New title"),)),  # not in TestRail yet
        TestMapping(cases=(CaseRef(1),)),
    ]
    built = by_case(results, mappings)
    assert built.kind == "case"
    assert built.outcomes == {"C1": F, "C2": F, "C3": K, "C4": S}
    assert built.messages == {"C1": "first failure", "C2": "first failure"}
    assert built.names["C1"] == "C1 · Cart › a"
    assert built.names["C3"] == "C3 · Cart › c"


@pytest.mark.parametrize(
    ("values", "branch"),
    [
        ({"base_ref": "main", "ref": "refs/pull/7/merge"}, "main"),
        ({"ref": "refs/heads/release/2.0"}, "release/2.0"),
        ({"ref": "refs/tags/v1.2"}, None),
        ({"ref_name": "main"}, "main"),  # a CI that sets only the name
        ({}, None),
    ],
)
def test_the_branch_a_run_is_compared_on(values: dict[str, str], branch: str | None) -> None:
    context = RunContext(workspace=Path("/ws"), **values)  # type: ignore[arg-type]
    assert baseline_branch(context) == branch
