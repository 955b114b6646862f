"""Sinhala verb forms: the paradigm a starred word of a Sinhala lexicon phrase stands for.

Kept apart from ``rules.bilateral.inflect_indic`` (case endings on names): verbs inflect for
tense, not case, and no name takes these endings.
"""

from __future__ import annotations

# Sinhala intransitive verbs in -එනවා (හමු වෙනවා, මුණ ගැසෙනවා, එක් වෙනවා): the forms that
# report the event as it happens or happened, written (literary) and spoken: present 3sg and
# 3pl, past, the conjunctive participle alone and in the perfect with ඇත/තිබේ, "while ...".
# වෙනවා has its own past (විය, වූ); the others take -ුණ-/-ිණි.
_SI_WE = (
    "වෙයි", "වෙති", "වෙනවා", "විය", "වූහ", "වූ", "වූයේ", "වූයේය", "වූවා", "වුණා", "වුණේ",
    "වුණි", "වී", "වී ඇත", "වී තිබේ", "වී තිබෙනවා", "වී තිබුණි", "වී තිබුණා", "වෙලා", "වෙමින්",
)  # fmt: skip
_SI_E = (
    "ෙයි", "ෙති", "ෙනවා", "ුණි", "ිණි", "ුණා", "ුණේ", "ුණේය", "ුණු", "ී", "ී ඇත", "ී තිබේ",
    "ී තිබෙනවා", "ී තිබුණි", "ී තිබුණා", "ිලා", "ෙමින්",
)  # fmt: skip


def si_verb(stem: str) -> set[str]:
    """The held/present paradigm of a Sinhala -එනවා verb given by its stem in -ෙ ("හමුවෙ",
    "වෙ", "ගැසෙ"): a starred word of a Sinhala lexicon phrase."""
    if stem.endswith("වෙ"):
        return {stem[:-2] + t for t in _SI_WE}
    if stem.endswith("ෙ") and len(stem) > 2:
        return {stem[:-1] + t for t in _SI_E}
    return {stem}
