"""TestRail failures as one-line messages saying what went wrong and how to fix it. Pure; no I/O.

TestRail answers errors as `{"error": "..."}` (research/testrail-api.md §1.4): a missing entity is a
400, not a 404; a 404 means no API at that address; 413 comes from the web tier as HTML. The texts
matched here are the ones the research lists; matching is on stable fragments ("is not a valid test
run") because servers vary the field name (`:run` vs `:run_id`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from tmsaction.errors import HttpError

LEGACY_PREFIX = b"USER AUTHENTICATION SUCCESSFUL!\n"
_CASE_IN_ERROR = re.compile(r"\bcase C(\d+)\b")
_REQUIRED_FIELD = re.compile(r"Field :(?:results\.)?(custom_\w+|elapsed) is a required field")


class TestRailError(HttpError):
    """A TestRail call that failed; `kind` says which way, `api_error` is TestRail's own text."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        status: int | None = None,
        api_error: str | None = None,
        case_id: int | None = None,
    ) -> None:
        super().__init__(message, status=status, service="TestRail")
        self.kind = kind
        self.api_error = api_error
        self.case_id = case_id  # the case TestRail named in a refused result batch


@dataclass(frozen=True)
class Failure:
    """What the client knows about a failed call, for `explain`."""

    status: int
    api_error: str | None  # the `error` text, None when the body was not TestRail JSON
    endpoint: str  # "add_results_for_cases/12"
    what: str  # "adding results to run R12"
    user: str
    base_url: str
    subject: Mapping[str, object]  # run_id, case_id, plan_id, project, suite: what the call named
    location: str | None = None  # the Location header of a redirect


def error_text(body: bytes) -> str | None:
    """TestRail's `error` text from a response body (legacy prefix tolerated), else None."""
    data = body[len(LEGACY_PREFIX) :] if body.startswith(LEGACY_PREFIX) else body
    try:
        parsed = json.loads(data) if data.strip() else None
    except ValueError:
        return None
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
        return str(parsed["error"])
    return None


def explain(failure: Failure) -> TestRailError:
    """The one-line error for a non-success answer."""
    status, text, what = failure.status, failure.api_error or "", failure.what
    lowered = text.lower()

    def error(kind: str, message: str) -> TestRailError:
        return _error(failure, kind, message)

    if 300 <= status < 400:
        target = failure.location or "another address"
        return error(
            "redirect",
            f"TestRail at {failure.base_url} redirected the request to {target} (HTTP {status}) "
            f"while {what}: set testrail_url to the address TestRail redirects to (with https://); "
            "a redirect turns writes into reads.",
        )
    if status == 401:
        detail = (
            " The account is locked after too many failed logins; wait or ask an administrator."
            if "failed login" in lowered
            else ""
        )
        return error(
            "auth",
            f"TestRail rejected the credentials of user '{failure.user}' (HTTP 401) while {what}: "
            "set testrail_user to the TestRail login email and testrail_api_key to an API key from "
            'My Settings → API Keys (click "Save Settings" after adding the key).' + detail,
        )
    if status == 403:
        return _forbidden(failure)
    if status == 404:
        if failure.api_error is not None:
            method = failure.endpoint.split("/", 1)[0]
            return error(
                "endpoint_missing",
                f"This TestRail server does not know the API method '{method}' (HTTP 404: "
                f"{text}) while {what}: it is older than the feature needs; ask the TestRail "
                "administrator to update it.",
            )
        return error(
            "bad_url",
            f"No TestRail API at {failure.base_url} (HTTP 404 for index.php?/api/v2/"
            f"{failure.endpoint}) while {what}: set testrail_url to the address TestRail opens at, "
            "e.g. https://acme.testrail.io, without /index.php, using https://.",
        )
    if status == 409:
        return error(
            "maintenance",
            f"TestRail Cloud is in its daily maintenance window (HTTP 409) while {what}: run the "
            "job again in a few minutes.",
        )
    if status == 413:
        return error(
            "too_large",
            f"TestRail refused the request as too large (HTTP 413) while {what}: send fewer "
            "results per batch or shorter comments; a single attachment over the server's upload "
            "limit (256 MB on TestRail Cloud) cannot be stored.",
        )
    if status == 400:
        return _bad_request(failure)
    if 200 <= status < 300:
        return error(
            "not_testrail",
            f"{failure.base_url} answered with something other than TestRail API JSON while "
            f"{what}: check that testrail_url is the TestRail address (e.g. "
            "https://acme.testrail.io), not a login, SSO or proxy page.",
        )
    return error(
        "http",
        f"TestRail answered HTTP {status} while {what}: {text or 'no details in the answer'}",
    )


