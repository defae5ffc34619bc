"""The emulators `python -m tmsaction sandbox` and the demo start, seeded with demo data."""

from __future__ import annotations

from tmsaction.sandbox.jira.seed import seed_demo
from tmsaction.sandbox.server import Emulator


def build_emulators() -> list[Emulator]:
    return [seed_demo()]
