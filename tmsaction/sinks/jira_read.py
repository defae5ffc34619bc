"""Read what the Jira plan needs, in a few batched requests: the open defects this repository
filed, the defects of this run's failing tests, the stories tests cover.

Searches (README "Jira", "Requests"):
1. `project = P AND labels = "tmsaction-<repo>" AND statusCategory != Done`: every open defect of
   this repository, so passing tests whose defect is open are noticed without a search per test
   (a run looks up tests that fail; a pass is matched against this list);
2. `project = P AND labels in (...)`, 100 fingerprints per search, for the failing tests whose
   defect was not in 1 (resolved defects, and defects other repositories filed for the same
   TestRail case);
3. `key in (...)`, 100 per search, for the stories.
The open umbrella issue (if any) is read by key, for the list of tests it holds.

Jira Cloud's search is eventually consistent ("delay might vary from a few seconds to minutes",
OpenAPI search/jql), and `reconcileIssues` only helps with ids a process already knows: a rerun
seconds after a run that filed defects would not see them and file them again. So on Cloud the
reader also walks issue keys, which are handed out in sequence: it takes the 50 newest issues
search knows, reads by key (`GET /issue/{key}` is consistent) every number missing among those
created in the last `WALK_WINDOW` seconds, then the numbers after the newest until `WALK_MISSES`
in a row do not exist. Whatever it finds with our labels joins the snapshot. In a quiet project
this costs one search and five reads; just after a run filed N defects, N more reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tmsaction.clients.jira import JiraClient
from tmsaction.clients.jira_errors import JiraProblem
from tmsaction.clients.jira_model import Flavour, JiraIssue
from tmsaction.clients.jql import all_of, equals, order_by
from tmsaction.plan.jira_snapshot import JiraSnapshot, index_by_label, jira_time

DEFECT_FIELDS = (
    "summary",
    "status",
    "resolution",
    "resolutiondate",
    "labels",
    "issuetype",
    "issuelinks",
    "created",
)
STORY_FIELDS = ("summary", "status", "resolution", "issuetype", "priority", "issuelinks")
WALK_WINDOW = 15 * 60.0  # seconds: longer than Cloud's index lag is ever reported to be
WALK_MISSES = 5  # keys in a row that do not exist end the walk (failed creates leave gaps,
# JRACLOUD-78553), as in the client's own check of a lost create
WALK_LIMIT = 2000  # a safety bound only: the walk ends on missing keys, long before this
WALK_PAGE = 50
PROPERTY = "tmsaction"  # the issue property the sink keeps on each defect (jira_apply.py)
_PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]*$")


def open_defects_jql(project: str, scope: str) -> str:
    return (
        f"{all_of(equals('project', project), equals('labels', scope))} AND statusCategory != Done"
    )


def _number(key: str) -> int:
    tail = key.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def unindexed_issues(
    client: JiraClient, project: str, now: float, *, fields: Sequence[str] = DEFECT_FIELDS
) -> list[JiraIssue]:
    """Issues of `project` search cannot see yet, read by key (see the module docstring)."""
    if client.flavour is not Flavour.CLOUD or not _PROJECT_KEY.match(project):
        return []  # Data Center search is consistent; a project id gives no keys to walk
    newest = client.search(
        f"{equals('project', project)} {order_by('key')}",
        fields=("created",),
        page_size=WALK_PAGE,
        limit=WALK_PAGE,
    )
    known = {_number(issue.key): issue for issue in newest}
    top = max(known, default=0)
    older = [
        n
        for n, issue in known.items()
        if (jira_time(issue.fields.get("created")) or 0) < now - WALK_WINDOW
    ]
    floor = max(older) if older else (min(known) - 1 if known else 0)
    gaps = [n for n in range(floor + 1, top) if n not in known]
    found: list[JiraIssue] = []
    reads = 0

    def read(number: int) -> JiraIssue | None:
        nonlocal reads
        reads += 1
        try:
            return client.get_issue(f"{project}-{number}", fields=fields, properties=(PROPERTY,))
        except JiraProblem as problem:
            if problem.kind == "not_found":
                return None
            raise

    for number in gaps[-WALK_LIMIT:]:
        issue = read(number)
        if issue is not None:
            found.append(issue)
    misses = 0
    number = top
    while misses < WALK_MISSES and reads < WALK_LIMIT:
        number += 1
        issue = read(number)
        if issue is None:
            misses += 1
        else:
            misses = 0
            found.append(issue)
    return found


def _umbrella_list(
    client: JiraClient, by_key: dict[str, JiraIssue], label: str | None, live: set[str]
) -> frozenset[str]:
    """Fingerprints the open umbrella issue lists, read live (the list changes every run, and
    search may answer an older version of the issue)."""
    umbrella = next((i for i in by_key.values() if i.open and label and label in i.labels), None)
    if umbrella is None:
        return frozenset()
    if umbrella.key not in live:
        umbrella = client.get_issue(umbrella.key, fields=DEFECT_FIELDS, properties=(PROPERTY,))
        by_key[umbrella.key] = umbrella
        live.add(umbrella.key)
    state = umbrella.properties.get(PROPERTY)
    tests = state.get("tests") if isinstance(state, dict) else None
    return frozenset(label for label in tests or () if isinstance(label, str))


def read_snapshot(
    client: JiraClient,
    *,
    project: str | None,
    scope: str,
    failing_labels: Sequence[str],
    stories: Sequence[str],
    read_defects: bool,
    now: float,
    umbrella_label: str | None = None,
) -> JiraSnapshot:
    """Everything the plan reads from Jira; raises `JiraProblem` when Jira cannot answer."""
    before = client.searches
    by_key: dict[str, JiraIssue] = {}
    live: set[str] = set()
    open_labels: set[str] = set()
    listed: frozenset[str] = frozenset()
    walked = 0
    if read_defects and project:
        for issue in client.search(open_defects_jql(project, scope), fields=DEFECT_FIELDS):
            by_key[issue.key] = issue
        for issue in unindexed_issues(client, project, now):
            if any(label.startswith("tms-") for label in issue.labels):
                walked += issue.key not in by_key
                by_key[issue.key] = issue  # read live: newer than what search answered
                live.add(issue.key)
        for issue in by_key.values():
            if issue.open and scope in issue.labels:
                open_labels.update(label for label in issue.labels if label.startswith("tms-"))
        listed = _umbrella_list(client, by_key, umbrella_label, live)
        covered = {label for issue in by_key.values() if issue.open for label in issue.labels}
        # Tests the open umbrella lists stay on it: their own defects are not looked for.
        missing = [
            label
            for label in dict.fromkeys(failing_labels)
            if label not in covered and label not in listed
        ]
        if missing:
            for issues in client.find_by_labels(project, missing, fields=DEFECT_FIELDS).values():
                for issue in issues:
                    by_key.setdefault(issue.key, issue)
    found_stories = client.issues_by_keys(stories, fields=STORY_FIELDS) if stories else {}
    return JiraSnapshot(
        site_url=client.site_url,
        defects=index_by_label(by_key.values()),
        stories=found_stories,
        missing_stories=tuple(key for key in stories if key not in found_stories),
        open_labels=frozenset(open_labels),
        searches=client.searches - before,
        walked=walked,
        defects_read=read_defects and bool(project),
        umbrella_labels=listed,
        live=frozenset(live),
    )
