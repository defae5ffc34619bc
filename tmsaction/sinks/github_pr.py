"""Which pull request(s) a run belongs to, from the event that started the workflow.

- `pull_request`, `pull_request_target`: the payload's `pull_request.number` (or, without a
  readable payload, the number in `GITHUB_REF=refs/pull/N/merge`);
- `issue_comment` on a pull request: `issue.number`;
- `workflow_run`: `workflow_run.pull_requests[]` when GitHub filled it in; it is empty for pull
  requests from forks (actions/runner#3444), so then the open pull requests whose head is
  `head_repository.owner:head_branch` and whose head commit is `workflow_run.head_sha`, and
  failing that the pull requests of that commit;
- `push`: the open pull requests whose head commit is the pushed commit;
- anything else (`schedule`, `workflow_dispatch`, `merge_group`, ...): no pull request.

`lookup_from_event` is pure; `resolve` asks the API only for what the payload does not say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tmsaction.clients.github import GitHubClient, PullRequest

PR_EVENTS = ("pull_request", "pull_request_target")
_PULL_REF = re.compile(r"^refs/pull/(\d+)/(?:merge|head)$")


@dataclass(frozen=True)
class PullTarget:
    number: int
    fork: bool | None = None  # the head branch lives in another repository (None: unknown)


@dataclass(frozen=True)
class PullLookup:
    """What the event says about the pull request: known numbers, or how to find them."""

    targets: tuple[PullTarget, ...] = ()
    head_sha: str = ""  # find open pull requests whose head commit is this
    head_label: str = ""  # `owner:branch` to narrow that search (workflow_run)
    fork: bool | None = None  # for targets found by lookup
    reason: str = ""  # why there is no pull request, when there is none

    @property
    def needs_api(self) -> bool:
        return not self.targets and bool(self.head_sha)


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _full_name(repo: Any) -> str:
    return str(_dict(repo).get("full_name") or "")


def _fork(head_repo: str, base_repo: str) -> bool | None:
    if not head_repo or not base_repo:
        return None
    return head_repo.lower() != base_repo.lower()


def lookup_from_event(
    event_name: str,
    payload: Mapping[str, Any],
    *,
    sha: str = "",
    ref: str = "",
    repository: str = "",
) -> PullLookup:
    """Read the pull request (or how to find it) from the event payload. Pure."""
    if event_name in PR_EVENTS:
        pull = _dict(payload.get("pull_request"))
        number = pull.get("number") or payload.get("number")
        if not number and (found := _PULL_REF.match(ref)):
            number = found.group(1)
        if not number:
            return PullLookup(reason=f"the {event_name} event payload names no pull request")
        fork = _fork(
            _full_name(_dict(pull.get("head")).get("repo")),
            _full_name(_dict(pull.get("base")).get("repo")) or repository,
        )
        return PullLookup(targets=(PullTarget(int(number), fork),))
    if event_name == "issue_comment":
        issue = _dict(payload.get("issue"))
        if issue.get("pull_request") and issue.get("number"):
            return PullLookup(targets=(PullTarget(int(issue["number"])),))
        return PullLookup(reason="the comment is on an issue, not a pull request")
    if event_name == "workflow_run":
        run = _dict(payload.get("workflow_run"))
        base = _full_name(payload.get("repository")) or repository
        head_repo = _dict(run.get("head_repository"))
        fork = _fork(_full_name(head_repo), base)
        numbers = [
            int(p["number"])
            for p in run.get("pull_requests") or []
            if isinstance(p, dict) and p.get("number")
        ]
        if numbers:
            return PullLookup(targets=tuple(PullTarget(n, fork) for n in numbers))
        head_sha = str(run.get("head_sha") or "")
        if not head_sha:
            return PullLookup(reason="the workflow_run payload has no head commit")
        owner = str(_dict(head_repo.get("owner")).get("login") or "")
        branch = str(run.get("head_branch") or "")
        label = f"{owner}:{branch}" if owner and branch else ""
        return PullLookup(head_sha=head_sha, head_label=label, fork=fork)
    if event_name == "push":
        head_sha = str(payload.get("after") or sha)
        if not head_sha or set(head_sha) == {"0"}:  # a deleted branch pushes 000…0
            return PullLookup(reason="the push deleted the branch")
        return PullLookup(head_sha=head_sha)
    return PullLookup(reason=f"a {event_name or 'local'} run belongs to no pull request")


def _matching(pulls: list[PullRequest], sha: str) -> list[PullRequest]:
    return [p for p in pulls if p.state == "open" and p.head_sha == sha]


def resolve(
    lookup: PullLookup, client: GitHubClient, repository: str
) -> tuple[list[PullTarget], str]:
    """The pull requests to comment on, asking the API when the payload did not say; plus the
    reason when there are none."""
    if lookup.targets or not lookup.head_sha:
        return list(lookup.targets), lookup.reason
    found: list[PullRequest] = []
    if lookup.head_label:
        found = _matching(client.open_pulls(repository, head=lookup.head_label), lookup.head_sha)
    if not found:
        found = _matching(client.pulls_for_commit(repository, lookup.head_sha), lookup.head_sha)
    targets = []
    for pull in found:
        fork = lookup.fork
        if pull.head_repo:
            fork = pull.head_repo.lower() != repository.lower()
        targets.append(PullTarget(pull.number, fork))
    reason = "" if targets else f"no open pull request has commit {lookup.head_sha[:7]} as its head"
    return targets, reason
