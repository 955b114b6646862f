"""Case endings that South Asian languages write attached to a name.

Marathi, Nepali, Bengali, Gujarati, Tamil, Telugu, Malayalam and Sinhala glue their case
endings and postpositions to the noun ("ভারতের", "இலங்கையுடன்", "ట్రంప్‌తో", "ജയശങ്കറുമായി",
"ඉන්දියාවට"), so a name stored as written in the nominative is missed in most sentences.
The script of the name decides which endings apply (names of people and places carry no
language, and Marathi and Nepali share Devanagari). The endings are the ones a grammar lists
for the genitive, dative, accusative, locative, ablative, comitative and "also" forms, with
the joins each script writes (Tamil glides and doubled stops, Malayalam chillu letters that
become full consonants). Hindi, Urdu and Punjabi write their postpositions as separate words
and need nothing here.

Only the last word of a multi-word name takes the ending ("ශ්‍රී ලංකාවට"). Like
``rules.bilateral.inflect`` this over-generates a little and needs no dictionary.
"""

from __future__ import annotations

import re

# Devanagari: Marathi (oblique stem + ending) and Nepali (ending on the plain stem)
_MR = ("च्या", "चे", "ची", "चा", "शी", "त", "ला", "ने", "कडे", "मध्ये", "तील", "सोबत", "मधील")
# ... and the plural (also honorific) oblique of a title: "मंत्र्यांची", "पंतप्रधानांनी",
# "राष्ट्राध्यक्षांशी"
_MR_PLURAL = ("च्या", "चे", "ची", "चा", "शी", "नी", "ना", "ला", "कडे", "सोबत", "मध्ये")
_NE = ("को", "का", "की", "ले", "लाई", "सँग", "संग", "मा", "बाट", "बीच")
# people: the endings a person's name takes (no oblique stem, no locative)
_DEVA_PERSON = ("को", "का", "की", "ले", "लाई", "सँग", "संग", "बीच", "ने", "ला", "शी", "चे", "ची", "च्या")
_MR_RESPECT = ("नी", "शी", "चे", "ची", "च्या", "ना", "ला")
# Bengali: after a consonant / after a vowel
_BN_CONS = ("ের", "কে", "ে", "েও", "েরও", "কেও", "েই")
_BN_VOWEL = ("র", "কে", "য়", "তে", "ও", "রও", "কেও", "ই", "দের")
_BN_ANY = ("এর", "'র", "-র", "-এর")
_BN_ANUSVARA = ("য়ের", "য়ে", "য়েও", "য়েরও", "য়েই")
# Gujarati
_GU = ("ના", "ની", "નું", "નો", "નાં", "માં", "ને", "થી", "એ", "ે", "માંથી", "નાઓ")
# ... and the honorific written onto a title (મુખ્યમંત્રીશ્રી, રાજ્યપાલશ્રીએ) with them
_GU_SHRI = ("શ્રી", "શ્રીએ", "શ્રીને", "શ્રીના", "શ્રીની", "શ્રીનું", "શ્રીનો")
# Tamil: endings after a glide (வ after அ/ஆ/உ/ஊ/ஓ, ய after இ/ஈ/எ/ஏ/ஐ) and after a consonant
_TA_TAILS = (
    "ின்", "ுடன்", "ில்", "ை", "ுக்கு", "ும்", "ிடம்", "ுடனான", "ுக்கான", "ிற்கு", "ைச்", "ைக்", "ைத்", "ைப்",
    "ுக்கிடையிலான", "ுக்கும்", "ிலிருந்து", "ுக்குமிடையே", "ுக்குமிடையில்", "ுக்கிடையே",
    "ுக்குமிடையிலான", "ையும்", "ுடனும்", "ிடமும்", "ிற்கும்", "ுக்கான",
)  # fmt: skip
_TA_BARE_DATIVE = ("க்கு", "க்கும்", "க்கான")
_TA_STOPS = frozenset("கசடதபற")
_TA_GLIDE_V = frozenset("ாுூோ")
# Telugu endings join every stem as written (a final virama stays: "ట్రంప్‌తో", ZWNJ folded)
_TE = (
    "తో",
    "కు",
    "కి",
    "లో",
    "ను",
    "ని",
    "పై",
    "నుంచి",
    "నుండి",
    "తోనూ",
    "కూ",
    "లోని",
    "ల",
    "గా",
    "తోపాటు",
    "కీ",
    "తోనే",
    "కే",
    "లోనే",
    "లోనూ",
    "తరఫున",
    # a list of names takes one plural ending on its last member ("జర్మనీ, ఫ్రాన్స్‌లలో")
    "లలో",
    "లకు",
    "లతో",
)
# Telugu oblique stems: "-డు" nouns take "-డి-" (అధ్యక్షుడితో), "-ం" nouns "-ాని-" in the
# dative and accusative (భారతదేశానికి, దేశాన్ని), plurals in "-లు" drop the "-ు" (నేతలతో)
_TE_AM = ("నికి", "న్ని", "ని", "నికే", "నికీ")
# Malayalam: endings after a consonant sound (chillu opened, virama dropped) or a glide
# ... and each with "also"/"and" (-ും) after it, the way a list of names is written
# ("ജപ്പാനിലും ഫ്രാൻസിലും", "ഇന്ത്യയുടെയും ചൈനയുടെയും", "മോദിയെയും")
_ML_CONS = (
    "ിന്റെ",
    "ുമായി",
    "ിനെ",
    "ിൽ",
    "ിലെ",
    "ിന്",
    "ും",
    "ിലേക്ക്",
    "ുമായുള്ള",
    "ിലെത്തി",
    "ിനോട്",
    "ിലും",
    "ിന്റെയും",
    "ിനെയും",
    "ിനും",
    "ുമായും",
)
_ML_GLIDE = (
    "ുടെ",
    "ുമായി",
    "െ",
    "ിൽ",
    "ിലെ",
    "്ക്ക്",
    "ും",
    "ിലേക്ക്",
    "ുമായുള്ള",
    "ിലെത്തി",
    "ോട്",
    "ിലും",
    "ുടെയും",
    "െയും",
    "്ക്കും",
    "ുമായും",
)
_ML_N = ("്റെ", "െ", "്", "ോട്", "ൊപ്പം", "്റെയും")
_ML_CHILLU_OPEN = {"ൻ": "ന", "ർ": "റ", "ൽ": "ല", "ൾ": "ള", "ൺ": "ണ", "ൿ": "ക"}
_ML_VOWEL_SIGNS = frozenset("ാിീുൂൃെേൈൊോൌ")
# Sinhala: endings after a stem-final consonant (ව, ය: "ඉන්දියාව") or a vowel (people)
_SI_STEM = ("ට", "ේ", "ෙන්", "ද", "ත්", "ේදී", "ටත්", "ේත්", "ට ද")
_SI_PERSON = ("ගේ", "ට", "ද", "ත්", "ගෙන්", "ටත්")


