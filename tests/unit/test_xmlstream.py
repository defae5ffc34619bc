"""Bad bytes in, clean events or a located problem out; bombs and external entities refused."""

from __future__ import annotations

import io

import pytest
from tmsaction.reports.errors import ReportParseError
from tmsaction.reports.xmlstream import expat_parser, feed_expat, sniff_encoding, utf8_chunks

Warnings = list[tuple[str, int | None, int | None]]


def names(data: bytes, warnings: Warnings | None = None) -> list[str]:
    """Names of the test cases, read through the defused expat funnel."""
    sink: Warnings = [] if warnings is None else warnings
    found: list[str] = []
    parser = expat_parser()

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "testcase":
            found.append(attrs.get("name") or "")

    parser.StartElementHandler = start
    for _ in feed_expat(parser, io.BytesIO(data), lambda m, ln, col: sink.append((m, ln, col))):
        pass
    return found


def test_utf16_with_bom_and_declaration_is_read() -> None:
    xml = '<?xml version="1.0" encoding="UTF-16"?><testsuite><testcase name="ünï"/></testsuite>'
    assert names(xml.encode("utf-16")) == ["ünï"]


def test_latin1_declaration_is_transcoded() -> None:
    xml = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><testsuite><testcase name="café"/></testsuite>'
    )
    assert names(xml.encode("latin-1")) == ["café"]


def test_utf8_bom_is_accepted() -> None:
    assert names(b"\xef\xbb\xbf<testsuite><testcase name='a'/></testsuite>") == ["a"]


def test_invalid_utf8_is_replaced_with_one_located_warning() -> None:
    warnings: Warnings = []
    data = b"<testsuite>\n<testcase name='a\xff\xfeb'/>\n<testcase name='c\xff'/></testsuite>"
    assert names(data, warnings) == ["a\ufffd\ufffdb", "c\ufffd"]
    assert len(warnings) == 1
    assert warnings[0][1:] == (2, 18)


def test_ansi_sequences_and_forbidden_control_characters_are_cleaned() -> None:
    data = b"<testsuite><testcase name='x\x1b[31mred\x1b[0m&#27;[1mbold&#x1B;[0m\x07&#8;end'/></testsuite>"
    assert names(data) == ["xredbold\ufffd\ufffdend"]


def test_multibyte_characters_split_across_chunks_survive() -> None:
    data = ("<t>" + "é" * 40 + "</t>").encode()
    for size in (1, 2, 3, 5, 7):
        joined = b"".join(utf8_chunks(io.BytesIO(data), lambda *a: None, chunk_size=size))
        assert joined == data


def test_entity_declarations_are_refused_before_parsing() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><testsuite name="&b;"/>'
    )
    with pytest.raises(ReportParseError, match="declares entities"):
        names(bomb)
    xxe = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><testsuite name="&e;"/>'
    with pytest.raises(ReportParseError, match="declares entities"):
        names(xxe)


def test_truncated_document_reports_line_and_column() -> None:
    with pytest.raises(ReportParseError) as caught:
        names(b"<testsuite>\n  <testcase name='a'/>\n  <testcase name=")
    assert caught.value.line == 3
    assert caught.value.column is not None
    assert "not well-formed XML" in caught.value.message


def test_sniff_encoding() -> None:
    assert sniff_encoding(b"\xff\xfe<\x00") == ("utf-16-le", 2)
    assert sniff_encoding(b"<\x00?\x00x\x00") == ("utf-16-le", 0)
    assert sniff_encoding(b'<?xml version="1.0" encoding="windows-1252"?>') == ("cp1252", 0)
    assert sniff_encoding(b"<a/>") == ("utf-8", 0)
