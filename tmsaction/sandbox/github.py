"""A stateful emulator of the GitHub REST API v3, for what tmsaction and PyGithub use.

Repositories, pull requests, issue comments (paginated with `Link` headers), commit -> pull
requests, and workflow runs with their artifacts (`github_actions.py`). Behaviour follows
docs.github.com/rest and answers seen from api.github.com:
- auth: `Authorization: token X` or `Bearer X`; an unknown token is 401 "Bad credentials"; no
  token reads public repositories only (a private one is 404, as GitHub hides it) and cannot
  write (401 "Requires authentication");
- a read-only token (the `GITHUB_TOKEN` of a pull request from a fork) gets 403 "Resource not
  accessible by integration" on every write;
- a comment body over 65,536 characters is 422 "Validation Failed" with GitHub's error;
- every answer carries the `X-RateLimit-*` headers of a per-token hourly budget (403 with
  `x-ratelimit-remaining: 0` when spent); `write_limit` adds the secondary limit on content
  creation (403 with `Retry-After`), and `faults.fail_next(...)` injects anything else.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

from tmsaction.sandbox.github_actions import ActionsApi
from tmsaction.sandbox.github_state import BOT_ID, BOT_LOGIN, Call, Comment, Pull, Repo, Token
from tmsaction.sandbox.github_wire import (
    DOCS,
    api_error,
    comment_json,
    page,
    pull_json,
    repo_json,
    too_long,
    user_json,
)
from tmsaction.sandbox.server import Emulator, RateLimit, Request, Response

MAX_COMMENT = 65_536
_REPO = r"/repos/([^/]+/[^/]+)"

Handler = Callable[[Call], Response]
Route = tuple[str, re.Pattern[str], str, Handler, bool]  # method, path, name, handler, writes


class GitHubEmulator(Emulator):
    name = "github"

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.clock = clock
        self.repos: dict[str, Repo] = {}  # by lower-case full name
        self.tokens: dict[str, Token] = {}
        self.comments: dict[int, Comment] = {}
        #: Secondary rate limit on content creation (GitHub: about 80 per minute); None: off.
        self.write_limit: RateLimit | None = None
        #: GitHub answers a secondary rate limit with 403 or 429 ("Rate limits for the REST API").
        self.secondary_status = 403
        self._ids = iter(range(1_000_001, 10**12))
        self._id_lock = threading.Lock()
        self.actions = ActionsApi(self)
        self._routes: list[Route] = []
        for method, path, name, handler, writes in (
            ("GET", _REPO, "repo", self._get_repo, False),
            ("GET", _REPO + r"/pulls", "pulls", self._list_pulls, False),
            ("GET", _REPO + r"/pulls/(\d+)", "pull", self._get_pull, False),
            ("GET", _REPO + r"/commits/([^/]+)", "commit", self._get_commit, False),
            ("GET", _REPO + r"/commits/([^/]+)/pulls", "commit_pulls", self._commit_pulls, False),
            ("GET", _REPO + r"/issues/(\d+)/comments", "comments", self._list_comments, False),
            ("POST", _REPO + r"/issues/(\d+)/comments", "create_comment", self._create, True),
            ("GET", _REPO + r"/issues/comments/(\d+)", "comment", self._get_comment, False),
            ("PATCH", _REPO + r"/issues/comments/(\d+)", "update_comment", self._update, True),
            ("DELETE", _REPO + r"/issues/comments/(\d+)", "delete_comment", self._delete, True),
            ("GET", r"/user", "user", self._get_user, False),
            *((m, p, n, h, False) for m, p, n, h in self.actions.routes()),
        ):
            self._routes.append((method, re.compile(path + "/?"), name, handler, writes))

    # -- seeding ---------------------------------------------------------------------------------
    def next_id(self) -> int:
        with self._id_lock:
            return next(self._ids)

    def add_repo(
        self, full_name: str, *, private: bool = True, default_branch: str = "main"
    ) -> Repo:
        with self.lock:
            repo = Repo(full_name, self.next_id(), private, default_branch)
            self.repos[full_name.lower()] = repo
            return repo

    def add_token(
        self,
        value: str,
        *,
        write: bool = True,
        login: str = BOT_LOGIN,
        user_type: str = "Bot",
        repos: set[str] | None = None,
        hourly_limit: int = 5000,
    ) -> Token:
        """`write=False` is the read-only `GITHUB_TOKEN` of a pull request from a fork."""
        with self.lock:
            token = Token(
                value,
                login=login,
                user_id=BOT_ID if login == BOT_LOGIN else self.next_id(),
                user_type=user_type,
                write=write,
                repos=frozenset(r.lower() for r in repos) if repos is not None else None,
                hourly_limit=hourly_limit,
                window_start=self.clock(),
            )
            self.tokens[value] = token
            return token

    def add_pull(
        self,
        repo: str,
        number: int,
        *,
        head_ref: str,
        head_sha: str,
        base_ref: str = "main",
        head_repo: str | None = None,
        title: str = "",
        state: str = "open",
    ) -> Pull:
        """A pull request; `head_repo` names the fork it comes from (None: the same repository)."""
        with self.lock:
            pull = Pull(number, title or f"Pull request {number}", head_ref, [head_sha], base_ref)
            pull.head_repo, pull.state = head_repo, state
            self.repo(repo).pulls[number] = pull
            return pull

    def push(self, repo: str, number: int, sha: str) -> None:
        """A new commit on the pull request's head branch."""
        with self.lock:
            self.repo(repo).pulls[number].shas.append(sha)

    def add_comment(self, repo: str, issue: int, body: str, *, login: str = "octocat") -> Comment:
        """A comment written by someone else (a person, or an earlier run of the action)."""
        with self.lock:
            now = self.clock()
            user_type = "Bot" if login.endswith("[bot]") else "User"
            user_id = BOT_ID if login == BOT_LOGIN else 1000 + len(login)
            comment = Comment(
                self.next_id(), repo.lower(), issue, body, login, user_id, user_type, now, now
            )
            self.comments[comment.id] = comment
            return comment

    def repo(self, full_name: str) -> Repo:
        return self.repos[full_name.lower()]

    def issue_comments(self, repo: str, issue: int) -> list[Comment]:
        """Comments on one issue or pull request, oldest first (the emulator's state, for tests)."""
        with self.lock:
            return sorted(
                (c for c in self.comments.values() if c.repo == repo.lower() and c.issue == issue),
                key=lambda c: c.id,
            )

    # -- dispatch --------------------------------------------------------------------------------
    def route_of(self, request: Request) -> str:
        for method, pattern, name, _handler, _writes in self._routes:
            if method == request.method and pattern.fullmatch(request.path):
                return name
        return request.path

    def rate_limited(self, retry_after: float) -> Response:
        """The base class's rate limit answers as GitHub's secondary limit does."""
        return self._secondary_limit(retry_after)

    def handle(self, request: Request) -> Response:
        base = f"http://{request.header('host') or '127.0.0.1'}"
        for method, pattern, _name, handler, writes in self._routes:
            found = pattern.fullmatch(request.path)
            if not found or method != request.method:
                continue
            token = self._authenticate(request)
            if isinstance(token, Response):
                return token
            refused = self._spend(token) or (
                self._may_write(token, found.group(1)) if writes else None
            )
            if refused is None and writes and self.write_limit is not None:
                wait = self.write_limit.check()
                refused = self._secondary_limit(wait) if wait is not None else None
            if refused is not None:
                return self._with_rate_headers(refused, token)
            call = Call(request, base, token, request.params(), found.groups())
            with self.lock:
                response = handler(call)
            return self._with_rate_headers(response, token)
        return api_error(404, "Not Found")  # GitHub answers 404 for unknown methods too

    def _authenticate(self, request: Request) -> Token | Response | None:
        header = request.header("authorization")
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        token = self.tokens.get(value.strip()) if scheme.lower() in ("token", "bearer") else None
        return token if token is not None else api_error(401, "Bad credentials")

    def _spend(self, token: Token | None) -> Response | None:
        """The primary rate limit: `hourly_limit` requests per token per hour."""
        if token is None:
            return None
        with self.lock:
            now = self.clock()
            if now - token.window_start >= 3600:
                token.window_start, token.used = now, 0
            if token.used >= token.hourly_limit:
                who = (
                    "installation ID 1" if token.user_type == "Bot" else f"user ID {token.user_id}"
                )
                return api_error(
                    403,
                    f"API rate limit exceeded for {who}. If you reach out to GitHub Support for "
                    "help, please include the request ID 0000:1111:2222:3333:4444.",
                    f"{DOCS}/overview/rate-limits-for-the-rest-api",
                )
            token.used += 1
        return None

    def _secondary_limit(self, retry_after: float) -> Response:
        response = api_error(
            self.secondary_status,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
            "again. If you reach out to GitHub Support for help, please include the request ID "
            "0000:1111:2222:3333:4444.",
            f"{DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        )
        response.headers["Retry-After"] = f"{max(1, round(retry_after))}"
        return response

    def _with_rate_headers(self, response: Response, token: Token | None) -> Response:
        if token is not None:
            response.headers.update(
                {
                    "X-RateLimit-Limit": str(token.hourly_limit),
                    "X-RateLimit-Remaining": str(max(0, token.hourly_limit - token.used)),
                    "X-RateLimit-Used": str(token.used),
                    "X-RateLimit-Reset": str(int(token.window_start + 3600)),
                    "X-RateLimit-Resource": "core",
                }
            )
        response.headers.setdefault("X-GitHub-Api-Version-Selected", "2022-11-28")
        return response

    def _may_write(self, token: Token | None, repo_name: str) -> Response | None:
        if token is None:
            return api_error(401, "Requires authentication")
        repo = self.repos.get(repo_name.lower())
        if repo is None or not self._visible(repo, token):
            return api_error(404, "Not Found")
        if not token.write or (token.repos is not None and repo_name.lower() not in token.repos):
            return api_error(
                403,
                "Resource not accessible by integration",
                f"{DOCS}/issues/comments#create-an-issue-comment",
            )
        return None

    def _visible(self, repo: Repo, token: Token | None) -> bool:
        if not repo.private:
            return True
        return token is not None and (token.repos is None or repo.full_name.lower() in token.repos)

    def find_repo(self, call: Call) -> Repo | None:
        repo = self.repos.get(call.groups[0].lower())
        return repo if repo is not None and self._visible(repo, call.token) else None

    # -- handlers (called under the lock) -------------------------------------------------------
    def _get_repo(self, call: Call) -> Response:
        repo = self.find_repo(call)
        return Response.json(200, repo_json(call, repo)) if repo else api_error(404, "Not Found")

    def _get_user(self, call: Call) -> Response:
        if call.token is None:
            return api_error(401, "Requires authentication")
        if call.token.user_type == "Bot":
            # Installation tokens (GITHUB_TOKEN) have no user behind them.
            return api_error(403, "Resource not accessible by integration")
        token = call.token
        return Response.json(200, user_json(call, token.login, token.user_id, "User"))

    def _pull_json(self, call: Call, repo: Repo, pull: Pull) -> dict[str, object]:
        return pull_json(call, repo, pull, self.repos.get((pull.head_repo or "").lower()))

    def _get_pull(self, call: Call) -> Response:
        repo = self.find_repo(call)
        pull = repo.pulls.get(int(call.groups[1])) if repo else None
        if repo is None or pull is None:
            return api_error(404, "Not Found")
        return Response.json(200, self._pull_json(call, repo, pull))

    def _list_pulls(self, call: Call) -> Response:
        repo = self.find_repo(call)
        if repo is None:
            return api_error(404, "Not Found")
        state = call.params.get("state", "open")
        # `head` is `user:ref-name` ("Filter pulls by head user or head organization and branch").
        head_owner, _, head_ref = call.params.get("head", "").partition(":")
        selected = []
        for pull in sorted(repo.pulls.values(), key=lambda p: -p.number):  # newest first
            owner = (pull.head_repo or repo.full_name).split("/", 1)[0]
            if state not in ("all", pull.state):
                continue
            if head_owner and (owner.lower() != head_owner.lower() or head_ref != pull.head_ref):
                continue
            if call.params.get("base") and pull.base_ref != call.params["base"]:
                continue
            selected.append(self._pull_json(call, repo, pull))
        chunk, links = page(call, selected, f"/repos/{repo.full_name}/pulls")
        return Response.json(200, chunk, links)

    def _get_commit(self, call: Call) -> Response:
        """A commit on a pull request's branch or of a workflow run (just its identity)."""
        repo = self.find_repo(call)
        if repo is None:
            return api_error(404, "Not Found")
        wanted = call.groups[1]
        known = [s for p in repo.pulls.values() for s in p.shas]
        known += [r.head_sha for r in repo.actions.runs.values()]
        sha = next((s for s in known if len(wanted) >= 7 and s.startswith(wanted)), None)
        if sha is None:
            return api_error(422, f"No commit found for SHA: {wanted}")
        url = f"{call.base}/repos/{repo.full_name}/commits/{sha}"
        return Response.json(
            200,
            {
                "sha": sha,
                "node_id": f"C_{sha[:12]}",
                "url": url,
                "html_url": f"{call.base}/{repo.full_name}/commit/{sha}",
                "commit": {
                    "message": "",
                    "url": f"{call.base}/repos/{repo.full_name}/git/commits/{sha}",
                },
                "parents": [],
            },
        )

    def _commit_pulls(self, call: Call) -> Response:
        """Pull requests whose head branch holds the commit (for a commit that is not on the
        default branch GitHub lists the open ones)."""
        repo = self.find_repo(call)
        if repo is None:
            return api_error(404, "Not Found")
        sha = call.groups[1]
        if not re.fullmatch(r"[0-9a-f]{7,40}", sha):
            return api_error(422, f"No commit found for SHA: {sha}")
        found = [
            self._pull_json(call, repo, pull)
            for pull in sorted(repo.pulls.values(), key=lambda p: p.number)
            if any(s.startswith(sha) for s in pull.shas)
        ]
        chunk, links = page(call, found, f"/repos/{repo.full_name}/commits/{sha}/pulls")
        return Response.json(200, chunk, links)

    def _issue(self, call: Call) -> tuple[Repo | None, int]:
        repo = self.find_repo(call)
        number = int(call.groups[1])
        if repo is None or (number not in repo.pulls and number not in repo.issues):
            return None, number
        return repo, number

    def _list_comments(self, call: Call) -> Response:
        repo, number = self._issue(call)
        if repo is None:
            return api_error(404, "Not Found")
        comments = [
            comment_json(call, repo, c) for c in self.issue_comments(repo.full_name, number)
        ]
        chunk, links = page(call, comments, f"/repos/{repo.full_name}/issues/{number}/comments")
        return Response.json(200, chunk, links)

    @staticmethod
    def _body(call: Call, docs: str) -> str | Response:
        try:
            payload = call.request.json()
        except ValueError:
            return api_error(400, "Problems parsing JSON", docs)
        body = payload.get("body") if isinstance(payload, dict) else None
        if not isinstance(body, str):
            return api_error(422, 'Invalid request.\n\n"body" wasn\'t supplied.', docs)
        return too_long(docs, MAX_COMMENT) if len(body) > MAX_COMMENT else body

    def _create(self, call: Call) -> Response:
        docs = f"{DOCS}/issues/comments#create-an-issue-comment"
        repo, number = self._issue(call)
        if repo is None:
            return api_error(404, "Not Found", docs)
        body = self._body(call, docs)
        if isinstance(body, Response):
            return body
        token = call.token
        assert token is not None  # writes are authenticated before routing
        now = self.clock()
        comment = Comment(
            self.next_id(),
            repo.full_name.lower(),
            number,
            body,
            token.login,
            token.user_id,
            token.user_type,
            now,
            now,
        )
        self.comments[comment.id] = comment
        location = f"{call.base}/repos/{repo.full_name}/issues/comments/{comment.id}"
        return Response.json(201, comment_json(call, repo, comment), {"Location": location})

    def _find_comment(self, call: Call) -> tuple[Repo, Comment] | None:
        repo = self.find_repo(call)
        comment = self.comments.get(int(call.groups[1]))
        if repo is None or comment is None or comment.repo != repo.full_name.lower():
            return None
        return repo, comment

    def _get_comment(self, call: Call) -> Response:
        found = self._find_comment(call)
        if found is None:
            return api_error(404, "Not Found")
        return Response.json(200, comment_json(call, *found))

    def _update(self, call: Call) -> Response:
        docs = f"{DOCS}/issues/comments#update-an-issue-comment"
        found = self._find_comment(call)
        if found is None:
            return api_error(404, "Not Found", docs)
        body = self._body(call, docs)
        if isinstance(body, Response):
            return body
        repo, comment = found
        comment.body, comment.updated_at = body, self.clock()
        return Response.json(200, comment_json(call, repo, comment))

    def _delete(self, call: Call) -> Response:
        found = self._find_comment(call)
        if found is None:
            return api_error(404, "Not Found", f"{DOCS}/issues/comments#delete-an-issue-comment")
        del self.comments[found[1].id]
        return Response(204)


DEMO_HEAD_SHA = "9f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6"
DEMO_BASE_SHA = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"


def seed_demo(emulator: GitHubEmulator | None = None) -> GitHubEmulator:
    """The demo's GitHub: `acme/shop` with open PR #7 from `feature/cart`, the write token
    `demo-token` (the workflow token of a same-repository PR) and the read-only `fork-token` (the
    workflow token of a PR from a fork), plus one earlier CI run on `main`."""
    github = emulator or GitHubEmulator()
    github.add_repo("acme/shop")
    github.add_pull(
        "acme/shop",
        7,
        head_ref="feature/cart",
        head_sha=DEMO_HEAD_SHA,
        title="Cart: percentage discounts",
    )
    github.add_token("demo-token", write=True)
    github.add_token("fork-token", write=False)
    workflow = github.actions.add_workflow("acme/shop", "CI", ".github/workflows/ci.yml")
    github.actions.add_run(
        "acme/shop",
        workflow.id,
        head_branch="main",
        head_sha=DEMO_BASE_SHA,
        event="push",
        conclusion="success",
    )
    return github
