"""The JQL subset the emulator understands: enough for what tmsaction and the `jira` client send.
Pure; no I/O.

Grammar: `clause (AND|OR clause)*` with NOT and parentheses, `field op value` where op is one of
= != ~ !~ < <= > >= IN, NOT IN, IS [NOT] EMPTY|NULL; values are unquoted words, "double" or 'single'
quoted strings with backslash escapes, numbers, lists `(a, b)` and functions `currentUser()`;
an optional `ORDER BY field [ASC|DESC], ...` (at most 7 fields, as Cloud enforces).

Lexing follows Atlassian's JQL reference: the reserved characters (space + . , ; ? | * / % ^ $ # @
[ ]) and reserved words must be quoted to be used as values; Jira answers 400 with the messages
reproduced below when they are not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_RESERVED_TEXT = """
abort access add after alias all alter and any as asc audit avg before begin between boolean
break by byte catch cf char character check checkpoint collate collation column commit connect
continue count create current date decimal declare decrement default defaults define delete
delimiter desc difference distinct divide do double drop else empty encoding end equals escape
exclusive exec execute exists explain false fetch file field first float for from function go
goto grant greater group having identified if immediate in increment index initial inner inout
input insert int integer intersect intersection into is isempty isnull join last left less
like limit lock long max min minus mode modify modulo more multiply next noaudit not notin
nowait null number object of on option or order outer output power previous prior privileges
public raise raw remainder rename resource return returns right row rowid rownum rows select
session set share size sqrt start strict string subtract sum synonym table then to trans
transaction trigger true uid union unique update user validate values view when whenever where
while with
"""
RESERVED_WORDS = frozenset(_RESERVED_TEXT.split())
RESERVED_CHARACTERS = set(" +.,;?|*/%^$#@[]")
MAX_ORDER_FIELDS = 7

# An unquoted word stops at whitespace, quotes, operators, brackets and the reserved characters.
_WORD = re.compile(
    "[^\\s\"'=!<>~(),&" + re.escape("".join(sorted(RESERVED_CHARACTERS - {" "}))) + "]+"
)
_CUSTOM_FIELD = re.compile(r"cf\[(\d+)\]", re.I)
_OPERATORS = ("!=", "!~", ">=", "<=", "=", "~", ">", "<")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\", " ": " "}


class JqlError(ValueError):
    """A query Jira would reject; `str()` is the text of its `errorMessages` entry."""


@dataclass(frozen=True)
class Token:
    kind: str  # WORD, STRING, OP, LPAREN, RPAREN, COMMA, EOF
    text: str
    position: int  # 1-based character index, as Jira reports it

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "WORD" else ""


@dataclass(frozen=True)
class Value:
    text: str
    quoted: bool = False
    function: str | None = None  # e.g. "currentuser" for currentUser()


@dataclass(frozen=True)
class Term:
    field: str  # lower-cased JQL name, custom fields as customfield_NNNNN
    operator: str  # "=", "!=", "~", "!~", "<", "<=", ">", ">=", "in", "not in", "is", "is not"
    values: tuple[Value, ...]  # empty for IS [NOT] EMPTY


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class BoolOp:
    operator: str  # "and" / "or"
    items: tuple[Node, ...]


Node = Term | Not | BoolOp


@dataclass(frozen=True)
class Query:
    where: Node | None
    order_by: tuple[tuple[str, bool], ...]  # (field, descending)

    @property
    def bounded(self) -> bool:
        return self.where is not None

    def terms(self) -> list[Term]:
        found: list[Term] = []

        def walk(node: Node | None) -> None:
            if isinstance(node, Term):
                found.append(node)
            elif isinstance(node, Not):
                walk(node.item)
            elif isinstance(node, BoolOp):
                for item in node.items:
                    walk(item)

        walk(self.where)
        return found


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
            continue
        start = index + 1
        if char in "\"'":
            value, index = _read_string(text, index)
            tokens.append(Token("STRING", value, start))
            continue
        if text.startswith("&&", index) or text.startswith("||", index):
            tokens.append(Token("WORD", "AND" if char == "&" else "OR", start))
            index += 2
            continue
        operator = next((op for op in _OPERATORS if text.startswith(op, index)), None)
        if operator:
            tokens.append(Token("OP", operator, start))
            index += len(operator)
            continue
        if char == "!":
            tokens.append(Token("WORD", "NOT", start))
            index += 1
            continue
        if char in "(),":
            kind = {"(": "LPAREN", ")": "RPAREN", ",": "COMMA"}[char]
            tokens.append(Token(kind, char, start))
            index += 1
            continue
        custom = _CUSTOM_FIELD.match(text, index)
        if custom:
            tokens.append(Token("WORD", custom.group(0), start))
            index = custom.end()
            continue
        word = _WORD.match(text, index)
        if not word:
            raise JqlError(
                f"Error in the JQL Query: The character '{char}' is a reserved JQL character. You "
                f"must enclose it in a string or use the escape '\\u{ord(char):04x}' instead. "
                f"(line 1, character {start})"
            )
        tokens.append(Token("WORD", word.group(0), start))
        index = word.end()
    tokens.append(Token("EOF", "", len(text) + 1))
    return tokens


def _read_string(text: str, index: int) -> tuple[str, int]:
    quote = text[index]
    out: list[str] = []
    position = index + 1
    while position < len(text):
        char = text[position]
        if char == "\\":
            if position + 1 >= len(text):
                break
            following = text[position + 1]
            if following == "u" and re.fullmatch(
                r"[0-9a-fA-F]{4}", text[position + 2 : position + 6]
            ):
                out.append(chr(int(text[position + 2 : position + 6], 16)))
                position += 6
                continue
            if following not in _ESCAPES:
                raise JqlError(
                    f"Error in the JQL Query: '\\{following}' is an illegal JQL escape sequence. "
                    f"The valid escape sequences are \\', \\\", \\t, \\n, \\r, \\\\, '\\ ' and "
                    f"\\uXXXX. (line 1, character {position + 1})"
                )
            out.append(_ESCAPES[following])
            position += 2
            continue
        if char == quote:
            return "".join(out), position + 1
        if char in "\n\r":
            break
        out.append(char)
        position += 1
    raise JqlError(
        f"Error in the JQL Query: Missing closing quote {quote} for the string that starts at "
        f"(line 1, character {index + 1})."
    )


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.current.upper in words

    def fail(self, expected: str) -> JqlError:
        token = self.current
        got = "the end of the query" if token.kind == "EOF" else f"'{token.text}'"
        return JqlError(
            f"Error in the JQL Query: Expecting {expected} but got {got}. "
            f"(line 1, character {token.position})"
        )

    def query(self) -> Query:
        where: Node | None = None
        if self.current.kind != "EOF" and not self.at_keyword("ORDER"):
            where = self.or_clause()
        order: list[tuple[str, bool]] = []
        if self.at_keyword("ORDER"):
            self.take()
            if not self.at_keyword("BY"):
                raise self.fail("'by'")
            self.take()
            while True:
                token = self.take()
                if token.kind not in ("WORD", "STRING"):
                    self.index -= 1
                    raise self.fail("a field name")
                descending = False
                if self.at_keyword("ASC", "DESC"):
                    descending = self.take().upper == "DESC"
                order.append((field_name(token.text), descending))
                if self.current.kind != "COMMA":
                    break
                self.take()
            if len(order) > MAX_ORDER_FIELDS:
                raise JqlError(
                    f"Error in the JQL Query: The ORDER BY clause can contain at most "
                    f"{MAX_ORDER_FIELDS} fields."
                )
        if self.current.kind != "EOF":
            raise self.fail("either 'OR' or 'AND'" if where else "a field name")
        return Query(where, tuple(order))

    def or_clause(self) -> Node:
        items = [self.and_clause()]
        while self.at_keyword("OR"):
            self.take()
            items.append(self.and_clause())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_clause(self) -> Node:
        items = [self.not_clause()]
        while self.at_keyword("AND"):
            self.take()
            items.append(self.not_clause())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def not_clause(self) -> Node:
        if self.at_keyword("NOT"):
            self.take()
            return Not(self.not_clause())
        if self.current.kind == "LPAREN":
            self.take()
            inner = self.or_clause()
            if self.current.kind != "RPAREN":
                raise JqlError(
                    "Error in the JQL Query: Expecting ')' before the end of the query."
                    if self.current.kind == "EOF"
                    else f"Error in the JQL Query: Expecting ')' but got '{self.current.text}'. "
                    f"(line 1, character {self.current.position})"
                )
            self.take()
            return inner
        return self.term()

    def term(self) -> Term:
        token = self.current
        if token.kind not in ("WORD", "STRING") or (
            token.kind == "WORD" and token.text.lower() in RESERVED_WORDS
        ):
            raise self.fail("a field name")
        self.take()
        field = field_name(token.text)
        operator = self.operator()
        if operator in ("is", "is not"):
            if not self.at_keyword("EMPTY", "NULL"):
                raise self.fail("'EMPTY' or 'NULL'")
            self.take()
            return Term(field, operator, ())
        if operator in ("in", "not in"):
            return Term(field, operator, self.value_list())
        return Term(field, operator, (self.value(),))

    def operator(self) -> str:
        token = self.current
        if token.kind == "OP":
            self.take()
            return token.text
        if token.upper == "IN":
            self.take()
            return "in"
        if token.upper == "NOT":
            self.take()
            if self.at_keyword("IN"):
                self.take()
                return "not in"
            self.index -= 1
        if token.upper == "IS":
            self.take()
            if self.at_keyword("NOT"):
                self.take()
                return "is not"
            return "is"
        raise JqlError(
            f"Error in the JQL Query: Expecting operator but got '{token.text}'. The valid "
            f"operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and "
            f"'IS NOT'. (line 1, character {token.position})"
        )

    def value_list(self) -> tuple[Value, ...]:
        if self.current.kind != "LPAREN":
            return (self.value(),)
        self.take()
        values = [self.value()]
        while self.current.kind == "COMMA":
            self.take()
            values.append(self.value())
        if self.current.kind != "RPAREN":
            raise self.fail("')'")
        self.take()
        return tuple(values)

    def value(self) -> Value:
        token = self.current
        if token.kind == "STRING":
            self.take()
            return Value(token.text, quoted=True)
        if token.kind != "WORD":
            raise JqlError(
                f"Error in the JQL Query: Expecting either a value, list or function but got "
                f"'{token.text or 'the end of the query'}'. You must surround '{token.text}' in "
                f"quotation marks to use it as a value. (line 1, character {token.position})"
            )
        self.take()
        if self.current.kind == "LPAREN":  # a function call
            self.take()
            while self.current.kind not in ("RPAREN", "EOF"):
                self.take()
            if self.current.kind != "RPAREN":
                raise self.fail("')'")
            self.take()
            return Value(token.text, function=token.text.lower())
        if token.upper in ("EMPTY", "NULL"):
            return Value(token.text, function="empty")
        if token.text.lower() in RESERVED_WORDS:
            raise JqlError(
                f"Error in the JQL Query: '{token.text}' is a reserved JQL word. You must surround "
                f"it in quotation marks to use it in a query. (line 1, character {token.position})"
            )
        return Value(token.text)


def field_name(text: str) -> str:
    custom = _CUSTOM_FIELD.fullmatch(text)
    if custom:
        return f"customfield_{custom.group(1)}"
    return text.lower()


def parse(text: str) -> Query:
    """Parse a JQL query or raise `JqlError` with Jira's wording."""
    return _Parser(tokenize(text)).query()


