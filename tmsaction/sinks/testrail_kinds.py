"""Which TestRail failures stop the whole sync (nothing else can work after them) and which stop
only the suite, batch or case they hit. Pure."""

from __future__ import annotations

from tmsaction.clients.testrail_errors import TestRailError

#: Nothing else can work after these: the whole sync stops with the one message.
FATAL_KINDS = frozenset(
    {
        "auth",
        "api_disabled",
        "unreachable",
        "bad_url",
        "not_testrail",
        "redirect",
        "rate_limited",
        "unavailable",
        "maintenance",
    }
)


def is_fatal(error: TestRailError) -> bool:
    return error.kind in FATAL_KINDS
