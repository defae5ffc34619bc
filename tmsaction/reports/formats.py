"""The registry of report formats: name -> parser. One module per format, looked up here."""

from __future__ import annotations

from tmsaction.reports.base import Parser
from tmsaction.reports.junit import parse_junit

PARSERS: dict[str, Parser] = {
    "junit": parse_junit,
}

#: Human names of the supported formats, for "unknown format" messages and README.
DESCRIPTIONS: dict[str, str] = {
    "junit": "JUnit XML (all dialects)",
}
