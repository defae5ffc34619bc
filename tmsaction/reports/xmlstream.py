"""Streaming, defused XML for report parsers: any encoding in, element events out, in bounded memory.

Before expat sees a byte, the stream is turned into valid UTF-8 XML:
- a BOM or the XML declaration decides the encoding (UTF-8/16/32, Latin-1, cp1252, ...); other
  encodings are transcoded and the declaration rewritten;
- invalid UTF-8 is replaced by U+FFFD (one warning with the first position) instead of losing the
  rest of the file;
- ANSI colour sequences are dropped, and control characters XML 1.0 forbids (raw or as `&#27;`
  references), which test output is full of, become U+FFFD.
Entity declarations in the DOCTYPE are refused outright (`expat_parser`); expat itself never fetches
external entities or DTDs and limits entity amplification, so bombs and XXE are harmless twice over.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from typing import BinaryIO
from xml.parsers import expat

from tmsaction.reports.errors import ReportParseError

CHUNK_SIZE = 1 << 20
Warn = Callable[[str, int | None, int | None], None]

_DECLARATION = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
# Raw bytes: ANSI colour sequences (dropped) and the C0 controls XML 1.0 forbids (replaced).
_RAW = re.compile(rb"(\x1b\[[0-9;?]*[ -/]*[@-~])|[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Character references to the same: the `&#` literal prefix keeps the search fast (sre skips
# ahead with it), which matters because `&#10;` is common in attribute values.
_REF = re.compile(
    rb"&#(?:((?:27|[xX]0*1[bB]);\[[0-9;?]*[ -/]*[@-~])"
    rb"|(?:0*(?:[0-8]|1[1-2]|1[4-9]|2[0-9]|3[01])"
    rb"|[xX]0*(?:[0-8]|[bBcCeEfF]|1[0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{4}));)"
)
# Checking for single bytes runs at memchr speed; a character-class regex over every chunk of a
# 100 MB report set costs more than the whole XML parse.
_CONTROL_BYTES = tuple(bytes([c]) for c in (*range(9), 11, 12, *range(14, 32)))
_REPLACEMENT = "\ufffd".encode()
_REPLACEMENT_REF = b"&#xFFFD;"


class _Cleaner:
    """Applies `_RAW` and `_REF` to a chunk and remembers where the first forbidden character was."""

    def __init__(self) -> None:
        self.first: int | None = None  # offset in the chunk of the first replaced character

    def clean(self, data: bytes) -> bytes:
        self.first = None
        if any(control in data for control in _CONTROL_BYTES):
            data = _RAW.sub(self._raw, data)
        if b"&#" in data:
            data = _REF.sub(self._ref, data)
        return data

    def _note(self, match: re.Match[bytes]) -> None:
        if self.first is None or match.start() < self.first:
            self.first = match.start()

    def _raw(self, match: re.Match[bytes]) -> bytes:
        if match.group(1):
            return b""
        self._note(match)
        return _REPLACEMENT

    def _ref(self, match: re.Match[bytes]) -> bytes:
        if match.group(1):
            return b""
        self._note(match)
        return _REPLACEMENT_REF


def sniff_encoding(head: bytes) -> tuple[str, int]:
    """(codec name, BOM length) from a BOM, a UTF-16/32 byte pattern or the XML declaration."""
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    )
    for bom, name in boms:
        if head.startswith(bom):
            return name, len(bom)
    if head.startswith(b"<\x00?\x00"):
        return "utf-16-le", 0
    if head.startswith(b"\x00<\x00?"):
        return "utf-16-be", 0
    declared = _DECLARATION.match(head.lstrip())
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            return codecs.lookup(name).name, 0
        except LookupError:
            return "utf-8", 0
    return "utf-8", 0


def _holdback(chunk: bytes) -> int:
    """Bytes at the end of `chunk` that may be the start of a sequence `_CLEAN` must see whole."""
    tail = chunk[-48:]
    cut = max(tail.rfind(b"&"), tail.rfind(b"\x1b"))
    return len(tail) - cut if cut >= 0 else 0


def _split_utf8(data: bytes) -> tuple[bytes, bytes]:
    """Split off an incomplete multi-byte sequence at the end, to be completed by the next chunk."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:  # continuation byte: look further back for the lead byte
            continue
        if byte >= 0xC0:
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            if needed > back:
                return data[:-back], data[-back:]
        break
    return data, b""


