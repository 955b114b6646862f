"""Officials named by their one-syllable surname and title: "시 주석", "문 대통령", "習主席".

Korean, Japanese and Chinese news refer to a well-known official by surname and title once
the name is known ("시 주석과 윤 대통령의", "胡主席は"). A lone title would be taken for the
home country's; the surname says whose it is when every roster holder of that title whose
native name starts with it served one country.
"""

from __future__ import annotations

from datetime import date

from rules.bilateral.frames import NATIONAL_OFFICES, Entity
from rules.bilateral.gate import is_hangul
from rules.bilateral.identity_cache import IdentityCache
from rules.bilateral.roster import Roster

_LANGS = frozenset(("ko", "ja", "zh"))
# whose names start with a one-syllable surname: Chinese and Korean names ("시리세나" does
# not); in Han script also the Japanese and Singaporean ones, which make "林外相" or "李总理"
# ambiguous rather than wrong
_SURNAME_FIRST = {
    "hangul": frozenset(("CN", "TW", "KR", "KP")),
    "han": frozenset(("CN", "TW", "KR", "KP", "JP", "SG")),
}
Index = dict[tuple[str, str], list[tuple[int, str, int]]]  # (first character, office) -> ...


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def _build_index(roster: Roster) -> Index:
    index: Index = {}
    for p in roster.people:
        short = [a for a in p.aliases if 2 <= len(a) <= 4]
        firsts = {
            "hangul": {a[0] for a in short if all(map(is_hangul, a))},
            "han": {a[0] for a in short if all(map(_is_han, a))},
        }
        for i, t in enumerate(p.terms):
            if t.office not in NATIONAL_OFFICES:
                continue
            for script, chars in firsts.items():
                if t.party in _SURNAME_FIRST[script]:
                    for ch in chars:
                        index.setdefault((ch, t.office), []).append((p.id, t.party, i))
    return index


_index = IdentityCache(_build_index)


def _surname(folded: str, start: int, lang: str) -> str:
    """The one-syllable surname written right before a title at ``start``, if any."""
    if lang == "ko":
        # "시 주석": a syllable standing alone before the title
        alone = start == 2 or (start > 2 and not folded[start - 3].isalnum())
        if alone and folded[start - 1] == " " and is_hangul(folded[start - 2]):
            return folded[start - 2]
        return ""
    # "習主席は", "の胡主席": one Han character, not part of a longer Han word
    alone = start == 1 or (
        start > 1 and not _is_han(folded[start - 2]) and not folded[start - 2].isdigit()
    )
    return folded[start - 1] if alone and _is_han(folded[start - 1]) else ""


def surname_titles(
    ents: list[Entity], folded: str, lang: str, roster: Roster, published: date | None
) -> None:
    """Give a bare national title its official's country when a surname before it names
    one roster office holder's country."""
    if lang not in _LANGS:
        return
    index = _index(roster)
    for ent in ents:
        if ent.party or ent.person >= 0 or ent.codes or ent.role not in NATIONAL_OFFICES:
            continue
        ch = _surname(folded, ent.start, lang)
        if not ch:
            continue
        found = index.get((ch, ent.role), [])
        if published is not None:
            dated = [
                (pid, party, i)
                for pid, party, i in found
                if roster.people[pid].terms[i].covers(published)
            ]
            found = dated or found
        parties = {party for _, party, _ in found}
        if len(parties) != 1:
            continue
        ent.party, ent.source, ent.official = parties.pop(), "person", True
        people = {pid for pid, _, _ in found}
        if len(people) == 1:
            ent.person = people.pop()
