"""Which language's meeting words apply to a text.

Feeds usually say (``Item.lang``); when they do not, the script decides for most languages
and a vote of very common function words decides between Latin-script ones. Meeting words
and cues of other languages are then ignored, so Dutch "met" ("with") or Albanian "me" never
trigger anything in an English text.
"""

from __future__ import annotations

import re
from collections import Counter

from rules.bilateral.gazetteer import Gazetteer
from rules.bilateral.lexicon import LANG_ALIAS, LangLex

_LATIN_WORDS = {
    "en": "the and of to in with for on was has said were is are will his their",
    "fr": "de le la les et des du un une est avec pour dans sur au aux son été où qui par pas ont "
    "sont ces cette lors à en",
    "es": "de el la los las y del en con por para una que se su fue al",
    "pt": "de o os as e do da dos das em no na com para uma que foi ao à às é não seu pelo pela "
    "nesta neste",
    "de": "der die das und den dem des mit im ist sich ein eine zu von am hat auf haben wird "
    "werden wurde nicht auch für über nach bei beim zum zur vom sind einen einem",
    "sq": "i e të në dhe me një për nga që është u së ka",
    "sr": "je i u na da se za od sa su s o koji",
    "it": "il lo la gli le e di del della con per che è un una tra alla nel nella sono ed ad "
    "dal dalla dei degli delle anche non",
    "tr": "ve bir bu ile için olarak ise gibi daha olan ancak ayrıca sonra göre ilk kadar",
    "pl": "w się nie że jest oraz dla przez które który która podczas także jak ze był z i do "
    "na po od są już jego tym tego ma",
    "nl": "het een en van op voor zijn niet werd naar bij ook door dat heeft hij wordt worden "
    "zal zullen deze maar nog tussen tijdens hebben werden zich aan uit geen de met",
    "id": "dan yang dari dengan untuk ini itu pada dalam akan tidak juga telah oleh adalah di "
    "ke bahwa kepada sebagai saat setelah tersebut atau bagi para",
    "sw": "wa ya kwa katika ni kuwa pia hiyo huo ambao ambaye alisema amesema zaidi baada na "
    "la za cha kwamba hilo hayo yake wake leo jana hii kati kutoka kama",
    "vi": "và của các là với đã trong được có cho này những người một không ông",
}
_WORD = re.compile(r"[a-zà-ÿĀ-ɏḀ-ỿ]+", re.I)
_WORDSETS = {lang: frozenset(ws.split()) for lang, ws in _LATIN_WORDS.items()}
# word -> the languages it is a function word of, in _LATIN_WORDS order (votes tie-break on it)
_LANGS_OF_WORD: dict[str, tuple[str, ...]] = {}
for _lang, _words in _WORDSETS.items():
    for _w in _words:
        _LANGS_OF_WORD[_w] = (*_LANGS_OF_WORD.get(_w, ()), _lang)
