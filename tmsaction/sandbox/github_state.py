"""The GitHub emulator's state: tokens, repositories, pull requests, issue comments, workflow
runs and artifacts, plus the `Call` value handlers receive. Plain data; the emulator guards it
with its lock."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from tmsaction.sandbox.server import Request

#: The account the workflow token (GITHUB_TOKEN) acts as.
BOT_LOGIN = "github-actions[bot]"
BOT_ID = 41898282


@dataclass
class Token:
    """An access token: whose it is, whether it may write, which repositories it reaches."""

    value: str
    login: str = BOT_LOGIN
    user_id: int = BOT_ID
    user_type: str = "Bot"  # "Bot" for installation tokens (GITHUB_TOKEN), "User" for PATs
    write: bool = True
    repos: frozenset[str] | None = None  # lower-case full names; None: every repository
    hourly_limit: int = 5000
    used: int = 0
    window_start: float = 0.0


@dataclass
class Comment:
    id: int
    repo: str  # lower-case full name
    issue: int
    body: str
    login: str
    user_id: int
    user_type: str
    created_at: float
    updated_at: float


@dataclass
class Pull:
    number: int
    title: str
    head_ref: str
    shas: list[str]  # commits of the head branch, oldest first; the last one is the head
    base_ref: str = "main"
    head_repo: str | None = None  # full name of a fork; None: the same repository
    state: str = "open"
    author: str = "octocat"
    merged: bool = False

    @property
    def head_sha(self) -> str:
        return self.shas[-1]


@dataclass
class Workflow:
    id: int
    name: str
    path: str  # .github/workflows/ci.yml


@dataclass
class WorkflowRun:
    id: int
    workflow_id: int
    name: str
    path: str
    head_branch: str
    head_sha: str
    event: str
    status: str
    conclusion: str | None
    run_number: int
    run_attempt: int
    created_at: float
    pull_requests: list[int] = field(default_factory=list)


@dataclass
class Artifact:
    id: int
    run_id: int
    name: str
    data: bytes  # the zip archive
    created_at: float
    expired: bool = False


@dataclass
class ActionsState:
    workflows: dict[int, Workflow] = field(default_factory=dict)
    runs: dict[int, WorkflowRun] = field(default_factory=dict)
    artifacts: dict[int, Artifact] = field(default_factory=dict)


@dataclass
class Repo:
    full_name: str
    id: int
    private: bool = True
    default_branch: str = "main"
    pulls: dict[int, Pull] = field(default_factory=dict)
    issues: set[int] = field(default_factory=set)  # plain issues (numbers shared with pulls)
    actions: ActionsState = field(default_factory=ActionsState)

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]


@dataclass(frozen=True)
class Call:
    """One routed request, as handlers see it."""

    request: Request
    base: str  # scheme://host of the emulator, as the client addressed it
    token: Token | None
    params: dict[str, str]
    groups: tuple[str, ...]

    def url(self, path: str, **query: object) -> str:
        clean = {k: v for k, v in query.items() if v not in (None, "")}
        return self.base + path + (("?" + urlencode(clean)) if clean else "")
