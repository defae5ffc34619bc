"""The Jira defect plan: per fingerprint, what happens to its defect in this run, and why. Pure.

Built from the test results, their mappings, the config and a `JiraSnapshot`: tests are grouped
by fingerprint, each group is decided by the rules of `plan/jira_rules.py`, then at most
`max_new` new defects are kept (the rest go to the umbrella issue) and their texts rendered. The
values are in `plan/jira_model.py` (re-exported here). In short (README "Jira"):

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
from dataclasses import replace

from tmsaction.config.model import Config, DefectConfig
from tmsaction.errors import TemplateError
from tmsaction.inputs import RunContext
from tmsaction.mapping.model import TestMapping
from tmsaction.model import Outcome, TestResult
from tmsaction.plan.jira_fingerprint import fingerprint_of, umbrella_fingerprint
from tmsaction.plan.jira_model import Action, DefectStep, JiraPlan, UmbrellaStep
from tmsaction.plan.jira_rules import FingerprintGroup, decide
from tmsaction.plan.jira_snapshot import JiraSnapshot
from tmsaction.sink_texts import defect_texts

__all__ = [
    "Action",
    "DefectStep",
    "JiraPlan",
    "UmbrellaStep",
    "branch_allows",
    "build_jira_plan",
    "failing_labels",
]


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
        step = decide(group, snapshot, defects, now, notes)
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
) -> list[FingerprintGroup]:
    """Tests by fingerprint: the failing and flaky ones, and the passing ones whose fingerprint
    has an open defect of this repository (nothing else can change)."""
    defects = config.jira.defects
    strip = config.testrail.names.strip_parameters
    repository = context.repository
    watched = snapshot.open_labels
    groups: dict[str, FingerprintGroup] = {}
    for index, result in enumerate(results):
        outcome = result.outcome
        if outcome is Outcome.SKIPPED or (outcome is Outcome.PASSED and not watched):
            continue
        mapping = mappings[index]
        fingerprint = fingerprint_of(result, mapping, repository=repository, strip_parameters=strip)
        if outcome is Outcome.PASSED and not watched.intersection(fingerprint.labels):
            continue
        group = groups.setdefault(fingerprint.label, FingerprintGroup(fingerprint))
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
