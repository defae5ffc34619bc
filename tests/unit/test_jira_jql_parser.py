"""The emulator's JQL subset: parsing, Jira's syntax errors, and evaluation semantics."""

from __future__ import annotations

from typing import Any

import pytest
from tmsaction.sandbox.jira.jql import JqlError, Term, Value, evaluate, parse


def resolve(field: str, value: Value) -> Any:
    return value.text


DOC: dict[str, Any] = {
    "project": ["SHOP", "10000", "Shop"],
    "key": "SHOP-20",
    "labels": ["tms-abc", "tmsaction"],
    "issuetype": ["Bug", "10004"],
    "statuscategory": ["To Do", "new", "2"],
    "status": ["To Do", "10000"],
    "resolution": None,
    "summary": "Checkout total is wrong",
}


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("project = SHOP", True),
        ("project = shop", True),  # values of named things match case-insensitively
        ('project = "Shop" AND labels = "tms-abc"', True),
        ("labels in (tms-x, tms-abc)", True),
        ("labels not in (tms-x, tms-y)", True),
        ("labels != tmsaction", False),
        ("resolution != Fixed", False),  # != never matches an empty field
        ("resolution is EMPTY", True),
        ("resolution is not EMPTY", False),
        ("statusCategory != Done", True),
        ("statusCategory = new", True),
        ("issuetype = Bug AND NOT labels = tmsaction", False),
        ("(labels = x OR labels = tms-abc) AND project = SHOP", True),
        ('summary ~ "total checkout"', True),
        ("summary !~ total", False),
        ("key = SHOP-20 ORDER BY created DESC, key ASC", True),
        ("labels = x || project = SHOP && issuetype = Bug", True),
    ],
)
def test_queries_match_as_jira_evaluates_them(jql: str, expected: bool) -> None:
    assert evaluate(parse(jql).where, DOC, resolve) is expected


def test_string_escapes_are_decoded() -> None:
    jql = 'summary ~ "a \\"quoted\\" \\\\ back\\tslash \\u00e9" AND labels = \'it\\\'s\''
    query = parse(jql)
    terms = query.terms()
    assert isinstance(terms[0], Term)
    assert terms[0].values[0].text == 'a "quoted" \\ back\tslash é'
    assert terms[1].values[0].text == "it's"


def test_order_by_and_boundedness() -> None:
    assert parse("project = SHOP ORDER BY key DESC").order_by == (("key", True),)
    unbounded = parse("ORDER BY key DESC")
    assert not unbounded.bounded


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("labels = a%b", "The character '%' is a reserved JQL character"),
        ("labels = order", "'order' is a reserved JQL word"),
        ("(project = SHOP", "Expecting ')' before the end of the query."),
        ('summary ~ "open', "Missing closing quote"),
        ("project SHOP", "Expecting operator but got 'SHOP'"),
        ('summary ~ "bad \\q"', "illegal JQL escape sequence"),
        ("project = ", "Expecting either a value, list or function"),
        ("project = A ORDER BY a, b, c, d, e, f, g, h", "at most 7 fields"),
    ],
)
def test_jira_syntax_errors(jql: str, message: str) -> None:
    with pytest.raises(JqlError, match="Error in the JQL Query") as caught:
        parse(jql)
    assert message in str(caught.value)
