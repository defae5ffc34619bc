"""The runs the TestRail sink's `prepare` phase opened, as `post` and Jira use them: each suite's
run, the cases created for it, what was sent, and `Prepared.links(index)`, the TestRail test each
mapped test's result goes to (what a Jira defect links to). Values; no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from tmsaction.plan.testrail_model import PlannedResult, RunPlan, TestRailPlan
from tmsaction.sinks.testrail_cases import CreatedItems
from tmsaction.sinks.testrail_results import Sent
from tmsaction.sinks.testrail_runs import OpenedRun


@dataclass(frozen=True)
class TestLink:
    """Where one mapped test's result goes: the run, the case, and the TestRail test (a case
    inside the run) when its id is known."""

    __test__ = False

    run_id: int
    case_id: int
    test_id: int | None
    url: str | None  # the test's page in TestRail


@dataclass
class PreparedRun:
    plan: RunPlan
    opened: OpenedRun | None = None
    made: CreatedItems = field(default_factory=CreatedItems)
    error: str | None = None  # the run could not be opened: its results are unsent
    sent: dict[str, Sent] = field(default_factory=dict)  # result key -> what happened
    closed: bool = False

    def case_of(self, planned: PlannedResult) -> int | None:
        return (
            planned.case_id
            if planned.case_id is not None
            else self.made.case_ids.get(planned.new_case)
        )


@dataclass
class Prepared:
    """The runs opened by `prepare`, for Jira (`links`) and for `post`."""

    plan: TestRailPlan
    runs: list[PreparedRun]
    base_url: str = ""
    _links: dict[int, tuple[TestLink, ...]] | None = None

    def links(self, index: int) -> tuple[TestLink, ...]:
        """The runs and TestRail tests test `index` (in `reports.results`) goes to."""
        return self.all_links().get(index, ())

    def test_urls(self) -> dict[int, str]:
        """Result index -> the page of its (first) TestRail test, for the Jira defects' links."""
        return {
            index: next(link.url for link in links if link.url)
            for index, links in self.all_links().items()
            if any(link.url for link in links)
        }

    def all_links(self) -> dict[int, tuple[TestLink, ...]]:
        if self._links is None:
            found: dict[int, list[TestLink]] = {}
            for prepared in self.runs:
                opened = prepared.opened
                if opened is None:
                    continue
                tests = opened.tests or {}
                for planned in prepared.plan.results:
                    case_id = prepared.case_of(planned)
                    if case_id is None:
                        continue
                    test = tests.get(case_id)
                    test_id = test[0] if test else None
                    url = f"{self.base_url}/index.php?/tests/view/{test_id}" if test_id else None
                    found.setdefault(planned.index, []).append(
                        TestLink(opened.run.id, case_id, test_id, url)
                    )
            self._links = {index: tuple(links) for index, links in found.items()}
        return self._links
