"""Hindi and Urdu posts by officials the roster knows: the post names only whom its author
met, welcomed or heard from, often in the genitive of a nominal verb ("X का स्वागत किया",
"X کا ٹیلیفون موصول ہوا"); the author is the other side. Invented rows."""

from __future__ import annotations

import pytest

from tests.rules.cases import outcome

POSTS = [
    ("@narendramodi", "मेरे मित्र राष्ट्रपति पुतिन का नई दिल्ली में स्वागत किया।", ["IN-RU:held"]),
    ("@narendramodi", "राष्ट्रपति मैक्रों का भारत में स्वागत करके प्रसन्नता हुई।", ["FR-IN:held"]),
    ("@DrSJaishankar", "सिंगापुर के विदेश मंत्री की मेजबानी करके खुशी हुई।", ["IN-SG:held"]),
    (
        "@DrSJaishankar",
        "ईरानी विदेश मंत्री अराघची का फोन आया। क्षेत्रीय स्थिति पर चर्चा की।",
        ["IN-IR:call"],
    ),
    ("@CMShehbaz", "قطر کے امیر شیخ تمیم بن حمد کا اسلام آباد میں استقبال کیا۔", ["PK-QA:held"]),
    ("@MIshaqDar50", "چینی وزیر خارجہ وانگ یی کا ٹیلیفون موصول ہوا۔", ["CN-PK:call"]),
    # someone else's words or a summit's guests are no meeting of the author's
    ("@narendramodi", "राष्ट्रपति पुतिन ने यूक्रेन में शांति के लिए बातचीत की बात कही।", []),
    ("@narendramodi", "जी20 शिखर सम्मेलन में विश्व नेताओं का स्वागत किया।", []),
]


@pytest.mark.parametrize(("author", "text", "want"), POSTS)
def test_post_author_is_the_other_side(author: str, text: str, want: list[str]) -> None:
    assert outcome(text, None, decide=False, author=author) == want
