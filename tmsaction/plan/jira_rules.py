"""The lifecycle rules for one fingerprint: what happens to its defect, and why. Pure; no I/O.

- a test fails (or errors; flaky only with `jira.defects.flaky: true`):
  - its fingerprint has an open defect: comment once per run (`recurrence_comment`);
  - it has only resolved defects: the newest one is reopened when `reopen.policy` is `reopen`, it
    was resolved `window_days` ago or less and its resolution is not in `reopen.never`; a
    resolution in `never` (Won't Fix, Duplicate, ...) is left alone, with a note; otherwise a new
    defect is filed and linked to the old one;
  - it has none: a new defect is filed (the cap is applied afterwards, `plan/jira.py`), unless the
    open umbrella issue already lists it: then it stays there (no defect of its own) until
    someone resolves the umbrella, so a broken build does not file `max_new` more every run;
- a test passes and its fingerprint has an open defect this repository filed: `resolve` (comment,
  transition by name), once;
- a flaky test never resolves a defect; skipped tests change nothing.
Several open defects with one fingerprint: the oldest is used and a note names the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tmsaction.clients.jira_model import JiraIssue
from tmsaction.config.model import DefectConfig
from tmsaction.plan.jira_fingerprint import Fingerprint
from tmsaction.plan.jira_model import Action, DefectStep
from tmsaction.plan.jira_snapshot import JiraSnapshot, resolved_at

DAY = 86400.0


@dataclass
class FingerprintGroup:
    """The tests of this run that share one fingerprint (indexes in the report set)."""

    fingerprint: Fingerprint
    tests: list[int] = field(default_factory=list)
    failing: list[int] = field(default_factory=list)
    passed: int = 0
    flaky: int = 0
    stories: dict[str, None] = field(default_factory=dict)


def decide(
    group: FingerprintGroup,
    snapshot: JiraSnapshot,
    defects: DefectConfig,
    now: float,
    notes: list[str],
) -> DefectStep | None:
    """The step for one group (see the module docstring), or None when nothing concerns it (a
    passing test whose fingerprint has no open defect). Duplicates are noted in `notes`."""
    found = snapshot.issues_for(group.fingerprint)
    open_ones = sorted((i for i in found if i.open), key=lambda i: i.id)
    resolved = sorted(
        (i for i in found if not i.open), key=lambda i: (resolved_at(i) or 0.0, i.id), reverse=True
    )
    if len(open_ones) > 1:
        keys = ", ".join(i.key for i in open_ones)
        notes.append(
            f"{keys} carry the same fingerprint ({group.fingerprint.basis}); "
            f"{open_ones[0].key} is used, close the others as duplicates."
        )
    step = DefectStep(
        fingerprint=group.fingerprint,
        action=Action.SKIP,
        reason="",
        tests=tuple(group.tests),
        lead=group.failing[0] if group.failing else group.tests[0],
        failing=bool(group.failing),
        stories=tuple(group.stories),
    )
    if group.failing:
        if open_ones:
            defect = open_ones[0]
            links = _missing_links(defect, step.stories, defects)
            if defects.recurrence_comment:
                reason = f"{defect.key} is open ({defect.status}): the failure is recorded on it"
                action = Action.COMMENT
            else:
                reason = f"{defect.key} is open ({defect.status}); recurrence comments are off"
                action = Action.SKIP
            return replace(step, action=action, reason=reason, defect=defect.key, links=links)
        if resolved:
            return _resolved_fails(step, resolved[0], defects, now)
        if defects.umbrella and snapshot.umbrella_labels.intersection(group.fingerprint.labels):
            return replace(
                step,
                action=Action.UMBRELLA,
                reason="the open umbrella issue lists it: it gets a defect of its own once the "
                "umbrella is resolved",
            )
        return replace(
            step,
            action=Action.CREATE,
            reason=f"no defect has this fingerprint ({group.fingerprint.basis})",
            links=step.stories if defects.link else (),
        )
    if not open_ones:
        return None
    defect = open_ones[0]
    step = replace(step, defect=defect.key)
    if group.flaky:
        return replace(
            step,
            reason=f"the test is flaky: {defect.key} stays as it is until the test passes cleanly",
        )
    resolve = defects.resolve
    if not resolve.comment and not resolve.transitions:
        return replace(
            step,
            reason=f"the test passes again; {defect.key} stays open (jira.defects.resolve does "
            "neither comment nor transition)",
        )
    what = []
    if resolve.comment:
        what.append("a comment says so")
    if resolve.transitions:
        what.append(f"it moves by the first available of: {', '.join(resolve.transitions)}")
    return replace(
        step, action=Action.RESOLVE, reason=f"the test passes again: {' and '.join(what)}"
    )


def _resolved_fails(
    step: DefectStep, defect: JiraIssue, defects: DefectConfig, now: float
) -> DefectStep:
    reopen = defects.reopen
    resolution = defect.resolution or "no resolution"
    step = replace(step, defect=defect.key)
    if defect.resolution and defect.resolution.casefold() in {r.casefold() for r in reopen.never}:
        return replace(
            step,
            reason=f"{defect.key} was resolved as {resolution}, which is never reopened "
            "(jira.defects.reopen.never); no defect is filed",
        )
    when = resolved_at(defect)
    age = (now - when) / DAY if when is not None else None
    if reopen.policy == "new":
        why = "reopen.policy is new"
    elif age is not None and age > reopen.window_days:
        why = f"it was resolved {age:.0f} days ago (reopen.window_days: {reopen.window_days})"
    else:
        return replace(
            step,
            action=Action.REOPEN,
            reason=f"{defect.key} was resolved ({resolution}) and fails again: it is reopened",
            links=_missing_links(defect, step.stories, defects),
        )
    return replace(
        step,
        action=Action.CREATE_LINKED,
        reason=f"{defect.key} was resolved ({resolution}); a new defect linked to it is filed, "
        f"as {why}",
        links=step.stories if defects.link else (),
    )


def _missing_links(
    defect: JiraIssue, stories: tuple[str, ...], config: DefectConfig
) -> tuple[str, ...]:
    """Stories with no link of the configured type to `defect` yet (the sink checks the
    direction exactly before writing; Jira never duplicates a link anyway)."""
    if config.link is None:
        return ()
    wanted = config.link.type.casefold()
    linked = {
        link.other.key
        for link in defect.links
        if wanted in (link.type_name.casefold(), link.phrase.casefold())
    }
    return tuple(story for story in stories if story not in linked and story != defect.key)
