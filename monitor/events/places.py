"""Where a meeting took place, at the level the event layer needs: is it a known city (and
of which country), a country, or something we cannot place (a venue, a palace)?

Countries come from CLDR territory names (Babel) in the languages the detector writes and
reads; cities from the small table below (capitals and frequent summit venues, English
names as the detector outputs them, with common alternative spellings). The table is data:
extend it, or hand the event layer another resolver (the detector's gazetteer) instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from babel import Locale

PlaceLevel = Literal["city", "country", "unknown"]

# "Name|Alias|Alias:CC" — capitals of the G20, SCO, BRICS, ASEAN, EU and South Asian
# countries, other capitals that host many bilateral meetings, and summit cities.
_CITIES = """
New Delhi|Delhi|Nai Dilli:IN; Mumbai|Bombay:IN; Kolkata|Calcutta:IN; Chennai|Madras:IN;
Bengaluru|Bangalore:IN; Hyderabad:IN; Varanasi|Benares:IN; Ahmedabad:IN; Mamallapuram:IN;
Beijing|Peking:CN; Shanghai:CN; Tianjin:CN; Xi'an|Xian:CN; Hangzhou:CN; Wuhan:CN;
Moscow|Moskva:RU; Saint Petersburg|St Petersburg|St. Petersburg:RU; Kazan:RU; Sochi:RU;
Vladivostok:RU; Washington|Washington DC|Washington, D.C.:US; New York|New York City:US;
San Francisco:US; Mar-a-Lago|Palm Beach:US; Tokyo:JP; Osaka:JP; Hiroshima:JP; Nara:JP;
Seoul:KR; Gyeongju:KR; Busan:KR; Pyongyang:KP; London:GB; Paris:FR; Berlin:DE; Rome:IT;
Madrid:ES; Lisbon|Lisboa:PT; Brussels|Bruxelles|Brussel:BE; Amsterdam:NL; The Hague:NL;
Vienna|Wien:AT; Bern|Berne:CH; Geneva|Genève|Genf:CH; Davos:CH; Warsaw|Warszawa:PL;
Prague|Praha:CZ; Budapest:HU; Athens:GR; Stockholm:SE; Oslo:NO; Copenhagen:DK;
Helsinki:FI; Dublin:IE; Ottawa:CA; Toronto:CA; Mexico City|Ciudad de México:MX;
Brasília|Brasilia:BR; Rio de Janeiro:BR; Buenos Aires:AR; Santiago:CL; Bogotá|Bogota:CO;
Lima:PE; Canberra:AU; Sydney:AU; Wellington:NZ; Pretoria|Tshwane:ZA; Johannesburg:ZA;
Cape Town:ZA; Abuja:NG; Cairo:EG; El Alamein|New Alamein:EG; Sharm el-Sheikh:EG;
Nairobi:KE; Addis Ababa:ET; Riyadh:SA; Jeddah:SA; Abu Dhabi:AE; Dubai:AE; Doha:QA;
Tehran:IR; Baghdad:IQ; Ankara:TR; Istanbul:TR; Jerusalem:IL; Tel Aviv:IL; Amman:JO;
Muscat:OM; Kuwait City:KW; Manama:BH; Islamabad:PK; Karachi:PK; Lahore:PK; Kabul:AF;
Dhaka:BD; Kathmandu:NP; Thimphu:BT; Colombo:LK; Malé|Male:MV; Astana|Nur-Sultan:KZ;
Almaty:KZ; Bishkek:KG; Dushanbe:TJ; Tashkent:UZ; Samarkand:UZ; Ashgabat:TM; Minsk:BY;
Kyiv|Kiev:UA; Baku:AZ; Yerevan:AM; Tbilisi:GE; Ulaanbaatar|Ulan Bator:MN; Jakarta:ID;
Bali|Denpasar:ID; Kuala Lumpur:MY; Singapore:SG; Bangkok:TH; Hanoi:VN;
Ho Chi Minh City|Saigon:VN; Manila:PH; Vientiane:LA; Phnom Penh:KH; Naypyidaw|Nay Pyi Taw:MM;
Yangon|Rangoon:MM; Bandar Seri Begawan:BN; Dili:TL; Port Louis:MU; Havana:CU; Caracas:VE;
Santo Domingo:DO; Panama City:PA
"""

_COUNTRY_LOCALES = ("en", "fr", "de", "es", "pt", "ru", "hi", "zh", "ja", "ko", "ar", "ur")


def normalise(name: str) -> str:
    """Casefolded, accents and punctuation dropped: the form places compare in."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", text).strip()


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved place. ``name`` is the canonical spelling (the input, for unknowns)."""

    name: str
    level: PlaceLevel
    country: str | None = None


PlaceResolver = Callable[[str], Place]


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    cities: dict[str, tuple[str, str]] = {}
    for entry in _CITIES.replace("\n", " ").split(";"):
        if not entry.strip():
            continue
        names, _, code = entry.strip().rpartition(":")
        aliases = [n.strip() for n in names.split("|")]
        for alias in aliases:
            cities.setdefault(normalise(alias), (aliases[0], code.strip()))
    countries: dict[str, str] = {}
    for ident in _COUNTRY_LOCALES:
        for code, name in Locale.parse(ident).territories.items():
            if code.isalpha() and len(code) == 2:
                countries.setdefault(normalise(name), code)
    return cities, countries


def resolve_place(name: str) -> Place:
    """A city from the table, a country by its CLDR name or ISO code, else unknown."""
    cities, countries = _tables()
    key = normalise(name)
    if key in cities:
        canonical, code = cities[key]
        return Place(canonical, "city", code)
    if key in countries:
        return Place(name.strip(), "country", countries[key])
    if len(key) == 2 and key.upper() in countries.values():
        return Place(name.strip(), "country", key.upper())
    return Place(name.strip(), "unknown")


def places_compatible(a: Place, b: Place) -> bool:
    """Could both describe where one meeting happened? Unknown places (venues) never
    contradict; a city and its own country agree; two cities or two countries must be
    the same one."""
    if a.level == "unknown" or b.level == "unknown":
        return True
    if a.level == "city" and b.level == "city":
        return normalise(a.name) == normalise(b.name)
    return a.country == b.country
