"""GitHub's wire formats for the emulator: error bodies, timestamps, `Link` pagination and the
JSON shapes of users, repositories, pull requests and issue comments (the fields tmsaction and
PyGithub read, with GitHub's names and types)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from tmsaction.sandbox.github_state import Call, Comment, Pull, Repo
from tmsaction.sandbox.server import Response

DOCS = "https://docs.github.com/rest"


def api_error(status: int, message: str, docs: str = DOCS) -> Response:
    """GitHub's error body: `message`, `documentation_url` and (since 2023) `status` as text."""
    return Response.json(
        status, {"message": message, "documentation_url": docs, "status": str(status)}
    )


def iso(timestamp: float) -> str:
    """GitHub's timestamps: ISO 8601 in UTC with a `Z`, whole seconds."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def page(call: Call, items: list[Any], path: str) -> tuple[list[Any], dict[str, str]]:
    """One page of `items` and the `Link` header GitHub sends.

    `per_page` defaults to 30 and is capped at 100; `page` starts at 1; the links keep the other
    query parameters and are absolute, as GitHub's are.
    """
    try:
        per_page = min(100, max(1, int(call.params.get("per_page", "30"))))
        number = max(1, int(call.params.get("page", "1")))
    except ValueError:
        per_page, number = 30, 1
    last = max(1, -(-len(items) // per_page))
    chunk = items[(number - 1) * per_page : number * per_page]
    keep = {k: v for k, v in call.params.items() if k not in ("page", "per_page")}

    def href(target: int) -> str:
        return call.url(path, **keep, per_page=per_page, page=target)

    links = []
    if number > 1:
        links.append(f'<{href(number - 1)}>; rel="prev"')
    if number < last:
        links.append(f'<{href(number + 1)}>; rel="next"')
        links.append(f'<{href(last)}>; rel="last"')
    if number > 1:
        links.append(f'<{href(1)}>; rel="first"')
    return chunk, ({"Link": ", ".join(links)} if links else {})


def user_json(call: Call, login: str, user_id: int, user_type: str) -> dict[str, Any]:
    return {
        "login": login,
        "id": user_id,
        "node_id": f"U_{user_id}",
        "type": user_type,
        "site_admin": False,
        "url": f"{call.base}/users/{quote(login)}",
        "html_url": f"{call.base}/{quote(login)}",
    }


def repo_json(call: Call, repo: Repo) -> dict[str, Any]:
    url = f"{call.base}/repos/{repo.full_name}"
    can_write = bool(call.token and call.token.write)
    return {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "fork": False,
        "owner": {
            "login": repo.owner,
            "id": 9000 + len(repo.owner),
            "type": "Organization",
            "url": f"{call.base}/users/{repo.owner}",
            "html_url": f"{call.base}/{repo.owner}",
        },
        "html_url": f"{call.base}/{repo.full_name}",
        "url": url,
        "pulls_url": url + "/pulls{/number}",
        "issue_comment_url": url + "/issues/comments{/number}",
        "default_branch": repo.default_branch,
        "visibility": "private" if repo.private else "public",
        "permissions": {"admin": False, "push": can_write, "pull": True},
    }


def pull_json(call: Call, repo: Repo, pull: Pull, head_repo: Repo | None) -> dict[str, Any]:
    """A pull request; `head_repo` is the fork it comes from when that fork is emulated too."""
    url = f"{call.base}/repos/{repo.full_name}/pulls/{pull.number}"
    head_name = pull.head_repo or repo.full_name
    head_repo_json = (
        repo_json(call, head_repo)
        if head_repo is not None
        else {"full_name": head_name, "name": head_name.split("/")[-1], "fork": True}
    )
    if pull.head_repo:
        head_repo_json["fork"] = True
    base_sha = hashlib.sha256(f"{repo.full_name}:{pull.base_ref}".encode()).hexdigest()[:40]
    return {
        "id": repo.id * 1000 + pull.number,
        "node_id": f"PR_{pull.number}",
        "number": pull.number,
        "state": pull.state,
        "title": pull.title,
        "url": url,
        "html_url": f"{call.base}/{repo.full_name}/pull/{pull.number}",
        "issue_url": f"{call.base}/repos/{repo.full_name}/issues/{pull.number}",
        "comments_url": f"{call.base}/repos/{repo.full_name}/issues/{pull.number}/comments",
        "user": user_json(call, pull.author, 2000 + len(pull.author), "User"),
        "draft": False,
        "merged": pull.merged,
        "head": {
            "label": f"{head_name.split('/', 1)[0]}:{pull.head_ref}",
            "ref": pull.head_ref,
            "sha": pull.head_sha,
            "repo": head_repo_json,
        },
        "base": {
            "label": f"{repo.owner}:{pull.base_ref}",
            "ref": pull.base_ref,
            "sha": base_sha,
            "repo": repo_json(call, repo),
        },
    }


def comment_json(call: Call, repo: Repo, comment: Comment) -> dict[str, Any]:
    is_bot = comment.user_type == "Bot"
    return {
        "id": comment.id,
        "node_id": f"IC_{comment.id}",
        "url": f"{call.base}/repos/{repo.full_name}/issues/comments/{comment.id}",
        "html_url": (
            f"{call.base}/{repo.full_name}/pull/{comment.issue}#issuecomment-{comment.id}"
        ),
        "issue_url": f"{call.base}/repos/{repo.full_name}/issues/{comment.issue}",
        "body": comment.body,
        "user": user_json(call, comment.login, comment.user_id, comment.user_type),
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.updated_at),
        "author_association": "NONE" if is_bot else "MEMBER",
        "performed_via_github_app": (
            {"id": 15368, "slug": "github-actions", "name": "GitHub Actions"} if is_bot else None
        ),
    }


def too_long(docs: str, limit: int) -> Response:
    """422 for a body over the limit, exactly as GitHub words it."""
    return Response.json(
        422,
        {
            "message": "Validation Failed",
            "errors": [
                {
                    "resource": "IssueComment",
                    "code": "unprocessable",
                    "field": "data",
                    "message": f"Body is too long (maximum is {limit} characters)",
                }
            ],
            "documentation_url": docs,
            "status": "422",
        },
    )
