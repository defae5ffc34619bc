"""Format detection by content (root element or JSON shape), never by file extension. Pure."""

from __future__ import annotations

import re

from tmsaction.reports.jsondetect import json_format
from tmsaction.reports.jsontext import sniff_text_encoding
from tmsaction.reports.xmlstream import sniff_encoding

HEAD_SIZE = 64 * 1024

_XML_SKIP = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.S)
_ROOT_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)")
_XMLNS = re.compile(r"\bxmlns(?::([\w.-]+))?\s*=\s*[\"']([^\"']*)[\"']")

#: Root element local name -> format.
XML_ROOTS = {
    "testsuites": "junit",  # JUnit and every dialect of it
    "testsuite": "junit",
    "test-run": "nunit",  # NUnit 3
    "test-results": "nunit",  # NUnit 2
    "test-suite": "nunit",  # NUnit 3, a single assembly without the test-run wrapper
    "assemblies": "xunit-net",  # xUnit.net v2/v3
    "assembly": "xunit-net",
    "testng-results": "testng",
    "robot": "robot",  # Robot Framework output.xml
    "Catch": "catch2",  # Catch2 v2 XML reporter
    "Catch2TestRun": "catch2",  # Catch2 v3 XML reporter
    "Site": "ctest",  # CTest's Testing/<tag>/Test.xml
}
#: (root local name, namespace URI prefix) -> format, for roots too generic to go by name alone.
XML_NAMESPACED_ROOTS = {
    ("TestRun", "http://microsoft.com/schemas/VisualStudio/TeamTest/"): "trx",
    ("events", "https://schemas.opentest4j.org/reporting/events/"): "open-test-reporting",
}


def _head_encoding(head: bytes) -> tuple[str, int]:
    """The XML rules (BOM, declaration) first; then the JSON rule that NUL positions in the first
    four bytes give UTF-16/32 without a BOM (RFC 4627 §3), which XML sniffing does not cover."""
    codec, bom = sniff_encoding(head)
    if codec == "utf-8" and not bom:
        wide, _ = sniff_text_encoding(head)
        # Trust the NUL pattern only if the text then decodes without NUL characters.
        sample = head[:8192]
        text = sample[: len(sample) - len(sample) % 4].decode(wide, errors="replace")
        if wide != "utf-8" and "\x00" not in text:
            return wide, 0
    return codec, bom


def _decode_head(head: bytes) -> str:
    codec, bom = _head_encoding(head)
    return head[bom:].decode(codec, errors="replace")


def xml_root_namespace(text: str) -> tuple[str, str] | None:
    """(local name, namespace URI) of the root element of the XML in `text`, or None."""
    position = 0
    while True:
        skipped = _XML_SKIP.match(text, position)
        if not skipped or skipped.end() == position:
            break
        position = skipped.end()
    root = _ROOT_TAG.match(text, position + (len(text[position:]) - len(text[position:].lstrip())))
    if not root:
        return None
    prefix, _, local = root.group(1).rpartition(":")
    namespaces = {name or "": uri for name, uri in _XMLNS.findall(root.group(2))}
    return local, namespaces.get(prefix, "")


def detect_format(head: bytes) -> str | None:
    """The format of a report from its first bytes, or None when it is not one we read."""
    if not head.strip():
        return None
    text = _decode_head(head).lstrip()
    if text.startswith("<"):
        root = xml_root_namespace(text)
        if root is None:
            return None
        local, namespace = root
        for (name, uri), format_name in XML_NAMESPACED_ROOTS.items():
            if local == name and namespace.startswith(uri):
                return format_name
        return XML_ROOTS.get(local)
    return json_format(text)


def looks_binary(head: bytes) -> bool:
    """NUL bytes outside a UTF-16/32 text are a sure sign of a binary file, unless it starts like
    a report: some reporters write a stray NUL from test output into otherwise good XML, and the
    XML reader replaces it (with a warning) rather than losing the file."""
    codec, _ = _head_encoding(head)
    if not codec.startswith("utf-8") or b"\x00" not in head[:8192]:
        return False
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return start not in (b"<", b"{", b"[") or head[:8192].count(b"\x00") > 64
