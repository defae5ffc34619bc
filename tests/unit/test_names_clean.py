"""`names.clean`, whose fast paths skip the split and join for names already clean, gives what
the rule says on any text: whitespace runs as one space, trimmed, NFC."""

from __future__ import annotations

import random
import unicodedata

from tmsaction.mapping.names import clean

ALPHABET = ["a", "Z", "_", "1", " ", "  ", "\t", "\n", "\r", "\x0b", "\x1c", "\x1f", "\x00"]
ALPHABET += ["\u00a0", "\u2028", "\u3000", "é", "e\u0301", "€", "[", "@"]


def test_clean_is_whitespace_runs_as_one_space_trimmed_and_nfc() -> None:
    rng = random.Random(23)
    for _ in range(20_000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8)))
        expected = " ".join(unicodedata.normalize("NFC", text).split())
        assert clean(text) == expected, repr(text)
    already = "test_adds_item"
    assert clean(already) is already  # kept, not copied: results_json reuses the encoded name