def _error(failure: Failure, kind: str, message: str, case_id: int | None = None) -> TestRailError:
    return TestRailError(
        message, kind=kind, status=failure.status, api_error=failure.api_error, case_id=case_id
    )


def _forbidden(failure: Failure) -> TestRailError:
    text, what, subject = failure.api_error or "", failure.what, failure.subject
    lowered = text.lower()

    def error(kind: str, message: str) -> TestRailError:
        return _error(failure, kind, message)

    if "api is disabled" in lowered:
        return error(
            "api_disabled",
            f"The TestRail API is disabled on {failure.base_url}: an administrator must enable it "
            "under Administration → Site Settings → API.",
        )
    if "belongs to a test plan" in lowered or "part of a test run" in lowered:
        return error(
            "plan_run",
            f"TestRail run R{subject.get('run_id', '?')} belongs to a test plan and cannot be "
            f"edited or closed on its own ({text}): give the plan as testrail_plan_id instead of "
            "the run, or close the plan in TestRail.",
        )
    if "already completed" in lowered:
        if "test plan" in lowered:
            return error(
                "closed",
                f"TestRail plan {subject.get('plan_id', '?')} is closed and read-only while "
                f"{what}: give an active plan in testrail_plan_id, or leave it empty.",
            )
        return error(
            "closed",
            f"TestRail run R{subject.get('run_id', '?')} is closed, and closed runs are "
            f"read-only, while {what}: leave testrail_run_id empty to create a new run, or give "
            "the id of an active run.",
        )
    return error(
        "forbidden",
        f"TestRail user '{failure.user}' is not allowed to do this while {what} ({text or 'HTTP 403'}): "
        "ask a TestRail administrator for a role with that permission on the project.",
    )


def _bad_request(failure: Failure) -> TestRailError:
    text, what, subject = failure.api_error or "", failure.what, failure.subject
    lowered = text.lower()

    def error(kind: str, message: str, case_id: int | None = None) -> TestRailError:
        return _error(failure, kind, message, case_id)

    if "not a valid or accessible project" in lowered:
        return error(
            "not_found",
            f"TestRail project {subject.get('project', '?')} does not exist or user "
            f"'{failure.user}' cannot access it: check testrail_project (a name or numeric id) and "
            "the user's project access.",
        )
    if ":suite_id is a required field" in lowered:
        return error(
            "suite_required",
            f"TestRail project {subject.get('project', '?')} holds several suites, so a suite is "
            f"needed while {what}: set testrail_suite to a suite name or id.",
        )
    if "not a valid test suite" in lowered:
        return error(
            "not_found",
            f"TestRail suite {subject.get('suite', '?')} does not exist in project "
            f"{subject.get('project', '?')}: check testrail_suite (a name or numeric id).",
        )
    case_match = _CASE_IN_ERROR.search(text)
    if case_match and "not part of the test run" in lowered:
        case_id = int(case_match.group(1))
        return error(
            "case_not_in_run",
            f"TestRail refused the results for run R{subject.get('run_id', '?')}: case C{case_id} "
            "does not exist or is not part of the run; fix the C"
            f"{case_id} reference in the test or the mapping config ({text}).",
            case_id,
        )
    if "not a valid test case" in lowered or "unrecognized case ids" in lowered:
        named_id = subject.get("case_id")
        named = f"C{named_id}" if named_id else "a case the request names"
        return error(
            "not_found",
            f"TestRail case {named} does not exist (or is in another suite) while {what}: fix or "
            "remove the case id in the test or the mapping config.",
            named_id if isinstance(named_id, int) else None,
        )
    if "not a valid test run" in lowered:
        return error(
            "not_found",
            f"TestRail run R{subject.get('run_id', '?')} does not exist or this user cannot see "
            "it: check testrail_run_id.",
        )
    if "not a valid test plan" in lowered:
        return error(
            "not_found",
            f"TestRail plan {subject.get('plan_id', '?')} does not exist or this user cannot see "
            "it: check testrail_plan_id.",
        )
    if "not a valid milestone" in lowered:
        return error(
            "not_found",
            f"TestRail milestone {subject.get('milestone_id', '?')} does not exist in project "
            f"{subject.get('project', '?')}: check the milestone in the config.",
        )
    required = _REQUIRED_FIELD.search(text)
    if required:
        return error(
            "required_field",
            f"TestRail requires the field '{required.group(1)}' while {what}: give it a value in "
            "the mapping config, or ask a TestRail administrator to make it optional.",
        )
    return error("invalid", f"TestRail refused {what}: {text or 'HTTP 400 without details'}")
