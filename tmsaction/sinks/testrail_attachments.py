"""Files a failed test refers to (screenshots, logs, videos), uploaded to its TestRail result.

Where they come from: report paths (JUnit `[[ATTACHMENT|...]]` lines and attachment properties,
Playwright and Mochawesome attachments), relative to the workspace or to the report's folder, and
`data:` URLs that JSON reports embed (Cucumber embeddings, small Playwright bodies). Links to other
hosts are not fetched.

Bounds: only files inside the workspace are read (a report must not make the action upload
`/etc/passwd` or the runner's credentials), at most `MAX_BYTES` each, `MAX_PER_RESULT` per result
and `MAX_TOTAL` per invocation. A file that is missing or over a bound is reported, never fatal.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from tmsaction.clients.testrail import TestRailClient, TestRailError
from tmsaction.errors import SyncError
from tmsaction.http import write_once
from tmsaction.model import TestResult

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_RESULT = 5
MAX_TOTAL = 100
MAX_NOTES = 20  # attachment notes listed; beyond, counted (each is a log annotation)
_DATA_URL = re.compile(r"^data:([\w.+/-]*)((?:;[\w.+-]+=[^;,]*)*)(;base64)?,(.*)$", re.S)


@dataclass(frozen=True)
class AttachmentFile:
    name: str
    content: bytes


def _from_data_url(url: str, number: int, test: str) -> AttachmentFile | str:
    match = _DATA_URL.match(url)
    if match is None:
        return f"an inline attachment of {test} is not a valid data: URL"
    kind, _, is_base64, payload = match.groups()
    try:
        content = (
            base64.b64decode(payload, validate=True) if is_base64 else unquote(payload).encode()
        )
    except (binascii.Error, ValueError):
        return f"an inline attachment of {test} is not valid base64"
    extension = mimetypes.guess_extension(kind or "text/plain") or ".bin"
    return AttachmentFile(f"attachment-{number}{extension}", content)


def _from_path(reference: str, result: TestResult, workspace: Path) -> AttachmentFile | str:
    text = reference.strip()
    if text.startswith("file://"):
        text = unquote(text[len("file://") :])
    root = workspace.resolve()
    candidates = [Path(text)] if Path(text).is_absolute() else [root / text]
    if not Path(text).is_absolute() and result.source:
        candidates.append(root / PurePosixPath(result.source).parent / text)
    for candidate in candidates:
        try:
            path = candidate.resolve()
        except (OSError, RuntimeError):
            continue
        if not path.is_relative_to(root):
            return (
                f"'{reference}' ({result.identity.display()}) is outside the workspace and was "
                "not uploaded: only files under GITHUB_WORKSPACE are sent to TestRail"
            )
        if path.is_file():
            size = path.stat().st_size
            if size > MAX_BYTES:
                return (
                    f"'{reference}' ({result.identity.display()}) is {size / 1048576:.1f} MB, "
                    f"over the {MAX_BYTES // 1048576} MB bound for attachments; not uploaded"
                )
            return AttachmentFile(path.name, path.read_bytes())
    return (
        f"'{reference}' ({result.identity.display()}) was not found in the workspace or next to "
        f"its report ({result.source}); upload the file before this step or fix the path"
    )


def attachment_files(result: TestResult, workspace: Path) -> Iterator[AttachmentFile | str]:
    """The files of one test, or a sentence for each that cannot be read."""
    count = 0
    for number, reference in enumerate(result.attachments, start=1):
        if count >= MAX_PER_RESULT:
            yield (
                f"{result.identity.display()} refers to {len(result.attachments)} attachments; "
                f"the first {MAX_PER_RESULT} were uploaded"
            )
            return
        if reference.startswith("data:"):
            found = _from_data_url(reference, number, result.identity.display())
        elif re.match(r"^[a-z][a-z0-9+.-]*://", reference, re.I) and not reference.startswith(
            "file://"
        ):
            continue  # a link to another host: nothing to upload, TestRail users can follow it
        else:
            found = _from_path(reference, result, workspace)
        if isinstance(found, AttachmentFile):
            count += 1
        yield found


class Uploader:
    """Uploads within `MAX_TOTAL`; counts what it did and collects what it could not."""

    def __init__(
        self, client: TestRailClient, workspace: Path, *, sleep: Callable[[float], None]
    ) -> None:
        self.client = client
        self.workspace = workspace
        self.sleep = sleep
        self.uploaded = 0
        self._notes: list[str] = []
        self._more = 0
        self._told_total = False

    @property
    def notes(self) -> list[str]:
        more = f"…and {self._more} more attachment notes" if self._more else None
        return [*self._notes, *([more] if more else [])]

    def _note(self, text: str) -> None:
        if len(self._notes) < MAX_NOTES:
            self._notes.append(text)
        else:
            self._more += 1

    def upload(self, result: TestResult, result_id: int, test_id: int, *, check: bool) -> int:
        """Upload the test's files to one result; `check` first lists what the test already
        has (a result sent by an earlier attempt may hold them). Returns the number uploaded."""
        files = []
        for found in attachment_files(result, self.workspace):
            if isinstance(found, str):
                self._note(found)
            else:
                files.append(found)
        if not files:
            return 0
        present: set[str] = set()
        if check:
            try:
                present = {
                    str(a.get("name")) for a in self.client.get_attachments_for_test(test_id)
                }
            except TestRailError as error:
                self._note(f"attachments of {result.identity.display()}: {error}")
                return 0
        done = 0
        for file in files:
            if file.name in present:
                continue
            if self.uploaded >= MAX_TOTAL:
                if not self._told_total:
                    self._told_total = True
                    self._note(f"more than {MAX_TOTAL} attachments: the rest were not uploaded")
                break
            try:
                self._one(result_id, test_id, file)
            except (TestRailError, SyncError) as error:
                self._note(f"{file.name} ({result.identity.display()}) was not uploaded: {error}")
                continue
            self.uploaded += 1
            done += 1
        return done

    def _one(self, result_id: int, test_id: int, file: AttachmentFile) -> None:
        def send() -> bool:
            self.client.add_attachment_to_result(result_id, file.name, file.content)
            return True

        def verify() -> bool | None:
            names = {str(a.get("name")) for a in self.client.get_attachments_for_test(test_id)}
            return True if file.name in names else None

        write_once(send, verify, sleep=self.sleep)
