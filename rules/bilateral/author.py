"""The author of a social post ("Name (@handle): text", or a source's author field): a side
of the meeting the post reports, found by handle, office account or name in the roster."""

from __future__ import annotations

import re

from rules.bilateral.frames import build_entities
from rules.bilateral.pairing import Side
from rules.bilateral.reader import DocState
from rules.bilateral.resolve import resolve
from rules.text import normalize

_SOCIAL = re.compile(r"^\s*(?P<name>[^\n():]{2,80}?)\s*\((?P<handle>@[A-Za-z0-9_]{1,30})\)\s*:\s*")


def find_author(doc: DocState, text: str, author: str | None) -> None:
    """Social posts are "Name (@handle): text"; the author is a side of what they report."""
    handle = None
    m = _SOCIAL.match(text)
    if m:
        handle = m.group("handle")
        doc.social = True
    elif author and author.strip().startswith("@"):
        handle = author.strip()
        doc.social = True
    candidates = [handle] if handle else []
    if author and not author.startswith("@"):
        candidates.append(author)
    roster = doc.g.roster
    day = doc.published.date() if doc.published else None
    for cand in candidates:
        key = cand.lower()
        if key in roster.office_handles:
            doc.author = Side(roster.office_handles[key], None, "author")
            return
        pid = doc.g.handles.get(key)
        if pid is not None:
            term = roster.people[pid].term_at(day)
            if term is not None:
                doc.author = Side(term.party, None, "author")
                doc.author_name = roster.people[pid].name
                return
    if m:  # a known name before the handle ("Narendra Modi (@narendramodi):")
        prefix = text[: m.end()]
        norm = normalize(prefix)
        mentions = doc.g.scan(norm)
        for ent in build_entities(mentions, norm.folded, doc.lex, doc.en, doc.lang, roster, prefix):
            resolve(ent, roster, day)
            if ent.party and ent.official:
                doc.author = Side(ent.party, ent, "author")
                if ent.person >= 0:
                    doc.author_name = roster.people[ent.person].name
                return
    if doc.social and doc.home:
        doc.author = Side(doc.home, None, "author")
