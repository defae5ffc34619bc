"""Outcome -> TestRail status, resolved once per run, and the note for flaky tests. Pure; no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tmsaction.config.model import StatusChoice
from tmsaction.mapping.lookups import TestRailLookups
from tmsaction.model import Outcome, TestResult

_NOTE_MESSAGE_LIMIT = 200


@dataclass(frozen=True, eq=False)
class ResolvedStatus:
    """The status one outcome sends: `id` None with a `name` means a custom status not yet known
    (TestRail not read); both None means "send nothing". One per outcome, compared by identity."""

    id: int | None
    name: str | None


def resolve_statuses(
    choices: Mapping[Outcome, StatusChoice], lookups: TestRailLookups
) -> tuple[dict[Outcome, ResolvedStatus], list[str]]:
    """Resolve custom status names against TestRail; problems name the config key."""
    resolved: dict[Outcome, ResolvedStatus] = {}
    problems: list[str] = []
    for outcome in Outcome:
        choice = choices.get(outcome, StatusChoice())
        if not choice.send:
            resolved[outcome] = ResolvedStatus(None, None)
            continue
        if choice.id is not None:
            if lookups.known and choice.id > 5 and choice.id not in lookups.statuses.values():
                problems.append(
                    f"testrail.results.status.{outcome.value}: status id {choice.id} is not "
                    "enabled in TestRail (Administration > Customizations > Result Statuses)"
                )
                resolved[outcome] = ResolvedStatus(None, None)
                continue
            resolved[outcome] = ResolvedStatus(choice.id, choice.name or str(choice.id))
            continue
        name = choice.name or ""
        status_id = lookups.status_id(name)
        if status_id is None and lookups.known:
            known = ", ".join(sorted(lookups.statuses)) or "none"
            problems.append(
                f"testrail.results.status.{outcome.value}: '{name}' is not a TestRail status "
                f"(known: {known}); results with this outcome are not sent"
            )
            resolved[outcome] = ResolvedStatus(None, None)
            continue
        resolved[outcome] = ResolvedStatus(status_id, name)
    return resolved, problems


def flaky_note(result: TestResult) -> str | None:
    """`Flaky: passed on attempt 3 of 3; failed on attempts 1 (Timeout ...), 2 (...).`"""
    if result.outcome is not Outcome.FLAKY:
        return None
    attempts = result.attempts
    failed = [
        (number, attempt)
        for number, attempt in enumerate(attempts, start=1)
        if attempt.outcome.is_failure
    ]
    passed_at = next(
        (n for n, a in reversed(list(enumerate(attempts, start=1))) if a.outcome is Outcome.PASSED),
        len(attempts),
    )
    parts = []
    for number, attempt in failed:
        message = " ".join((attempt.message or "").split())
        if len(message) > _NOTE_MESSAGE_LIMIT:
            message = message[: _NOTE_MESSAGE_LIMIT - 1] + "…"
        parts.append(f"{number} ({message})" if message else str(number))
    plural = "attempts" if len(failed) > 1 else "attempt"
    failures = f"; failed on {plural} {', '.join(parts)}" if parts else ""
    return f"Flaky: passed on attempt {passed_at} of {len(attempts)}{failures}."
