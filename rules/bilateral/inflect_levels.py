"""Korean and Japanese speech levels of a lexicon phrase written in the plain style.

The lexicon writes Korean verbs as news prints them in the plain style (-다): "예방했다",
"만남을 가졌다", "회담한다", "갖는다". Broadcast news and press releases use the formal style
(-습니다/-ㅂ니다), and a clause goes on with a connective (-으며, -고, -어). Korean words are
matched with any ending after them (``OPEN_END``), so:

- a past form gives its stem with the past marker (ㅆ): "예방했다" -> "예방했", which then
  covers 예방했습니다, 예방했으며, 예방했고;
- a plain non-past gives its formal twin: -ㄴ다 after a vowel -> -ㅂ니다 ("만난다" ->
  "만납니다", "회담한다" -> "회담합니다"), -는다 after a consonant -> -습니다 ("갖는다" ->
  "갖습니다"). The stem alone would also be the attributive past ("회담한 뒤"), so it is not
  given.
"""

from __future__ import annotations

_BASE = 0xAC00
_LAST = 0xD7A3
_FINALS = 28
PAST_FINAL = 20  # the final ㅆ of the past marker (았/었/했/졌/났)
_N = 4  # the final ㄴ of -ㄴ다
_B = 17  # the final ㅂ of -ㅂ니다


def hangul_final(ch: str) -> int:
    """The index of a Hangul syllable's final consonant (0: none; -1: not a syllable)."""
    code = ord(ch)
    return (code - _BASE) % _FINALS if _BASE <= code <= _LAST else -1


def ko_levels(phrase: str) -> list[str]:
    """The other speech-level forms of a plain-style Korean phrase (see the module)."""
    if len(phrase) < 3 or not phrase.endswith("다"):
        return []
    head, last = phrase[:-2], phrase[-2]
    if hangul_final(last) == PAST_FINAL:
        return [phrase[:-1]]
    if phrase.endswith("는다"):
        return [head + "습니다"]
    if hangul_final(last) == _N:
        return [head + chr(ord(last) - _N + _B) + "니다"]
    return []


# Japanese: the plain style of a lexicon phrase (-した, -する, 迎えた, 行う) and the polite
# style of news on air and of press releases (-しました, -します, 迎えました, 行います). The
# ichidan verbs' stem ends in an e-row kana (迎え-, 出迎え-); of the godan verbs only -う
# is given (行う -> 行います), as -る is ambiguous between the two classes.
_E_ROW = frozenset("えけせてねへめれげぜでべぺ")


def ja_levels(phrase: str) -> list[str]:
    """The polite-style form of a plain-style Japanese verb phrase (see above)."""
    if len(phrase) < 2:
        return []
    if phrase.endswith("した"):
        return [phrase[:-1] + "ました"]
    if phrase.endswith("する"):
        return [phrase[:-2] + "します"]
    if phrase[-2] in _E_ROW and phrase[-1] in "たる":
        return [phrase[:-1] + ("ました" if phrase.endswith("た") else "ます")]
    if phrase.endswith("う"):
        return [phrase[:-1] + "います"]
    return []
