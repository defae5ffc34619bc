"""Execute a `JiraPlan` against Jira: file, comment, reopen and resolve defects, link them, file or
comment the umbrella issue. Never raises for API errors: each becomes part of the outcome.

Every write is safe to repeat (DESIGN.md, "every apply is idempotent"):
- a create whose response is lost is found again by its fingerprint label (`create_issue`);
- before acting on an existing defect its live state is read (`GET /issue`, consistent, with the
  `tmsaction` issue property): a run that already commented (an earlier attempt of the same
  workflow run) does nothing, a pass already reported is not reported again, a defect resolved or
  reopened since the search answered is treated as it is now;
- comments carry the run's signature, so a lost comment response is checked, not resent;
- links are read before they are added, remote links are upserted by global id.

The `tmsaction` property on each defect records its fingerprint and the last run that reported a
failure or a pass: `{"version": 1, "fingerprint": "tms-…", "basis": "…", "filed": "acme/shop run
1", "failed": "acme/shop run 7", "state": "failing" | "passing", "passed": "acme/shop run 8"}`.

Before the first create, the create screen is checked once (`createmeta`): required fields,
allowed values, fields missing from the screen. Problems there stop the creates (one message
listing every fix) but not the comments and transitions on existing defects. When Jira stops
answering, the remaining steps are reported as not done, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tmsaction.clients.jira import JiraClient
from tmsaction.clients.jira_errors import JiraProblem
from tmsaction.clients.jira_fields import field_problems, shape_value
from tmsaction.clients.jira_model import IssueLinkRef, JiraIssue, LinkRole
from tmsaction.clients.jira_text import RichText, document, paragraph, safe_label, summary_line
from tmsaction.config.model import Config
from tmsaction.errors import SyncError
from tmsaction.inputs import RunContext
from tmsaction.model import TestResult
from tmsaction.plan.jira import Action, DefectStep, JiraPlan, UmbrellaStep
from tmsaction.plan.jira_fingerprint import Fingerprint
from tmsaction.plan.jira_snapshot import JiraSnapshot
from tmsaction.runreport import SyncProblem
from tmsaction.sinks import jira_texts as texts
from tmsaction.sinks.jira_outcome import DefectChange, TestDefect
from tmsaction.traceability import StoryRow

PROPERTY = "tmsaction"
LIVE_FIELDS = ("summary", "status", "resolution", "labels", "issuelinks")
RELATES = "Relates"  # links a new defect to the resolved one it follows
UMBRELLA_LIST = 1500  # fingerprints kept on the umbrella (an issue property holds 32 KB)
FATAL = frozenset({"unreachable", "auth", "rate_limited", "not_jira", "gone"})
REJECTED = frozenset({"invalid", "too_long", "permission", "not_found"})
LISTED = 5  # tests named per defect in the summary table


@dataclass
class Applier:
    """One run's writes. `apply()` fills `by_test`, `changes`, the key lists and `problems`."""

    client: JiraClient
    plan: JiraPlan
    snapshot: JiraSnapshot
    config: Config
    context: RunContext
    results: Sequence[TestResult]
    testrail_links: Mapping[int, str]
    scope: str
    by_test: dict[int, TestDefect] = field(default_factory=dict)
    changes: list[DefectChange] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    commented_stories: list[str] = field(default_factory=list)
    problems: dict[str, list[int]] = field(default_factory=dict)  # message -> tests affected
    _base_fields: dict[str, Any] | None = None
    _create_blocked: str | None = None
    _roles: dict[str, LinkRole | str] = field(default_factory=dict)
    _down: str | None = None

    # -- the run ---------------------------------------------------------------------------------
    def apply(self) -> None:
        creates = any(step.action.files for step in self.plan.steps) or (
            self.plan.umbrella is not None and self.plan.umbrella.defect is None
        )
        if creates:
            self._preflight()
        for step in self.plan.steps:
            self._run(step)
        if self.plan.umbrella is not None:
            self._umbrella(self.plan.umbrella)

    def comment_stories(self, rows: Mapping[str, StoryRow]) -> None:
        """`comment_on_stories`: one rolling comment per story (after the defects, so the
        comment can name the defects this run filed)."""
        for key in self.plan.story_comments:
            if key in rows:
                self._story_comment(
                    key, texts.story_comment(rows[key], self.context, story_marker(self.context))
                )

    def sync_problems(self) -> tuple[SyncProblem, ...]:
        return tuple(
            SyncProblem("jira", message, unsent=len(set(tests)))
            for message, tests in self.problems.items()
        )

    def _problem(self, message: str, tests: Sequence[int] = ()) -> None:
        self.problems.setdefault(message, []).extend(tests)

    def _unsent(self, tests: Sequence[int]) -> None:
        """Count tests left undone after Jira stopped answering under that problem."""
        for message, affected in self.problems.items():
            if message.startswith("Jira stopped answering"):
                affected.extend(tests)
                return

    def _stop(self, message: str, tests: Sequence[int]) -> None:
        """Jira stopped answering: every later step is reported as not done (never dropped)."""
        self._down = f"not done: Jira stopped answering ({message})"
        self._problem(
            f"Jira stopped answering, so the remaining defect updates were not made: {message}",
            tests,
        )

    def _run(self, step: DefectStep) -> None:
        """Carry out one step; each handler records its tests, errors are recorded here."""
        if self._down:
            self._record(step, step.defect, done=False, error=self._down)
            self._unsent(step.tests)
            return
        try:
            self._dispatch(step)
        except _Handled:
            return
        except (JiraProblem, SyncError) as error:
            kind = error.kind if isinstance(error, JiraProblem) else "unreachable"
            message = str(error)
            if kind in FATAL:
                self._stop(message, step.tests)
            elif step.action.files and kind in REJECTED:
                # What Jira rejects once it rejects for every defect: say it once, try no more.
                self._create_blocked = message
                self._problem(f"No defect was filed: {message}", step.tests)
            else:
                self._problem(f"{_what(step)} for {self._tests(step)}: {message}", step.tests)
            self._record(step, step.defect, done=False, error=message)

    def _dispatch(self, step: DefectStep) -> None:
        action = step.action
        if action is Action.UMBRELLA:
            return  # recorded once the umbrella issue is known
        if action.files:
            self._create(step)
            return
        if step.defect is None:  # over the cap with no umbrella: nothing to write
            self._record(step, None, done=True)
            return
        if action is Action.SKIP:
            if step.links:
                self._links(step.defect, step.links, self._live(step.defect).links)
            self._record(step, step.defect, done=True)
            return
        live = self._live(step.defect)
        if action is Action.RESOLVE:
            self._resolve(step, live)
        elif action is Action.REOPEN and not live.open:
            self._reopen(step, live)
        else:
            self._recur(step, live)

    def _fit(self, doc: RichText) -> RichText:
        return texts.fitted(doc, self.client.text_format, self.client.text_budget)

    # -- existing defects -------------------------------------------------------------------------
    def _live(self, key: str) -> JiraIssue:
        """The defect as it is now: read by key, unless this run just did (the key walk)."""
        if key in self.snapshot.live:
            known = self.snapshot.issue(key)
            if known is not None:
                return known
        return self.client.get_issue(key, fields=LIVE_FIELDS, properties=(PROPERTY,))

    def _state(self, issue: JiraIssue) -> dict[str, Any]:
        value = issue.properties.get(PROPERTY)
        return dict(value) if isinstance(value, Mapping) else {}

    def _save(
        self, key: str, previous: dict[str, Any], fingerprint: Fingerprint, **changes: object
    ) -> None:
        value = {
            "version": 1,
            **previous,
            "fingerprint": fingerprint.label,
            "basis": fingerprint.basis,
            **changes,
        }
        if value != previous:  # a later attempt of the same run changes nothing
            self.client.set_property(key, PROPERTY, value)

    def _recur(self, step: DefectStep, live: JiraIssue) -> None:
        """The open defect's test failed again: one comment per run."""
        key = live.key
        run = texts.run_key(self.context)
        state = self._state(live)
        if not live.open:
            self._record(
                step,
                key,
                done=True,
                reason=f"{key} was resolved moments ago ({live.status}); the next run decides "
                "whether to reopen it",
            )
            return
        if run in (state.get("failed"), state.get("filed")):
            self._links(key, step.links, live.links)
            self._record(step, key, done=True, reason=f"{key}: this run's failure is already on it")
            return
        body = texts.recurrence_comment(
            self.results, self._failing(step), self.context, dict(self.testrail_links)
        )
        self.client.add_comment(
            key, self._fit(body), marker=texts.signature("failed", self.context)
        )
        self._save(key, state, step.fingerprint, failed=run, state="failing")
        self._links(key, step.links, live.links)
        self.updated.append(key)
        self._change(step, key, live.summary)
        self._record(step, key, done=True, action=Action.COMMENT)

    def _reopen(self, step: DefectStep, live: JiraIssue) -> None:
        key = live.key
        reopen = self.config.jira.defects.reopen
        body = texts.recurrence_comment(
            self.results,
            self._failing(step),
            self.context,
            dict(self.testrail_links),
            event="reopened",
            lead="Failed again, so tmsaction reopened this defect, in",
        )
        moved = self.client.transition(key, reopen.transitions, comment=self._fit(body))
        if moved is None:
            self._problem(
                f"{key} could not be reopened: none of the transitions "
                f"{', '.join(reopen.transitions)} is available from {live.status}; a new defect "
                "linked to it was filed instead (set jira.defects.reopen.transitions)",
                step.tests,
            )
            self._create(step, related=key)
            return
        self._save(
            key,
            self._state(live),
            step.fingerprint,
            failed=texts.run_key(self.context),
            state="failing",
        )
        self._links(key, step.links, live.links)
        self.updated.append(key)
        self._change(
            step, key, live.summary, reason=f"reopened ({live.status} → {moved.to_status})"
        )
        self._record(step, key, done=True)

    def _resolve(self, step: DefectStep, live: JiraIssue) -> None:
        """The test passes again: comment and/or transition, once."""
        key = live.key
        state = self._state(live)
        if not live.open:
            self._record(step, key, done=True, reason=f"{key} is already resolved ({live.status})")
            return
        if state.get("state") == "passing":
            self._record(step, key, done=True, reason=f"{key}: the pass was reported before")
            return
        resolve = self.config.jira.defects.resolve
        signature = texts.signature("passed", self.context)
        body = texts.pass_comment(self.results, step.tests, self.context)
        moved = None
        if resolve.transitions:
            moved = self.client.transition(
                key,
                resolve.transitions,
                resolution=resolve.resolution,
                comment=self._fit(body) if resolve.comment else None,
            )
            if moved is None:
                self._problem(
                    f"{key} was not moved: none of the transitions "
                    f"{', '.join(resolve.transitions)} is available from {live.status} "
                    "(set jira.defects.resolve.transitions)",
                    step.tests,
                )
        if moved is None and resolve.comment:
            self.client.add_comment(key, self._fit(body), marker=signature)
        if moved is not None and moved.to_category == "done":
            # Resolved: no pass is reported twice on a resolved defect, and if people reopen
            # it, reporting the next pass again is right. Only an open defect needs the state.
            self.resolved.append(key)
        else:
            self._save(
                key, state, step.fingerprint, passed=texts.run_key(self.context), state="passing"
            )
        self.updated.append(key)
        reason = f"moved to {moved.to_status}" if moved else "commented: passes again"
        self._change(step, key, live.summary, reason=reason)
        self._record(step, key, done=True, reason=reason)

    # -- new defects ------------------------------------------------------------------------------
    def _preflight(self) -> None:
        """Check the create screen once: every problem in one message, before any create."""
        try:
            self._base_fields = base_fields(self.client, self.config, self.plan.project or "")
        except JiraProblem as problem:
            self._create_blocked = str(problem)
            if problem.kind in FATAL:
                self._stop(str(problem), ())

    def _labels(self, fingerprint: Fingerprint) -> list[str]:
        labels = [*self.config.jira.defects.labels, self.scope, *fingerprint.labels]
        return list(dict.fromkeys(safe_label(label) for label in labels if label))

    def _create(self, step: DefectStep, related: str | None = None) -> None:
        if self._create_blocked or self._base_fields is None:
            reason = self._create_blocked or "the create screen was not checked"
            self._problem(f"No defect was filed: {reason}", step.tests)
            self._record(step, None, done=False, error=reason)
            raise _Handled
        related = related or (step.defect if step.action is Action.CREATE_LINKED else None)
        lead_link = self.testrail_links.get(step.lead)
        description = texts.description(step.description, self.context, step.fingerprint, lead_link)
        run = texts.run_key(self.context)
        fields = {
            **self._base_fields,
            "summary": summary_line(step.summary) or "Failing test",
            "description": self.client.render(self._fit(description)),
            "labels": self._labels(step.fingerprint),
        }
        state = {"filed": run, "failed": run, "state": "failing"}
        created = self.client.create_issue(
            fields,
            fingerprint_label=step.fingerprint.label,
            properties={
                PROPERTY: {
                    "version": 1,
                    "fingerprint": step.fingerprint.label,
                    "basis": step.fingerprint.basis,
                    **state,
                }
            },
        )
        key = created.key
        self.created.append(key)
        self._change(step, key, fields["summary"], related=related)
        # The defect exists from here on: a failed link below is a problem, not a lost defect.
        try:
            self._links(key, step.links, ())
            if related:
                role = self._role(RELATES)
                if role is not None:
                    self.client.link(key, related, role, existing=())
            self._remote_links(key, step.lead)
        except (JiraProblem, SyncError) as error:
            self._problem(f"{key} was filed, but linking it failed: {error}", step.tests)
        action = Action.CREATE_LINKED if related else Action.CREATE
        self._record(step, key, done=True, action=action)

    def _remote_links(self, key: str, lead: int) -> None:
        context = self.context
        if context.run_url:
            self.client.remote_link(
                key,
                global_id=f"tmsaction:run:{context.repository}:{context.run_id}",
                url=context.run_url,
                title=f"{context.workflow or 'Workflow'} run {context.run_number or context.run_id}",
                summary=f"{context.repository} · {context.head_ref or context.ref_name}",
                relationship="found in",
                application={"type": "com.github.actions", "name": "GitHub Actions"},
            )
        testrail = self.testrail_links.get(lead)
        if testrail:
            self.client.remote_link(
                key,
                global_id=f"tmsaction:testrail:{testrail}",
                url=testrail,
                title=f"TestRail: {self.results[lead].identity.display()}",
                relationship="tested in",
                application={"type": "com.gurock.testrail", "name": "TestRail"},
            )

    # -- links ----------------------------------------------------------------------------------
    def _role(self, spec: str) -> LinkRole | None:
        if spec not in self._roles:
            try:
                self._roles[spec] = self.client.resolve_link_type(spec)
            except JiraProblem as problem:
                self._roles[spec] = str(problem)
                self._problem(f"{problem} No links of this type were made.")
        role = self._roles[spec]
        return role if isinstance(role, LinkRole) else None

    def _links(self, key: str, stories: Sequence[str], existing: Sequence[IssueLinkRef]) -> None:
        link = self.config.jira.defects.link
        if link is None or not stories:
            return
        role = self._role(link.type)
        if role is None:
            return
        for story in stories:
            if story not in self.snapshot.stories:
                continue  # not in Jira (or not visible): the summary lists it as missing
            if link.direction == "defect-to-story":
                self.client.link(key, story, role, existing=existing)
            else:
                self.client.link(story, key, role, existing=self.snapshot.stories[story].links)

    # -- the umbrella issue ----------------------------------------------------------------------
    def _umbrella(self, umbrella: UmbrellaStep) -> None:
        tests = umbrella.tests
        max_new = self.config.jira.defects.max_new
        key: str | None = None
        try:
            if self._down:
                raise SyncError(self._down)
            if umbrella.defect is not None:
                live = self._live(umbrella.defect)
                key = live.key
                state = self._state(live)
                run = texts.run_key(self.context)
                if run not in (state.get("failed"), state.get("filed")):
                    body = texts.umbrella_text(
                        self.results, tests, self.context, max_new, None, event="failed"
                    )
                    self.client.add_comment(
                        key, self._fit(body), marker=texts.signature("failed", self.context)
                    )
                    self.updated.append(key)
                listed = [str(label) for label in state.get("tests") or ()]
                self._save(
                    key,
                    state,
                    umbrella.fingerprint,
                    failed=run,
                    state="failing",
                    tests=_listed(listed, umbrella.labels),
                )
                self._umbrella_change(umbrella, key, live.summary, done=True)
            else:
                key = self._create_umbrella(umbrella)
        except (JiraProblem, SyncError) as error:
            self._problem(
                f"the umbrella issue for {len(tests):,} failing tests over the cap could not be "
                f"written: {error}",
                tests,
            )
            for index in tests:
                self.by_test[index] = TestDefect(
                    key, Action.UMBRELLA, False, "over the cap", error=str(error)
                )
            self._umbrella_change(umbrella, key, umbrella.summary, done=False, error=str(error))
            return
        for index in tests:
            self.by_test[index] = TestDefect(
                key, Action.UMBRELLA, True, f"over the cap of {max_new}: listed on {key}"
            )

    def _create_umbrella(self, umbrella: UmbrellaStep) -> str:
        if self._create_blocked or self._base_fields is None:
            raise SyncError(self._create_blocked or "the create screen was not checked")
        run = texts.run_key(self.context)
        body = texts.umbrella_text(
            self.results,
            umbrella.tests,
            self.context,
            self.config.jira.defects.max_new,
            umbrella.fingerprint,
            event="umbrella",
        )
        fields = {
            **self._base_fields,
            "summary": summary_line(umbrella.summary),
            "description": self.client.render(self._fit(body)),
            "labels": self._labels(umbrella.fingerprint),
        }
        created = self.client.create_issue(
            fields,
            fingerprint_label=umbrella.fingerprint.label,
            properties={
                PROPERTY: {
                    "version": 1,
                    "fingerprint": umbrella.fingerprint.label,
                    "basis": umbrella.fingerprint.basis,
                    "filed": run,
                    "failed": run,
                    "state": "failing",
                    "tests": _listed([], umbrella.labels),
                }
            },
        )
        self.created.append(created.key)
        self._umbrella_change(umbrella, created.key, fields["summary"], done=True)
        try:
            self._remote_links(created.key, umbrella.tests[0])
        except (JiraProblem, SyncError) as error:
            self._problem(f"{created.key} was filed, but linking it failed: {error}", ())
        return created.key

    def _umbrella_change(
        self,
        umbrella: UmbrellaStep,
        key: str | None,
        title: str,
        *,
        done: bool,
        error: str | None = None,
    ) -> None:
        self.changes.append(
            DefectChange(
                action=Action.UMBRELLA,
                done=done,
                key=key,
                url=self.snapshot.browse_url(key) if key else None,
                title=title,
                tests=tuple(self.results[i].identity.display() for i in umbrella.tests[:LISTED]),
                test_count=len(umbrella.tests),
                reason="failing tests over the cap of new defects per run",
                error=error,
            )
        )

    # -- story comments ---------------------------------------------------------------------------
    def _story_comment(self, key: str, body: RichText) -> None:
        if self._down:
            return
        marker = story_marker(self.context)
        try:
            existing = self.client.find_comment(key, marker, limit=100)
            if existing is None:
                self.client.add_comment(key, self._fit(body), marker=marker)
            else:
                self.client.update_comment(key, existing.id, self._fit(body))
        except (JiraProblem, SyncError) as error:
            self._problem(f"the test results could not be written on story {key}: {error}")
            return
        self.commented_stories.append(key)

    # -- bookkeeping ------------------------------------------------------------------------------
    def _failing(self, step: DefectStep) -> list[int]:
        failing = [i for i in step.tests if self.results[i].outcome.is_failure]
        return failing or list(step.tests)

    def _tests(self, step: DefectStep) -> str:
        first = self.results[step.lead].identity.display()
        return first if len(step.tests) == 1 else f"{first} and {len(step.tests) - 1} more"

    def _record(
        self,
        step: DefectStep,
        key: str | None,
        *,
        done: bool,
        error: str | None = None,
        reason: str | None = None,
        action: Action | None = None,
    ) -> None:
        for index in step.tests:
            self.by_test[index] = TestDefect(
                key,
                action or step.action,
                done,
                reason or step.reason,
                failing=step.failing,
                error=error,
            )

    def _change(
        self,
        step: DefectStep,
        key: str,
        title: str,
        *,
        related: str | None = None,
        reason: str | None = None,
    ) -> None:
        self.changes.append(
            DefectChange(
                action=step.action if not related or step.action.files else Action.CREATE_LINKED,
                done=True,
                key=key,
                url=self.snapshot.browse_url(key),
                title=title,
                tests=tuple(self.results[i].identity.display() for i in step.tests[:LISTED]),
                test_count=len(step.tests),
                stories=step.stories,
                related=related,
                reason=reason or step.reason,
            )
        )


