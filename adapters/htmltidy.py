"""Plain text as ``adapters.htmltext`` gives it: control characters dropped, each run of
whitespace one space, each run of line breaks one break, no blank lines.

``tidy`` runs on every text the HTML conversion produces (the joined text of a feed's
fragments and of those without markup): its common cases are a few passes in C over the
text's UTF-8 bytes (``tidy_utf8``), as libxml2 writes them.
"""

from __future__ import annotations

import re

# The separator of the fragments joined for one shared parse (``adapters.htmltext``). ASCII,
# so that the joined text of ASCII fragments stays ASCII and ``tidy`` takes its fast path;
# libxml2 keeps it as an ordinary character.
SEP = "\x7f"

_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\n"
_PLAIN_ASCII_SEP = _PLAIN_ASCII + SEP.encode("ascii")  # a shared parse's separator stays


def _plain_ascii(text: str, allowed: bytes) -> bool:
    """Whether ``text`` is ASCII of ``allowed`` bytes only (nothing ``tidy`` drops or reads
    as whitespace but spaces and newlines). Deleting the allowed bytes is a C loop several
    times faster than a character-class regex search."""
    return text.isascii() and not text.encode("ascii").translate(None, allowed)


# Whitespace other than space and newline (what str.isspace() and str.splitlines() see:
# tabs, NBSP, other line separators ...; a test checks it against str.isspace). Spelled out:
# twice as fast as the equivalent [^\S \n] on non-ASCII text.
_ODD_SPACE = re.compile(
    "[\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
_SPACE_RUN = re.compile(r"  +")
_BREAK_RUN = re.compile(r"\n[ \n]+")
_SHORT_LINE = 16  # characters per line below which lines are too many to handle one by one
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1b\x7f\ud800-\udfff\ufffe\uffff]")
# What ``tidy`` drops or reads as whitespace other than space and newline, and ZWSP.
_UNUSUAL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f\x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000"
    "\ud800-\udfff\ufffe\uffff]"
)
# The same without DEL, for the joined text of a shared parse, where DEL is the separator.
_NOT_TEXT_BUT_SEP = re.compile("[\x00-\x08\x0e-\x1b\ud800-\udfff\ufffe\uffff]")
_UNUSUAL_BUT_SEP = re.compile(
    "[\x00-\x09\x0b-\x1f\x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000"
    "\ud800-\udfff\ufffe\uffff]"
)