_URDU_LETTERS = frozenset("ےںٹڈڑۓہھ")  # not written in Persian or Arabic
_PERSIAN_LETTERS = frozenset("گپچژیک")  # Persian (and Urdu) letters Arabic does not use
# Urdu's genitive and dative postpositions, no Persian word: a short headline written without
# an Urdu-only letter ("ایرانی صدر کا وزیراعظم کو فون") is still Urdu
_URDU_CASE = frozenset(("کا", "کو"))
_UKRAINIAN_LETTERS = frozenset("іїєґІЇЄҐ")
_RUSSIAN_LETTERS = frozenset("ыэъёЫЭЪЁ")  # letters neither Ukrainian nor Serbian writes
_SERBIAN_LETTERS = frozenset("јљњћђџЈЉЊЋЂЏ")
_SERBIAN_WORDS = frozenset(["се", "је", "са", "су", "из", "од", "за", "да", "ће", "био"])
_RUSSIAN_WORDS = frozenset(["в", "с", "что", "не", "по", "он", "она", "это", "был", "года", "ещё"])
_MARATHI_WORDS = (
    "आहे", "आणि", "यांनी", "यांच्या", "केली", "झाली",
    # spellings and forms Hindi does not use: the Marathi titles, the future participle
    "पंतप्रधान", "राष्ट्रपती", "यांची", "यांना", "मधील", "घेतली", "घेतील", "णार",
    # a verbless headline may hold only a genitive, a postposition or a word of time: the
    # honorific genitive, "in", "next"/"ahead", "pushed back", "in ... month/week"
    "यांचा", "यांचे", "मध्ये", "पुढील", "पुढे", "पुढच्या", "ढकलल", "नाही", "महिन्यात",
    "आठवड्यात",
)  # fmt: skip
# Nepali verb endings and postpositions Hindi does not use ("छ", "भएको", "गरेको", "सँग")
_NEPALI_WORDS = frozenset(
    """छ छन् र भयो थियो थिए भएको गरेको गरेका गर्ने गर्नुभयो बताए बताउनुभयो सँग पनि लागि हुने रहेको गरे
    उनी भएका जाँदै आउँदै गर्दै भन्दै पहिलो दिने चिनियाँ""".split()  # noqa: SIM905
)
# Nepali case endings written onto the word ("मोदीसँग", "प्रधानमन्त्रीलाई", "विमानबाट")
_NEPALI_ENDINGS = ("सँग", "सँगै", "लाई", "बाट")
_HINDI_WORDS = frozenset("है हैं था थी थे की में और से ने को कि लिए".split())  # noqa: SIM905


_HIRAGANA = re.compile("[\u3041-\u3096]")
_SCRIPT_RANGES = (
    ("deva", 0x0900, 0x0980), ("bn", 0x0980, 0x0A00), ("pa", 0x0A00, 0x0A80),
    ("te", 0x0C00, 0x0C80), ("ml", 0x0D00, 0x0D80), ("si", 0x0D80, 0x0E00),
    ("gu", 0x0A80, 0x0B00), ("ta", 0x0B80, 0x0C00), ("arab", 0x0600, 0x0700),
    ("cyr", 0x0400, 0x0530), ("ko", 0xAC00, 0xD7B0), ("kana", 0x3040, 0x3100),
    ("han", 0x4E00, 0xA000),
)  # fmt: skip
# Each letter of a script becomes one private-use character naming the script, so that
# str.translate and Counter (both in C) do the counting a Python loop over the characters did.
_SCRIPT_TAG = {
    name: chr(0xE000 + i)
    for i, name in enumerate(("latin", *(name for name, _, _ in _SCRIPT_RANGES)))
}
_TAG_SCRIPT = {tag: name for name, tag in _SCRIPT_TAG.items()}
_SCRIPT_TABLE: dict[int, str] = {o: _SCRIPT_TAG["latin"] for o in range(0x250) if chr(o).isalpha()}
for _name, _lo, _hi in _SCRIPT_RANGES:
    _SCRIPT_TABLE.update(dict.fromkeys(range(_lo, _hi), _SCRIPT_TAG[_name]))


# a letter of any script but the Latin one: text without one is Latin (or no letters at all)
_OTHER_SCRIPT = re.compile(
    "[" + "".join(f"{chr(lo)}-{chr(hi - 1)}" for _, lo, hi in _SCRIPT_RANGES) + "]"
)


