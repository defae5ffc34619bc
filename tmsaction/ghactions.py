"""GitHub Actions output funnel: workflow commands (escaped), `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`.

Test names and messages are untrusted: a test called `::add-mask::x` or a message with a newline
followed by `::error::` must print as text. Data is escaped as the runner's toolkit does
(`%`, CR, LF; plus `:` and `,` in properties), and free text is fenced with `::stop-commands::`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from tmsaction.model import TestResult
from tmsaction.render.escape import flatten, plain

#: GitHub shows at most 10 error and 10 warning annotations per step; more are dropped silently.
ANNOTATION_LIMIT = 10
#: Error annotations kept free for tmsaction's own "failed the step" message.
RESERVED_ERRORS = 1


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_command(name: str, message: str, properties: Mapping[str, object] | None = None) -> str:
    props = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in (properties or {}).items()
        if value is not None and value != ""
    )
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


class Console:
    """Everything tmsaction prints goes through here (stdout in Actions carries commands)."""

    def __init__(self, stream: TextIO, *, in_actions: bool, redact: Callable[[str], str] = str):
        self._stream = stream
        self.in_actions = in_actions
        self._redact = redact
        self.annotation_counts: dict[str, int] = {}

    def _write(self, line: str) -> None:
        self._stream.write(self._redact(line) + "\n")
        self._stream.flush()

    def info(self, message: str) -> None:
        """A plain log line; fenced when it could be read as a workflow command."""
        if self.in_actions and "::" in message:
            token = secrets.token_hex(16)
            self._write(f"::stop-commands::{token}")
            self._write(message)
            self._write(f"::{token}::")
        else:
            self._write(message)

    def annotate(
        self,
        level: str,
        message: str,
        *,
        title: str | None = None,
        file: str | None = None,
        line: int | None = None,
    ) -> bool:
        """`::error`/`::warning`/`::notice`; returns False once the per-step cap is reached."""
        count = self.annotation_counts.get(level, 0)
        if count >= ANNOTATION_LIMIT:
            return False
        self.annotation_counts[level] = count + 1
        if not self.in_actions:
            where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
            heading = f"{title}: " if title else ""
            self._write(f"{level}: {where}{heading}{message}")
            return True
        props: dict[str, object] = {"title": title, "file": file, "line": line}
        self._write(format_command(level, message, props))
        return True

    def notice(self, message: str, **where: object) -> bool:
        return self.annotate("notice", message, **where)  # type: ignore[arg-type]

    def warning(self, message: str, **where: object) -> bool:
        return self.annotate("warning", message, **where)  # type: ignore[arg-type]

    def error(self, message: str, **where: object) -> bool:
        return self.annotate("error", message, **where)  # type: ignore[arg-type]

    def mask(self, value: str) -> None:
        if self.in_actions and value:
            self._stream.write(f"::add-mask::{escape_data(value)}\n")

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        if self.in_actions:
            self._write(f"::group::{escape_data(title)}")
        try:
            yield
        finally:
            if self.in_actions:
                self._write("::endgroup::")


def format_outputs(outputs: Mapping[str, str]) -> str:
    """`GITHUB_OUTPUT` file content; multi-line-safe heredoc form with a delimiter not in the value."""
    chunks: list[str] = []
    for name, value in outputs.items():
        delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
        while delimiter in value:
            delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(chunks)


def parse_outputs(text: str) -> dict[str, str]:
    """The inverse of `format_outputs`: what later steps see (heredoc and `name=value` lines)."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            value: list[str] = []
            for part in lines:
                if part == delimiter:
                    break
                value.append(part)
            outputs[name] = "\n".join(value)
        elif "=" in line:
            name, _, single = line.partition("=")
            outputs[name] = single
    return outputs


def write_outputs(path: Path, outputs: Mapping[str, str]) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(format_outputs(outputs))


def append_summary(path: Path, markdown: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(markdown if markdown.endswith("\n") else markdown + "\n")


def annotate_failures(
    console: Console, failures: Iterable[TestResult], total: int | None = None
) -> tuple[int, int]:
    """One `::error file=…,line=…,title=…` per failed test, as far as GitHub shows them.

    GitHub shows 10 error annotations per step, so at most `ANNOTATION_LIMIT - RESERVED_ERRORS`
    are used here (the last one is kept for the step's own failure message), then one notice
    says how many more failed. Test names and messages are untrusted: they are cleaned of ANSI
    and invisible characters, and `format_command` escapes what the runner would parse.
    With `total` (how many failed, known from the totals) the rest are counted, not walked.
    Returns (annotated, not annotated).
    """
    room = ANNOTATION_LIMIT - RESERVED_ERRORS - console.annotation_counts.get("error", 0)
    shown = hidden = 0
    for result in failures:
        if shown >= room:
            if total is not None:
                hidden = total - shown
                break
            hidden += 1
            continue
        kind = "errored" if result.outcome == "error" else "failed"
        body = plain(result.message or result.details or f"{result.identity.display()} {kind}.")
        console.annotate(
            "error",
            body,
            title=f"{flatten(result.identity.display(), 200)} {kind}",
            file=flatten(result.file, 500) or None,
            line=result.line,
        )
        shown += 1
    if hidden:
        console.notice(
            f"{hidden:,} more failed tests are not annotated (GitHub shows {ANNOTATION_LIMIT} "
            "error annotations per step); see the job summary.",
            title="More failed tests",
        )
    return shown, hidden
