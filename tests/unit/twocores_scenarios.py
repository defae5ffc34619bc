"""Scenarios of reading on two cores, each run in a fresh interpreter by test_twocores.py.

Forking is only done in a process without other threads, and the test session has some (the
sandboxes' servers), so each scenario runs alone: `python -m tests.unit.twocores_scenarios NAME
WORKSPACE` writes a pickle of what the test checks to stdout.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from tmsaction.model import ReportSet
from tmsaction.reports import collect, twocores
from tmsaction.reports.collect import read_reports

PATTERNS = ["reports/**/*"]


def _read(workspace: Path, min_bytes: int = 0) -> ReportSet:
    twocores.MIN_BYTES = min_bytes
    return read_reports(workspace, PATTERNS)


def _crash(
    sources: Sequence[tuple[Path, str]], read_one: twocores.ReadOne, output: IO[bytes]
) -> None:
    raise RuntimeError("the child breaks")


def _first_file_then_garbage(
    sources: Sequence[tuple[Path, str]], read_one: twocores.ReadOne, output: IO[bytes]
) -> None:
    _REAL_READ_INTO(sources[:1], read_one, output)
    output.write(pickle.dumps(("half", "a"))[:-3])
    output.flush()


_REAL_READ_INTO = twocores._read_into


def run(name: str, workspace: Path) -> dict[str, object]:
    forks: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    os.fork = fork
    twocores.usable_cores = lambda: 2  # whatever this machine has: the test is of the logic
    handed_back: list[str] = []
    real_results = twocores._Child.results

    def results(self: twocores._Child, add: Callable[..., None]) -> Iterator[twocores.FileRead]:
        for read in real_results(self, add):
            report = read[0]
            handed_back.append(report.source if report else "")
            yield read

    twocores._Child.results = results  # type: ignore[method-assign]
    serial = _read(workspace, min_bytes=1 << 62)
    serial_forks = len(forks)
    if name == "crash":
        twocores._read_into = _crash
    elif name == "short":
        twocores._read_into = _first_file_then_garbage
    if name == "guards":
        _read(workspace, min_bytes=1 << 40)  # too small
        read_reports(workspace, ["reports/TEST-00.xml"])  # one file
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        other.start()
        _read(workspace)  # another thread running
        stop.set()
        other.join()
        twocores.usable_cores = lambda: 1
        _read(workspace)  # one core
        twocores.usable_cores = lambda: 2
    guarded_forks = len(forks)
    parallel = _read(workspace)
    return {
        "serial": serial,
        "parallel": parallel,
        "serial_forks": serial_forks,
        "guarded_forks": guarded_forks - serial_forks,
        "forks": len(forks) - guarded_forks,
        "handed_back": handed_back,
    }


def parent_breaks(workspace: Path) -> dict[str, object]:
    """This process fails while the child reads: the child is stopped and waited for."""
    twocores.usable_cores = lambda: 2
    twocores.MIN_BYTES = 0
    parent = os.getpid()
    real_read_one = collect.read_one
    started: list[int] = []
    real_start = twocores._Child.start

    def start(
        sources: Sequence[tuple[Path, str]], read_one: twocores.ReadOne
    ) -> twocores._Child | None:
        child = real_start(sources, read_one)
        started.append(child.pid if child else 0)
        return child

    def read_one(path: Path, source: str, add: twocores.Add) -> twocores.FileRead:
        if os.getpid() == parent and source.endswith("TEST-02.xml"):
            raise RuntimeError("a bug while reading")
        return real_read_one(path, source, add)

    collect.read_one = read_one
    twocores._Child.start = start  # type: ignore[method-assign]
    try:
        read_reports(workspace, PATTERNS)
    except RuntimeError as error:
        raised = str(error)
    try:
        os.waitpid(-1, os.WNOHANG)
        children_left = True
    except ChildProcessError:
        children_left = False
    return {"raised": raised, "started": len(started), "children_left": children_left}


if __name__ == "__main__":
    name, workspace = sys.argv[1], Path(sys.argv[2])
    outcome = parent_breaks(workspace) if name == "parent-breaks" else run(name, workspace)
    sys.stdout.buffer.write(pickle.dumps(outcome))
