"""`tmsaction/config.schema.json`, generated from the key declarations so the two cannot drift.

    python -m tmsaction.config.schema           # rewrite the file
    python -m tmsaction.config.schema --check   # exit 1 when it is out of date (a test runs this)

Editors pick it up from the first line of the config:
`# yaml-language-server: $schema=<SCHEMA_URL>`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tmsaction.config.keys import CONFIG, SCHEMA_URL

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "config.schema.json"


def config_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the config file."""
    defs: dict[str, dict[str, Any]] = {}
    body = CONFIG.schema(defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_URL,
        "title": "tmsaction mapping config",
        **body,
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    return json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = schema_text()
    if "--check" in argv:
        current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
        if current != text:
            print(f"{SCHEMA_FILE} is out of date; run: python -m tmsaction.config.schema")
            return 1
        return 0
    SCHEMA_FILE.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
