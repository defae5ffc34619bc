"""The pull-request comment sink: one comment per pull request and comment key, found again by its
hidden marker (`github_comment.py`) and updated in place, never a new one per push.

Modes (input `comment`):
- `always`: write the comment on every run;
- `failures`: write it only while something fails (a test, or a `fail_on` gate); once a comment
  exists, keep updating it, so it turns green when the failures are fixed;
- `changes`: write it when the result differs from what the existing comment shows (verdict,
  counts or the set of failing tests); with no comment yet, when something fails;
- `off`: never.

Exactly one comment, whatever happens:
- every page of comments is read, and the oldest comment carrying the marker is the one kept;
  any others with the marker (left by a race, see below) are deleted;
- a create whose response is lost is checked against the server before it is resent
  (`http.write_once`);
- two jobs with the same key racing (both list, find nothing, both create): each creator lists
  again after creating; a creator that finds an older marked comment moves its text there and
  deletes its own. Comment ids grow with time, so the later creator always sees the earlier one,
  and the earliest never deletes itself: one comment remains, holding the last writer's text.

A token that may not write (403 "Resource not accessible by integration") is expected on pull
requests from forks, whose `GITHUB_TOKEN` is read-only: that is a notice and the summary, never a
failed step. On a pull request from the same repository it means the job lacks
`permissions: pull-requests: write`, which is reported as a sync problem with that fix.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from tmsaction import ghactions
from tmsaction.clients.github import GitHubClient, IssueComment
from tmsaction.errors import HttpError, SyncError
from tmsaction.ghactions import Console
from tmsaction.http import Redactor, write_once
from tmsaction.inputs import Inputs, RunContext
from tmsaction.render.comment import render_comment, render_comment_status
from tmsaction.render.view import verdict_of
from tmsaction.runreport import RunReport, SyncProblem
from tmsaction.sinks.github_comment import (
    GREEN,
    CommentAction,
    CommentOutcome,
    CommentState,
    comment_key,
    header,
    is_ours,
)
from tmsaction.sinks.github_pr import PullLookup, PullTarget, lookup_from_event, resolve

FORK_HELP = (
    "pull requests from forks get a read-only GITHUB_TOKEN; the results are in this job's "
    "summary. To comment on them, run tmsaction in a workflow_run workflow."
)
PERMISSION_HELP = "give the job permissions: pull-requests: write (or issues: write)"


def should_write(
    mode: str, state: CommentState, previous: CommentState | None, exists: bool
) -> tuple[bool, str]:
    """Whether the mode calls for writing the comment now; else the reason not to. Pure."""
    if mode == "always":
        return True, ""
    if mode == "failures":
        if state.red or exists:
            return True, ""
        return False, "nothing failed, so no comment (comment: failures)"
    if mode == "changes":
        baseline = previous if exists else GREEN
        if not exists and not state.red:
            return False, "nothing failed and there is no earlier comment (comment: changes)"
        if exists and baseline == state:
            return False, "the result is the same as the comment shows (comment: changes)"
        return True, ""
    return False, "comments are off (comment: off)"


@dataclass(frozen=True)
class CommentPlan:
    """What one run asks of the sink: where, under which key, which text, in which mode."""

    repository: str
    key: str
    mode: str
    body: str
    state: CommentState


def upsert_comment(
    client: GitHubClient, plan: CommentPlan, number: int, *, sleep: Callable[[float], None]
) -> CommentOutcome:
    """Create or update the one comment `plan.key` owns on pull request `number` (see module doc)."""
    repo = plan.repository
    ours = sorted(
        (c for c in client.issue_comments(repo, number) if is_ours(c.body, plan.key)),
        key=lambda c: c.id,
    )
    keep = ours[0] if ours else None
    removed = sum(client.delete_issue_comment(repo, c.id) for c in ours[1:])
    previous = CommentState.parse(keep.body) if keep else None
    write, why = should_write(plan.mode, plan.state, previous, keep is not None)
    if not write:
        return CommentOutcome(
            CommentAction.SKIPPED, f"No PR comment on #{number}: {why}.", number, None, removed
        )
    if keep is not None:
        if keep.body == plan.body:
            return CommentOutcome(
                CommentAction.UNCHANGED,
                f"The PR comment on #{number} already shows this result.",
                number,
                keep.html_url,
                removed,
            )
        try:
            updated = client.update_issue_comment(repo, keep.id, plan.body)
        except HttpError as error:
            if error.status != 404:
                raise
            # Deleted between listing and updating: write a new one below.
        else:
            return CommentOutcome(
                CommentAction.UPDATED,
                f"Updated the PR comment on #{number}.",
                number,
                updated.html_url,
                removed,
            )

    def find_sent() -> IssueComment | None:
        return next((c for c in client.issue_comments(repo, number) if c.body == plan.body), None)

    created = write_once(
        lambda: client.create_issue_comment(repo, number, plan.body), find_sent, sleep=sleep
    )
    # Another job with the same key may have created one at the same time: the oldest wins.
    older = [
        c
        for c in client.issue_comments(repo, number)
        if c.id < created.id and is_ours(c.body, plan.key)
    ]
    if not older:
        return CommentOutcome(
            CommentAction.CREATED,
            f"Created the PR comment on #{number}.",
            number,
            created.html_url,
            removed,
        )
    updated = client.update_issue_comment(repo, older[0].id, plan.body)
    removed += client.delete_issue_comment(repo, created.id)
    for extra in older[1:]:
        removed += client.delete_issue_comment(repo, extra.id)
    return CommentOutcome(
        CommentAction.UPDATED,
        f"Updated the PR comment on #{number} (another job created one at the same time; "
        "the older one was kept).",
        number,
        updated.html_url,
        removed,
    )


def _read_event(context: RunContext, console: Console) -> Mapping[str, Any]:
    if context.event_path is None:
        return {}
    try:
        payload = json.loads(context.event_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        console.warning(
            f"Cannot read the event payload {context.event_path} ({error}); the pull request "
            "is taken from GITHUB_REF where possible.",
            title="PR comment",
        )
        return {}
    return payload if isinstance(payload, dict) else {}


def _plan_comment(report: RunReport, context: RunContext, mode: str) -> CommentPlan:
    key = comment_key(context.workflow, context.job)
    state = CommentState.of(report.reports, verdict_of(report).red)
    body = render_comment(report, header(key, state))
    return CommentPlan(context.repository, key, mode, body, state)


def _on_error(error: SyncError, target: PullTarget) -> tuple[CommentOutcome, SyncProblem | None]:
    message = str(error)
    if isinstance(error, HttpError) and error.status == 403 and "not accessible" in message:
        if target.fork is False:
            text = (
                f"Cannot write the PR comment on #{target.number}: the token may not write "
                f"comments; {PERMISSION_HELP}."
            )
            return CommentOutcome(CommentAction.FAILED, text, target.number), SyncProblem(
                "github", text
            )
        text = f"No PR comment on #{target.number}: the token is read-only; {FORK_HELP}"
        return CommentOutcome(CommentAction.READ_ONLY, text, target.number), None
    text = f"Cannot write the PR comment on #{target.number}: {message}"
    if isinstance(error, HttpError) and error.status == 401:
        text += " (check the github_token input)"
    return CommentOutcome(CommentAction.FAILED, text, target.number), SyncProblem("github", text)


def comment_on_pulls(
    report: RunReport,
    inputs: Inputs,
    context: RunContext,
    lookup: PullLookup,
    console: Console,
    *,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> tuple[list[CommentOutcome], list[SyncProblem]]:
    """Resolve the pull requests and upsert the comment on each; API errors become problems."""
    plan = _plan_comment(report, context, inputs.comment)
    token = inputs.github_token or ""
    client = GitHubClient.connect(
        context.api_url, token, sleep=sleep, clock=clock, redactor=Redactor(inputs.secrets())
    )
    outcomes: list[CommentOutcome] = []
    problems: list[SyncProblem] = []
    try:
        try:
            targets, reason = resolve(lookup, client, context.repository)
        except SyncError as error:
            text = f"Cannot find the pull request for commit {lookup.head_sha[:7]}: {error}"
            return [CommentOutcome(CommentAction.FAILED, text)], [SyncProblem("github", text)]
        if not targets:
            return [CommentOutcome(CommentAction.SKIPPED, f"No PR comment: {reason}.")], []
        for target in targets:
            try:
                outcomes.append(upsert_comment(client, plan, target.number, sleep=sleep))
            except SyncError as error:
                outcome, problem = _on_error(error, target)
                outcomes.append(outcome)
                problems.extend([problem] if problem else [])
    finally:
        client.close()
    return outcomes, problems


def publish_comment(
    report: RunReport,
    inputs: Inputs,
    context: RunContext,
    console: Console,
    *,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> RunReport:
    """The comment step of the pipeline (after the summary is written): upsert the comment,
    record the outcome and any problem on the report, tell the log and the summary."""
    if inputs.comment == "off":
        return replace(
            report, comments=(CommentOutcome(CommentAction.SKIPPED, "Comments are off."),)
        )
    lookup = lookup_from_event(
        context.event_name,
        _read_event(context, console),
        sha=context.sha,
        ref=context.ref,
        repository=context.repository,
    )
    problems: list[SyncProblem] = []
    if not lookup.targets and not lookup.head_sha:
        outcomes = [CommentOutcome(CommentAction.SKIPPED, f"No PR comment: {lookup.reason}.")]
    elif not context.repository:
        outcomes = [
            CommentOutcome(CommentAction.SKIPPED, "No PR comment: GITHUB_REPOSITORY is not set.")
        ]
    elif report.dry_run:
        outcomes = [_dry_run(report, context, inputs.comment, lookup, console)]
    elif not inputs.github_token:
        text = "No PR comment: github_token is empty (leave it unset to use the workflow token)."
        console.annotate("notice", text, title="PR comment")
        outcomes = [CommentOutcome(CommentAction.SKIPPED, text)]
    else:
        outcomes, problems = comment_on_pulls(
            report, inputs, context, lookup, console, sleep=sleep, clock=clock
        )
    for outcome in outcomes:
        if outcome.action is CommentAction.READ_ONLY:
            console.annotate("notice", outcome.reason, title="PR comment")
        elif outcome.action is CommentAction.FAILED:
            console.warning(outcome.reason, title="PR comment")
        elif outcome.action is not CommentAction.SKIPPED or console.in_actions:
            console.info(outcome.reason + (f" {outcome.url}" if outcome.url else ""))
    # A skip with no pull request (a push to main, a nightly run) is not worth a line.
    status = render_comment_status(
        [o for o in outcomes if o.action is not CommentAction.SKIPPED or o.pull is not None]
    )
    if status and context.step_summary:
        ghactions.append_summary(context.step_summary, status)
    return replace(report, comments=tuple(outcomes), problems=(*report.problems, *problems))


def _dry_run(
    report: RunReport, context: RunContext, mode: str, lookup: PullLookup, console: Console
) -> CommentOutcome:
    plan = _plan_comment(report, context, mode)
    if lookup.targets:
        where = ", ".join(f"#{t.number}" for t in lookup.targets)
    else:
        where = f"the open pull request of commit {lookup.head_sha[:7]}"
    with console.group(f"PR comment that would be written on {where} (dry run)"):
        console.info(plan.body)
    number = lookup.targets[0].number if len(lookup.targets) == 1 else None
    return CommentOutcome(
        CommentAction.PLANNED,
        f"Dry run: the PR comment on {where} would be created or updated (comment: {mode}).",
        number,
    )