def tidy(text: str, keep_sep: bool = False) -> str:
    """Control characters dropped, whitespace runs made single spaces and single line breaks;
    with ``keep_sep`` the separator (DEL) of a shared parse's joined text stays."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (a JSON Feed or an API can carry one)
        return _tidy_text(text, keep_sep)
    return tidy_utf8(data, keep_sep)


def _tidy_text(text: str, keep_sep: bool = False) -> str:
    """``tidy`` on text, for what needs care (characters to drop, odd whitespace)."""
    if keep_sep:
        plain, unusual, not_text = _PLAIN_ASCII_SEP, _UNUSUAL_BUT_SEP, _NOT_TEXT_BUT_SEP
    else:
        plain, unusual, not_text = _PLAIN_ASCII, _UNUSUAL, _NOT_TEXT
    # One scan tells whether anything but spaces and newlines needs care (most text, ASCII or
    # not, has nothing of the kind): a C loop for ASCII, one regex pass otherwise.
    if not _plain_ascii(text, plain) and unusual.search(text):
        # Control characters (other than whitespace), surrogates and non-characters are no
        # text: libxml2 reads "&#1;" into one, and a JSON Feed or an API can carry them raw.
        if not_text.search(text):
            text = not_text.sub("", text)
        # str.split() with no argument splits on all Unicode whitespace (NBSP included) and is
        # several times faster than a regex per line; ZWSP is not whitespace, so drop it first.
        if "\u200b" in text:
            text = text.replace("\u200b", "")
        if _ODD_SPACE.search(text):
            return _tidy_lines(text)
    # Only spaces and newlines now.
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    if text.count("\n") * _SHORT_LINE > len(text):
        # Many short or blank lines (indented markup): a few passes over the text in C
        # cost less than a step per line. Spaces are single now: drop those before a line
        # break, then each run of breaks and spaces after a break becomes one break.
        text = text.replace(" \n", "\n")
        if "\n\n" in text or "\n " in text:
            text = _BREAK_RUN.sub("\n", text)
        return text.strip(" \n")
    # Lines of prose: each stripped of its spaces, blank ones dropped. The same result as the
    # passes above in fewer passes over the text (0.55 -> 0.22 ms on the 170 KB text of the
    # generated feed in bench/feedparse.py).
    return "\n".join([kept for line in text.split("\n") if (kept := line.strip(" "))])


# ``tidy_utf8``: the bytes that can start a character ``tidy`` must look at (``_UNUSUAL``):
# ASCII controls, and the lead bytes of the UTF-8 sequences below. Most text, in any script,
# has none of them (curly quotes and dashes start with E2 too), and deleting every other
# byte finds that in one C loop.
_MB_LEADS = b"\xc2\xe1\xe2\xe3\xed\xef"
_SUSPECT = bytes(range(0x00, 0x0A)) + bytes(range(0x0B, 0x20)) + b"\x7f" + _MB_LEADS
_NOT_SUSPECT = bytes(b for b in range(256) if b not in _SUSPECT)
_NOT_SUSPECT_BUT_SEP = _NOT_SUSPECT + SEP.encode("ascii")
# ASCII whitespace other than space and newline, as what ``tidy`` makes of it: the line
# breaks of str.splitlines() a newline, the rest a space; ``_NOT_TEXT``'s ASCII part deleted.
_ASCII_ODD_SPACE = bytes.maketrans(b"\t\x1f\r\x0b\x0c\x1c\x1d\x1e", b"  \n\n\n\n\n\n")
_NOT_TEXT_ASCII = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x1C)) + b"\x7f"
_NOT_TEXT_ASCII_BUT_SEP = _NOT_TEXT_ASCII[:-1]
# The non-ASCII characters of ``_UNUSUAL`` in UTF-8, one pattern per lead byte, each found
# by its literal first byte (surrogates as "surrogatepass" writes them; a test checks the
# union is ``_UNUSUAL``'s non-ASCII part). NBSP and NEL (C2) are replaced, not searched.
_UNUSUAL_UTF8 = (
    (0xC2, re.compile(b"\xc2[\x85\xa0]")),
    (0xE1, re.compile(b"\xe1\x9a\x80")),
    (0xE2, re.compile(b"\xe2(?:\x80[\x80-\x8b\xa8\xa9\xaf]|\x81\x9f)")),
    (0xE3, re.compile(b"\xe3\x80\x80")),
    (0xED, re.compile(b"\xed[\xa0-\xbf]")),
    (0xEF, re.compile(b"\xef\xbf[\xbe\xbf]")),
)
_SPACE_RUN_UTF8 = re.compile(b"  +")
_BREAK_RUN_UTF8 = re.compile(b"\n[ \n]+")


def tidy_utf8(data: bytes, keep_sep: bool = False) -> str:
    """``tidy(data.decode("utf-8"), keep_sep)``, for text libxml2 gives back as UTF-8: text
    whose only whitespace is ASCII or NBSP, with nothing to drop but ASCII controls, is
    tidied as bytes, without a character-class search of non-ASCII text (several times the
    cost of these passes)."""
    suspects = data.translate(None, _NOT_SUSPECT_BUT_SEP if keep_sep else _NOT_SUSPECT)
    if suspects:
        # Each step below leaves what ``tidy`` makes of the text as it was.
        if suspects.translate(None, _MB_LEADS):
            not_text = _NOT_TEXT_ASCII_BUT_SEP if keep_sep else _NOT_TEXT_ASCII
            data = data.translate(_ASCII_ODD_SPACE, not_text)
        if 0xC2 in suspects:
            data = data.replace(b"\xc2\xa0", b" ").replace(b"\xc2\x85", b"\n")
        for lead, pattern in _UNUSUAL_UTF8:
            if lead in suspects and pattern.search(data):
                return _tidy_text(data.decode("utf-8"), keep_sep)
    # Only spaces and newlines: the passes of ``tidy`` after its careful path, in bytes.
    data, newlines = _squeeze_spaces(data)
    if newlines * _SHORT_LINE > len(data):
        data = data.replace(b" \n", b"\n")
        if b"\n\n" in data or b"\n " in data:
            data = _BREAK_RUN_UTF8.sub(b"\n", data)
        return data.strip(b" \n").decode("utf-8")
    return b"\n".join([kept for line in data.split(b"\n") if (kept := line.strip(b" "))]).decode(
        "utf-8"
    )


# From this length on, runs of spaces are found and squeezed, and newlines counted, with
# numpy: a substring search for two spaces stops at every space of prose (about 0.8 ns a
# byte here, 130 us for the 170 KB of the generated feed in bench/feedparse.py) and the
# regex substitution costs twice that; numpy compares and compresses whole arrays.
_VECTOR_BYTES = 32 * 1024


def _squeeze_spaces(data: bytes) -> tuple[bytes, int]:
    """``data`` with each run of spaces made one space, and its number of newlines."""
    if len(data) < _VECTOR_BYTES:
        if b"  " in data:
            data = _SPACE_RUN_UTF8.sub(b" ", data)
        return data, data.count(b"\n")
    import numpy as np  # a dependency already (the status model); imported when first needed

    codes = np.frombuffer(data, dtype=np.uint8)
    spaces = codes == 0x20
    repeated = spaces[1:] & spaces[:-1]  # a space after a space
    newlines = int(np.count_nonzero(codes == 0x0A))
    if repeated.any():
        keep = np.ones(len(codes), dtype=bool)
        np.logical_not(repeated, out=keep[1:])
        data = codes[keep].tobytes()
    return data, newlines


def _tidy_lines(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if words := line.split():
            lines.append(" ".join(words))
    return "\n".join(lines)
