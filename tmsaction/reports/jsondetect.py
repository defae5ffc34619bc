"""Detection of the JSON and text report formats by shape. Pure.

Placeholder until the JSON readers land: no JSON format is recognised yet.
"""

from __future__ import annotations


def json_format(text: str) -> str | None:
    """Format name for a report whose first 64 KiB (decoded) are `text`, or None."""
    del text
    return None
