"""`TestRailClient`: typed calls to the TestRail API v2 on the project's HTTP funnel.

Layers: `testrail_transport.py` (URL scheme, request path, pagination, errors),
`testrail_catalog.py` (projects, suites, sections, cases, reference data), `testrail_runs.py` (runs,
tests, results, attachments, plans). Writes are never re-sent blindly: a lost answer raises
`OutcomeUnknown`, and the read-backs (`find_runs`, `find_plan_entries`, `find_sections`,
`find_cases`, `results_since`) tell the sink what the server already holds.
"""

from __future__ import annotations

from tmsaction.clients.testrail_catalog import CatalogCalls
from tmsaction.clients.testrail_errors import TestRailError
from tmsaction.clients.testrail_runs import RunCalls
from tmsaction.clients.testrail_transport import (
    DEFAULT_BURST,
    DEFAULT_PER_MINUTE,
    PAGE_SIZE,
    normalise_base_url,
)

__all__ = [
    "DEFAULT_BURST",
    "DEFAULT_PER_MINUTE",
    "PAGE_SIZE",
    "TestRailClient",
    "TestRailError",
    "normalise_base_url",
]


class TestRailClient(CatalogCalls, RunCalls):
    """One TestRail instance, as one user. Thread-safe: the sink may post batches in parallel."""

    __test__ = False  # not a pytest test class
