"""A country named as the owner of what is talked about, in Hindi and Urdu.

"अमेरिका के टैरिफ पर चर्चा की", "امریکہ کے ٹیرف پر بات کی": a bare country in the genitive,
then a common noun or two, then the topic postposition (पर, को लेकर, کے بارے میں) is whose
tariffs were discussed, not a side of the meeting. The postpositions are the language's
``topic_post`` words; the genitive is its ``genitive`` words. Imports only lexicon types.
"""

from __future__ import annotations

from rules.bilateral.frames import words_of
from rules.bilateral.lexicon import LangLex

_MAX_NOUNS = 4  # "पाकिस्तान के परमाणु हथियार कार्यक्रम पर"


def owned_topic(after: str, lex: LangLex) -> bool:
    """Does ``after`` (the text from the place's end to the next mention or meeting word)
    read "genitive, a noun phrase, topic postposition"?"""
    genitive = lex.words.get("genitive", frozenset())
    posts = lex.words.get("topic_post", frozenset())
    words = words_of(after)
    if not genitive or not words or words[0] not in genitive:
        return False
    for i in range(2, min(len(words), _MAX_NOUNS + 2) + 1):
        if any(w in (",", "(", ")", ";", ":") for w in words[1:i]):
            return False
        for post in posts:
            n = len(post.split())
            if i + n <= len(words) and " ".join(words[i : i + n]) == post:
                return True
    return False
