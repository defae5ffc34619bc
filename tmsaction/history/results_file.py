"""Read an earlier run's `results_json` file into one side of the comparison. Pure: it reads the
stream it is given, nothing else.

The file is written one test per line (`results_json.py`), so it is read line by line: a
million-test file never sits in memory as one document, only its outcomes by test identity do.
A file in another layout (re-indented by hand, say) is read whole when it is small enough.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from tmsaction.history.model import Figures, Side
from tmsaction.model import Outcome, TestIdentity
from tmsaction.results_json import VERSION

#: A file in another layout is parsed as one JSON document only up to this size.
WHOLE_DOCUMENT_LIMIT = 64 * 1024 * 1024
#: The line `results_json.py` writes before the tests, one test per line after it.
_TESTS_LINE = ' "tests": ['


_OUTCOMES = {outcome.value: outcome for outcome in Outcome}


class ResultsFileError(ValueError):
    """The file is not a results_json file this version can read; the message says why."""


@dataclass(frozen=True)
class ResultsFile:
    side: Side
    run_id: str | None = None
    sha: str | None = None


class _Bounded(io.RawIOBase):
    """A stream that refuses to yield more than `limit` bytes (a zip entry may lie about its size)."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self.raw = raw
        self.left = limit
        self.limit = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(min(len(buffer), self.left + 1))
        if len(data) > self.left:
            raise ResultsFileError(f"it is larger than {self.limit:,} bytes")
        self.left -= len(data)
        buffer[: len(data)] = data
        return len(data)


def read_results_file(stream: IO[bytes], *, limit: int) -> ResultsFile:
    """The tests and run-level figures of a `results_json` file of at most `limit` bytes."""
    text = io.TextIOWrapper(io.BufferedReader(_Bounded(stream, limit)), encoding="utf-8")
    try:
        head_lines: list[str] = []
        read = 0
        while line := text.readline(WHOLE_DOCUMENT_LIMIT + 1):
            head_lines.append(line)
            read += len(line)
            if line.rstrip("\r\n") == _TESTS_LINE:
                first = text.readline()
                if first.strip() == "]" or _is_json(first.strip().removesuffix(",")):
                    head = _head("".join(head_lines[:-1]).rstrip().rstrip(",") + "\n}")
                    return _result(head, _streamed_tests(itertools.chain([first], text)))
                head_lines.append(first)  # one test over several lines: not our layout
                break
            if read > WHOLE_DOCUMENT_LIMIT:
                break
        rest = text.read(WHOLE_DOCUMENT_LIMIT + 1)
        whole = "".join(head_lines) + rest
        if len(whole) > WHOLE_DOCUMENT_LIMIT:
            raise ResultsFileError(
                "it is not in the layout tmsaction writes, and too large to read whole"
            )
        return _whole(whole)
    except UnicodeDecodeError:
        raise ResultsFileError("it is not UTF-8 text") from None


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _head(text: str) -> Mapping[str, Any]:
    try:
        head = json.loads(text)
    except ValueError:
        raise ResultsFileError("its head is not JSON") from None
    if not isinstance(head, dict):
        raise ResultsFileError("it is not a JSON object")
    version = head.get("version")
    if version != VERSION:
        raise ResultsFileError(
            f"it has format version {version!r}; this tmsaction reads version {VERSION}"
        )
    return head


def _streamed_tests(lines: Iterable[str]) -> Iterator[tuple[int, Any]]:
    decode = json.JSONDecoder().decode  # `json.loads` re-checks its argument on every call
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped in ("]", "}", ""):
            continue
        try:
            yield number, decode(stripped.removesuffix(","))
        except ValueError:
            raise ResultsFileError(f"test line {number} is not JSON") from None


def _whole(text: str) -> ResultsFile:
    try:
        document = json.loads(text)
    except ValueError:
        raise ResultsFileError("it is not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("tests"), list):
        raise ResultsFileError("it has no 'tests' list")
    head = _head(json.dumps({k: v for k, v in document.items() if k != "tests"}))
    return _result(head, enumerate(document["tests"], start=1))


def _result(head: Mapping[str, Any], tests: Iterable[tuple[int, Any]]) -> ResultsFile:
    outcomes: dict[str, Outcome] = {}
    for number, entry in tests:
        key, outcome = _test(number, entry)
        outcomes[key] = outcome
    return ResultsFile(
        Side("test", outcomes, figures=_figures(head.get("mapping"))),
        run_id=_text(head.get("run_id")),
        sha=_text(head.get("sha")),
    )


def _test(number: int, entry: Any) -> tuple[str, Outcome]:
    if not isinstance(entry, dict):
        raise ResultsFileError(f"test {number} is not an object")
    suite, classname, name = entry.get("suite"), entry.get("classname"), entry.get("name")
    if not (
        isinstance(suite, list)
        and all(isinstance(part, str) for part in suite)
        and isinstance(classname, str)
        and isinstance(name, str)
    ):
        raise ResultsFileError(f"test {number} has no suite, classname and name")
    outcome = _OUTCOMES.get(entry.get("outcome"))  # type: ignore[arg-type]
    if outcome is None:
        raise ResultsFileError(f"test {number} has an unknown outcome")
    return TestIdentity(tuple(suite), classname, name).key, outcome


def _figures(mapping: Any) -> Figures:
    if not isinstance(mapping, dict):
        return Figures()
    return Figures(
        automated=_int(mapping.get("automated_cases")),
        cases=_int(mapping.get("cases")),
        regression_percent=_float(mapping.get("regression_automation")),
        coverage_source="testrail" if mapping.get("testrail_read") else "mapping",
    )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
