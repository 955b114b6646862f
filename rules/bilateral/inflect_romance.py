"""Third-person tense forms of French, Spanish, Portuguese and Italian meeting verbs.

A lexicon's ``[paradigm]`` table names verbs by their infinitive under the trigger group of
their past and present ("held = ["recevoir", "se réunir"]"); ``rules.bilateral.paradigms`` adds
every simple tense news prose writes in the third person: present, imperfect and preterite
in that group, future and conditional ("recevra", "recevrait", "reuniría", "incontrerebbe")
as "scheduled" (a conditional in news reports a plan: "would host"). Suffix rules cover the
regular classes; the irregular meeting verbs give their principal parts below. A form the
lists already hold keeps its group there too (the lexicon keeps both entries).
"""

from __future__ import annotations

# principal parts: (present 3sg, present 3pl, imperfect stem, preterite 3sg, preterite 3pl,
# future stem, past participle). The imperfect stem takes the language's imperfect endings.
Parts = tuple[str, str, str, str, str, str, str]

_IRREGULAR: dict[str, dict[str, Parts]] = {
    "fr": {
        "recevoir": ("reçoit", "reçoivent", "recev", "reçut", "reçurent", "recevr", "reçu"),
        "accueillir": (
            "accueille",
            "accueillent",
            "accueill",
            "accueillit",
            "accueillirent",
            "accueiller",
            "accueilli",
        ),
        "entretenir": (
            "entretient",
            "entretiennent",
            "entreten",
            "entretint",
            "entretinrent",
            "entretiendr",
            "entretenu",
        ),
        "voir": ("voit", "voient", "voy", "vit", "virent", "verr", "vu"),
        "appeler": ("appelle", "appellent", "appel", "appela", "appelèrent", "appeller", "appelé"),
    },
    "es": {
        "reunir": ("reúne", "reúnen", "reun", "reunió", "reunieron", "reunir", "reunido"),
        "encontrar": (
            "encuentra",
            "encuentran",
            "encontr",
            "encontró",
            "encontraron",
            "encontrar",
            "encontrado",
        ),
        "mantener": (
            "mantiene",
            "mantienen",
            "manten",
            "mantuvo",
            "mantuvieron",
            "mantendr",
            "mantenido",
        ),
        "sostener": (
            "sostiene",
            "sostienen",
            "sosten",
            "sostuvo",
            "sostuvieron",
            "sostendr",
            "sostenido",
        ),
    },
    "pt": {
        "reunir": ("reúne", "reúnem", "reun", "reuniu", "reuniram", "reunir", "reunido"),
    },
    "it": {
        "accogliere": (
            "accoglie",
            "accolgono",
            "accogli",
            "accolse",
            "accolsero",
            "accoglier",
            "accolto",
        ),
        "vedere": ("vede", "vedono", "ved", "vide", "videro", "vedr", "visto"),
        "concedere": (
            "concede",
            "concedono",
            "conced",
            "concesse",
            "concessero",
            "conceder",
            "concesso",
        ),
    },
}

# future and conditional endings (3sg, 3pl) after the future stem
_FUTURE = {
    "fr": ("a", "ont", "ait", "aient"),
    "es": ("á", "án", "ía", "ían"),
    "pt": ("á", "ão", "ia", "iam"),
    "it": ("à", "anno", "ebbe", "ebbero"),
}


