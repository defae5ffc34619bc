"""Core JUnit behaviour on hand-written snippets (dialect goldens live in test_junit_dialects)."""

from __future__ import annotations

import io

from tmsaction.model import Outcome, TestResult
from tmsaction.reports.base import ParseContext, parse_duration
from tmsaction.reports.junit import parse_junit


def parse(xml: str) -> list[TestResult]:
    return list(parse_junit(io.BytesIO(xml.encode()), ParseContext("r.xml")))


def test_nested_suites_build_the_suite_path() -> None:
    results = parse(
        "<testsuites><testsuite name='A'><testsuite name='B'>"
        "<testcase classname='c' name='t1' time='1.5'/></testsuite>"
        "<testcase name='t2'/></testsuite></testsuites>"
    )
    assert [(r.suite, r.classname, r.name) for r in results] == [
        (("A", "B"), "c", "t1"),
        (("A",), "", "t2"),
    ]
    assert results[0].duration == 1.5


def test_surefire_flaky_failure_makes_a_flaky_test_with_attempts() -> None:
    (result,) = parse(
        "<testsuite name='S'><testcase classname='C' name='t' time='0.2'>"
        "<flakyFailure message='first' type='E'><stackTrace>trace1</stackTrace></flakyFailure>"
        "<flakyError message='second' type='E'><stackTrace>trace2</stackTrace></flakyError>"
        "</testcase></testsuite>"
    )
    assert result.outcome is Outcome.FLAKY
    assert [a.outcome for a in result.attempts] == [Outcome.FAILED, Outcome.ERROR, Outcome.PASSED]
    assert result.attempts[0].details == "trace1"


def test_rerun_failures_are_extra_attempts_of_a_failed_test() -> None:
    (result,) = parse(
        "<testsuite name='S'><testcase classname='C' name='t'>"
        "<failure message='boom' type='E'>trace</failure>"
        "<rerunFailure message='boom again' type='E'><stackTrace>t2</stackTrace></rerunFailure>"
        "</testcase></testsuite>"
    )
    assert result.outcome is Outcome.FAILED
    assert len(result.attempts) == 2
    assert result.message == "boom"


def test_status_attributes_and_skips() -> None:
    results = parse(
        "<testsuite name='S'>"
        "<testcase name='a' status='disabled'/>"
        "<testcase name='b'><skipped message='later'/></testcase>"
        "<testcase name='c' status='run'/>"
        "</testsuite>"
    )
    assert [r.outcome for r in results] == [Outcome.SKIPPED, Outcome.SKIPPED, Outcome.PASSED]
    assert results[1].message == "later"


def test_properties_and_attachments_are_kept() -> None:
    (result,) = parse(
        "<testsuite name='S'><testcase name='t'><properties>"
        "<property name='test_id' value='C12'/><property name='story'>SHOP-1</property>"
        "</properties><failure message='m'/>"
        "<system-out>see [[ATTACHMENT|shots/t.png]]</system-out></testcase></testsuite>"
    )
    assert result.property_values("TEST_ID") == ["C12"]
    assert result.property_values("story") == ["SHOP-1"]
    assert result.attachments == ("shots/t.png",)
    assert result.detail is not None
    assert result.detail.stdout == "see [[ATTACHMENT|shots/t.png]]"


def test_odd_time_values_never_crash() -> None:
    assert parse_duration("1e-3") == 0.001
    assert parse_duration("1,5") == 1.5
    assert parse_duration("1,234.5") == 1234.5
    assert parse_duration("12ms") == 0.012
    for odd in (None, "", "abc", "-1", "NaN", "inf", "."):
        assert parse_duration(odd) is None