def _script_lang(text: str) -> str | None:
    head = text[:2000]
    if _OTHER_SCRIPT.search(head) is None:
        return None  # what the count below says of Latin letters alone, without counting
    tagged = head.translate(_SCRIPT_TABLE)
    # in first-seen order, so ties break as a count in text order would; each tag found and
    # counted by ``str.find`` / ``str.count`` (a Counter over every character of the text,
    # spaces and punctuation included, cost more than the translation)
    seen = sorted((at, tag) for tag in _TAG_SCRIPT if (at := tagged.find(tag)) >= 0)
    counts = Counter({_TAG_SCRIPT[tag]: tagged.count(tag) for _, tag in seen})
    if not counts:
        return None
    script = counts.most_common(1)[0][0]
    if counts["kana"] >= 3 or _HIRAGANA.search(head):
        # Chinese writes no hiragana; one particle marks a short Japanese headline of Han
        # characters ("日米首脳が電話会談") that three kana letters would miss
        return "ja"
    if script == "han":
        return "zh"
    if script == "deva":
        if any(w in text for w in _MARATHI_WORDS):
            return "mr"
        words = text[:1500].replace("।", " ").split()
        ne = sum(1 for w in words if w in _NEPALI_WORDS or w.endswith(_NEPALI_ENDINGS))
        return "ne" if ne > sum(1 for w in words if w in _HINDI_WORDS) else "hi"
    if script == "arab":
        if any(c in _URDU_LETTERS for c in text) or not _URDU_CASE.isdisjoint(text[:1500].split()):
            return "ur"
        return "fa" if any(c in _PERSIAN_LETTERS for c in text) else "ar"
    if script == "cyr":
        if any(c in _SERBIAN_LETTERS for c in text):
            return "sr"
        uk = sum(1 for c in text[:2000] if c in _UKRAINIAN_LETTERS)
        ru_only = sum(1 for c in text[:2000] if c in _RUSSIAN_LETTERS)
        # each alphabet has letters the other lacks: a short Ukrainian headline may hold a
        # single "і" and a Russian sentence no Russian function word, but neither holds the
        # other's letters (a quoted name aside, hence the ratio when both occur)
        if uk and not ru_only:
            return "uk"
        if ru_only and not uk:
            return "ru"
        if uk >= 2 and uk * 100 >= counts["cyr"]:
            return "uk"
        words = text[:1500].lower().split()
        sr = sum(1 for w in words if w in _SERBIAN_WORDS)
        ru = sum(1 for w in words if w in _RUSSIAN_WORDS)
        return "sr" if sr > ru else "ru"
    if script in ("bn", "gu", "ta", "ko", "pa", "te", "ml", "si"):
        return script
    return None  # Latin: vote below


_SENTENCE_OPENERS = frozenset(".!?:;\n\"'«“(")


_APOSTROPHES = frozenset("'’ʹ")
# Turkish case and possessive endings as written after a name's apostrophe (vowel harmony and
# the buffer consonants y/n/s give each ending its forms)
_TURKISH_ENDINGS = frozenset(
    """a e ya ye ı i u ü yı yi yu yü da de ta te dan den tan ten nda nde ndan nden ın in un ün
    nın nin nun nün la le yla yle na ne daki deki taki teki dır dir""".split()  # noqa: SIM905
)
# French elisions a capital can open ("Qu'il", "Jusqu'au"): not a name before the apostrophe
_ELIDED = frozenset(("qu", "jusqu", "lorsqu", "puisqu", "quoiqu"))
# another language's function word that is an English verb right after a name
_ENGLISH_AFTER_NAME = frozenset(("met",))
# articles and article-prepositions elided before a vowel ("l'ambasciatore", "dell'Onu",
# "l'ambassadeur"): a short headline may hold no other function word
_ELISIONS = {"l": ("fr", "it"), "dell": ("it",), "nell": ("it",), "sull": ("it",), "dall": ("it",),
             "all": ("it",), "un": ("fr", "it")}  # fmt: skip


def _after_a_name(head: str, apostrophe: int) -> bool:
    """Whether a capitalised word of two letters or more ends right before ``apostrophe``."""
    i = apostrophe
    while i > 0 and head[i - 1].isalpha():
        i -= 1
    word = head[i:apostrophe]
    return len(word) >= 2 and word[0].isupper() and word.lower() not in _ELIDED


