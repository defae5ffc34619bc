"""The GitHub Actions part of the GitHub emulator: workflows, workflow runs, run artifacts and the
artifact zip download (a 302 to a short-lived blob URL that needs no token, as on GitHub).

"What changed" without TestRail reads the previous run of the same workflow on the base branch
from here: `GET /repos/{o}/{r}/actions/workflows/{id}/runs?branch=&status=`, then the run's
artifacts and the artifact zip.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import zipfile
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tmsaction.sandbox.github_state import Artifact, Call, Repo, Workflow, WorkflowRun
from tmsaction.sandbox.github_wire import api_error, iso, page
from tmsaction.sandbox.server import Response

if TYPE_CHECKING:
    from tmsaction.sandbox.github import GitHubEmulator, Handler

#: Run statuses and conclusions the `status` filter accepts (docs: "List workflow runs").
STATUSES = frozenset({"queued", "in_progress", "completed", "waiting", "requested", "pending"})
CONCLUSIONS = frozenset(
    {"success", "failure", "neutral", "cancelled", "skipped", "timed_out", "action_required"}
)


def zip_files(files: Mapping[str, bytes]) -> bytes:
    """An artifact archive holding `files` (name -> content), as `actions/upload-artifact` makes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


class ActionsApi:
    """Seeding helpers and route handlers for `/repos/{o}/{r}/actions/...`."""

    def __init__(self, github: GitHubEmulator) -> None:
        self.github = github
        self._signing_key = secrets.token_bytes(16)

    # -- seeding ---------------------------------------------------------------------------------
    def add_workflow(self, repo: str, name: str, path: str) -> Workflow:
        with self.github.lock:
            workflow = Workflow(self.github.next_id(), name, path)
            self.github.repo(repo).actions.workflows[workflow.id] = workflow
            return workflow

    def add_run(
        self,
        repo: str,
        workflow_id: int,
        *,
        head_branch: str,
        head_sha: str,
        event: str = "push",
        status: str = "completed",
        conclusion: str | None = "success",
        pull_requests: list[int] | None = None,
    ) -> WorkflowRun:
        with self.github.lock:
            state = self.github.repo(repo).actions
            workflow = state.workflows[workflow_id]
            number = 1 + sum(1 for r in state.runs.values() if r.workflow_id == workflow_id)
            run = WorkflowRun(
                self.github.next_id(),
                workflow_id,
                workflow.name,
                workflow.path,
                head_branch,
                head_sha,
                event,
                status,
                conclusion if status == "completed" else None,
                number,
                1,
                self.github.clock(),
                list(pull_requests or []),
            )
            state.runs[run.id] = run
            return run

    def add_artifact(
        self,
        repo: str,
        run_id: int,
        name: str,
        files: Mapping[str, bytes],
        *,
        expired: bool = False,
    ) -> Artifact:
        with self.github.lock:
            artifact = Artifact(
                self.github.next_id(), run_id, name, zip_files(files), self.github.clock(), expired
            )
            self.github.repo(repo).actions.artifacts[artifact.id] = artifact
            return artifact

    # -- routes ----------------------------------------------------------------------------------
    def routes(self) -> list[tuple[str, str, str, Handler]]:
        repo = r"/repos/([^/]+/[^/]+)/actions"
        return [
            ("GET", repo + r"/workflows/([^/]+)/runs", "workflow_runs", self._list_runs),
            ("GET", repo + r"/runs/(\d+)", "workflow_run", self._get_run),
            ("GET", repo + r"/runs/(\d+)/artifacts", "run_artifacts", self._list_artifacts),
            ("GET", repo + r"/artifacts/(\d+)/([a-z]+)", "artifact_download", self._download),
            ("GET", r"/_blobs/artifacts/(\d+)", "artifact_blob", self._blob),
        ]

    def _run_json(self, call: Call, repo: Repo, run: WorkflowRun) -> dict[str, Any]:
        url = f"{call.base}/repos/{repo.full_name}/actions/runs/{run.id}"
        return {
            "id": run.id,
            "name": run.name,
            "path": run.path,
            "workflow_id": run.workflow_id,
            "head_branch": run.head_branch,
            "head_sha": run.head_sha,
            "event": run.event,
            "status": run.status,
            "conclusion": run.conclusion,
            "run_number": run.run_number,
            "run_attempt": run.run_attempt,
            "url": url,
            "html_url": f"{call.base}/{repo.full_name}/actions/runs/{run.id}",
            "artifacts_url": url + "/artifacts",
            "created_at": iso(run.created_at),
            "updated_at": iso(run.created_at),
            "pull_requests": [
                {"number": number, "url": f"{call.base}/repos/{repo.full_name}/pulls/{number}"}
                for number in run.pull_requests
            ],
            "repository": {"full_name": repo.full_name, "id": repo.id},
            "head_repository": {"full_name": repo.full_name, "id": repo.id},
        }

    def _artifact_json(self, call: Call, repo: Repo, artifact: Artifact) -> dict[str, Any]:
        url = f"{call.base}/repos/{repo.full_name}/actions/artifacts/{artifact.id}"
        run = repo.actions.runs.get(artifact.run_id)
        return {
            "id": artifact.id,
            "node_id": f"MDg6QXJ0aWZhY3Q{artifact.id}",
            "name": artifact.name,
            "size_in_bytes": len(artifact.data),
            "url": url,
            "archive_download_url": url + "/zip",
            "expired": artifact.expired,
            "digest": "sha256:" + hashlib.sha256(artifact.data).hexdigest(),
            "created_at": iso(artifact.created_at),
            "updated_at": iso(artifact.created_at),
            "expires_at": iso(artifact.created_at + 90 * 86400),
            "workflow_run": {
                "id": artifact.run_id,
                "head_branch": run.head_branch if run else None,
                "head_sha": run.head_sha if run else None,
            },
        }

    def _list_runs(self, call: Call) -> Response:
        repo = self.github.find_repo(call)
        if repo is None:
            return api_error(404, "Not Found")
        wanted = call.groups[1]
        workflow = next(
            (
                w
                for w in repo.actions.workflows.values()
                if wanted in (str(w.id), w.path.rsplit("/", 1)[-1], w.path)
            ),
            None,
        )
        if workflow is None:
            return api_error(404, "Not Found")
        status = call.params.get("status", "")
        if status and status not in STATUSES | CONCLUSIONS:
            return api_error(422, f"Invalid status: {status}")
        runs = []
        for run in sorted(repo.actions.runs.values(), key=lambda r: -r.id):  # newest first
            if run.workflow_id != workflow.id:
                continue
            if call.params.get("branch") and run.head_branch != call.params["branch"]:
                continue
            if call.params.get("event") and run.event != call.params["event"]:
                continue
            if call.params.get("head_sha") and run.head_sha != call.params["head_sha"]:
                continue
            if status and status not in (run.status, run.conclusion):
                continue
            runs.append(self._run_json(call, repo, run))
        path = f"/repos/{repo.full_name}/actions/workflows/{wanted}/runs"
        chunk, links = page(call, runs, path)
        return Response.json(200, {"total_count": len(runs), "workflow_runs": chunk}, links)

    def _get_run(self, call: Call) -> Response:
        repo = self.github.find_repo(call)
        run = repo.actions.runs.get(int(call.groups[1])) if repo else None
        if repo is None or run is None:
            return api_error(404, "Not Found")
        return Response.json(200, self._run_json(call, repo, run))

    def _list_artifacts(self, call: Call) -> Response:
        repo = self.github.find_repo(call)
        run_id = int(call.groups[1])
        if repo is None or run_id not in repo.actions.runs:
            return api_error(404, "Not Found")
        name = call.params.get("name", "")
        found = [
            self._artifact_json(call, repo, a)
            for a in sorted(repo.actions.artifacts.values(), key=lambda a: a.id)
            if a.run_id == run_id and (not name or a.name == name)
        ]
        path = f"/repos/{repo.full_name}/actions/runs/{run_id}/artifacts"
        chunk, links = page(call, found, path)
        return Response.json(200, {"total_count": len(found), "artifacts": chunk}, links)

    def _signature(self, artifact_id: int) -> str:
        return hmac.new(self._signing_key, str(artifact_id).encode(), "sha256").hexdigest()[:32]

    def _download(self, call: Call) -> Response:
        repo = self.github.find_repo(call)
        artifact = repo.actions.artifacts.get(int(call.groups[1])) if repo else None
        if repo is None or artifact is None or call.groups[2] != "zip":
            return api_error(404, "Not Found")
        if artifact.expired:
            return api_error(410, "Artifact has expired")
        # GitHub answers 302 with a blob-storage URL valid for one minute that needs no token.
        location = f"{call.base}/_blobs/artifacts/{artifact.id}?sig={self._signature(artifact.id)}"
        return Response(302, b"", {"Location": location})

    def _blob(self, call: Call) -> Response:
        artifact_id = int(call.groups[0])
        if not hmac.compare_digest(call.params.get("sig", ""), self._signature(artifact_id)):
            return Response(403, b"AuthenticationFailed", {"Content-Type": "text/plain"})
        for repo in self.github.repos.values():
            artifact = repo.actions.artifacts.get(artifact_id)
            if artifact is not None:
                return Response(200, artifact.data, {"Content-Type": "application/zip"})
        return Response(404, b"BlobNotFound", {"Content-Type": "text/plain"})
