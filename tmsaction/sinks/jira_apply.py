"""Execute a `JiraPlan` against Jira: every defect step, then the umbrella issue, then (once the
traceability is known) the story comments. Never raises for API errors: each becomes part of the
outcome (`by_test`, `changes`, the key lists, `sync_problems()`).

Before the first create, the create screen is checked once (`createmeta`): required fields,
allowed values, fields missing from the screen. Problems there stop the creates (one message
listing every fix) but not the comments and transitions on existing defects. A create Jira
rejects for a reason that holds for every defect stops the other creates the same way. When Jira
stops answering, the remaining steps are reported as not done, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tmsaction.clients.jira_errors import JiraProblem
from tmsaction.clients.jira_text import RichText, summary_line
from tmsaction.errors import SyncError
from tmsaction.inputs import RunContext
from tmsaction.plan.jira import Action, DefectStep, UmbrellaStep
from tmsaction.sinks import jira_texts as texts
from tmsaction.sinks.jira_defects import DefectWriter
from tmsaction.sinks.jira_outcome import DefectChange, TestDefect
from tmsaction.sinks.jira_state import FATAL, LISTED, PROPERTY, REJECTED, StepHandled
from tmsaction.traceability import StoryRow

UMBRELLA_LIST = 1500  # fingerprints kept on the umbrella (an issue property holds 32 KB)


class Applier(DefectWriter):
    """One run's writes. `apply()` fills `by_test`, `changes`, the key lists and `problems`."""

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

    def _run(self, step: DefectStep) -> None:
        """Carry out one step; each handler records its tests, errors are recorded here."""
        if self._down:
            self._record(step, step.defect, done=False, error=self._down)
            self._unsent(step.tests)
            return
        try:
            self._dispatch(step)
        except StepHandled:
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