# -- evaluation -------------------------------------------------------------------------------

#: Resolves a (field, JQL value) pair to the comparable form used in an issue's search document;
#: the emulator supplies it so that names, ids and keys of projects, types and statuses all match.
Resolver = Callable[[str, Value], Any]


def evaluate(node: Node | None, document: Mapping[str, Any], resolve: Resolver) -> bool:
    """True when the issue described by `document` (field -> value or list of values) matches."""
    if node is None:
        return True
    if isinstance(node, Not):
        return not evaluate(node.item, document, resolve)
    if isinstance(node, BoolOp):
        results = (evaluate(item, document, resolve) for item in node.items)
        return all(results) if node.operator == "and" else any(results)
    return _term(node, document, resolve)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [item for item in value if item is not None]
    return [value]


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    return bool(left == right)


def _term(term: Term, document: Mapping[str, Any], resolve: Resolver) -> bool:
    present = _as_list(document.get(term.field))
    if term.operator in ("is", "is not"):
        return (not present) == (term.operator == "is")
    wanted = [resolve(term.field, value) for value in term.values]
    if any(value.function == "empty" for value in term.values):
        empty_matches = not present
        others = [w for w, v in zip(wanted, term.values, strict=True) if v.function != "empty"]
        hit = empty_matches or any(_equal(p, w) for p in present for w in others)
        return hit if term.operator in ("=", "in") else not hit
    if term.operator in ("=", "in"):
        return any(_equal(p, w) for p in present for w in _flatten(wanted))
    if term.operator in ("!=", "not in"):
        # Jira: != and NOT IN never match an issue whose field is empty.
        return bool(present) and not any(_equal(p, w) for p in present for w in _flatten(wanted))
    if term.operator in ("~", "!~"):
        text = " ".join(str(p) for p in present).casefold()
        words = re.findall(r"\w+", str(wanted[0]).casefold())
        hit = bool(words) and all(word in text for word in words)
        return hit if term.operator == "~" else not hit
    return any(_compare(p, term.operator, wanted[0]) for p in present)


def _flatten(values: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        out.extend(value if isinstance(value, list | tuple) else [value])
    return out


def _compare(left: Any, operator: str, right: Any) -> bool:
    try:
        if operator == "<":
            return bool(left < right)
        if operator == "<=":
            return bool(left <= right)
        if operator == ">":
            return bool(left > right)
        return bool(left >= right)
    except TypeError:
        return False