def _script(word: str) -> str:
    for ch in reversed(word):
        o = ord(ch)
        if 0x0900 <= o < 0x0980:
            return "deva"
        if 0x0980 <= o < 0x0A00:
            return "bn"
        if 0x0A80 <= o < 0x0B00:
            return "gu"
        if 0x0B80 <= o < 0x0C00:
            return "ta"
        if 0x0C00 <= o < 0x0C80:
            return "te"
        if 0x0D00 <= o < 0x0D80:
            return "ml"
        if 0x0D80 <= o < 0x0E00:
            return "si"
        if ch.isalpha():
            return ""
    return ""


def _deva_person(word: str) -> set[str]:
    out = {word + s for s in _DEVA_PERSON}
    if word[-1:] in "ीूे":  # Marathi respectful oblique: मोदींनी, मोदींशी, मोदींचे
        out |= {word + "ं" + s for s in _MR_RESPECT}
    return out


def _deva(word: str, lang: str = "") -> set[str]:
    if lang == "ne":  # Nepali endings join the plain stem, or its plural in -हरू
        return {word + s for s in ("", "हरू")} | {word + p + s for p in ("", "हरू") for s in _NE}
    if word.endswith("ा"):
        base = word[:-1] + "े"  # अमेरिका -> अमेरिकेच्या
    elif word[-1:] in "ीूेैोौं":
        base = word
    else:
        base = word + "ा"  # भारत -> भारताच्या
    out = {base + s for s in _MR} | {word + s for s in _MR}
    if lang == "mr":
        if word.endswith("ी"):
            plural = word[:-1] + "्यां"  # मंत्री -> मंत्र्यां
        elif word.endswith("ा"):
            plural = word[:-1] + "ां"
        elif word[-1:] in "ूेैोौं":
            plural = word + "ं" if not word.endswith("ं") else word
        else:
            plural = word + "ां"  # पंतप्रधान -> पंतप्रधानां
        return out | {plural + s for s in _MR_PLURAL}
    return out | {word + s for s in _NE}


