"""`write_chunks`: the file holds every chunk in order, whichever thread fails first stops both
and the error reaches the caller, and lone surrogates are escaped rather than fatal."""

from __future__ import annotations

import errno
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from tmsaction.chunkfile import IN_FLIGHT, write_chunks


def numbered(count: int, taken: list[int]) -> Iterator[str]:
    for number in range(count):
        taken.append(number)
        yield f"{number:06d} ünï €\n" * 1000


def test_every_chunk_is_written_in_order(tmp_path: Path) -> None:
    taken: list[int] = []
    path = tmp_path / "deep" / "out.txt"
    write_chunks(path, numbered(50, taken))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 50_000
    assert [int(line[:6]) for line in lines[::1000]] == list(range(50))


def test_a_write_error_stops_the_builder_and_is_raised() -> None:
    taken: list[int] = []
    with pytest.raises(OSError, match="No space left") as raised:
        write_chunks(Path("/dev/full"), numbered(10_000, taken))  # every write fails: ENOSPC
    assert raised.value.errno == errno.ENOSPC
    assert len(taken) < 100  # the builder stopped soon after, instead of building everything
    assert not [t for t in threading.enumerate() if t.name == "tmsaction-chunk-writer"]


def test_a_builder_error_ends_the_writer_and_is_raised(tmp_path: Path) -> None:
    def broken() -> Iterator[str]:
        yield from ["a"] * (IN_FLIGHT * 3)
        raise ValueError("the report changed under us")

    with pytest.raises(ValueError, match="changed under us"):
        write_chunks(tmp_path / "out.txt", broken())
    assert not [t for t in threading.enumerate() if t.name == "tmsaction-chunk-writer"]
    assert (tmp_path / "out.txt").read_text() == "a" * (IN_FLIGHT * 3)


def test_a_lone_surrogate_is_written_as_its_json_escape(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    write_chunks(path, [json.dumps({"name": "x\ud800y"}, ensure_ascii=False)])
    assert path.read_bytes() == b'{"name": "x\\ud800y"}'
    assert json.loads(path.read_text(encoding="utf-8")) == {"name": "x\ud800y"}
