"""The previous run from GitHub, for repositories without TestRail: the newest completed run of
the same workflow on the base branch, and the `tmsaction-results` artifact it uploaded.

Calls (docs.github.com/rest/actions): `GET /repos/{repo}/actions/workflows/{file}/runs?branch=
&status=completed` (newest first), `GET .../runs/{id}/artifacts?name=tmsaction-results`, and
`GET .../artifacts/{id}/zip`, which answers with a redirect to blob storage (410 once expired).
They need the `actions: read` permission; without it GitHub answers 403.

Everything that can go wrong is a calm note, never a failure: no earlier run, no artifact (the
upload step is missing), an expired artifact (retention), 403, an archive that is too large,
corrupt, or holds no results file.
"""

from __future__ import annotations

import io
import zipfile

from tmsaction.clients.github import Artifact, GitHubClient, WorkflowRun
from tmsaction.errors import HttpError
from tmsaction.history.model import NoHistory, PreviousResults, PreviousRun
from tmsaction.history.results_file import ResultsFile, ResultsFileError, read_results_file
from tmsaction.inputs import RunContext

ARTIFACT_NAME = "tmsaction-results"
#: The file the action writes in the workspace (`pipeline.RESULTS_JSON_NAME`), zipped by the
#: user's `actions/upload-artifact` step.
RESULTS_FILE_NAME = "tmsaction-results.json"
#: Completed runs looked at for an artifact: a run that failed before the upload step kept none,
#: so a few older ones are tried; a longer gap is no longer "the previous run".
MAX_RUNS_CHECKED = 5
MAX_ARCHIVE_BYTES = 128 * 1024 * 1024  # the zip, as listed and as downloaded
MAX_RESULTS_BYTES = 1024 * 1024 * 1024  # the results file inside, read as a stream
#: Notes are plain sentences (the summary escapes them): no Markdown in them.
FORBIDDEN_HELP = (
    "give the job the permission actions: read so tmsaction can read the previous run's results"
)


def workflow_file(workflow_ref: str) -> str | None:
    """`ci.yml` from `GITHUB_WORKFLOW_REF` (`acme/shop/.github/workflows/ci.yml@refs/heads/main`);
    the API takes a workflow's file name where it takes its id. Pure."""
    path = workflow_ref.split("@", 1)[0]
    if "/.github/workflows/" not in path:
        return None
    name = path.rsplit("/", 1)[-1]
    return name or None


def read_previous_from_github(
    client: GitHubClient,
    context: RunContext,
    *,
    branch: str,
    workflow: str | int | None = None,
    max_archive_bytes: int = MAX_ARCHIVE_BYTES,
    max_results_bytes: int = MAX_RESULTS_BYTES,
) -> PreviousResults | NoHistory:
    """The newest completed run of this workflow on `branch` before this one, with its results.

    `workflow` is the workflow's file name or id; without it this run's own record says which
    workflow it belongs to (one more request)."""
    repo = context.repository
    name = context.workflow or "this workflow"
    where = f"{name} on {branch}"
    try:
        if workflow is None:
            workflow = client.workflow_run(repo, context.run_id).workflow_id
        checked = 0
        for run in client.workflow_runs(repo, workflow, branch=branch, status="completed"):
            if not _before(run, context.run_id):
                continue
            checked += 1
            found = _artifact(client, repo, run)
            if found is not None:
                return _download(
                    client,
                    context,
                    run,
                    found,
                    branch=branch,
                    max_archive_bytes=max_archive_bytes,
                    max_results_bytes=max_results_bytes,
                )
            if checked >= MAX_RUNS_CHECKED:
                return NoHistory(
                    f"The last {checked} runs of {where} kept no {ARTIFACT_NAME} artifact, so "
                    'there is nothing to compare with: add the upload step (README, "What '
                    'changed since the previous run").'
                )
        if checked:
            return NoHistory(
                f"The earlier runs of {where} kept no {ARTIFACT_NAME} artifact, so there is "
                'nothing to compare with: add the upload step (README, "What changed since the '
                'previous run").'
            )
        return NoHistory(f"No earlier completed run of {where} to compare with.")
    except HttpError as error:
        return NoHistory(_http_note(error, where))


