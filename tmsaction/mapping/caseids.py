"""TestRail case ids written in tests: in names, in properties, in tags. Pure; no I/O.

Rules (README "Case ids in tests" repeats them with examples):
- In a **name**, a case id is a capital `C` and a number without a leading zero (`C1` ... up to
  2147483647), with no letter or digit right before or after it. `_`, spaces and punctuation
  separate: `test_login_C123`, `C12_C13_checkout`, `Login works @C201`, `(C5)` all count.
  Lower-case `c` never counts, so pytest parameters (`test_x[c1]`) and hex hashes (`c0ffee12`)
  are not ids; neither are `TC123`, `ABC123`, `C123abc` or `C0`.
- A **bracket group** in a name counts only when it holds nothing but case ids: `[C12]`,
  `[C12, C13]`. Any other bracket group is parameters (`test_price[EUR-C1]`) and is skipped whole.
- A **property** value (names configurable: `test_id`, `testrail_case_id`, ...) is explicit, so it
  is read more freely: `C123`, `c123`, `123`, and lists separated by commas, semicolons or spaces.
- A **tag** counts when the whole tag is a case id: `C123` or `@C123` (any case), or a case-id
  property name with `:` or `=`: `@test_id:C123`, `testrail_case_id=123`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_CASE_ID = 2**31 - 1

_TOKEN = re.compile(r"(?<![A-Za-z0-9])C([1-9][0-9]{0,9})(?![A-Za-z0-9])")
_STRIP_TOKEN = re.compile(r"@?(?<![A-Za-z0-9])C([1-9][0-9]{0,9})(?![A-Za-z0-9])")
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
_BRACKET_ITEM = re.compile(r"C([1-9][0-9]{0,9})")
_LOOSE_ITEM = re.compile(r"[Cc]?([1-9][0-9]{0,9})")
_SEPARATORS = re.compile(r"[\s,;]+")


def _valid(number: int) -> bool:
    return number <= MAX_CASE_ID


def _id_list(text: str, item: re.Pattern[str]) -> list[int] | None:
    """The ids of a list like `C12, C13`; None when any item is not an id."""
    parts = [p for p in _SEPARATORS.split(text.strip().strip("[]")) if p]
    if not parts:
        return None
    ids: list[int] = []
    for part in parts:
        found = item.fullmatch(part)
        if not found or not _valid(int(found.group(1))):
            return None
        ids.append(int(found.group(1)))
    return ids


def ids_in_name(name: str) -> tuple[int, ...]:
    """Case ids in a test name, in the order written, without repeats."""
    if "C" not in name:  # the common case: one substring test, no regex
        return ()
    found: list[tuple[int, int]] = []  # (position, id)
    text = name
    if "[" in name:
        pieces: list[str] = []
        last = 0
        for group in _BRACKETS.finditer(name):
            ids = _id_list(group.group(1), _BRACKET_ITEM)
            if ids:
                found.extend((group.start(), number) for number in ids)
            # Parameters or ids: either way the group's text is not scanned again.
            pieces.append(name[last : group.start()])
            pieces.append(" " * (group.end() - group.start()))
            last = group.end()
        pieces.append(name[last:])
        text = "".join(pieces)
    for token in _TOKEN.finditer(text):
        number = int(token.group(1))
        if _valid(number):
            found.append((token.start(), number))
    return _unique(number for _, number in sorted(found))


def ids_in_value(value: str) -> tuple[tuple[int, ...], bool]:
    """Case ids in a property value; the flag is False when the value is not a list of ids."""
    ids = _id_list(value, _LOOSE_ITEM)
    if ids is None:
        return (), False
    return _unique(ids), True


def ids_in_tags(tags: Iterable[str], property_names: Iterable[str]) -> tuple[int, ...]:
    """Case ids in tags: `C123`, `@C123`, or `<property>:C123` / `<property>=C123`."""
    prefixes = {name.casefold() for name in property_names}
    ids: list[int] = []
    for tag in tags:
        text = tag.strip().lstrip("@")
        if not text:
            continue
        if text[0] in "Cc":
            whole = _LOOSE_ITEM.fullmatch(text)
            if whole and text[1:].isdigit() and _valid(int(whole.group(1))):
                ids.append(int(whole.group(1)))
                continue
        for separator in (":", "="):
            if separator in text:
                prefix, _, value = text.partition(separator)
                if prefix.strip().casefold() in prefixes:
                    ids.extend(ids_in_value(value)[0])
                break
    return _unique(ids)


def strip_ids(name: str) -> str:
    """The name without its case ids (for titles): `[C1, C2] Login works` -> `Login works`,
    `test_login_C123` -> `test_login`."""
    if "C" not in name:
        return name
    pieces: list[str] = []
    last = 0
    for group in _BRACKETS.finditer(name):
        pieces.append(_STRIP_TOKEN.sub("", name[last : group.start()]))
        pieces.append("" if _id_list(group.group(1), _BRACKET_ITEM) else group.group(0))
        last = group.end()
    pieces.append(_STRIP_TOKEN.sub("", name[last:]))
    text = "".join(pieces)
    text = re.sub(r"_{2,}", "_", text)
    text = re.sub(r"\s{2,}", " ", text)
    return text.strip(" _-:")


def _unique(numbers: Iterable[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(numbers))
