"""CLDR names through Babel: territory names and exemplar-city names in every supported locale.

Loading 41 Babel locales costs ~0.4 s, more than the whole rest of the gazetteer build, so
the names are snapshotted into ``rules/data/cldr.json`` (with the Babel and CLDR versions
they came from). Regenerate after upgrading Babel::

    python -m rules.bilateral.cldr

A test compares the snapshot with the installed Babel.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

LOCALES = (
    "en", "hi", "ur", "bn", "mr", "ta", "gu", "te", "kn", "ml", "pa", "ne", "ru", "uk", "zh",
    "zh_Hant", "ja", "ko", "ar", "fa", "he", "fr", "es", "pt", "pt_PT", "de", "it", "sq", "sr",
    "sr_Latn", "hr", "bs", "tr", "el", "th", "pl", "nl", "id", "vi", "sw", "si",
)  # fmt: skip
SNAPSHOT = "data/cldr.json"


def generate() -> dict[str, Any]:
    """Read the names from the installed Babel (slow; used to refresh the snapshot)."""
    import babel
    from babel import Locale
    from babel.core import get_cldr_version, get_global

    zones: dict[str, str] = dict(get_global("zone_territories"))
    places = _place_names()
    zones = {tz: c for tz, c in zones.items() if tz.split("/")[-1].replace("_", " ") in places}
    territories: dict[str, dict[str, str]] = {}
    cities: dict[str, dict[str, str]] = {}
    for loc in LOCALES:
        locale = Locale.parse(loc)
        territories[loc] = {
            code: name
            for code, name in locale.territories.items()
            if len(code) == 2 and code.isalpha()
        }
        tz_names = locale.time_zones
        cities[loc] = {
            tz: str(tz_names[tz]["city"])
            for tz in sorted(zones)
            if tz in tz_names and tz_names[tz].get("city")
        }
    return {
        "source": "Unicode CLDR via Babel (babel.Locale.territories, Locale.time_zones)",
        "babel": babel.__version__,
        "cldr": get_cldr_version(),
        "zone_territories": zones,
        "territories": territories,
        "cities": cities,
    }


def _place_names() -> set[str]:
    """English names of the capitals and venues in countries.toml (cities we localise)."""
    import tomllib

    text = resources.files("rules").joinpath("data/countries.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return {
        name
        for table in (data.get("capital", {}), data.get("city", {}))
        for names in table.values()
        for name in names
        if name.isascii()
    }


def load() -> dict[str, Any]:
    """The packaged snapshot (fast)."""
    text = resources.files("rules").joinpath(SNAPSHOT).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def main() -> int:
    target = Path(__file__).resolve().parents[1] / SNAPSHOT  # rules/data/, beside this package
    data = generate()
    target.write_text(
        json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0, separators=(",", ":"))
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {target} (Babel {data['babel']}, CLDR {data['cldr']})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
