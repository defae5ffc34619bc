"""TestRail timespans on the client side: what to send as `elapsed`, and reading what the server
echoes. Pure; no I/O.

research/testrail-api.md §3.11 and §5.6: TestRail rejects `0s` and anything under one second, and
normalises what it stores (`"90s"` comes back as `"1m 30s"`, or `"1min 30sec"` on newer Cloud), with
work units: 1d = 8h, 1w = 5d.
"""

from __future__ import annotations

import math
import re

_UNIT_SECONDS = {
    "w": 144000,
    "wk": 144000,
    "d": 28800,
    "h": 3600,
    "hr": 3600,
    "m": 60,
    "min": 60,
    "s": 1,
    "sec": 1,
}
_TOKEN = re.compile(r"(\d+(?:\.\d+)?)\s*(wk|w|d|hr|h|min|m|sec|s)\b", re.IGNORECASE)


def format_elapsed(seconds: float | None) -> str | None:
    """The `elapsed` value for a duration: whole seconds, at least 1 s; None (omit) when unknown.

    A test that took 0.2 s is sent as `1s`, since TestRail refuses anything shorter (the rule
    trcli, pytest-testrail and the Jenkins plugins follow); an unknown or zero duration is left out.
    """
    if seconds is None or math.isnan(seconds) or seconds <= 0:
        return None
    return f"{max(1, round(seconds))}s"


def parse_timespan(text: str | None) -> float | None:
    """Seconds in a timespan the server sent (`1m 30s`, `1min 30sec`, `2h`, `90`), or None."""
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    tokens = _TOKEN.findall(value)
    if not tokens or _TOKEN.sub("", value).strip():
        return None
    return sum(float(number) * _UNIT_SECONDS[unit.lower()] for number, unit in tokens)
