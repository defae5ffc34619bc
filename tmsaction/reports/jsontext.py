"""Report bytes -> JSON values and text lines, for the JSON and text formats.

Encoding is found the way RFC 8259 / RFC 4627 (section 3) allow: a BOM, else the NUL pattern of the
first four bytes (UTF-16/32 without BOM), else UTF-8. Invalid UTF-8 becomes U+FFFD with one
warning giving the first bad position, instead of losing the file. Decoder errors keep their line
and column, and a document that stops early is named as truncated.

Pure apart from reading the stream it is given.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from tmsaction.reports.base import ParseContext
from tmsaction.reports.errors import ReportParseError

CHUNK_SIZE = 1 << 20

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def sniff_text_encoding(head: bytes) -> tuple[str, int]:
    """(codec, BOM length) of a JSON or text report from its first bytes."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, len(bom)
    if len(head) >= 4:
        # RFC 4627 section 3: the first two characters are ASCII, so NULs say the width.
        nul = tuple(b == 0 for b in head[:4])
        if nul == (True, True, True, False):
            return "utf-32-be", 0
        if nul == (False, True, True, True):
            return "utf-32-le", 0
        if nul[0] and not nul[1] and nul[2] and not nul[3]:
            return "utf-16-be", 0
        if not nul[0] and nul[1] and not nul[2] and nul[3]:
            return "utf-16-le", 0
    return "utf-8", 0


def decode_head(head: bytes) -> str:
    """The first bytes of a report as text (for detection; bad bytes replaced, a cut tail dropped)."""
    codec, bom = sniff_text_encoding(head)
    return codecs.getincrementaldecoder(codec)(errors="replace").decode(head[bom:], final=False)


def json_object(value: object) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one (reports leave keys out or null)."""
    return value if isinstance(value, dict) else {}


def strip_ansi(text: str) -> str:
    """Drop terminal colour codes: Playwright, Mocha and Jest messages are full of them."""
    return _ANSI.sub("", text) if "\x1b" in text else text


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _warn_invalid(
    context: ParseContext, data: bytes, codec: str, error: UnicodeDecodeError
) -> None:
    good = data[: error.start].decode(codec, errors="replace")
    line, column = _position(good, len(good))
    context.warn(
        f"the file is not valid {codec.upper()}: undecodable bytes were replaced by U+FFFD "
        "(write the report as UTF-8)",
        line,
        column,
    )


def read_text(stream: BinaryIO, context: ParseContext) -> str:
    """The whole report as text, whatever its Unicode encoding."""
    data = stream.read()
    codec, bom = sniff_text_encoding(data[:4])
    body = data[bom:]
    try:
        return body.decode(codec)
    except UnicodeDecodeError as error:
        _warn_invalid(context, body, codec, error)
        return body.decode(codec, errors="replace")


def load_document(stream: BinaryIO, context: ParseContext, what: str) -> Any:
    """Parse a single-document JSON report; errors name the position and what was expected."""
    text = read_text(stream, context)
    if not text.strip():
        raise ReportParseError(f"the file is empty; expected a {what}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _decode_error(error, text, what) from None
    except RecursionError:
        raise ReportParseError(f"the JSON is nested too deeply to be a {what}") from None


def _decode_error(error: json.JSONDecodeError, text: str, what: str) -> ReportParseError:
    if error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string"):
        message = (
            f"the JSON ends early ({error.msg}); the {what} is truncated, "
            "probably because the test run was killed while writing it"
        )
    else:
        message = f"the file is not valid JSON ({error.msg}); expected a {what}"
    return ReportParseError(message, line=error.lineno, column=error.colno)


#: One line of a line-oriented report: (number, text). Plain tuples: a million-test stream has
#: millions of lines, and a tuple is the cheapest value to hand over per line.
Line = tuple[int, str]
#: A line of a JSON-lines report: (number, text, the parsed object or None when it is not one).
JsonLine = tuple[int, str, dict[str, Any] | None]

_decode_json = json.JSONDecoder().decode


def iter_lines(stream: BinaryIO, context: ParseContext) -> Iterator[Line]:
    """Decode a report line by line in bounded memory (JSON lines, TAP)."""
    head = stream.read(4)
    codec, bom = sniff_text_encoding(head)
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    number = 0
    pending = ""
    data = head[bom:]
    while True:
        final = not data
        try:
            text = decoder.decode(data, final=final)
        except UnicodeDecodeError as error:
            # Warn once with the first bad position, then replace bad bytes for the rest.
            good = error.object[: error.start].decode(codec, errors="replace")
            prefix = pending + good
            context.warn(
                f"the file is not valid {codec.upper()}: undecodable bytes were replaced by "
                "U+FFFD (write the report as UTF-8)",
                number + prefix.count("\n") + 1,
                len(prefix) - prefix.rfind("\n"),
            )
            decoder = codecs.getincrementaldecoder(codec)(errors="replace")
            text = good + decoder.decode(error.object[error.start :], final=final)
        pending += text
        if "\n" in pending:
            *complete, pending = pending.split("\n")
            for raw in complete:
                number += 1
                yield number, raw.rstrip("\r")
        if final:
            break
        data = stream.read(CHUNK_SIZE)
    if pending:
        yield number + 1, pending.rstrip("\r")


def iter_json_lines(stream: BinaryIO, context: ParseContext) -> Iterator[JsonLine]:
    """`iter_lines`, each line that holds a JSON object parsed (other lines come with None)."""
    for number, text in iter_lines(stream, context):
        value: object = None
        if text[:1] == "{" or text.lstrip()[:1] == "{":
            try:
                value = _decode_json(text)
            except (json.JSONDecodeError, RecursionError):
                value = None
        yield number, text, value if isinstance(value, dict) else None
