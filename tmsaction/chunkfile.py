"""Writing a large text file from a stream of chunks, each write overlapping the building of the
next ones (results_json: 660 MB for a million tests, where the file system's part, copying into
the page cache and waiting for writeback, was a third of the writer's time, measured with
bench/parse.py).

The chunks are built on the calling thread and written on a second one: a write releases the
GIL, so the two run side by side. An error on either side stops both and is raised to the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from queue import Queue
from threading import Thread

#: Chunks built but not yet written, at most: a few megabytes of results_json.
IN_FLIGHT = 4


def write_chunks(path: Path, chunks: Iterable[str]) -> None:
    """Write `chunks` to `path` (created or replaced) as UTF-8.

    A lone surrogate, which a JSON report can put in a test name, cannot be UTF-8: it is written
    as its `\\udXXX` escape (the `backslashreplace` handler), which inside a JSON string reads
    back as the same character, instead of failing the whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pending: Queue[bytes | None] = Queue(maxsize=IN_FLIGHT)
    failed: list[BaseException] = []
    with path.open("wb") as handle:

        def drain() -> None:
            while (chunk := pending.get()) is not None:
                if failed:
                    continue  # keep taking chunks, so the builder never waits on a full queue
                try:
                    handle.write(chunk)
                except BaseException as error:  # raised again on the calling thread
                    failed.append(error)

        writer = Thread(target=drain, name="tmsaction-chunk-writer", daemon=True)
        writer.start()
        try:
            for chunk in chunks:
                if failed:
                    break
                pending.put(chunk.encode("utf-8", "backslashreplace"))
        finally:
            pending.put(None)
            writer.join()
    if failed:
        raise failed[0]
