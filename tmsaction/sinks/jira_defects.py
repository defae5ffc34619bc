"""Writes on single defects: file a new one (after checking the create screen once), comment on a
recurrence, reopen a resolved one, report a pass. Each acts on the defect's live state.

Safe to repeat (DESIGN.md, "every apply is idempotent"): a create whose response is lost is found
again by its fingerprint label; a run that already commented (an earlier attempt of the same
workflow run) does nothing, as the `tmsaction` property says; a pass already reported is not
reported again; a defect resolved or reopened since the search answered is treated as it is now;
comments carry the run's signature, so a lost comment response is checked, not resent.
"""

from __future__ import annotations

from typing import Any

from tmsaction.clients.jira import JiraClient
from tmsaction.clients.jira_errors import JiraProblem
from tmsaction.clients.jira_fields import field_problems, shape_value
from tmsaction.clients.jira_model import JiraIssue
from tmsaction.clients.jira_text import document, paragraph, safe_label, summary_line
from tmsaction.config.model import Config
from tmsaction.errors import SyncError
from tmsaction.plan.jira import Action, DefectStep
from tmsaction.plan.jira_fingerprint import Fingerprint
from tmsaction.sinks import jira_texts as texts
from tmsaction.sinks.jira_state import FATAL, PROPERTY, ApplyState, StepHandled

RELATES = "Relates"  # links a new defect to the resolved one it follows


class DefectWriter(ApplyState):
    """File, comment, reopen and resolve single defects."""

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
            raise StepHandled
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