def _regular(verb: str, lang: str) -> Parts:
    stem, cls = verb[:-2], verb[-2:]
    if lang == "fr":
        if cls == "er":
            return (stem + "e", stem + "ent", stem, stem + "a", stem + "èrent", verb, stem + "é")
        return (
            stem + "it",
            stem + "issent",
            stem + "iss",
            stem + "it",
            stem + "irent",
            verb,
            stem + "i",
        )
    if lang == "es":
        if cls == "ar":
            return (stem + "a", stem + "an", stem, stem + "ó", stem + "aron", verb, stem + "ado")
        return (stem + "e", stem + "en", stem, stem + "ió", stem + "ieron", verb, stem + "ido")
    if lang == "pt":
        if cls == "ar":
            return (stem + "a", stem + "am", stem, stem + "ou", stem + "aram", verb, stem + "ado")
        pret = ("eu", "eram") if cls == "er" else ("iu", "iram")
        return (stem + "e", stem + "em", stem, stem + pret[0], stem + pret[1], verb, stem + "ido")
    # Italian: -are, -ere, -ire (the -isc- class of "riunire", "definire")
    stem = verb[:-3]
    if verb.endswith("are"):
        hard = stem + "h" if stem.endswith(("c", "g")) else stem  # convocare -> convocherà
        return (
            stem + "a",
            stem + "ano",
            stem,
            stem + "ò",
            stem + "arono",
            hard + "er",
            stem + "ato",
        )
    if verb.endswith("ere"):
        return (
            stem + "e",
            stem + "ono",
            stem,
            stem + "é",
            stem + "erono",
            stem + "er",
            stem + "uto",
        )
    return (
        stem + "isce",
        stem + "iscono",
        stem,
        stem + "ì",
        stem + "irono",
        stem + "ir",
        stem + "ito",
    )


def _imperfect(stem: str, verb: str, lang: str) -> tuple[str, str]:
    if lang == "fr":
        return stem + "ait", stem + "aient"
    if lang == "es":
        return (stem + "aba", stem + "aban") if verb.endswith("ar") else (stem + "ía", stem + "ían")
    if lang == "pt":
        return (stem + "ava", stem + "avam") if verb.endswith("ar") else (stem + "ia", stem + "iam")
    vowel = {"are": "a", "ere": "e", "ire": "i"}.get(verb[-3:], "e")
    return stem + vowel + "va", stem + vowel + "vano"


def _reflexive(form: str, lang: str, pron: str) -> list[str]:
    """A reflexive verb's form with its pronoun: "se réunit", "s'entretient", "reuniu-se"."""
    if not pron:
        return [form]
    if lang == "fr":
        return [("s'" if form[0] in "aeiouéèêh" else "se ") + form]
    if lang == "pt":
        return ["se " + form] + ([form + "-se"] if " " not in form else [])
    return [pron + " " + form]


def _gerund(imp: str, verb: str, lang: str) -> str:
    if lang == "fr":
        return imp + "ant"
    if lang == "pt":
        return verb[:-1] + "ndo"
    return imp + ("ando" if verb.endswith(("ar", "are")) else "iendo" if lang == "es" else "endo")


def _passive(pp: str, lang: str) -> tuple[set[str], set[str]]:
    """Past and future passives of a transitive verb: "a été reçu", "será recibida"."""
    was_sg: tuple[str, ...]
    was_pl: tuple[str, ...]
    if lang == "fr":
        sg, pl = {pp, pp + "e"}, {pp + "s", pp + "es"}
        was_sg, was_pl, will_sg, will_pl = (
            ("a été", "avait été"),
            ("ont été",),
            ("sera",),
            ("seront",),
        )
    elif lang == "it":
        sg, pl = {pp, pp[:-1] + "a"}, {pp[:-1] + "i", pp[:-1] + "e"}
        return (
            {f"{a} {pp}" for a in ("è stato", "era stato")}
            | {f"{a} {pp[:-1]}a" for a in ("è stata", "era stata")}
            | {f"sono stati {pp[:-1]}i", f"sono state {pp[:-1]}e"},
            {f"sarà {f}" for f in sg} | {f"saranno {f}" for f in pl},
        )
    else:
        sg, pl = {pp, pp[:-1] + "a"}, {pp + "s", pp[:-1] + "as"}
        was_sg = ("fue", "ha sido") if lang == "es" else ("foi", "tinha sido")
        was_pl = ("fueron", "han sido") if lang == "es" else ("foram",)
        will_sg, will_pl = ("será",), ("serán",) if lang == "es" else ("serão",)
    was = {f"{a} {f}" for a in was_sg for f in sg} | {f"{a} {f}" for a in was_pl for f in pl}
    will = {f"{a} {f}" for a in will_sg for f in sg} | {f"{a} {f}" for a in will_pl for f in pl}
    return was, will


