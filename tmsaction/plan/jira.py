"""The Jira defect plan: per fingerprint, what happens to its defect in this run, and why. Pure.

Built from the test results, their mappings, the config and a `JiraSnapshot`. The rules (README
"Jira", "The defect lifecycle"):

- a test fails (or errors; flaky only with `jira.defects.flaky: true`):
  - its fingerprint has an open defect: comment once per run (`recurrence_comment`);
  - it has only resolved defects: the newest one is reopened when `reopen.policy` is `reopen`, it
    was resolved `window_days` ago or less and its resolution is not in `reopen.never`; a
    resolution in `never` (Won't Fix, Duplicate, ...) is left alone, with a note; otherwise a new
    defect is filed and linked to the old one;
  - it has none: a new defect is filed, at most `max_new` per run; the rest are listed on one
    umbrella issue (per repository and workflow), commented once per run while it is open. A
    test the open umbrella already lists stays there (no defect of its own) until someone
    resolves the umbrella, so a broken build does not file `max_new` more defects every run;
- a test passes and its fingerprint has an open defect this repository filed: `resolve` (comment,
  transition by name), once;
- a flaky test never resolves a defect; skipped tests change nothing;
- with `branches` set, nothing is filed, commented or resolved on other branches.
Several tests with one fingerprint (one TestRail case, or parameter variants) share one step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from tmsaction.clients.jira_model import JiraIssue
from tmsaction.config.model import Config, DefectConfig
from tmsaction.errors import TemplateError
from tmsaction.inputs import RunContext
from tmsaction.mapping.model import TestMapping
from tmsaction.model import Outcome, TestResult
from tmsaction.plan.jira_fingerprint import Fingerprint, fingerprint_of, umbrella_fingerprint
from tmsaction.plan.jira_snapshot import JiraSnapshot, resolved_at
from tmsaction.sink_texts import defect_texts

DAY = 86400.0


class Action(StrEnum):
    CREATE = "create"  # file a new defect
    CREATE_LINKED = "create-linked"  # file a new defect linked to the resolved one
    COMMENT = "comment"  # the open defect's test failed again
    REOPEN = "reopen"  # the resolved defect's test failed again
    RESOLVE = "resolve"  # the open defect's test passes again
    UMBRELLA = "umbrella"  # over `max_new`: listed on the umbrella issue
    SKIP = "skip"  # nothing (the reason says why)

    @property
    def files(self) -> bool:
        return self in (Action.CREATE, Action.CREATE_LINKED)


@dataclass(frozen=True)
class DefectStep:
    """What happens to one fingerprint's defect."""

    fingerprint: Fingerprint
    action: Action
    reason: str  # one sentence, for the summary and results_json
    tests: tuple[int, ...]  # indexes in reports.results sharing the fingerprint
    lead: int  # the test whose failure the texts describe
    failing: bool
    defect: str | None = None  # the defect acted on (CREATE_LINKED: the resolved one to link)
    stories: tuple[str, ...] = ()  # stories the tests cover
    links: tuple[str, ...] = ()  # stories not yet linked to the defect
    summary: str = ""  # CREATE, CREATE_LINKED
    description: str = ""


@dataclass(frozen=True)
class UmbrellaStep:
    """The one issue listing the failures over `max_new` (filed, or commented while open)."""

    fingerprint: Fingerprint
    defect: str | None  # the open umbrella; None: file one
    tests: tuple[int, ...]
    summary: str
    labels: tuple[str, ...] = ()  # fingerprints of the tests, recorded on the umbrella


@dataclass(frozen=True)
class JiraPlan:
    """Every Jira change of the run; a dry run renders it and writes nothing."""

    project: str | None
    filing: bool  # defects are filed and updated in this run
    why_not: str | None = None  # why not, when `filing` is False
    steps: tuple[DefectStep, ...] = ()
    umbrella: UmbrellaStep | None = None
    story_comments: tuple[str, ...] = ()  # story keys to comment on (`comment_on_stories`)
    notes: tuple[str, ...] = ()
    max_new: int = 0

    def count(self, *actions: Action) -> int:
        return sum(1 for step in self.steps if step.action in actions)

    @property
    def new_defects(self) -> int:
        return self.count(Action.CREATE, Action.CREATE_LINKED)

    @property
    def unfiled(self) -> int:
        """Failing tests over `max_new` that get no defect (with `umbrella: false`)."""
        return sum(
            len(step.tests)
            for step in self.steps
            if step.action is Action.SKIP and step.failing and step.defect is None
        )


@dataclass
class _Group:
    fingerprint: Fingerprint
    tests: list[int] = field(default_factory=list)
    failing: list[int] = field(default_factory=list)
    passed: int = 0
    flaky: int = 0
    stories: dict[str, None] = field(default_factory=dict)


def branch_allows(config: DefectConfig, context: RunContext) -> tuple[bool, str | None]:
    """Whether `branches` lets this run file defects; else why not. The branch is the pull
    request's head branch, else the ref name (a PR's `123/merge` ref is not a branch)."""
    if not config.branches:
        return True, None
    branch = context.head_ref or context.ref_name
    patterns = ", ".join(glob.text for glob in config.branches)
    if not branch:
        return False, f"the branch is unknown and jira.defects.branches is set ({patterns})"
    if any(glob.matches(branch) for glob in config.branches):
        return True, None
    return False, f"branch {branch} is not in jira.defects.branches ({patterns})"


