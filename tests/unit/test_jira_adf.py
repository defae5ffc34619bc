"""The emulator's ADF validation and the v2/v3 conversions Jira does between wiki markup and ADF."""

from __future__ import annotations

from typing import Any

import pytest
from tmsaction.sandbox.jira.adf import adf_plain_text, adf_to_wiki, validate_adf, wiki_to_adf


def doc(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(content)}


def text(value: str, *marks: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    if marks:
        node["marks"] = list(marks)
    return node


def para(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(nodes)}


VALID = [
    pytest.param(doc(), id="empty document"),
    pytest.param(doc(para()), id="empty paragraph"),
    pytest.param(doc(para(text("a", {"type": "strong"}), text("b", {"type": "em"}))), id="marks"),
    pytest.param(
        doc(para(text("run", {"type": "link", "attrs": {"href": "https://x.test"}}))), id="link"
    ),
    pytest.param(
        doc(para(text("x", {"type": "code"}, {"type": "link", "attrs": {"href": "https://x"}}))),
        id="code with link",
    ),
    pytest.param(
        doc({"type": "heading", "attrs": {"level": 6}, "content": [text("H")]}), id="heading"
    ),
    pytest.param(
        doc({"type": "codeBlock", "attrs": {"language": "java"}, "content": [text("at x")]}),
        id="code block",
    ),
    pytest.param(doc({"type": "codeBlock"}), id="empty code block"),
    pytest.param(
        doc(
            {
                "type": "bulletList",
                "content": [{"type": "listItem", "content": [para(text("one"))]}],
            }
        ),
        id="bullet list",
    ),
    pytest.param(doc(para(text("a"), {"type": "hardBreak"}, text("b"))), id="hard break"),
    pytest.param(doc({"type": "rule"}), id="rule"),
    pytest.param(
        doc({"type": "panel", "attrs": {"panelType": "error"}, "content": [para(text("x"))]}),
        id="panel",
    ),
]


@pytest.mark.parametrize("document", VALID)
def test_jira_accepts_well_formed_documents(document: dict[str, Any]) -> None:
    assert validate_adf(document) is None


INVALID = [
    pytest.param("just a string", "$: an Atlassian Document must be a JSON object", id="string"),
    pytest.param({"type": "paragraph"}, "$.type: the root node must be 'doc'", id="no doc"),
    pytest.param({"type": "doc", "content": []}, "$.version: must be 1", id="no version"),
    pytest.param({"type": "doc", "version": 1}, "$.content: the root node needs", id="no content"),
    pytest.param(
        doc(para(text(""))),
        "$.content[0].content[0].text: a text node needs a non-empty string",
        id="empty text",
    ),
    pytest.param(doc(text("loose")), "'text' is not allowed inside 'doc'", id="text at root"),
    pytest.param(doc({"type": "taskList"}), "'taskList' is not allowed", id="unknown node"),
    pytest.param(doc(para(text("x", {"type": "blink"}))), "unknown mark", id="unknown mark"),
    pytest.param(
        doc({"type": "codeBlock", "content": [text("x", {"type": "strong"})]}),
        "text inside a codeBlock cannot have marks",
        id="marks in code block",
    ),
    pytest.param(
        doc({"type": "heading", "attrs": {"level": 7}, "content": [text("H")]}),
        "a heading level must be 1-6",
        id="heading level",
    ),
    pytest.param(doc(para(text("x", {"type": "link"}))), "a link needs an href", id="link href"),
    pytest.param(
        doc(para(text("x", {"type": "code"}, {"type": "strong"}))),
        "the code mark combines only with link",
        id="code with strong",
    ),
    pytest.param(
        doc({"type": "bulletList", "content": []}), "needs at least one child", id="empty list"
    ),
    pytest.param(
        doc({"type": "bulletList", "content": [para(text("x"))]}),
        "'paragraph' is not allowed inside 'bulletList'",
        id="list without items",
    ),
]


@pytest.mark.parametrize(("document", "problem"), INVALID)
def test_jira_rejects_malformed_documents(document: Any, problem: str) -> None:
    found = validate_adf(document)
    assert found is not None
    assert problem in found


def test_adf_written_through_v3_reads_as_wiki_through_v2() -> None:
    document = doc(
        {"type": "heading", "attrs": {"level": 3}, "content": [text("Failure")]},
        para(text("see "), text("run", {"type": "link", "attrs": {"href": "https://ci/1"}})),
        {"type": "codeBlock", "content": [text("Traceback\n  at x")]},
        {
            "type": "bulletList",
            "content": [
                {"type": "listItem", "content": [para(text("one"))]},
                {"type": "listItem", "content": [para(text("two", {"type": "strong"}))]},
            ],
        },
    )
    assert adf_to_wiki(document) == (
        "h3. Failure\n\nsee [run|https://ci/1]\n\n{noformat}Traceback\n  at x{noformat}\n\n"
        "* one\n* *two*"
    )


def test_wiki_written_through_v2_reads_as_valid_adf_through_v3() -> None:
    wiki = "h3. Failure\n\nFirst line\nsecond line\n\n{code:java}at x.y(Z.java:1){code}\n\n* a\n* b"
    converted = wiki_to_adf(wiki)
    assert validate_adf(converted) is None
    assert [node["type"] for node in converted["content"]] == [
        "heading",
        "paragraph",
        "codeBlock",
        "bulletList",
    ]
    assert converted["content"][2]["attrs"] == {"language": "java"}
    assert "at x.y(Z.java:1)" in adf_plain_text(converted)
    assert "First line\nsecond line" in adf_plain_text(converted)