def verb_forms(verb: str, lang: str) -> tuple[set[str], set[str]]:
    """(past and present, future and conditional) third-person forms of ``verb``, an
    infinitive with its reflexive pronoun if any ("se réunir", "s'entretenir", "si riunire")."""
    pron = ""
    if verb.startswith(("se ", "si ")):
        pron, verb = verb.split(" ", 1)
    elif verb.startswith("s'"):
        pron, verb = "se", verb[2:]
    # an object the verb keeps in every tense: "conceder uma audiência"
    verb, _, obj = verb.partition(" ")
    parts = _IRREGULAR.get(lang, {}).get(verb) or _regular(verb, lang)
    p3s, p3p, imp, pret3s, pret3p, fut, pp = parts
    past = {p3s, p3p, *_imperfect(imp, verb, lang)}
    if lang != "it":
        # the Italian passato remoto ("ricevette", "incontrò") narrates history in news;
        # the recent past is the perfect the lexicon lists ("ha ricevuto")
        past |= {pret3s, pret3p}
    future = {fut + e for e in _FUTURE[lang]}
    if lang == "pt":
        # the perfect of repetition ("tem recebido") and the passive's participle
        past |= {f"tem {pp}", f"têm {pp}"}
    if lang == "it" and pron:
        # a reflexive's perfect takes essere and agrees: "si è riunita", "si sono incontrati"
        stem = pp[:-1]
        past |= {f"è {stem}o", f"è {stem}a", f"sono {stem}i", f"sono {stem}e"}
        past |= {f"era {stem}o", f"era {stem}a", f"erano {stem}i"}
    if not pron or lang == "fr":  # "se réunissant"; "reuniéndose" puts its pronoun after
        past.add(_gerund(imp, verb, lang))
    if not pron and not obj:
        was, will = _passive(pp, lang)
        past |= was
        future |= will
    out_past = {r for f in past for r in _reflexive(f, lang, pron)}
    out_future = {r for f in future for r in _reflexive(f, lang, pron) if not r.endswith("-se")}
    if lang == "fr":
        # the infinitive after a modal or a plan ("doit recevoir"), as the French lexicon
        # lists "rencontrer" among plans; Spanish and Portuguese infinitives follow a past
        # modal as often ("pudieron conversar"), their lexicons list the periphrases whole
        out_future |= set(_reflexive(verb, lang, pron))
    out_past |= _after_infinitive(verb, pp, lang, pron)
    if obj:
        return {f"{f} {obj}" for f in out_past}, {f"{f} {obj}" for f in out_future}
    return out_past, out_future


_AFTER = {
    "es": ("tras", "después de", "luego de"),
    "pt": ("após", "depois de"),
    "fr": ("après",),
    "it": ("dopo",),
}


def _after_infinitive(verb: str, pp: str, lang: str, pron: str) -> set[str]:
    """ "tras reunirse", "após se reunir", "après avoir reçu", "dopo essersi incontrati": the
    infinitive after "after" tells a meeting that has happened, whatever the main verb's
    tense (French and Italian write the perfect infinitive)."""
    if lang == "fr":
        infs = [f"s'être {pp}{e}" for e in ("", "e", "s", "es")] if pron else [f"avoir {pp}"]
    elif lang == "it":
        infs = [f"essersi {pp[:-1]}{e}" for e in "oaie"] if pron else [f"aver {pp}", f"avere {pp}"]
    elif lang == "pt":
        infs = [f"se {verb}", f"{verb}-se"] if pron else [verb]
    else:
        infs = [verb + "se" if pron else verb]
    return {f"{a} {i}" for a in _AFTER[lang] for i in infs}


ROMANCE = frozenset(_FUTURE)  # the languages these rules know
