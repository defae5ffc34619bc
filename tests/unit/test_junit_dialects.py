"""Dialect rules of the JUnit reader, each on the smallest snippet that shows it (the real files
are in tests/fixtures/reports and checked by test_xml_fixtures)."""

from __future__ import annotations

import io

from tmsaction.model import Outcome, ReportProblem, TestResult
from tmsaction.reports.base import ParseContext
from tmsaction.reports.junit import parse_junit


def parse(xml: str) -> tuple[list[TestResult], list[ReportProblem]]:
    context = ParseContext("r.xml")
    results = list(parse_junit(io.BytesIO(xml.encode()), context))
    return results, context.problems


def test_suite_output_goes_to_failing_tests_that_have_none_and_order_is_kept() -> None:
    results, _ = parse(
        "<testsuites><testsuite name='//pkg:t'>"
        "<testcase name='a' classname='c' time='1'/>"
        "<testcase name='b'><error message='exit 1'/></testcase>"
        "<testcase name='c' classname='c' time='1'/>"
        "<testcase name='d'><failure/><system-out>own</system-out></testcase>"
        "<system-out>the whole log</system-out><system-err>warnings</system-err>"
        "</testsuite></testsuites>"
    )
    assert [r.name for r in results] == ["a", "b", "c", "d"]
    assert results[1].detail is not None
    assert (results[1].detail.stdout, results[1].detail.stderr) == ("the whole log", "warnings")
    assert results[3].detail is not None
    assert results[3].detail.stdout == "own"


def test_playwright_projects_are_part_of_the_suite_path() -> None:
    results, _ = parse(
        "<testsuites id='' name=''>"
        "<testsuite name='a.spec.ts' hostname='chromium'><testcase name='t' classname='a'/>"
        "</testsuite><testsuite name='a.spec.ts' hostname='firefox'>"
        "<testcase name='t' classname='a'><failure message='x'/></testcase></testsuite>"
        "</testsuites>"
    )
    assert [r.suite for r in results] == [("chromium", "a.spec.ts"), ("firefox", "a.spec.ts")]
    # Elsewhere hostname is the machine and must not split reruns on two runners.
    results, _ = parse(
        "<testsuites><testsuite name='S' hostname='runner-7'><testcase name='t'/></testsuite>"
        "</testsuites>"
    )
    assert results[0].suite == ("S",)


def test_pytest_lines_are_made_one_based() -> None:
    results, _ = parse(
        "<testsuites><testsuite name='pytest'><testcase classname='t' name='a' file='t.py' "
        "line='15' time='0'/></testsuite><testsuite name='phpunit'><testcase name='b' "
        "file='t.php' line='15'/></testsuite></testsuites>"
    )
    assert [r.line for r in results] == [16, 15]


def test_go_reporters_messages_come_from_the_log() -> None:
    results, _ = parse(
        "<testsuite name='pkg'><testcase classname='pkg' name='TestA'>"
        "<failure message='Failed'>=== RUN   TestA\n    a_test.go:9: want 2, got 3\n"
        "--- FAIL: TestA (0.00s)\n</failure></testcase>"
        "<testcase classname='pkg' name='TestB'><skipped message='=== RUN   TestB&#10;"
        "    b_test.go:3: no database&#10;--- SKIP: TestB (0.00s)&#10;'/></testcase></testsuite>"
    )
    assert [r.message for r in results] == [
        "a_test.go:9: want 2, got 3",
        "b_test.go:3: no database",
    ]


def test_phpunit_message_skips_the_test_id_line() -> None:
    results, _ = parse(
        "<testsuite name='S'><testcase name='testA with data set #0' class='T\\A' "
        "classname='T.A'><failure type='PHPUnit\\Framework\\ExpectationFailedException'>"
        "T\\A::testA with data set #0 (1, 2)\nFailed asserting that 1 is 2.\n</failure>"
        "</testcase></testsuite>"
    )
    assert results[0].message == "Failed asserting that 1 is 2."
    assert results[0].classname == "T.A"


