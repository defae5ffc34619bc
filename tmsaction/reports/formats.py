"""The registry of report formats: name -> parser. One module per format, looked up here."""

from __future__ import annotations

from tmsaction.reports.base import Parser
from tmsaction.reports.behave import parse_behave
from tmsaction.reports.cucumber import parse_cucumber
from tmsaction.reports.cucumber_messages import parse_cucumber_messages
from tmsaction.reports.dart import parse_dart
from tmsaction.reports.gotest import parse_gotest
from tmsaction.reports.jest_json import parse_jest_json
from tmsaction.reports.jsonunknown import parse_unknown_json
from tmsaction.reports.junit import parse_junit
from tmsaction.reports.mocha_json import parse_mocha_json
from tmsaction.reports.mochawesome import parse_mochawesome
from tmsaction.reports.playwright_json import parse_playwright_json
from tmsaction.reports.pytest_json import parse_pytest_json
from tmsaction.reports.robot_json import parse_robot_json
from tmsaction.reports.rspec import parse_rspec
from tmsaction.reports.tap import parse_tap

PARSERS: dict[str, Parser] = {
    "junit": parse_junit,
    # JSON and text formats, detected by shape in jsondetect.py
    "cucumber": parse_cucumber,
    "cucumber-messages": parse_cucumber_messages,
    "behave": parse_behave,
    "mocha": parse_mocha_json,
    "mochawesome": parse_mochawesome,
    "jest": parse_jest_json,
    "playwright": parse_playwright_json,
    "pytest-json": parse_pytest_json,
    "rspec": parse_rspec,
    "robot-json": parse_robot_json,
    "gotest": parse_gotest,
    "dart": parse_dart,
    "tap": parse_tap,
    # JSON of no known shape: not a format, a reader that explains the file (see jsonunknown.py)
    "json-unknown": parse_unknown_json,
}

#: Human names of the supported formats, for "unknown format" messages and README.
DESCRIPTIONS: dict[str, str] = {
    "junit": "JUnit XML (all dialects)",
    # JSON and text formats
    "cucumber": "Cucumber JSON",
    "cucumber-messages": "Cucumber Messages",
    "behave": "behave JSON",
    "mocha": "Mocha JSON",
    "mochawesome": "mochawesome (Cypress)",
    "jest": "Jest/Vitest JSON",
    "playwright": "Playwright JSON",
    "pytest-json": "pytest-json-report",
    "rspec": "RSpec JSON",
    "robot-json": "Robot Framework JSON",
    "gotest": "go test -json",
    "dart": "Dart/Flutter JSON",
    "tap": "TAP",
}
