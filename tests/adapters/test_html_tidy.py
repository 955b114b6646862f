"""``htmltidy.tidy_utf8`` (the tidying of libxml2's UTF-8 output as bytes) gives what ``tidy``
gives on the decoded text, and both what the line-by-line reference gives."""

from __future__ import annotations

import random
import re

from adapters import htmltidy
from adapters.htmltext import html_to_texts


def _reference(text: str, keep_sep: bool) -> str:
    drop = "[\x00-\x08\x0e-\x1b\ud800-\udfff\ufffe\uffff\u200b]"
    text = re.sub(drop if keep_sep else drop[:-1] + "\x7f]", "", text)
    return "\n".join(" ".join(w) for line in text.splitlines() if (w := line.split()))


def test_utf8_patterns_find_the_unusual_non_ascii_characters() -> None:
    found = set()
    for code in range(0x80, 0x110000):
        data = chr(code).encode("utf-8", "surrogatepass")
        if any(data[0] == lead and p.match(data) for lead, p in htmltidy._UNUSUAL_UTF8):
            found.add(chr(code))
    unusual = {chr(c) for c in range(0x80, 0x110000) if htmltidy._UNUSUAL.match(chr(c))}
    assert found == unusual


def test_tidy_utf8_matches_tidy_and_the_reference() -> None:
    rng = random.Random("tidy-utf8")
    odd = [chr(c) for c in range(0x20)] + ["\x7f", "\x85", "\xa0", "\u1680", "\u2000", "\u200a"]
    odd += ["\u200b", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufffe", "\uffff", "\r\n"]
    common = [" ", " ", "  ", "\n", "a", "bc", "é", "’", "—", "क", "中", "©", "\ue000", "😀"]
    for _ in range(30000):
        pool = common + (odd if rng.random() < 0.5 else rng.sample(odd, 2))
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 16)))
        for keep_sep in (False, True):
            expected = _reference(text, keep_sep)
            assert htmltidy.tidy(text, keep_sep) == expected, repr(text)
            assert htmltidy.tidy_utf8(text.encode(), keep_sep) == expected, repr(text)


def test_plain_fragments_share_the_tidying_pass() -> None:
    """Fragments without markup are tidied in the parse's text: each still reads as alone,
    a DEL in one of them (no separator there) or from a reference included."""
    batch = ["a  b\tc", "<p>x&nbsp; y</p>", "\xa0 é\r\nf ", "<b>z&#127;</b>", "", "g\x7fh"]
    assert html_to_texts(batch) == ["a b c", "x y", "é\nf", "z", "", "gh"]
    assert html_to_texts(["<p>1</p>", "2\u2028 3", "<i>4</i>"]) == ["1", "2\n3", "4"]


def test_long_texts_read_as_short_ones() -> None:
    """From ``_VECTOR_BYTES`` on, spaces and newlines are counted with numpy."""
    rng = random.Random("tidy-long")
    for _ in range(40):
        words = ["a", "bc", " ", " ", "  ", "\n", " \n ", "é", "\t"] if rng.random() < 0.5 else []
        pool = words or ["word", " ", "\n", "x"]
        text = "".join(rng.choice(pool) for _ in range(rng.randint(25000, 40000)))
        assert len(text.encode()) >= htmltidy._VECTOR_BYTES
        for keep_sep in (False, True):
            assert htmltidy.tidy_utf8(text.encode(), keep_sep) == _reference(text, keep_sep)