def _latin_votes(text: str) -> Counter[str]:
    """Function words of each Latin-script language in ``text``, names left out."""
    votes: Counter[str] = Counter()
    head = text[:1500]
    for m in _WORD.finditer(head):
        w = m.group()
        lw = w.lower()
        langs = _LANGS_OF_WORD.get(lw)
        if lw in _ELISIONS and head[m.end() : m.end() + 1] in _APOSTROPHES:
            votes.update(_ELISIONS[lw])
            continue
        if langs is None and lw not in _TURKISH_ENDINGS:
            continue  # most words are no language's function word: nothing else to check
        if len(w) == 1 and w.isupper():
            continue  # an initial ("S. Jaishankar"), not the Serbian "s"
        start, end = m.start(), m.end()
        before = head[start - 1] if start else ""
        if before in _APOSTROPHES and start > 1 and _after_a_name(head, start - 1):
            # Turkish writes a name's case ending after an apostrophe ("Aliyev'i",
            # "Saray'da"): the ending, not the Albanian "i" or Portuguese "da"
            if w.islower() and lw in _TURKISH_ENDINGS:
                votes["tr"] += 1
            continue
        if langs is None:
            continue
        if before in "'’" and lw in ("s", "t"):
            continue  # English "Ireland's", "don't", not the Serbian "s"
        if lw in _ENGLISH_AFTER_NAME and _after_a_name(head, len(head[:start].rstrip())):
            continue  # "S. Jaishankar met Wang Yi": the English verb, not the Dutch "with"
        if head[end : end + 1] in ("-", "‐", "‑"):
            continue  # "al-Sisi", "el-Sisi", "bin-": an article inside a name
        if w[0].isupper():
            i = start
            while i > 0 and head[i - 1].isspace():
                i -= 1
            if i > 0 and head[i - 1] not in _SENTENCE_OPENERS:
                continue  # "El Alamein", "Le Monde", "Van Rompuy": part of a name
        votes.update(langs)
    return votes


def _latin_vote(text: str, candidates: frozenset[str] | None = None) -> str:
    votes = _latin_votes(text)
    if candidates is not None:
        votes = Counter({k: v for k, v in votes.items() if k in candidates})
        if not votes:
            return "en" if "en" in candidates else min(candidates)
    if not votes:
        return "en"
    best = max(votes.values())
    return "en" if votes["en"] == best else votes.most_common(1)[0][0]


LATIN_LEXICONS = frozenset(_LATIN_WORDS) | {"en"}
# languages one script's guess chooses between
_KIN = (("hi", "mr", "ne"),)
_KIN_MAX_WORDS = 12  # a headline: a longer text that shows none of its words is no meeting


def guess_among(segments: list[str], candidates: set[str]) -> str | None:
    """For text whose guessed language has no meeting word in it: the language, among
    ``candidates`` (those whose meeting words it does use), that its function words favour
    ("Ireland's Taoiseach ... met" is English even though "'s" looks Serbian); for a
    Devanagari headline, the first of its script's other languages among them."""
    text = "\n".join(segments)
    script = _script_lang(text)
    if script is not None:
        # a Devanagari headline with none of the words that tell its languages apart
        # ("मोदी-ट्रम्प भेट रद्द"): the first other language of the script whose meeting
        # words it uses (Marathi and Nepali share "भेट", "रद्द")
        kin = next((group for group in _KIN if script in group), ())
        if len(text.split()) > _KIN_MAX_WORDS:
            return None
        return next((c for c in kin if c != script and c in candidates), None)
    latin = frozenset(candidates) & LATIN_LEXICONS
    return _latin_vote(text, latin) if latin else None


def guess_language(declared: str | None, segments: list[str]) -> str:
    """The language code whose lexicon applies (a declared one wins when we have it)."""
    if declared:
        code = declared.strip().lower().replace("_", "-")
        code = LANG_ALIAS.get(code, code.split("-")[0])
        code = LANG_ALIAS.get(code, code)
        if code:
            return code
    text = "\n".join(segments)
    return _script_lang(text) or _latin_vote(text)


def lexicon_for(g: Gazetteer, code: str) -> tuple[LangLex, bool]:
    """(lexicon, strict): strict means "ignore other languages' meeting words"."""
    lex = g.langs.get(code)
    if lex is not None:
        return lex, True
    return g.langs["en"], False