def test_catch2_mayfail_failure_is_skipped_like_catch2_counts_it() -> None:
    results, _ = parse(
        "<testsuites><testsuite name='b'><testcase classname='b.global' name='t' status='run'>"
        "<skipped message='TEST_CASE tagged with !mayfail'/><failure message='1 == 2'/>"
        "</testcase><testcase name='u'><skipped/><failure message='real'/></testcase>"
        "</testsuite></testsuites>"
    )
    assert [(r.outcome, r.message) for r in results] == [
        (Outcome.SKIPPED, "TEST_CASE tagged with !mayfail: 1 == 2"),
        (Outcome.FAILED, "real"),
    ]


def test_junit5_display_names_and_report_entries_become_properties() -> None:
    results, _ = parse(
        "<testsuite name='JUnit Jupiter'><testcase name='a()' classname='C'><system-out>"
        "\nunique-id: [engine:junit-jupiter]/[method:a()]\ndisplay-name: adds an item\n"
        "</system-out><system-out>\nReport Entry #1 (timestamp: 2024-05-01T10:00:00)\n"
        "\t- test_id: C123\n\t- story: SHOP-12\n</system-out></testcase></testsuite>"
    )
    assert results[0].properties == (
        ("display-name", "adds an item"),
        ("test_id", "C123"),
        ("story", "SHOP-12"),
    )


def test_spec_files_from_mocha_root_suite_and_webdriverio_properties() -> None:
    results, _ = parse(
        "<testsuites><testsuite name='Root Suite' file='cypress/e2e/a.cy.js' tests='0'/>"
        "<testsuite name='A'><testcase name='t' classname='t' time='1'/></testsuite>"
        "</testsuites>"
    )
    assert results[0].file == "cypress/e2e/a.cy.js"
    results, _ = parse(
        "<testsuites><testsuite name='A'><properties><property name='file' "
        "value='./specs/a.e2e.js'/></properties><testcase name='t' classname='x' time='1'/>"
        "</testsuite></testsuites>"
    )
    assert results[0].file == "specs/a.e2e.js"


def test_namespaced_and_prefixed_elements_are_read() -> None:
    results, _ = parse(
        "<j:testsuites xmlns:j='urn:junit'><j:testsuite name='S'><j:testcase name='t'>"
        "<j:failure message='m'/></j:testcase></j:testsuite></j:testsuites>"
    )
    assert [(r.suite, r.outcome) for r in results] == [(("S",), Outcome.FAILED)]


def test_suites_that_declare_tests_but_list_none_are_reported() -> None:
    results, problems = parse(
        "<testsuites><testsuite name='S' tests='6' failures='1'/></testsuites>"
    )
    assert results == []
    assert "holds 6 tests but lists none" in problems[0].message


def test_testng_junit_reporter_repeats_are_named() -> None:
    _, problems = parse(
        "<!-- Generated by org.testng.reporters.JUnitReportReporter -->"
        "<testsuite name='C'><testcase classname='C' name='rows' time='0'/>"
        "<testcase classname='C' name='rows' time='0'><failure message='x'/></testcase>"
        "</testsuite>"
    )
    assert "testng-results.xml" in problems[0].message


def test_attachments_from_markers_and_properties() -> None:
    results, _ = parse(
        "<testsuite name='S'><testcase name='t'><properties>"
        "<property name='testrail_attachment' value='shots/a.png'/></properties>"
        "<system-out>[[ATTACHMENT|/tmp/trace.zip]]</system-out></testcase></testsuite>"
    )
    assert results[0].attachments == ("/tmp/trace.zip", "shots/a.png")


def test_runner_paths_become_checkout_relative_in_files_and_path_named_suites() -> None:
    results, _ = parse(
        "<testsuites><testsuite name='/home/runner/work/shop/shop/tests'>"
        "<testsuite name='T\\A' file='/home/runner/work/shop/shop/tests/ATest.php'>"
        "<testcase name='a' class='T\\A' file='/home/runner/work/shop/shop/tests/ATest.php' "
        "line='3'/><testcase name='b' classname='T.A' time='1'/></testsuite></testsuite>"
        "</testsuites>"
    )
    assert [(r.suite, r.file) for r in results] == [
        (("tests", "T\\A"), "tests/ATest.php"),
        (("tests", "T\\A"), "tests/ATest.php"),
    ]
