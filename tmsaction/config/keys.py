"""The whole config format (version 1), declared once: `CONFIG` checks a file and builds `Config`,
and `config.schema.json` is generated from it. Sections live in `keys_testrail.py`,
`keys_jira.py` and `keys_coverage.py`. Pure declarations.
"""

from __future__ import annotations

from typing import Any

from tmsaction.config import convert
from tmsaction.config.keys_coverage import COVERAGE
from tmsaction.config.keys_jira import JIRA
from tmsaction.config.keys_testrail import TESTRAIL
from tmsaction.config.model import Config, TemplatesConfig
from tmsaction.config.nodes import template
from tmsaction.config.shapes import Key, Obj
from tmsaction.config.spec import At, Int, Str
from tmsaction.templates import TemplateKind

VERSION = 1
SCHEMA_URL = "https://raw.githubusercontent.com/tmsaction/tmsaction/v1/tmsaction/config.schema.json"

TEMPLATES = Obj(
    (
        Key("run_name", template(TemplateKind.RUN, "Name of a new TestRail run.")),
        Key("result_comment", template(TemplateKind.RESULT, "Comment of each TestRail result.")),
        Key("defect_summary", template(TemplateKind.DEFECT, "Summary of a new Jira defect.")),
        Key(
            "defect_description",
            template(TemplateKind.DEFECT, "Description of a new Jira defect."),
        ),
        Key(
            "summary_file",
            Str(
                nullable=True,
                convert=convert.workspace_path,
                help="A Jinja2 file replacing the job summary template (workspace-relative).",
            ),
        ),
        Key(
            "comment_file",
            Str(
                nullable=True,
                convert=convert.workspace_path,
                help="A Jinja2 file replacing the pull-request comment template.",
            ),
        ),
    ),
    help="Jinja2 templates (sandboxed); README lists the variables of each.",
    build=lambda v, at: TemplatesConfig(
        run_name=v["run_name"],
        result_comment=v["result_comment"],
        defect_summary=v["defect_summary"],
        defect_description=v["defect_description"],
        summary_file=v["summary_file"],
        comment_file=v["comment_file"],
    ),
)


def _build(v: dict[str, Any], at: At) -> Config:
    return Config(
        testrail=v["testrail"],
        jira=v["jira"],
        templates=v["templates"],
        coverage=v["coverage"],
    )


CONFIG = Obj(
    (
        Key(
            "version",
            Int(minimum=VERSION, maximum=VERSION, help="The config format version: 1."),
            required=True,
        ),
        Key("testrail", TESTRAIL, {}),
        Key("jira", JIRA, {}),
        Key("templates", TEMPLATES, {}),
        Key("coverage", COVERAGE, {}),
    ),
    help="tmsaction mapping config (.github/tmsaction.yml).",
    build=_build,
    required_hint={"version": " (start the file with 'version: 1')"},
    extensions="x-",
)