def build_jira_plan(
    results: Sequence[TestResult],
    mappings: Sequence[TestMapping],
    config: Config,
    context: RunContext,
    snapshot: JiraSnapshot | None,
    *,
    project: str | None,
    create_defects: bool,
    now: float,
    run_variables: dict[str, object],
    covered_stories: Sequence[str] = (),
) -> JiraPlan:
    """The plan for this run (see the module docstring for the rules). `covered_stories`: the
    stories this run's tests cover, for `comment_on_stories`."""
    defects = config.jira.defects
    allowed, why_not = branch_allows(defects, context)
    stories = (
        tuple(key for key in covered_stories if key in snapshot.stories)
        if config.jira.comment_on_stories and snapshot is not None and allowed
        else ()
    )
    if not create_defects:
        return JiraPlan(project, False, "jira_create_defects is off", story_comments=stories)
    if not allowed:
        return JiraPlan(project, False, why_not)
    if snapshot is None or not snapshot.defects_read:
        return JiraPlan(project, False, "Jira could not be read", story_comments=stories)
    notes: list[str] = []
    steps: list[DefectStep] = []
    for group in _group(results, mappings, config, context, snapshot):
        step = _decide(group, snapshot, defects, now, notes)
        if step is not None:
            steps.append(step)
    steps = _cap(steps, defects)
    over = [step for step in steps if step.action is Action.UMBRELLA]
    steps = [
        _with_texts(step, results, mappings, config, run_variables=run_variables, notes=notes)
        if step.action.files
        else step
        for step in steps
    ]
    umbrella = _umbrella(over, snapshot, config, context) if over and defects.umbrella else None
    return JiraPlan(
        project,
        True,
        steps=tuple(steps),
        umbrella=umbrella,
        story_comments=stories,
        notes=tuple(notes),
        max_new=defects.max_new,
    )


def _group(
    results: Sequence[TestResult],
    mappings: Sequence[TestMapping],
    config: Config,
    context: RunContext,
    snapshot: JiraSnapshot,
) -> list[_Group]:
    """Tests by fingerprint: the failing and flaky ones, and the passing ones whose fingerprint
    has an open defect of this repository (nothing else can change)."""
    defects = config.jira.defects
    strip = config.testrail.names.strip_parameters
    repository = context.repository
    watched = snapshot.open_labels
    groups: dict[str, _Group] = {}
    for index, result in enumerate(results):
        outcome = result.outcome
        if outcome is Outcome.SKIPPED or (outcome is Outcome.PASSED and not watched):
            continue
        mapping = mappings[index]
        fingerprint = fingerprint_of(result, mapping, repository=repository, strip_parameters=strip)
        if outcome is Outcome.PASSED and not watched.intersection(fingerprint.labels):
            continue
        group = groups.setdefault(fingerprint.label, _Group(fingerprint))
        group.tests.append(index)
        if outcome.is_failure or (outcome is Outcome.FLAKY and defects.flaky):
            group.failing.append(index)
        elif outcome is Outcome.FLAKY:
            group.flaky += 1
        else:
            group.passed += 1
        for story in mapping.stories:
            group.stories[story] = None
    return list(groups.values())


def _decide(
    group: _Group, snapshot: JiraSnapshot, defects: DefectConfig, now: float, notes: list[str]
) -> DefectStep | None:
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


def _cap(steps: list[DefectStep], config: DefectConfig) -> list[DefectStep]:
    """At most `max_new` new defects; the tests of the others go to the umbrella (or nowhere)."""
    new = 0
    capped: list[DefectStep] = []
    for planned in steps:
        step = planned
        if step.action.files:
            new += 1
            if new > config.max_new:
                where = "listed on the umbrella issue" if config.umbrella else "not filed"
                step = replace(
                    planned,
                    action=Action.UMBRELLA if config.umbrella else Action.SKIP,
                    reason=f"over the cap of {config.max_new} new defects per run "
                    f"(jira.defects.max_new): {where}",
                    links=(),
                )
        capped.append(step)
    return capped


def _with_texts(
    step: DefectStep,
    results: Sequence[TestResult],
    mappings: Sequence[TestMapping],
    config: Config,
    *,
    run_variables: dict[str, object],
    notes: list[str],
) -> DefectStep:
    try:
        summary, description = defect_texts(
            config, run_variables, results[step.lead], mappings[step.lead]
        )
    except TemplateError as error:
        notes.append(f"{error}; the built-in defect texts are used instead.")
        result = results[step.lead]
        summary = f"Failing test: {result.identity.display()}"
        description = "\n\n".join(p for p in (result.message or "", result.details or "") if p)
    return replace(step, summary=summary, description=description)


def _umbrella(
    over: list[DefectStep], snapshot: JiraSnapshot, config: Config, context: RunContext
) -> UmbrellaStep:
    fingerprint = umbrella_fingerprint(context.repository, context.workflow)
    open_ones = sorted((i for i in snapshot.issues_for(fingerprint) if i.open), key=lambda i: i.id)
    where = " ".join(part for part in (context.repository, context.workflow) if part) or "CI"
    summary = (
        f"Many tests fail in {where}: more new failures than the cap of "
        f"{config.jira.defects.max_new} defects per run"
    )
    return UmbrellaStep(
        fingerprint,
        open_ones[0].key if open_ones else None,
        tuple(index for step in over for index in step.tests),
        summary=summary,
        labels=tuple(step.fingerprint.label for step in over),
    )


def failing_labels(
    results: Sequence[TestResult],
    mappings: Sequence[TestMapping],
    config: Config,
    context: RunContext,
) -> list[str]:
    """The fingerprint labels to look up: those of the tests that would file a defect."""
    strip = config.testrail.names.strip_parameters
    flaky = config.jira.defects.flaky
    labels: dict[str, None] = {}
    for index, result in enumerate(results):
        outcome = result.outcome
        if outcome.is_failure or (flaky and outcome is Outcome.FLAKY):
            fingerprint = fingerprint_of(
                result, mappings[index], repository=context.repository, strip_parameters=strip
            )
            labels.update(dict.fromkeys(fingerprint.labels))
    return list(labels)
