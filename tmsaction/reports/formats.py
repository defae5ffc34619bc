"""The registry of report formats: name -> parser. One module per format, looked up here."""

from __future__ import annotations

from tmsaction.reports.base import Parser
from tmsaction.reports.behave import parse_behave
from tmsaction.reports.catch2 import parse_catch2
from tmsaction.reports.ctest import parse_ctest
from tmsaction.reports.cucumber import parse_cucumber
from tmsaction.reports.cucumber_messages import parse_cucumber_messages
from tmsaction.reports.dart import parse_dart
from tmsaction.reports.gotest import parse_gotest
from tmsaction.reports.jest_json import parse_jest_json
from tmsaction.reports.jsonunknown import parse_unknown_json
from tmsaction.reports.junit import parse_junit
from tmsaction.reports.mocha_json import parse_mocha_json
from tmsaction.reports.mochawesome import parse_mochawesome
from tmsaction.reports.nunit import parse_nunit
from tmsaction.reports.open_test_reporting import parse_open_test_reporting
from tmsaction.reports.playwright_json import parse_playwright_json
from tmsaction.reports.pytest_json import parse_pytest_json
from tmsaction.reports.robot import parse_robot
from tmsaction.reports.robot_json import parse_robot_json
from tmsaction.reports.rspec import parse_rspec
from tmsaction.reports.tap import parse_tap
from tmsaction.reports.testng import parse_testng
from tmsaction.reports.trx import parse_trx
from tmsaction.reports.xunit_net import parse_xunit_net

PARSERS: dict[str, Parser] = {
    # XML formats, detected by root element in detect.py
    "junit": parse_junit,
    "nunit": parse_nunit,
    "xunit-net": parse_xunit_net,
    "trx": parse_trx,
    "testng": parse_testng,
    "robot": parse_robot,
    "catch2": parse_catch2,
    "ctest": parse_ctest,
    "open-test-reporting": parse_open_test_reporting,
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
    "nunit": "NUnit 2/3 XML",
    "xunit-net": "xUnit.net XML",
    "trx": "Visual Studio TRX",
    "testng": "TestNG testng-results.xml",
    "robot": "Robot Framework output.xml",
    "catch2": "Catch2 XML",
    "ctest": "CTest Test.xml",
    "open-test-reporting": "Open Test Reporting XML (JUnit Platform, PHPUnit)",
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
