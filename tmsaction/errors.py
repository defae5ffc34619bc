"""The small error hierarchy; `__main__` is the one place that turns these into messages and exit codes.

Expected errors carry one sentence saying what is wrong, where, and how to fix it. Anything else that
escapes is a bug and is reported with a traceback labelled as such.
"""

from __future__ import annotations

from collections.abc import Sequence

# Exit codes, documented in README ("Exit codes").
EXIT_OK = 0
EXIT_FAILED = 1  # `fail_on` triggered: test failures, sync errors or a quality gate
EXIT_USAGE = 2  # bad inputs or mapping config; nothing was sent anywhere
EXIT_BUG = 3  # an unexpected error inside tmsaction (please report it)


class TmsError(Exception):
    """Base of every expected error. `str(error)` is the message shown to the user."""

    exit_code = EXIT_FAILED


class UsageError(TmsError):
    """Bad inputs or flags (an unknown value, a missing credential)."""

    exit_code = EXIT_USAGE


class ConfigError(TmsError):
    """The mapping config is invalid; `problems` lists every problem with its location."""

    exit_code = EXIT_USAGE

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(f"invalid mapping config ({head}):\n" + "\n".join(self.problems))


class TemplateError(TmsError):
    """A Jinja2 template in the config failed to compile or render."""

    exit_code = EXIT_USAGE


class SyncError(TmsError):
    """A TestRail, Jira or GitHub call failed in a way the sink reports (never crashes the run)."""


class HttpError(SyncError):
    """An HTTP response that is not a success, already redacted of secrets."""

    def __init__(self, message: str, *, status: int | None = None, service: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.service = service


class OutcomeUnknown(SyncError):
    """A write was sent but its response was lost: the server may or may not have applied it.

    Callers must check what the server holds before sending the write again.
    """
