"""A faithful, stateful emulator of the TestRail API v2 (research/testrail-api.md), for the demo, the
tests and the benchmarks: `emulator.py` (HTTP handling), `world.py` (state), `api_*.py` (endpoints),
`wire.py` (routes, errors, pagination), `demo.py` (the demo world)."""

from tmsaction.sandbox.testrail.demo import DEMO_API_KEY, DEMO_USER, demo_emulator, seed_demo
from tmsaction.sandbox.testrail.emulator import TestRailEmulator

__all__ = ["DEMO_API_KEY", "DEMO_USER", "TestRailEmulator", "demo_emulator", "seed_demo"]
