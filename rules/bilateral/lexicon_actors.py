"""The named actors of the lexicon: demonyms (``demonyms.toml``), organisations and forums
(``orgs.toml``), the officials roster with its aliases, handles and office accounts, and
roster surnames alone. Kept apart from the language data; ``lexicon.build_lexicon`` calls
these."""

from __future__ import annotations

from typing import Protocol

from rules.bilateral import cldr, inflect
from rules.bilateral.combining import combining_form
from rules.bilateral.inflect_indic import attaches, indic_forms
from rules.bilateral.inflect_pl_uk import uk_spelling
from rules.bilateral.records import (
    BEFORE_HYPHEN,
    DEMONYM,
    FORUM,
    HANDLE,
    OPEN_END,
    ORG,
    PERSON,
    Entry,
    data_file,
)
from rules.bilateral.roster import Roster, load_roster
from rules.bilateral.surfaces import alias_forms, country_forms, is_latin
from rules.bilateral.surnames import surname_aliases
from rules.text import fold


class Sink(Protocol):
    """What these loaders fill (``lexicon.Lexicon``): its records and its roster."""

    records: list[tuple[str, Entry, int]]
    roster: Roster | None

    def add(self, surface: str, entry: Entry, flags: int = 0) -> None: ...


def load_demonyms(lex: Sink) -> None:
    data = data_file("demonyms.toml")
    # combining forms of a compound adjective ("franco-allemand", "sino-americano"): the
    # first half's country, matched only where a hyphen joins it to the next word
    for lang, table in data.pop("combining", {}).items():
        for code, forms in table.items():
            for form in forms:
                lex.add(form, Entry(DEMONYM, code, lang, ""), BEFORE_HYPHEN)
    for lang, table in data.items():
        for code, forms in table.items():
            for adj in forms:
                for form in inflect.adjective_forms(adj, lang):
                    lex.add(form, Entry(DEMONYM, code, lang, ""))
                half = combining_form(adj, lang)
                if half:
                    lex.add(half, Entry(DEMONYM, code, lang, ""))
    for code, adj in _ml_adjectives():
        lex.add(adj, Entry(DEMONYM, code, "ml", ""))


def _ml_adjectives() -> list[tuple[str, str]]:
    """Malayalam makes the adjective of a country whose name ends in its inherent a with the
    chillu n (ശ്രീലങ്ക: ശ്രീലങ്കൻ, റഷ്യ: റഷ്യൻ, കെനിയ: കെനിയൻ): every such name, not the few
    that demonyms.toml lists."""
    names = cldr.load()["territories"].get("ml", {})
    return [
        (code, name + "ൻ")
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and "\u0d15" <= name[-1] <= "\u0d39"
    ]


def load_orgs(lex: Sink) -> None:
    data = data_file("orgs.toml")
    for code, rec in data.get("org", {}).items():
        extra = "party" if rec.get("party", True) else ""
        for name in rec["names"]:
            for form in alias_forms(name):
                lex.add(form, Entry(ORG, code, "", extra))
    # names in one language, with its case forms ("Unii Europejskiej", "Євросоюзом"), read
    # in that language only ("AB" is the EU in Turkish, not in English)
    for lang, table in data.get("lang_org", {}).items():
        for code, names in table.items():
            extra = "party" if data["org"][code].get("party", True) else ""
            for name in names:
                for form in country_forms(name, lang) | {name}:
                    lex.add(form, Entry(ORG, code, lang, extra))
    for name in data.get("forum", {}).get("names", []):
        # a forum named in a script that attaches case endings ("...મહાસભાના સત્ર") takes them
        for form in indic_forms(name) if attaches(name) else (name,):
            lex.add(form, Entry(FORUM, name, "", ""))


def load_people(lex: Sink) -> None:
    roster = load_roster()
    lex.roster = roster
    office = roster.office_handles
    for person in roster.people:
        aliases = list(person.aliases)
        aliases += [uk for a in person.aliases if (uk := uk_spelling(a)) and uk not in aliases]
        # Persian: the hamza seat written as a plain yeh (رئیسی / رییسی)
        aliases += [a.replace("ئ", "ی") for a in person.aliases if "ئ" in a and "ی" in a]
        for alias in aliases:
            hint = "latin" if is_latin(alias) else ""
            for form in inflect.person_forms(alias, hint) | {alias}:
                lex.add(form, Entry(PERSON, str(person.id), "", ""))
        for handle in person.handles:
            if handle.lower() not in office:
                lex.add(handle, Entry(HANDLE, f"p:{person.id}", "", ""))
        # an account named after its holder ("@LawrenceWongST", "@AbbasAraghchi"): the full
        # Latin name run together, letters may follow; only for someone who served one
        # party (a post does not say which of a NATO head's and a minister's offices it is)
        for alias in person.aliases if len({t.party for t in person.terms}) == 1 else ():
            joined = "".join(alias.split())
            if " " in alias and joined.isalpha() and joined.isascii() and len(joined) >= 8:
                lex.add("@" + joined, Entry(HANDLE, f"p:{person.id}", "", ""), OPEN_END)
    for handle, code in office.items():
        lex.add(handle, Entry(HANDLE, code, "", ""))


def load_surnames(lex: Sink) -> None:
    """Roster surnames alone ("Baerbock"), where no other word or person has them."""
    assert lex.roster is not None
    known = {fold(surface) for surface, entry, _ in lex.records if entry.kind != PERSON}
    for pid, forms in surname_aliases(lex.roster, known).items():
        for form in forms:
            lex.add(form, Entry(PERSON, str(pid), "", ""))