def _bn(word: str) -> set[str]:
    vowel = word[-1] in "ািীুূৃেৈোৌ" or word[-1] in "অআইঈউঊএঐওঔ"
    tails = _BN_VOWEL if vowel else _BN_CONS
    # a word ending in a consonant letter is often read with a final vowel ("মোদী" no,
    # "চীন" -> "চীনের", "ঢাকা" -> "ঢাকার"): both sets for a bare consonant are safe
    out = {word + s for s in tails} | {word + s for s in _BN_ANY}
    if not vowel:
        out |= {word + s for s in ("র", "য়", "তে")}
    return out


def _ta(word: str) -> set[str]:
    last = word[-1]
    out: set[str] = set()
    if last == "்":  # a consonant: the ending's vowel sign replaces the virama
        stem = word[:-1]
        out |= {stem + t for t in _TA_TAILS}
        if word.endswith("ம்") and len(word) > 3:  # நேபாளம் -> நேபாளத்துடன், நேபாளத்திற்கு
            out |= {word[:-2] + "த்த" + t for t in _TA_TAILS}
        if stem[-1:] in _TA_STOPS:  # ட்ரம்ப் -> ட்ரம்ப்பிடம், சுனக் -> சுனக்குடன்
            out |= {word + stem[-1] + t for t in _TA_TAILS}
        # Sri Lankan papers join the dative to a foreign name as written: -ப்க்கு, -வ்க்கும்
        out |= {word + t for t in _TA_BARE_DATIVE}
        return out
    if last in _TA_GLIDE_V:
        glide = "வ"
    elif last in "ிீெேை":
        glide = "ய"
    else:  # the inherent vowel: Sri Lankan "ராஜபக்சவை", Indian "ராஜபக்சேவை"
        glide = "வ"
        out |= {word + "ே" + "வ" + t for t in _TA_TAILS}
    out |= {word + glide + t for t in _TA_TAILS}
    if last == "ு":  # எகிப்து -> எகிப்தின், எகிப்துக்கு
        out |= {word[:-1] + t for t in _TA_TAILS}
    if last in "ிீைா" or last not in _TA_GLIDE_V:
        out |= {word + "க்கு", word + "க்கும்", word + "க்கான"}
        # a vowel-final modifier doubles the stop the next word starts with: இந்தியப்
        # பிரதமர், அமெரிக்கத் தூதுவர், சீனக் குழு, இலங்கைச் சட்டம்
        out |= {word + s for s in ("க்", "ச்", "த்", "ப்")}
    return out