def utf8_chunks(stream: BinaryIO, warn: Warn, *, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Yield the stream as clean UTF-8 bytes (see module docstring)."""
    chunk = stream.read(chunk_size)
    codec, bom = sniff_encoding(chunk)
    chunk = chunk[bom:]
    transcoder = (
        None if codec in ("utf-8", "ascii") else codecs.getincrementaldecoder(codec)("replace")
    )
    repairing = False
    warned_control = False
    cleaner = _Cleaner()
    carry = b""  # incomplete UTF-8 sequence from the previous chunk
    pending = b""  # bytes held back so that `_CLEAN` sees escape sequences whole
    lines_before = 1
    first = True
    while True:
        final = not chunk
        if transcoder is not None:
            text = transcoder.decode(chunk, final=final)
            if first:
                text = re.sub(
                    r"^(\s*<\?xml[^>]*?encoding\s*=\s*)[\"'][^\"']*[\"']", r'\1"UTF-8"', text
                )
            data = text.encode("utf-8")
        else:
            data, carry = (carry + chunk, b"") if final else _split_utf8(carry + chunk)
            if not repairing:
                try:
                    data.decode("utf-8")
                except UnicodeDecodeError as error:
                    seen = pending + data[: error.start]
                    warn(
                        "invalid UTF-8 bytes were replaced with U+FFFD; write the report as UTF-8 "
                        "(or declare its real encoding in the XML declaration)",
                        lines_before + seen.count(b"\n"),
                        len(seen) - seen.rfind(b"\n"),
                    )
                    repairing = True
            if repairing:
                data = data.decode("utf-8", "replace").encode("utf-8")
        first = False
        data = pending + data
        keep = 0 if final else _holdback(data)
        pending = data[len(data) - keep :] if keep else b""
        data = data[: len(data) - keep] if keep else data
        lines_in_chunk = data.count(b"\n")
        data = cleaner.clean(data)
        if cleaner.first is not None and not warned_control:
            # Test output is full of such bytes (progress bars, NUL-padded logs); say so once.
            warned_control = True
            head = data[: cleaner.first]
            warn(
                "characters XML 1.0 forbids (control characters) were replaced with U+FFFD; "
                "the report was written by a reporter that does not escape test output",
                lines_before + head.count(b"\n"),
                cleaner.first - head.rfind(b"\n"),
            )
        lines_before += lines_in_chunk
        if data:
            yield data
        if final:
            return
        chunk = stream.read(chunk_size)


ENTITIES_REFUSED = (
    "the DOCTYPE declares entities, which test reports never need; refused to protect the runner "
    "(XML entity expansion / external entities)"
)


def _not_well_formed(code: int | None, line: int | None, column: int | None) -> ReportParseError:
    reason = expat.errors.messages.get(code, "unknown error") if code else "unknown error"
    if reason == "no element found":
        reason = "the file ends before the XML document is complete (truncated or empty)"
    return ReportParseError(f"not well-formed XML: {reason}", line=line, column=column)


def expat_parser() -> expat.XMLParserType:
    """A bare expat parser with the caller's handlers: JUnit uses it directly, the other readers
    through `xmltree.walk`.

    Defused: any entity declaration raises `ReportParseError`, parameter entities and external
    DTDs are never read, and the input is always the UTF-8 that `utf8_chunks` produces.
    """
    parser = expat.ParserCreate(encoding="UTF-8")
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_: object) -> None:
        raise ReportParseError(ENTITIES_REFUSED, line=parser.CurrentLineNumber)

    parser.EntityDeclHandler = refuse
    return parser


def feed_expat(parser: expat.XMLParserType, stream: BinaryIO, warn: Warn) -> Iterator[None]:
    """Feed the cleaned `stream` to `parser` chunk by chunk, yielding after each chunk so the caller
    can pass on what its handlers collected; expat errors become located `ReportParseError`s."""
    try:
        for data in utf8_chunks(stream, warn):
            parser.Parse(data, False)
            yield
        parser.Parse(b"", True)
        yield
    except expat.ExpatError as error:
        raise _not_well_formed(error.code, error.lineno, error.offset + 1) from None
    finally:
        # The handlers are bound methods of a reader that holds the parser: a reference cycle
        # per file, which would keep expat's buffers alive until a cyclic collection (and
        # `read_reports` pauses those). Dropping the handlers frees reader and parser at once.
        for handler in _HANDLERS:
            setattr(parser, handler, None)


_HANDLERS = (
    "StartElementHandler",
    "EndElementHandler",
    "CharacterDataHandler",
    "CommentHandler",
    "EntityDeclHandler",
)


def local_name(tag: str) -> str:
    """`{namespace}Name` -> `Name`."""
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag
