"""Golden files: compare a value with a reviewed JSON file next to the fixture.

Regenerate with `TMSACTION_UPDATE_GOLDENS=1 .venv/bin/pytest <tests>` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

UPDATE = os.environ.get("TMSACTION_UPDATE_GOLDENS") == "1"


def assert_golden(path: Path, actual: Any) -> None:
    text = json.dumps(actual, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if UPDATE or not path.exists():
        if not UPDATE:
            raise AssertionError(
                f"{path} does not exist; create it with TMSACTION_UPDATE_GOLDENS=1 and review it"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert json.loads(text) == json.loads(expected), f"{path} differs; review, then regenerate"


def assert_golden_text(path: Path, actual: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        raise AssertionError(f"{path} does not exist; create it with TMSACTION_UPDATE_GOLDENS=1")
    assert actual == path.read_text(encoding="utf-8"), f"{path} differs; review, then regenerate"
