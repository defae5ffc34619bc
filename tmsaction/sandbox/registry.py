"""The emulators `python -m tmsaction sandbox` and the demo start, seeded with demo data."""

from __future__ import annotations

from tmsaction.sandbox.github import seed_demo as seed_github
from tmsaction.sandbox.jira.seed import seed_demo as seed_jira
from tmsaction.sandbox.server import Emulator
from tmsaction.sandbox.testrail import demo_emulator


def build_emulators() -> list[Emulator]:
    return [seed_github(), seed_jira(), demo_emulator()]
