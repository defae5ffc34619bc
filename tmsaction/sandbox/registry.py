"""The emulators `python -m tmsaction sandbox` and the demo start, seeded with demo data."""

from __future__ import annotations

from tmsaction.sandbox.server import Emulator
from tmsaction.sandbox.testrail import demo_emulator


def build_emulators() -> list[Emulator]:
    return [demo_emulator()]
