"""Pieces of the TestRail sink that need no server: how results are packed into batches, which
files a failed test's attachments resolve to, and when the suites' cases must be read."""

from __future__ import annotations

import base64
from pathlib import Path

from tmsaction.inputs import parse_inputs
from tmsaction.model import Outcome, TestDetail, TestResult
from tmsaction.plan.testrail_model import ExistingRun, PlannedResult
from tmsaction.sinks.testrail_attachments import MAX_PER_RESULT, AttachmentFile, attachment_files
from tmsaction.sinks.testrail_read import needs_cases
from tmsaction.sinks.testrail_results import Item, batches

from tests.mapping_world import config, make_result


def item(index: int, case_id: int, rank: int = 0) -> Item:
    planned = PlannedResult(index, case_id, -1, 1, None, "base", rank)
    return Item(planned, case_id, f"tms:{index:016x}")


def test_a_cases_results_travel_together_worst_last() -> None:
    items = [item(0, 1, rank=3), item(1, 2), item(2, 1, rank=0), item(3, 3), item(4, 2, rank=4)]
    lanes = batches(items, size=3)
    flat = [[(i.planned.index, i.case_id) for i in batch] for lane in lanes for batch in lane]
    assert flat == [[(2, 1), (0, 1)], [(1, 2), (4, 2), (3, 3)]]
    assert all(len(lane) == 1 for lane in lanes)


def test_a_case_with_more_results_than_a_batch_gets_its_own_lane_in_order() -> None:
    items = [item(n, 7, rank=n % 2) for n in range(5)] + [item(9, 8)]
    lanes = batches(items, size=2)
    assert [[[i.planned.index for i in batch] for batch in lane] for lane in lanes] == [
        [[0, 2], [4, 1], [3]],
        [[9]],
    ]


def failed(*attachments: str, source: str = "reports/unit/TEST-x.xml") -> TestResult:
    return TestResult(
        suite=("s",),
        classname="com.acme.CartTest",
        name="removes",
        outcome=Outcome.FAILED,
        source=source,
        detail=TestDetail(attachments=attachments),
    )


def test_attachments_resolve_in_the_workspace_or_next_to_the_report(tmp_path: Path) -> None:
    (tmp_path / "shots").mkdir()
    (tmp_path / "shots" / "a.png").write_bytes(b"A")
    (tmp_path / "reports" / "unit").mkdir(parents=True)
    (tmp_path / "reports" / "unit" / "b.log").write_bytes(b"B")
    (tmp_path.parent / "outside.txt").write_bytes(b"secret")
    text = base64.b64encode(b"hello").decode()
    found = list(
        attachment_files(
            failed(
                "shots/a.png",
                "b.log",
                f"data:text/plain;base64,{text}",
                "https://ci.example.com/video.webm",
                "../outside.txt",
                str(tmp_path.parent / "outside.txt"),
                "shots/none.png",
                "data:image/png;base64,@@@",
            ),
            tmp_path,
        )
    )
    assert found[:3] == [
        AttachmentFile("a.png", b"A"),
        AttachmentFile("b.log", b"B"),
        AttachmentFile("attachment-3.txt", b"hello"),
    ]
    messages = [f for f in found[3:] if isinstance(f, str)]
    assert messages[0].startswith("'../outside.txt' (com.acme.CartTest › removes) is outside")
    assert messages[1].endswith("only files under GITHUB_WORKSPACE are sent to TestRail")
    assert messages[2].startswith("'shots/none.png' (com.acme.CartTest › removes) was not found")
    assert messages[3] == "an inline attachment of com.acme.CartTest › removes is not valid base64"
    assert len(found) == 7  # the link to another host is not fetched and not reported


def test_at_most_five_files_per_result(tmp_path: Path) -> None:
    names = [f"f{n}.txt" for n in range(7)]
    for name in names:
        (tmp_path / name).write_text(name)
    found = list(attachment_files(failed(*names), tmp_path))
    files = [f for f in found if isinstance(f, AttachmentFile)]
    assert [f.name for f in files] == names[:MAX_PER_RESULT]
    assert found[-1] == (
        "com.acme.CartTest › removes refers to 7 attachments; the first 5 were uploaded"
    )


def test_an_existing_run_counts_the_tests_with_a_result() -> None:
    run = ExistingRun.of(
        {
            "id": 4,
            "name": "R",
            "project_id": 1,
            "suite_id": 2,
            "is_completed": False,
            "passed_count": 2,
            "failed_count": 1,
            "untested_count": 9,
            "custom_status3_count": 1,
            "config_ids": [5],
            "plan_id": 8,
            "entry_id": "guid",
        }
    )
    assert (run.tested, run.config_ids, run.plan_id, run.entry_id) == (4, (5,), 8, "guid")


def test_the_suites_cases_are_read_only_when_something_needs_them() -> None:
    env = {"INPUT_TESTRAIL_URL": "https://acme.testrail.io"}
    real, dry = parse_inputs([], env), parse_inputs([], {**env, "INPUT_DRY_RUN": "true"})
    with_id = make_result("adds", properties=[("test_id", "C101")])
    pinned = make_result("pinnedOne")
    plain = make_result("noIdHere")
    pins = "testrail:\n  pinned:\n    - test: com.acme.shop.CartTest.pinnedOne\n      case: C5\n"
    assert not needs_cases([with_id], config(), real)
    assert not needs_cases([with_id, pinned], config(pins), real)
    assert needs_cases([with_id, plain], config(), real)  # name matching needs the cases
    assert needs_cases([with_id], config(), dry)  # a dry run shows the whole picture
    # Name matching tried before case ids: every test may match by name.
    assert needs_cases([with_id], config("testrail:\n  match: [name, case_id]\n"), real)
    gate = "coverage:\n  gates:\n    - metric: regression_automation\n      min: 50\n"
    assert needs_cases([with_id], config(gate), real)
    passing = "coverage:\n  gates:\n    - metric: pass_rate\n      min: 50\n"
    assert not needs_cases([with_id], config(passing), real)
    jira = parse_inputs([], {**env, "INPUT_JIRA_URL": "https://acme.atlassian.net"})
    assert needs_cases([with_id], config(), jira)  # stories from the cases' refs
