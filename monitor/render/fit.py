"""Making user text fit a channel: safe truncation and escaping (PURE).

Slack counts limits in UTF-16 code units (an emoji flag is 4), so lengths here are measured
that way: staying under a limit in UTF-16 also stays under it in code points. Truncation never
cuts inside a grapheme cluster as far as we can tell without a full segmentation table:
combining marks, viramas, ZWJ/ZWNJ sequences, variation selectors, emoji modifiers and tags,
and regional-indicator pairs stay whole, and a cut text ends with "…".
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"

_ZWJ = "\u200d"
_ZWNJ = "\u200c"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (what Slack and JavaScript count)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _is_extender(ch: str) -> bool:
    """True when ``ch`` attaches to the character before it (never starts a cluster)."""
    cp = ord(ch)
    if ch in (_ZWJ, _ZWNJ):
        return True
    if unicodedata.category(ch) in ("Mn", "Mc", "Me"):
        return True
    return (
        0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0xE0100 <= cp <= 0xE01EF
        or 0x1F3FB <= cp <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= cp <= 0xE007F  # emoji tag sequences (subdivision flags)
    )


def _joins_next(ch: str) -> bool:
    """True when ``ch`` binds to the character after it (ZWJ, virama/halant)."""
    return ch == _ZWJ or unicodedata.combining(ch) == 9  # canonical class 9 = virama


def _is_regional_indicator(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _safe_cut(text: str, end: int) -> int:
    """The largest index <= ``end`` where ``text`` can be cut between two clusters."""
    while 0 < end < len(text):
        if _is_extender(text[end]) or _joins_next(text[end - 1]):
            end -= 1
            continue
        if _is_regional_indicator(text[end]) and _is_regional_indicator(text[end - 1]):
            # A flag is a pair: count the run of indicators before the cut.
            run = 0
            i = end - 1
            while i >= 0 and _is_regional_indicator(text[i]):
                run += 1
                i -= 1
            if run % 2 == 1:
                end -= 1
                continue
        break
    return end


def truncate(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` UTF-16 units, else a prefix ending with "…" that fits.

    The prefix ends at a cluster boundary and trailing whitespace is dropped before the "…".
    """
    if limit <= 0:
        return ""
    if utf16_len(text) <= limit:
        return text
    budget = limit - utf16_len(ELLIPSIS)
    end = 0
    used = 0
    for ch in text:
        width = 2 if ord(ch) > 0xFFFF else 1
        if used + width > budget:
            break
        used += width
        end += 1
    end = _safe_cut(text, end)
    return text[:end].rstrip() + ELLIPSIS


def one_line(text: str) -> str:
    """Collapse all whitespace (newlines included) to single spaces."""
    return " ".join(text.split())


def mrkdwn_escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn gives meaning to (``&``, ``<``, ``>``).

    This also defuses ``<!channel>``-style mentions and ``<url|label>`` links in user text.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit_mrkdwn(text: str, limit: int) -> str:
    """Escape then truncate, without cutting an ``&amp;``-style entity in half."""
    escaped = mrkdwn_escape(text)
    if utf16_len(escaped) <= limit:
        return escaped
    cut = truncate(escaped, limit)
    body = cut[: -len(ELLIPSIS)]
    amp = body.rfind("&")
    if amp != -1 and ";" not in body[amp:]:
        body = body[:amp].rstrip()
    return body + ELLIPSIS


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL without whitespace, else None.

    Keeps ``javascript:`` and friends out of links in Slack and HTML mail.
    """
    if not url:
        return None
    url = url.strip()
    lower = url.lower()
    if not (lower.startswith("https://") or lower.startswith("http://")):
        return None
    # str.split() breaks at exactly the characters str.isspace() accepts, in C (a generator
    # over the characters was a fifth of rendering a console alert).
    if len(url) > 2000 or len(url.split(None, 1)) > 1:
        return None
    return url


def slack_link(url: str, label: str) -> str:
    """A mrkdwn link ``<url|label>`` with both parts escaped so neither can break out."""
    target = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{target}|{mrkdwn_escape(label).replace('|', '¦')}>"
