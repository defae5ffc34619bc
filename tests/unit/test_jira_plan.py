"""The pure Jira plan, from hand-built snapshots: every lifecycle rule, the cap and the umbrella,
branches, shared fingerprints."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from tmsaction.clients.jira_model import IssueLinkRef, JiraIssue, LinkedIssue
from tmsaction.config.load import load_config
from tmsaction.config.model import Config
from tmsaction.inputs import RunContext
from tmsaction.mapping.model import CaseRef, TestMapping
from tmsaction.model import Outcome, TestDetail, TestResult
from tmsaction.plan.jira import Action, JiraPlan, build_jira_plan
from tmsaction.plan.jira_fingerprint import fingerprint_of, scope_label, umbrella_fingerprint
from tmsaction.plan.jira_snapshot import JiraSnapshot, index_by_label

NOW = 1_750_000_000.0  # 2025-06-15
DAY = 86400.0
CONTEXT = RunContext(
    workspace=Path("/ws"), repository="acme/shop", run_id="77", workflow="CI", ref_name="main"
)
SCOPE = scope_label("acme/shop")


def config(tmp_path: Path, text: str = "") -> Config:
    (tmp_path / "c.yml").write_text("version: 1\n" + text)
    return load_config(tmp_path, "c.yml", explicit=True)


def case(name: str, outcome: Outcome = Outcome.FAILED) -> TestResult:
    return TestResult(("CartTest",), "CartTest", name, outcome, detail=TestDetail(message="boom"))


def label(result: TestResult, mapping: TestMapping | None = None) -> str:
    return fingerprint_of(result, mapping, repository="acme/shop", strip_parameters=False).label


def defect(
    key: str,
    labels: tuple[str, ...],
    *,
    status: str = "To Do",
    resolution: str | None = None,
    resolved_days_ago: float | None = None,
    links: tuple[str, ...] = (),
) -> JiraIssue:
    done = resolution is not None
    resolved = None
    if resolved_days_ago is not None:
        moment = datetime.fromtimestamp(NOW - resolved_days_ago * DAY, UTC)
        resolved = moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    return JiraIssue(
        id=int(key.rsplit("-", 1)[1]),
        key=key,
        summary=f"Failing test {key}",
        status="Done" if done else status,
        status_category="done" if done else "new",
        resolution=resolution,
        labels=(*labels, SCOPE),
        links=tuple(
            IssueLinkRef("1", "Relates", "relates to", "outward", LinkedIssue("9", s, "", "", ""))
            for s in links
        ),
        fields={"resolutiondate": resolved},
    )


def snapshot(*issues: JiraIssue, listed: frozenset[str] = frozenset()) -> JiraSnapshot:
    return JiraSnapshot(
        site_url="https://acme.atlassian.net",
        defects=index_by_label(issues),
        open_labels=frozenset(
            label
            for issue in issues
            if issue.open
            for label in issue.labels
            if label.startswith("tms-")
        ),
        defects_read=True,
        umbrella_labels=listed,
    )


def plan(
    results: list[TestResult],
    cfg: Config,
    snap: JiraSnapshot | None,
    *,
    mappings: list[TestMapping] | None = None,
    context: RunContext = CONTEXT,
    create: bool = True,
) -> JiraPlan:
    return build_jira_plan(
        results,
        mappings or [TestMapping(stories=("SHOP-12",)) for _ in results],
        cfg,
        context,
        snap,
        project="SHOP",
        create_defects=create,
        now=NOW,
        run_variables={"repository": "acme/shop", "run_url": "https://ci/77"},
    )


def test_new_failures_are_filed_with_texts_and_open_ones_commented(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    new, known = case("new"), case("known")
    snap = snapshot(defect("SHOP-30", (label(known),), links=("SHOP-12",)))
    result = plan([new, known], cfg, snap)
    create, comment = result.steps
    assert (create.action, create.defect, create.links) == (Action.CREATE, None, ("SHOP-12",))
    assert create.summary == "Failing test: CartTest › new"
    assert "boom" in create.description
    assert (comment.action, comment.defect, comment.links) == (Action.COMMENT, "SHOP-30", ())
    assert comment.reason == "SHOP-30 is open (To Do): the failure is recorded on it"
    assert result.new_defects == 1


def test_without_recurrence_comments_an_open_defect_is_left_alone(tmp_path: Path) -> None:
    cfg = config(tmp_path, "jira:\n  defects:\n    recurrence_comment: false\n")
    known = case("known")
    [step] = plan([known], cfg, snapshot(defect("SHOP-30", (label(known),)))).steps
    assert step.action is Action.SKIP
    assert step.links == ("SHOP-12",)  # the sink still links the story


REOPENED = (Action.REOPEN, "SHOP-30 was resolved (Fixed) and fails again: it is reopened")
PAST_WINDOW = (
    Action.CREATE_LINKED,
    "SHOP-30 was resolved (Fixed); a new defect linked to it is filed, as it was resolved "
    "45 days ago (reopen.window_days: 30)",
)
POLICY_NEW = (
    Action.CREATE_LINKED,
    "SHOP-30 was resolved (Fixed); a new defect linked to it is filed, as reopen.policy is new",
)
NEVER = (
    Action.SKIP,
    "SHOP-30 was resolved as won't fix, which is never reopened (jira.defects.reopen.never); "
    "no defect is filed",
)


@pytest.mark.parametrize(
    ("settings", "resolution", "days", "expected"),
    [
        ("", "Fixed", 3, REOPENED),
        ("", "Fixed", 45, PAST_WINDOW),
        ("    reopen:\n      policy: new\n", "Fixed", 1, POLICY_NEW),
        ("", "won't fix", 1, NEVER),  # resolutions compare case-insensitively
    ],
)
def test_a_resolved_defect_that_fails_again(
    tmp_path: Path, settings: str, resolution: str, days: float, expected: tuple[Action, str]
) -> None:
    cfg = config(tmp_path, "jira:\n  defects:\n" + settings if settings else "")
    known = case("known")
    snap = snapshot(
        defect("SHOP-30", (label(known),), resolution=resolution, resolved_days_ago=days)
    )
    [step] = plan([known], cfg, snap).steps
    assert (step.action, step.reason) == expected
    assert step.defect == "SHOP-30"


def test_the_newest_resolved_defect_is_the_one_considered(tmp_path: Path) -> None:
    known = case("known")
    snap = snapshot(
        defect("SHOP-30", (label(known),), resolution="Fixed", resolved_days_ago=90),
        defect("SHOP-40", (label(known),), resolution="Fixed", resolved_days_ago=2),
    )
    [step] = plan([known], config(tmp_path), snap).steps
    assert (step.action, step.defect) == (Action.REOPEN, "SHOP-40")


def test_passing_tests_resolve_their_open_defects_and_flaky_ones_do_not(tmp_path: Path) -> None:
    cfg = config(tmp_path, "jira:\n  defects:\n    resolve:\n      transitions: [Done]\n")
    fixed, flaky, other = (
        case("fixed", Outcome.PASSED),
        case("flaky", Outcome.FLAKY),
        case("other", Outcome.PASSED),
    )
    snap = snapshot(defect("SHOP-30", (label(fixed),)), defect("SHOP-31", (label(flaky),)))
    steps = {s.defect: s for s in plan([fixed, flaky, other], cfg, snap).steps}
    assert set(steps) == {"SHOP-30", "SHOP-31"}  # a pass with no defect changes nothing
    assert steps["SHOP-30"].action is Action.RESOLVE
    assert steps["SHOP-30"].reason == (
        "the test passes again: a comment says so and it moves by the first available of: Done"
    )
    assert steps["SHOP-31"].action is Action.SKIP
    assert "flaky" in steps["SHOP-31"].reason
    quiet = config(tmp_path, "jira:\n  defects:\n    resolve:\n      comment: false\n")
    [step] = plan([fixed], quiet, snapshot(defect("SHOP-30", (label(fixed),)))).steps
    assert step.action is Action.SKIP


def test_flaky_tests_file_defects_only_when_configured(tmp_path: Path) -> None:
    flaky = case("flaky", Outcome.FLAKY)
    assert plan([flaky], config(tmp_path), snapshot()).steps == ()
    [step] = plan(
        [flaky], config(tmp_path, "jira:\n  defects:\n    flaky: true\n"), snapshot()
    ).steps
    assert step.action is Action.CREATE


def test_over_max_new_the_rest_goes_to_one_umbrella(tmp_path: Path) -> None:
    cfg = config(tmp_path, "jira:\n  defects:\n    max_new: 2\n")
    failing = [case(f"t{i}") for i in range(5)]
    result = plan(failing, cfg, snapshot())
    assert [s.action for s in result.steps] == [Action.CREATE] * 2 + [Action.UMBRELLA] * 3
    assert result.umbrella is not None
    assert result.umbrella.defect is None
    assert result.umbrella.tests == (2, 3, 4)
    assert result.umbrella.labels == tuple(label(t) for t in failing[2:])
    assert result.umbrella.summary == (
        "Many tests fail in acme/shop CI: more new failures than the cap of 2 defects per run"
    )
    # An open umbrella is commented on; the tests it lists stay on it without counting.
    umbrella = defect("SHOP-50", (umbrella_fingerprint("acme/shop", "CI").label,))
    listed = frozenset(label(t) for t in failing[2:])
    again = plan(failing, cfg, snapshot(umbrella, listed=listed))
    assert again.umbrella is not None
    assert again.umbrella.defect == "SHOP-50"
    assert [s.action for s in again.steps] == [Action.CREATE] * 2 + [Action.UMBRELLA] * 3
    assert again.steps[2].reason.startswith("the open umbrella issue lists it")
    # Without an umbrella, the tests over the cap are reported, not filed.
    off = plan(
        failing,
        config(tmp_path, "jira:\n  defects:\n    max_new: 2\n    umbrella: false\n"),
        snapshot(),
    )
    assert off.umbrella is None
    assert off.unfiled == 3


def test_tests_sharing_a_case_share_one_step(tmp_path: Path) -> None:
    one, two = case("one"), case("two", Outcome.ERROR)
    mapping = TestMapping(cases=(CaseRef(105),), stories=("SHOP-12", "SHOP-14"))
    [step] = plan([one, two], config(tmp_path), snapshot(), mappings=[mapping, mapping]).steps
    assert step.tests == (0, 1)
    assert step.fingerprint.basis == "TestRail case C105"
    assert step.stories == ("SHOP-12", "SHOP-14")


def test_duplicate_open_defects_are_noted_and_the_oldest_is_used(tmp_path: Path) -> None:
    known = case("known")
    snap = snapshot(defect("SHOP-41", (label(known),)), defect("SHOP-30", (label(known),)))
    result = plan([known], config(tmp_path), snap)
    assert result.steps[0].defect == "SHOP-30"
    assert result.notes == (
        "SHOP-30, SHOP-41 carry the same fingerprint (acme/shop: CartTest › known); SHOP-30 is "
        "used, close the others as duplicates.",
    )


def test_what_keeps_the_lifecycle_off(tmp_path: Path) -> None:
    cfg = config(tmp_path, "jira:\n  defects:\n    branches: [main]\n")
    failing = [case("x")]
    off = plan(failing, cfg, snapshot(), create=False)
    assert (off.filing, off.why_not) == (False, "jira_create_defects is off")
    feature = RunContext(workspace=Path("/ws"), ref_name="42/merge", head_ref="feature/x")
    branch = plan(failing, cfg, snapshot(), context=feature)
    assert branch.why_not == "branch feature/x is not in jira.defects.branches (main)"
    unknown = plan(failing, cfg, snapshot(), context=RunContext(workspace=Path("/ws")))
    assert unknown.why_not == "the branch is unknown and jira.defects.branches is set (main)"
    unread = plan(failing, config(tmp_path), None)
    assert (unread.filing, unread.why_not) == (False, "Jira could not be read")
