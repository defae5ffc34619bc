"""`tmsaction/config.schema.json` and README's key table, generated from the key declarations so
neither can drift from the loader.

    python -m tmsaction.config.schema           # rewrite both
    python -m tmsaction.config.schema --check   # exit 1 when one is out of date (a test runs this)

Editors pick it up from the first line of the config:
`# yaml-language-server: $schema=<SCHEMA_URL>`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from tmsaction.config.keys import CONFIG, SCHEMA_URL
from tmsaction.config.reference import reference_table

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "config.schema.json"
README = Path(__file__).resolve().parents[2] / "README.md"
_BLOCK = re.compile(r"(<!-- config-keys:start -->\n).*?(<!-- config-keys:end -->)", re.S)


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


def expected_files() -> dict[Path, str]:
    """Each generated file with the text it should hold (README only when present: the package
    installed without the repository has no README to keep in step)."""
    files = {SCHEMA_FILE: schema_text()}
    if README.exists():
        readme = README.read_text(encoding="utf-8")
        if not _BLOCK.search(readme):
            raise SystemExit("README.md lacks the <!-- config-keys:start/end --> markers")
        files[README] = _BLOCK.sub(lambda m: m.group(1) + reference_table() + m.group(2), readme)
    return files


def main(argv: list[str]) -> int:
    files = expected_files()
    if "--check" in argv:
        stale = [
            path
            for path, text in files.items()
            if not path.exists() or path.read_text(encoding="utf-8") != text
        ]
        for path in stale:
            print(f"{path.name} is out of date; run: python -m tmsaction.config.schema")
        return 1 if stale else 0
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