def _ml(word: str) -> set[str]:
    last = word[-1]
    if last in _ML_CHILLU_OPEN:
        stem = word[:-1] + _ML_CHILLU_OPEN[last]
        out = {stem + t for t in _ML_CONS}
        if last == "ൻ":  # -ൻ joins without the -ി-: പുടിനെ, ജപ്പാന്റെ, മോദിക്കും പുടിന്
            out |= {stem + t for t in _ML_N}
        elif last in "ർൾൽ":  # the dative keeps the chillu: അംബാസഡർക്ക്, ഗവർണർക്കും
            out |= {word + "ക്ക്", word + "ക്കും"}
            if last != "ൽ":  # a person's -ർ/-ൾ takes the accusative -െ: അംബാസഡറെ, ഹൈക്കമ്മീഷണറെ
                out |= {stem + "െ", stem + "െയും"}
        return out
    if last == "്":
        stem = word[:-1]
        out = {stem + t for t in _ML_CONS}
        if word.endswith("ങ്"):  # a final ng doubles before a vowel: ബീജിങ്ങിൽ, ജിൻപിങ്ങുമായി
            out |= {stem + "്ങ" + t for t in _ML_CONS}
        return out
    if last == "ം":  # -ം nouns: -ത്തിന്റെ, -ത്തിൽ
        stem = word[:-1] + "ത്ത"
        return {stem + t for t in _ML_CONS}
    glide = "വ" if last in "ുൂ" else "യ"
    out = {word + glide + t for t in _ML_GLIDE}
    if last == "ോ":  # a foreign -o takes either glide: റൂബിയോയും, മെക്സിക്കോയിൽ; ...ോവിൽ
        out |= {word + "വ" + t for t in _ML_GLIDE}
    if last not in _ML_VOWEL_SIGNS:  # ഇന്ത്യക്ക്, ചൈനക്ക് beside ഇന്ത്യയ്ക്ക്
        out |= {word + "ക്ക്", word + "ക്കും"}
    return out


def _te(word: str) -> set[str]:
    out = {word + s for s in _TE}
    if word.endswith(("డు", "లు")):
        stem = word[:-1] + ("ి" if word.endswith("డు") else "")
        # the oblique stem alone is the genitive: "అధ్యక్షుడి పర్యటన" (the president's visit)
        out |= {stem} | {stem + s for s in _TE}
    elif word.endswith("ం"):
        out |= {word[:-1] + "ా" + s for s in _TE_AM}
    return out


def _si(word: str) -> set[str]:
    if word[-1] in "වය":  # ... and a title's animate genitive: අගමැතිනියගේ, තානාපතිවරයාගේ
        return {word + s for s in _SI_STEM + _SI_PERSON}
    return {word + s for s in _SI_PERSON}


_BY_SCRIPT = {
    "deva": _deva,
    "bn": _bn,
    "gu": lambda w: {w + s for s in _GU + _GU_SHRI},
    "ta": _ta,
    "te": _te,
    "ml": _ml,
    "si": _si,
}

# spellings of one sound that news sites mix: Devanagari/Gujarati candra O (ऑ/ॉ, ઑ/ૉ) for
# English "o" is often written as a plain O
_VARIANTS = str.maketrans({"ऑ": "ओ", "ॉ": "ो", "ઑ": "ઓ", "ૉ": "ો"})


# "-stan" is written with a plain or an aspirated t in Telugu, Gujarati, Malayalam and Sinhala
# news alike (పాకిస్తాన్, పాకిస్థాన్; અફઘાનિસ્તાન, અફઘાનિસ્થાન; පාකිස්තානය, පාකිස්ථානය)
_STAN = (("స్తాన్", "స్థాన్"), ("સ્તાન", "સ્થાન"), ("സ്താൻ", "സ്ഥാൻ"), ("ස්තාන", "ස්ථාන"))


# a nasal before a stop is written with the anusvara in Hindi and Marathi and as the stop's
# own nasal with a virama in Nepali and Sanskritised spelling ("जयशंकर", "जयशङ्कर";
# "बंगलादेश", "बङ्गलादेश"; "मंगोलिया", "मङ्गोलिया"): the five classes of stops and their nasals
_DEVA_NASAL = {
    **dict.fromkeys("कखगघ", "ङ"),
    **dict.fromkeys("चछजझ", "ञ"),
    **dict.fromkeys("टठडढ", "ण"),
    **dict.fromkeys("तथदध", "न"),
    **dict.fromkeys("पफबभ", "म"),
}
_ANUSVARA_STOP = re.compile("ं([" + "".join(_DEVA_NASAL) + "])")
_NASAL_STOP = re.compile("([ङञणनम])्([" + "".join(_DEVA_NASAL) + "])")


