"""Indonesian (and Malay) verb affixes: the active meN-, the passive di- and the bare stem of
headlines and object-focus clauses, all from one root.

The lexicon writes "<root>-<suffix>*": "temu-i*" -> menemui, ditemui, temui; "telepon-*" ->
menelepon, ditelepon (a bare root with no suffix is a noun, "telepon", and is left out).
meN- takes the nasal of the root's first sound and drops a voiceless p, t, k, s: panggil ->
memanggil, temu -> menemui, kunjung -> mengunjungi, sambut -> menyambut.
"""

from __future__ import annotations

# first letters of the root -> (prefix, letters of the root the prefix replaces)
_NASAL: tuple[tuple[str, str, int], ...] = (
    ("ny", "me", 0),
    ("ng", "me", 0),
    ("p", "mem", 1),
    ("b", "mem", 0),
    ("f", "mem", 0),
    ("t", "men", 1),
    ("d", "men", 0),
    ("c", "men", 0),
    ("j", "men", 0),
    ("s", "meny", 1),
    ("k", "meng", 1),
    ("g", "meng", 0),
    ("h", "meng", 0),
)


def _men(root: str) -> str:
    for head, prefix, drop in _NASAL:
        if root.startswith(head):
            return prefix + root[drop:]
    if root[:1] in "aeiou":
        return "meng" + root
    return "me" + root  # l, m, n, r, w, y


def id_verb(word: str) -> set[str]:
    """Active, passive and bare forms of an Indonesian verb written "<root>-<suffix>"."""
    root, suffix = word.split("-", 1)
    out = {_men(root) + suffix, "di" + root + suffix}
    if suffix:
        out.add(root + suffix)
    return out
