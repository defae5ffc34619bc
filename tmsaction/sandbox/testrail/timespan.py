"""TestRail timespans (`elapsed`, `estimate`) as the server parses and echoes them. Pure; no I/O.

research/testrail-api.md §3.11: space-separated `<number><unit>` pairs with work units (1d = 8h,
1w = 5d); the server normalises what it echoes (`"90s"` -> `"1m 30s"`), newer Cloud answers with
`wk/d/hr/min/sec`; anything under one second, zero, negatives and garbage are rejected.

The emulator keeps its own parser, independent of the client's, so a bug in one cannot hide a bug in
the other.
"""

from __future__ import annotations

import re

SECONDS = {
    "w": 5 * 8 * 3600,
    "wk": 5 * 8 * 3600,
    "d": 8 * 3600,
    "h": 3600,
    "hr": 3600,
    "m": 60,
    "min": 60,
    "s": 1,
    "sec": 1,
}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(wk|w|d|hr|h|min|m|sec|s)", re.IGNORECASE)
_CLASSIC = (("w", SECONDS["w"]), ("d", SECONDS["d"]), ("h", 3600), ("m", 60))
_NEW = (("wk", SECONDS["w"]), ("d", SECONDS["d"]), ("hr", 3600), ("min", 60))


def parse_timespan(text: object) -> float | None:
    """Total seconds of a timespan, or None when TestRail would reject it (including < 1 s).

    A bare integer counts as seconds ([INFER] in the research: accepted here, as clients send it).
    """
    if isinstance(text, bool) or not isinstance(text, str | int):
        return None
    value = str(text).strip()
    if re.fullmatch(r"\d+", value):
        total = float(value)
    else:
        position = 0
        total = 0.0
        found = False
        while position < len(value):
            if value[position].isspace():
                position += 1
                continue
            match = _PART.match(value, position)
            if match is None:
                return None
            end = match.end()
            # A unit must end the token: "1mx" and "1m5s" are not timespans.
            if end < len(value) and not value[end].isspace():
                return None
            total += float(match.group(1)) * SECONDS[match.group(2).lower()]
            position = end
            found = True
        if not found:
            return None
    return total if total >= 1 else None


def format_timespan(seconds: float, *, style: str = "classic") -> str:
    """The normalised form the server echoes: `1m 30s`, or `1min 30sec` in the newer style."""
    units = _NEW if style == "new" else _CLASSIC
    second_unit = "sec" if style == "new" else "s"
    whole = int(seconds)
    fraction = round(seconds - whole, 3)
    parts: list[str] = []
    for unit, size in units:
        count, whole = divmod(whole, size)
        if count:
            parts.append(f"{count}{unit}")
    if whole or fraction:
        number = f"{whole + fraction:g}" if fraction else str(whole)
        parts.append(f"{number}{second_unit}")
    return " ".join(parts)