def _before(run: WorkflowRun, current: str) -> bool:
    """Run ids grow with time: an earlier run has a smaller id (a rerun keeps its run's id)."""
    if not current.isdigit():
        return True
    return run.id < int(current)


def _artifact(client: GitHubClient, repo: str, run: WorkflowRun) -> Artifact | None:
    # `name` filters on GitHub's side; the check here keeps servers that ignore it honest.
    named = [
        a for a in client.run_artifacts(repo, run.id, name=ARTIFACT_NAME) if a.name == ARTIFACT_NAME
    ]
    return max(named, key=lambda a: a.id) if named else None


def _download(
    client: GitHubClient,
    context: RunContext,
    run: WorkflowRun,
    artifact: Artifact,
    *,
    branch: str,
    max_archive_bytes: int,
    max_results_bytes: int,
) -> PreviousResults | NoHistory:
    label = f"{context.workflow or 'run'} #{run.run_number} on {branch}"
    what = f"The {ARTIFACT_NAME} artifact of the previous run ({label})"
    if artifact.expired:
        return NoHistory(
            f"{what} has expired (artifact retention), so there is nothing to compare with; the "
            f"next run on {branch} keeps fresh results."
        )
    if artifact.size > max_archive_bytes:
        return NoHistory(
            f"{what} is {artifact.size:,} bytes, more than the {max_archive_bytes:,} tmsaction "
            "reads; not compared."
        )
    try:
        archive = client.download_artifact(context.repository, artifact.id)
    except HttpError as error:
        if error.status == 410:
            return NoHistory(f"{what} has expired (artifact retention); not compared.")
        raise
    if len(archive) > max_archive_bytes:
        return NoHistory(
            f"{what} is {len(archive):,} bytes, more than the {max_archive_bytes:,} tmsaction "
            "reads; not compared."
        )
    try:
        results = _read_archive(archive, max_results_bytes)
    except (ResultsFileError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as error:
        return NoHistory(f"{what} could not be read ({_reason(error)}); not compared.")
    url = f"{context.server_url}/{context.repository}/actions/runs/{run.id}"
    previous = PreviousRun(
        source="github",
        label=label,
        url=url,
        run_url=url,
        branch=branch,
        sha=run.head_sha or results.sha or "",
    )
    return PreviousResults(previous, results.side)


def _read_archive(archive: bytes, limit: int) -> ResultsFile:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        member = _results_member(opened)
        if member.file_size > limit:
            raise ResultsFileError(
                f"{member.filename} is {member.file_size:,} bytes, more than the {limit:,} "
                "tmsaction reads"
            )
        with opened.open(member) as stream:
            return read_results_file(stream, limit=limit)


def _results_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    files = [info for info in archive.infolist() if not info.is_dir()]
    named = [i for i in files if i.filename.rsplit("/", 1)[-1] == RESULTS_FILE_NAME]
    if named:
        return min(named, key=lambda i: i.filename.count("/"))
    json_files = [i for i in files if i.filename.endswith(".json")]
    if len(json_files) == 1:
        return json_files[0]
    raise ResultsFileError(f"it holds no {RESULTS_FILE_NAME}")


def _reason(error: Exception) -> str:
    if isinstance(error, ResultsFileError):
        return str(error)
    return "not a valid zip archive"


def _http_note(error: HttpError, where: str) -> str:
    if error.status == 403:
        return f"GitHub refused to show the earlier runs of {where} (403): {FORBIDDEN_HELP}."
    if error.status == 404:
        return (
            f"GitHub does not know this workflow's runs (404), so {where} has no earlier run to "
            "compare with."
        )
    return f"The earlier runs of {where} could not be read from GitHub: {error}"
