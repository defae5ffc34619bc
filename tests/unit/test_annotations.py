"""Failed-test annotations: capped as GitHub shows them, escaped so no test can issue a command."""

from __future__ import annotations

import io
from collections.abc import Iterator

from tmsaction.ghactions import Console, annotate_failures
from tmsaction.model import Outcome, TestDetail, TestResult


def failure(index: int, name: str = "adds", message: str = "boom") -> TestResult:
    return TestResult(
        ("s",),
        f"com.acme.Cart{index}",
        name,
        Outcome.ERROR if index % 2 else Outcome.FAILED,
        file="src/test/Cart.java",
        line=10 + index,
        detail=TestDetail(message=message),
    )


def test_nine_failures_are_annotated_and_one_notice_counts_the_rest() -> None:
    out = io.StringIO()
    console = Console(out, in_actions=True)
    assert annotate_failures(console, [failure(i) for i in range(25)]) == (9, 16)
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "::error title=com.acme.Cart0 › adds failed,file=src/test/Cart.java,line=10::boom"
    )
    assert lines[1].startswith("::error title=com.acme.Cart1 › adds errored,")
    assert len(lines) == 10
    assert lines[-1] == (
        "::notice title=More failed tests::16 more failed tests are not annotated (GitHub shows "
        "10 error annotations per step); see the job summary."
    )
    # The tenth error stays free for the step's own failure message.
    assert console.error("tmsaction failed the step") is True
    assert console.error("one too many") is False


def test_hostile_names_and_messages_cannot_issue_workflow_commands() -> None:
    out = io.StringIO()
    name = "x::add-mask::y,z\n::set-output name=a::b"
    message = "50% done\r\n::error::forged\x1b[31m\u202e"
    annotate_failures(Console(out, in_actions=True), [failure(0, name, message)])
    lines = out.getvalue().splitlines()
    assert lines == [
        "::error title=com.acme.Cart0 › x%3A%3Aadd-mask%3A%3Ay%2Cz %3A%3Aset-output name=a%3A%3Ab "
        "failed,file=src/test/Cart.java,line=10::50%25 done%0A::error::forged"
    ]


def test_outside_actions_failures_are_plain_lines() -> None:
    out = io.StringIO()
    annotate_failures(Console(out, in_actions=False), [failure(0)])
    assert out.getvalue() == "error: src/test/Cart.java:10: com.acme.Cart0 › adds failed: boom\n"


def test_with_the_total_known_the_rest_are_counted_not_walked() -> None:
    walked: list[int] = []

    def failures() -> Iterator[TestResult]:
        for i in range(25):
            walked.append(i)
            yield failure(i)

    out = io.StringIO()
    assert annotate_failures(Console(out, in_actions=True), failures(), total=25) == (9, 16)
    assert len(walked) == 10  # nine shown, the tenth tells the loop to stop
    assert (
        out.getvalue()
        .splitlines()[-1]
        .endswith(
            "::16 more failed tests are not annotated "
            "(GitHub shows 10 error annotations per step); "
            "see the job summary."
        )
    )
