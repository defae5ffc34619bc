"""What every reader shares: result construction, bounded text, the detection registry."""

from __future__ import annotations

import gc
from dataclasses import fields
from pathlib import Path
from xml.parsers.expat import XMLParserType

import pytest
from tmsaction.model import Attempt, Outcome, TestDetail, TestResult
from tmsaction.reports.base import ParseContext, TextBuffer, bound_text, new_result
from tmsaction.reports.collect import read_reports
from tmsaction.reports.detect import XML_NAMESPACED_ROOTS, XML_ROOTS, detect_format, looks_binary
from tmsaction.reports.formats import DESCRIPTIONS, PARSERS
from tmsaction.reports.merge import ResultMerger


def test_fast_constructor_builds_the_same_immutable_result() -> None:
    detail = TestDetail(message="m")
    args = (("s",), "C", "n", Outcome.FAILED, 1.5, "r.xml", "f.py", 3, detail)
    fast = new_result(*args)
    assert fast == TestResult(*args)
    assert type(fast) is TestResult
    assert [f.name for f in fields(TestResult)] == [
        "suite", "classname", "name", "outcome", "duration", "source", "file", "line", "detail"
    ]  # fmt: skip
    with pytest.raises(AttributeError):
        fast.name = "other"  # type: ignore[misc]


def test_context_result_drops_output_of_passing_tests_and_bounds_the_rest() -> None:
    context = ParseContext("r.xml")
    passed = context.result(("s",), "C", "ok", Outcome.PASSED, stdout="lots of output")
    assert passed.detail is None
    failed = context.result(
        ("s",), "C", "bad", Outcome.FAILED, message="  boom \n", stdout="x" * 200_000
    )
    assert failed.detail is not None
    assert failed.message == "boom"
    assert failed.detail.stdout is not None
    assert len(failed.detail.stdout) <= 64 * 1024
    unnamed = context.result(("s",), "C", "", Outcome.PASSED)
    assert unnamed.name == ""
    assert [p.message[:18] for p in context.problems] == ["a test has no name"]


def test_text_buffer_matches_bound_text_and_stays_small() -> None:
    for size in (0, 10, 64, 65, 1000, 10_000):
        text = "".join(chr(ord("a") + i % 26) for i in range(size))
        buffer = TextBuffer(limit=100)
        for start in range(0, size, 7):
            buffer.append(text[start : start + 7])
        expected = bound_text(text, 100)
        value = buffer.value()
        if expected is None:
            assert value is None
            continue
        assert value is not None
        assert len(value) <= 100
        assert value[:50] == expected[:50]
        assert value[-20:] == expected[-20:]
        assert ("characters cut" in value) == ("characters cut" in expected)


def test_bound_text_cuts_once() -> None:
    text = "head " + "x" * 10_000 + " tail"
    once = bound_text(text, 1000)
    assert once is not None
    assert len(once) <= 1000
    assert bound_text(once, 1000) == once
    assert "[9" in once  # the count of cut characters


def test_every_detected_format_has_a_parser_and_a_description() -> None:
    detected = set(XML_ROOTS.values()) | set(XML_NAMESPACED_ROOTS.values())
    assert detected <= set(PARSERS)
    assert detected <= set(DESCRIPTIONS)
    assert set(DESCRIPTIONS) <= set(PARSERS)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"<testsuites/>", "junit"),
        (b"<?xml version='1.0'?><!-- x --><testsuite/>", "junit"),
        (b"<test-run/>", "nunit"),
        (b"<test-results/>", "nunit"),
        (b"<assemblies/>", "xunit-net"),
        (b"<TestRun xmlns='http://microsoft.com/schemas/VisualStudio/TeamTest/2010'/>", "trx"),
        (b"<TestRun xmlns='http://microsoft.com/schemas/VisualStudio/TeamTest/2006'/>", "trx"),
        (b"<TestRun/>", None),  # not TRX without its namespace
        (b"<testng-results/>", "testng"),
        (b"<robot generator='Robot 7'/>", "robot"),
        (b"<Catch name='x'/>", "catch2"),
        (b"<Catch2TestRun name='x'/>", "catch2"),
        (b"<Site Name='x'/>", "ctest"),
        (
            b"<e:events xmlns:e='https://schemas.opentest4j.org/reporting/events/0.2.0'/>",
            "open-test-reporting",
        ),
        (b"<e:events xmlns:e='urn:other'/>", None),
        (b"<suite name='testng.xml suite definition'/>", None),
        (b"<html/>", None),
    ],
)
def test_detection_by_root_element_and_namespace(head: bytes, expected: str | None) -> None:
    assert detect_format(head) == expected


def test_a_stray_nul_in_xml_is_not_binary() -> None:
    assert not looks_binary(b"<?xml version='1.0'?><testsuite>\x00</testsuite>")
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert looks_binary(b"<" + b"\x00" * 100)


def test_nameless_tests_are_never_merged() -> None:
    merger = ResultMerger()
    for outcome in (Outcome.PASSED, Outcome.FAILED):
        merger.add(TestResult(("s",), "C", "", outcome))
    assert [r.outcome for r in merger.results()] == [Outcome.PASSED, Outcome.FAILED]


def test_merge_keeps_every_attempt_across_three_files() -> None:
    merger = ResultMerger()
    for outcome, source in ((Outcome.FAILED, "a"), (Outcome.FAILED, "b"), (Outcome.PASSED, "c")):
        merger.add(TestResult(("s",), "C", "t", outcome, 1.0, source))
    (merged,) = merger.results()
    assert merged.outcome is Outcome.FLAKY
    assert merged.attempts == (
        Attempt(Outcome.FAILED, 1.0, None, None, "a"),
        Attempt(Outcome.FAILED, 1.0, None, None, "b"),
        Attempt(Outcome.PASSED, 1.0, None, None, "c"),
    )


def test_reading_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    (tmp_path / "r.xml").write_text("<testsuite><testcase name='t'/></testsuite>")
    assert gc.isenabled()
    assert read_reports(tmp_path, ["*.xml"]).totals.total == 1
    assert gc.isenabled()
    gc.disable()
    try:
        read_reports(tmp_path, ["*.xml"])
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("junit.xml", "<testsuite><testcase name='t'><failure message='m'>x</failure></testcase>"),
        ("nunit.xml", "<test-run><test-suite name='a.dll'><test-case name='t' result='Passed'/>"),
    ],
)
def test_reading_a_file_leaves_no_reference_cycles(tmp_path: Path, name: str, data: str) -> None:
    """Readers and their expat parsers are freed by reference counting: with the cyclic collector
    paused while reading, a cycle per file would keep expat's buffers alive (100 MB per 100 files).
    Only our objects are looked at: other tests' server threads may leave garbage of their own."""
    closing = {"junit.xml": "</testsuite>", "nunit.xml": "</test-suite></test-run>"}[name]
    (tmp_path / name).write_text(data + closing)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        assert read_reports(tmp_path, [name]).totals.total == 1
        gc.collect()
        ours = [
            o
            for o in gc.garbage
            if isinstance(o, XMLParserType) or type(o).__module__.startswith("tmsaction.reports")
        ]
        assert ours == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