class _Handled(SyncError):
    """Raised after a step's problem was recorded, to skip the rest of the step."""


def base_fields(client: JiraClient, config: Config, project: str) -> dict[str, Any]:
    """The fields every new defect shares (project, issue type, priority, components, custom
    fields), shaped as the create screen wants them. Raises `JiraProblem` naming everything
    the screen would reject (`kind="invalid"`), or why the screen could not be read."""
    defects = config.jira.defects
    meta = client.create_meta(project, defects.issue_type)
    fields: dict[str, Any] = {
        "project": {"key": project},
        "issuetype": {"id": meta.issue_type.id},
    }
    wanted: dict[str, Any] = dict(defects.fields)
    if defects.priority:
        wanted["priority"] = defects.priority
    if defects.components:
        wanted["components"] = list(defects.components)
    for field_id, value in wanted.items():
        definition = meta.field(field_id)
        if definition is None:
            fields[field_id] = value  # field_problems names it: not on the screen
        elif definition.rich_text and isinstance(value, str):
            fields[definition.id] = client.render(document(paragraph(value)))
        else:
            fields[definition.id] = shape_value(definition, value)
    checked = {**fields, "summary": "x", "description": "x", "labels": ["x"]}
    problems = field_problems(meta, checked)
    if problems:
        raise JiraProblem(
            "no defect can be filed until the config matches Jira's create screen: "
            + " ".join(problems),
            kind="invalid",
        )
    return fields


def _listed(previous: Sequence[str], labels: Sequence[str]) -> list[str]:
    """The umbrella's list of fingerprints: the earlier ones, then this run's, at most
    `UMBRELLA_LIST` (tests beyond it get their own defects in later runs, within the cap)."""
    return list(dict.fromkeys([*previous, *labels]))[:UMBRELLA_LIST]


def story_marker(context: RunContext) -> str:
    """The rolling story comment's marker: one comment per story, repository and workflow."""
    return f"tmsaction · test results · {context.repository or 'local'} {context.workflow}".strip()


def _what(step: DefectStep) -> str:
    return {
        Action.CREATE: "could not file a defect",
        Action.CREATE_LINKED: "could not file a defect",
        Action.COMMENT: f"could not comment on {step.defect}",
        Action.REOPEN: f"could not reopen {step.defect}",
        Action.RESOLVE: f"could not resolve {step.defect}",
    }.get(step.action, f"could not update {step.defect}")
