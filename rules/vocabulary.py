"""The codes and names a configuration may use — party codes, language codes, officials —
so the settings loader can refuse a mistake with "did you mean" instead of silently never
matching (``countries = ["India"]`` used to load and then alert on nothing).

Party codes are the ISO 3166-1 alpha-2 codes CLDR knows (``rules/data/cldr.json``) plus the
organisation codes of ``rules/data/orgs.toml``; a country's name in any CLDR locale the
detector reads, or an organisation's name, is answered with its code. Language codes are
CLDR's (through Babel); officials are the roster's canonical names. Each ``check_*`` returns
None for a good value or the reason, with a suggestion when there is one. Data loads on first
use only (the roster takes about half a second).
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources


def _close(value: str, names: dict[str, str]) -> str | None:
    """The value ``names`` maps the closest known name to (case-insensitive), or None."""
    hit = difflib.get_close_matches(value.casefold(), list(names), n=1, cutoff=0.75)
    return names[hit[0]] if hit else None


_NOT_PARTIES = frozenset({"ZZ", "QO", "EZ", "XA", "XB"})


@cache
def _parties() -> tuple[frozenset[str], dict[str, str]]:
    """(codes, casefolded name -> code)."""
    from rules.bilateral import cldr

    territories: dict[str, dict[str, str]] = cldr.load()["territories"]
    # CLDR's "unknown region", "outlying Oceania", "eurozone" and pseudo-regions are
    # territories, never a party the detector reports.
    codes = set(territories["en"]) - _NOT_PARTIES
    names: dict[str, str] = {}
    for locale in territories.values():
        for code, name in locale.items():
            names.setdefault(name.casefold(), code)
    text = resources.files("rules").joinpath("data/orgs.toml").read_text(encoding="utf-8")
    for code, org in tomllib.loads(text).get("org", {}).items():
        codes.add(code)
        for name in org.get("names", []):
            names.setdefault(str(name).casefold(), code)
    return frozenset(codes), names


def check_party(value: str) -> str | None:
    """None for a known country or organisation code (any case), else why not."""
    codes, names = _parties()
    if value.strip().upper() in codes:
        return None
    code = names.get(value.strip().casefold()) or _close(value.strip(), names)
    hint = f' (did you mean "{code}"?)' if code else ""
    return f'unknown country or organisation code "{value}"{hint}; use ISO 3166-1 alpha-2 codes'


@cache
def _languages() -> tuple[frozenset[str], dict[str, str]]:
    """(codes, casefolded English name -> code), from CLDR through Babel."""
    from babel import Locale

    languages: dict[str, str] = dict(Locale("en").languages)
    codes = frozenset(code.lower() for code in languages)
    names: dict[str, str] = {}
    for code, name in languages.items():
        if "_" not in code:
            names.setdefault(name.casefold(), code)
    return codes, names


def check_language(value: str) -> str | None:
    """None for a language tag whose primary subtag CLDR knows ("hi", "hi-IN", "zh-Hant")."""
    codes, names = _languages()
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    if primary in codes and 2 <= len(primary) <= 3:
        return None
    code = names.get(value.strip().casefold()) or _close(value.strip(), names)
    hint = f' (did you mean "{code}"?)' if code else ""
    return f'unknown language code "{value}"{hint}; use ISO 639 codes such as "hi", "en"'


@cache
def _officials() -> tuple[frozenset[str], dict[str, str]]:
    """(casefolded canonical names, casefolded name or alias -> canonical name)."""
    from rules.bilateral.roster import load_roster

    canonical: set[str] = set()
    names: dict[str, str] = {}
    for person in load_roster().people:
        canonical.add(person.name.casefold())
        for name in (person.name, *person.aliases):
            names.setdefault(name.casefold(), person.name)
    return frozenset(canonical), names


def check_official(value: str) -> str | None:
    """None for a canonical roster name (any case), else why not, with the likeliest name."""
    canonical, names = _officials()
    if value.strip().casefold() in canonical:
        return None
    name = names.get(value.strip().casefold()) or _close(value.strip(), names)
    hint = f' (did you mean "{name}"?)' if name else ""
    return f'"{value}" is not an official the roster knows{hint}'


def check_all(values: list[str], check: Callable[[str], str | None]) -> list[str]:
    """``values`` unchanged when every one passes ``check``; ValueError with every reason."""
    problems = [reason for v in values if (reason := check(v))]
    if problems:
        raise ValueError("; ".join(problems))
    return values
