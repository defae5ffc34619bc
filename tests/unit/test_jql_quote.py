"""JQL quoting of hostile test names: every value stays one literal, checked by the emulator's JQL
parser and by searches against the emulator."""

from __future__ import annotations

import pytest
import requests
from tmsaction.clients.jql import all_of, equals, field_ref, quote, quote_list, within
from tmsaction.sandbox.jira.jql import Term, parse

from tests.jira_support import CLOUD_AUTH, api, create, running

HOSTILE = [
    pytest.param("test_login", id="plain"),
    pytest.param('say "hi"', id="double quotes"),
    pytest.param("it's", id="single quote"),
    pytest.param("C:\\temp\\new", id="backslashes"),
    pytest.param("trailing backslash \\", id="trailing backslash"),
    pytest.param('x" OR project = OPS OR summary ~ "y', id="injection"),
    pytest.param('\\" OR 1=1 --', id="escaped injection"),
    pytest.param("ORDER", id="reserved word"),
    pytest.param("empty", id="EMPTY keyword"),
    pytest.param("a AND b", id="operators"),
    pytest.param("50% faster; [fast] {x} | y ^ z $ # @ * / ? + .", id="reserved characters"),
    pytest.param("line one\nline two\r\n\tindented", id="newlines and tabs"),
    pytest.param("bell\x07 and nul\x00 and del\x7f", id="control characters"),
    pytest.param("émoji 🚀 ünïcødé 测试", id="unicode"),
    pytest.param("test[param-1] (slow)", id="pytest parametrised"),
    pytest.param("", id="empty"),
    pytest.param("x" * 300, id="long"),
]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_quoted_value_parses_back_to_itself_as_one_value(name: str) -> None:
    query = parse(f"summary = {quote(name)} AND project = SHOP")
    terms = query.terms()
    assert [t.field for t in terms] == ["summary", "project"]
    assert isinstance(terms[0], Term)
    assert terms[0].values[0].text == name
    assert terms[0].values[0].quoted


@pytest.mark.parametrize("name", HOSTILE)
def test_quoted_values_never_leave_the_string(name: str) -> None:
    literal = quote(name)
    assert literal.startswith('"')
    assert literal.endswith('"')
    assert "\n" not in literal
    assert "\r" not in literal
    body = literal[1:-1]
    # Every double quote inside is escaped by an odd run of backslashes.
    index = body.find('"')
    while index != -1:
        run = len(body[:index]) - len(body[:index].rstrip("\\"))
        assert run % 2 == 1, literal
        index = body.find('"', index + 1)


def test_lists_and_builders() -> None:
    assert quote_list(["a", 'b"c']) == '("a", "b\\"c")'
    assert within("labels", ["tms-1"]) == 'labels = "tms-1"'
    assert within("labels", ["tms-1", "tms-2"]) == 'labels in ("tms-1", "tms-2")'
    assert field_ref("Test environment") == '"Test environment"'
    assert field_ref("cf[10021]") == "cf[10021]"
    assert field_ref("order") == '"order"'
    assert all_of(equals("project", "SHOP"), 'labels = "a" OR labels = "b"') == (
        'project = "SHOP" AND (labels = "a" OR labels = "b")'
    )
    assert all_of(equals("summary", "x OR y")) == 'summary = "x OR y"'
    with pytest.raises(ValueError, match="at least one value"):
        quote_list([])


def test_hostile_names_find_exactly_their_issue_in_a_real_search() -> None:
    names = [
        'x" OR project = SHOP OR labels = "y',
        'say "hi" \\ and \\"bye\\"',
        "ORDER BY key",
        "50% [fast] {x} | y",
    ]
    with running(search_delay=0) as (_, server):
        keys = {create(server, f"case {i}", customfield_10021=n): n for i, n in enumerate(names)}
        for key, name in keys.items():
            jql = all_of(equals("project", "SHOP"), equals("cf[10021]", name))
            response = requests.post(
                f"{api(server)}/search/jql", json={"jql": jql, "fields": ["key"]}, auth=CLOUD_AUTH
            )
            assert response.status_code == 200, response.text
            assert [issue["key"] for issue in response.json()["issues"]] == [key]
        unquoted = requests.post(
            f"{api(server)}/search/jql",
            json={"jql": f"project = SHOP AND cf[10021] = {names[3]}"},
            auth=CLOUD_AUTH,
        )
        assert unquoted.status_code == 400
        assert "reserved JQL character" in unquoted.json()["errorMessages"][0]
