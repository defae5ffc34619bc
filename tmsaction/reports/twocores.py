"""Reading a large report set on two cores. I/O: a forked child process and a temporary file.

Parsing is Python bytecode under one interpreter lock, so a thread would not help. When the set
is large, a forked child reads the last files while this process reads the first ones, and hands
its tests back through an unlinked temporary file: one pickle per report file, of plain tuples
(rebuilding a tuple into a `TestResult` costs a tenth of parsing it, pickling objects would cost
more than the parse). The tests are then added to the merger in file order, so the outcome is
the one reading serially gives: same order, same merges, same problems
(tests/unit/test_twocores.py).

Only when it pays and is safe: at least `MIN_BYTES` of reports in two files or more, two usable
cores, `os.fork` on this platform, and no other thread in the process (forking a threaded
process can leave the child stuck on a lock another thread held). If anything goes wrong in the
child (a crash, a kill, a file it could not write), this process reads those files itself: a
file's tests are added only once its whole pickle has been loaded, so nothing is lost or added
twice.
"""

from __future__ import annotations

import operator
import os
import pickle
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields
from pathlib import Path
from typing import IO

from tmsaction.model import Outcome, ReportFile, ReportProblem, TestDetail, TestResult
from tmsaction.reports.base import new_result

#: Below this many bytes of reports, forking costs more than it saves.
MIN_BYTES = 16 * 1024 * 1024
#: This process's share of the bytes: it also rebuilds and merges the child's tests afterwards.
PARENT_SHARE = 0.55

FileRead = tuple[ReportFile | None, list[ReportProblem]]
Add = Callable[[TestResult], None]
#: `collect.read_one`: parse one file, give its tests to `add`, return what was read.
ReadOne = Callable[[Path, str, Add], FileRead]

#: A test as the tuple of its fields, in the constructor's order (`new_result` takes them so).
_FIELDS = tuple(field.name for field in fields(TestResult))
_as_tuple = operator.attrgetter(*_FIELDS)
_Values = tuple[
    tuple[str, ...], str, str, Outcome, float | None, str, str | None, int | None, TestDetail | None
]
#: The order `_add_all` unpacks; if the model changes, tests are rebuilt without the unpacking.
_KNOWN_ORDER = ("suite", "classname", "name", "outcome", "duration", "source", "file", "line",
                "detail")  # fmt: skip


def read_files(
    sources: Sequence[tuple[Path, str]],
    read_one: ReadOne,
    add: Add,
) -> Iterator[FileRead]:
    """`read_one(path, source, add)` for every file, in order; the last files in a forked child
    when the set is large enough (see the module's docstring)."""
    cut = _cut(sources)
    child = _Child.start(sources[cut:], read_one) if cut is not None else None
    if cut is None or child is None:
        for path, source in sources:
            yield read_one(path, source, add)
        return
    done = 0
    try:
        for path, source in sources[:cut]:
            yield read_one(path, source, add)
        for read in child.results(add):
            done += 1
            yield read
    finally:
        child.reap()  # stopped, if this process gave up before its results were wanted
    for path, source in sources[cut + done :]:  # what the child could not hand back
        yield read_one(path, source, add)


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _cut(sources: Sequence[tuple[Path, str]]) -> int | None:
    """Where the child's files begin, or None to read everything here."""
    if len(sources) < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    sizes = []
    for path, _ in sources:
        try:
            sizes.append(path.stat().st_size)
        except OSError:
            sizes.append(0)  # read_one says what is wrong with it
    total = sum(sizes)
    if total < MIN_BYTES or usable_cores() < 2:
        return None
    running = 0
    for index, size in enumerate(sizes):
        running += size
        if running >= total * PARENT_SHARE:
            return min(index + 1, len(sources) - 1)
    return len(sources) - 1


class _Child:
    """The forked reader of the last files, and what it wrote."""

    def __init__(self, pid: int, output: IO[bytes], files: int) -> None:
        self.pid = pid
        self.output = output
        self.files = files
        self.reaped = False

    def reap(self) -> None:
        """The child ended (killed if need be) and waited for, its output closed."""
        if not self.reaped:
            self.reaped = True
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        self.output.close()

    @staticmethod
    def start(sources: Sequence[tuple[Path, str]], read_one: ReadOne) -> _Child | None:
        try:
            output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the child and back
        except OSError:
            return None
        try:
            pid = os.fork()
        except OSError:
            output.close()
            return None
        if pid == 0:  # the child: read, write, and leave without running the parent's exit code
            status = 1
            try:
                _read_into(sources, read_one, output)
                status = 0
            finally:
                os._exit(status)
        return _Child(pid, output, len(sources))

    def results(self, add: Add) -> Iterator[FileRead]:
        """Each file the child read, its tests given to `add`; stops early (the caller reads the
        rest itself) when the child did not finish or its output cannot be read back."""
        _, status = os.waitpid(self.pid, 0)
        self.reaped = True
        if os.waitstatus_to_exitcode(status) != 0:
            return
        self.output.seek(0)
        for _ in range(self.files):
            try:
                report, problems, tests = pickle.load(self.output)  # noqa: S301 - our own child wrote it
            except Exception:  # a short or damaged file: the rest is read here
                return
            _add_all(tests, add)
            yield report, problems


def _add_all(tests: list[_Values], add: Add) -> None:
    """The tests of one file, rebuilt. Pickle keeps one object per distinct string and tuple of
    a file, as the reader shared them, but not per float: the durations are shared again here
    (a million tests have a few thousand distinct ones; 11 MB less for the million-test set)."""
    if _FIELDS != _KNOWN_ORDER:
        for values in tests:
            add(new_result(*values))
        return
    known: dict[float | None, float | None] = {}
    share = known.setdefault
    for suite, classname, name, outcome, duration, source, file, line, detail in tests:
        add(
            new_result(
                suite,
                classname,
                name,
                outcome,
                share(duration, duration),
                source,
                file,
                line,
                detail,
            )
        )


def _read_into(sources: Sequence[tuple[Path, str]], read_one: ReadOne, output: IO[bytes]) -> None:
    for path, source in sources:
        tests: list[TestResult] = []
        report, problems = read_one(path, source, tests.append)
        pickle.dump(
            (report, problems, [_as_tuple(test) for test in tests]),
            output,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    output.flush()
