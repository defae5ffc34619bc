"""The registry of report formats: name -> parser. One module per format, looked up here."""

from __future__ import annotations

from tmsaction.reports.base import Parser
from tmsaction.reports.catch2 import parse_catch2
from tmsaction.reports.ctest import parse_ctest
from tmsaction.reports.junit import parse_junit
from tmsaction.reports.nunit import parse_nunit
from tmsaction.reports.open_test_reporting import parse_open_test_reporting
from tmsaction.reports.robot import parse_robot
from tmsaction.reports.testng import parse_testng
from tmsaction.reports.trx import parse_trx
from tmsaction.reports.xunit_net import parse_xunit_net

PARSERS: dict[str, Parser] = {
    "junit": parse_junit,
    "nunit": parse_nunit,
    "xunit-net": parse_xunit_net,
    "trx": parse_trx,
    "testng": parse_testng,
    "robot": parse_robot,
    "catch2": parse_catch2,
    "ctest": parse_ctest,
    "open-test-reporting": parse_open_test_reporting,
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
}
