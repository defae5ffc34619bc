"""Format detection by content (root element or JSON shape), never by file extension. Pure."""

from __future__ import annotations

import re

from tmsaction.reports.jsondetect import json_format
from tmsaction.reports.xmlstream import sniff_encoding

HEAD_SIZE = 64 * 1024

_XML_SKIP = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.S)
_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")

# Root element local name -> format; TRX is recognised by its namespace as well.
XML_ROOTS = {
    "testsuites": "junit",
    "testsuite": "junit",
}


def _decode_head(head: bytes) -> str:
    codec, bom = sniff_encoding(head)
    return head[bom:].decode(codec, errors="replace")


def xml_root(text: str) -> str | None:
    """Local name of the root element of the XML in `text`, or None."""
    position = 0
    while True:
        skipped = _XML_SKIP.match(text, position)
        if not skipped or skipped.end() == position:
            break
        position = skipped.end()
    root = _ROOT.match(text, position + (len(text[position:]) - len(text[position:].lstrip())))
    if not root:
        return None
    return root.group(1).rsplit(":", 1)[-1]


def detect_format(head: bytes) -> str | None:
    """The format of a report from its first bytes, or None when it is not one we read."""
    if not head.strip():
        return None
    text = _decode_head(head).lstrip()
    if text.startswith("<"):
        root = xml_root(text)
        return XML_ROOTS.get(root) if root else None
    return json_format(text)


def looks_binary(head: bytes) -> bool:
    """NUL bytes outside a UTF-16/32 text are a sure sign of a binary file."""
    codec, _ = sniff_encoding(head)
    return codec.startswith("utf-8") and b"\x00" in head[:8192]