def _deva_nasals(name: str) -> set[str]:
    out = {_ANUSVARA_STOP.sub(lambda m: _DEVA_NASAL[m[1]] + "्" + m[1], name)}
    out.add(
        _NASAL_STOP.sub(
            lambda m: "ं" + m[2] if _DEVA_NASAL[m[2]] == m[1] else m[0],
            name,
        )
    )
    return out


def spelling_variants(name: str) -> set[str]:
    """The name, its spelling with plain vowels for candra O, "-stan" with either t, and a
    Devanagari nasal before a stop as anusvara or as the stop's nasal."""
    out = {name, name.translate(_VARIANTS)}
    for plain, aspirated in _STAN:
        out |= {f.replace(plain, aspirated) for f in out}
        out |= {f.replace(aspirated, plain) for f in out}
    for f in list(out):
        if "ं" in f or "्" in f:
            out |= _deva_nasals(f)
    return out


# a foreign name's i is written short or long at will in Devanagari ("पुतिन", "पुतीन")
_SHORT_I = str.maketrans({"ी": "ि"})
_LONG_I = str.maketrans({"ि": "ी"})


def indic_forms(name: str, person: bool = False, lang: str = "") -> set[str]:
    """``name`` with the case endings its script attaches to the last word (and the name).

    A ``person``'s name in Devanagari takes a person's endings, and is also kept with every
    i short and every i long (bare: the spelling of a foreign name varies more than its
    endings). ``lang`` (a CLDR locale's or a lexicon's language) narrows Devanagari to the
    Marathi or the Nepali endings; a name of no language gets both."""
    name = name.strip()
    if not name:
        return set()
    out: set[str] = set()
    for form in spelling_variants(name):
        out.add(form)
        head, _, last = form.rpartition(" ")
        script = _script(last)
        make = _BY_SCRIPT.get(script) if len(last) >= 2 else None
        if make is None:
            continue
        prefix = head + " " if head else ""
        if script == "deva":
            if person:
                out |= {form.translate(_SHORT_I), form.translate(_LONG_I)}
                out |= {prefix + w for w in _deva_person(last)}
            else:
                out |= {prefix + w for w in _deva(last, lang)}
            continue
        out |= {prefix + w for w in make(last)}
        if script == "bn" and person and last.endswith("ং"):
            # a name's final anusvara is sounded as a vowel and takes a glide (-ংয়ের, -ংয়ে);
            # only people's names: a capital so inflected reads as a venue, which the
            # pairing then takes for the country named next to it
            out |= {prefix + last + s for s in _BN_ANUSVARA}
    return out


_SI_HONORIFIC = ("වරයා", "වරිය", "තුමා", "තුමිය")


def title_forms(title: str, lang: str) -> set[str]:
    """A title's case forms; a Sinhala title also with the honorific suffixes a title takes
    (ජනාධිපතිවරයා, තානාපතිවරිය, අගමැතිතුමා: "-වරයා", "-තුමා" and their feminines); a
    Punjabi one in the oblique plural (ਮੰਤਰੀਆਂ, ਕਾਰੋਬਾਰੀਆਂ, ਰਾਜਦੂਤਾਂ); a Nepali one with
    "deputy" (उप-) written onto it."""
    if lang == "pa":
        return {title, title + ("ਆਂ" if title.endswith("ੀ") else "ਾਂ")}
    out = indic_forms(title, lang=lang)
    if lang == "ne" and not title.startswith("उप"):  # "deputy" written onto it: उपविदेशमन्त्री
        out |= indic_forms("उप" + title, lang=lang)
    if lang == "si" and not title.endswith(_SI_HONORIFIC):
        for suffix in _SI_HONORIFIC:
            out |= indic_forms(title + suffix, lang=lang)
    return out


def script_of(word: str) -> str:
    """The South Asian script of ``word``'s last letter ("deva", "bn", "ta" ...; "" if none)."""
    return _script(word)


def attaches(name: str) -> bool:
    """Whether ``name`` is written in a script whose languages attach case endings."""
    return _script(name) in _BY_SCRIPT
