"""Encodings: declared, byte-order marks, HTTP charset, undeclared Latin-1, legacy CJK and
Cyrillic code pages, detected when no label fits. Each test asserts the exact characters a
reader should see."""

from __future__ import annotations

import codecs

import pytest

from adapters.encoding import charset_of, codec_for, decode_document
from adapters.feed import FeedError, parse_feed
from tests.adapters.feedfiles import FEED_URL, body, parse

HINDI_TITLE = "जयशंकर ने वांग यी से मुलाकात की"


def hindi_feed(declared: str | None, title: str = HINDI_TITLE, feed_title: str = "समाचार") -> str:
    decl = f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else ""
    return (
        f'{decl}<rss version="2.0"><channel><title>{feed_title}</title><item><guid>1</guid>'
        f"<title>{title}</title></item></channel></rss>"
    )


def test_windows_1251_declared() -> None:
    """iBash (windows-1251 declared, Cyrillic in CDATA) decodes to Cyrillic."""
    feed = parse("encoding/ibash_windows-1251.rss.xml")
    assert feed.items[0].title == "Цитата #17703"
    assert feed.items[0].text.startswith("xxx: есть у кого жаба программер")
    assert feed.lang == "ru" and feed.notes == ()


def test_iso_8859_1_declared() -> None:
    """ISO-8859-1 declared (Portuguese, German) decodes accents and umlauts."""
    jn = parse("encoding/jn_pt_iso-8859-1.rss.xml")
    assert jn.items[0].title.startswith("Mãe de utente é a nova presidente")
    assert jn.title.startswith("Jornal de Notícias")
    golem = parse("encoding/golem_iso-8859-1.rss.xml")
    assert golem.items[0].text.startswith("Viele Spieler wünschen sich eine PC-Version")


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("encoding/kc0011_gb2312.rss.xml", "建国35周年纪念，华表，和平鸽"),
        ("encoding/qq_news_gb2312.rss.xml", "习近平为何如此强调崇尚英雄？"),
    ],
)
def test_gb2312_declared(name: str, title: str) -> None:
    """GB2312 (read as its superset GB18030, which expat cannot decode itself)."""
    feed = parse(name)
    assert feed.items[0].title == title
    assert feed.parser == "fastfeedparser" and len(feed.items) == 20


def test_euc_kr_declared() -> None:
    """feedparser's euc-kr.xml: the feed title is the Hangul syllable 년."""
    assert parse("feedparser-suite/encoding/euc-kr.xml").title == "년"


def test_big5_declared() -> None:
    """A Big5 document (Traditional Chinese) decodes."""
    body = (
        '<?xml version="1.0" encoding="big5"?><rss><channel><title>臺灣新聞</title></channel></rss>'
    )
    assert parse_feed(body.encode("big5"), url=FEED_URL, source_id="s").title == "臺灣新聞"


@pytest.mark.parametrize(
    "name", ["cerclepsy_latin1_no-xml-decl", "uol_noticias_latin1_no-xml-decl"]
)
def test_undeclared_latin1_bytes(name: str) -> None:
    """Latin-1 bytes without any declaration (invalid UTF-8) are read as windows-1252."""
    feed = parse(f"encoding/{name}.rss.xml")
    assert "encoding: undeclared or wrong; decoded as cp1252" in feed.notes
    expected = {
        "cerclepsy_latin1_no-xml-decl": "La criminalité liée surtout à... l'ennui ?",
        "uol_noticias_latin1_no-xml-decl": (
            "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno"
        ),
    }[name]
    assert expected in [i.title for i in feed.items]


def test_utf8_bom() -> None:
    """A UTF-8 byte-order mark before the XML declaration is skipped."""
    feed = parse("encoding/donthitsave_utf8-bom.rss.xml")
    assert feed.title == "Don't Hit Save" and feed.items[0].title == "Skipping Around"


@pytest.mark.parametrize(
    ("codec", "bom", "declared"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("utf-16-be", b"", "utf-16"),  # no BOM: recognised by the NUL pattern of "<?"
        ("utf-32-le", codecs.BOM_UTF32_LE, "utf-32"),
        ("utf-8", codecs.BOM_UTF8, None),
    ],
)
def test_unicode_encodings_with_and_without_bom(
    codec: str, bom: bytes, declared: str | None
) -> None:
    """UTF-16/32 (with BOM, or UTF-16 without) and UTF-8 with BOM decode to the same text."""
    body = bom + hindi_feed(declared).encode(codec)
    feed = parse_feed(body, url=FEED_URL, source_id="s")
    assert feed.items[0].title == HINDI_TITLE and feed.title == "समाचार"


def test_http_charset_decodes_an_undeclared_document() -> None:
    """The Content-Type charset decodes a document that declares nothing."""
    body = hindi_feed(None, "Новости Москвы", "Лента").encode("windows-1251")
    feed = parse_feed(
        body, url=FEED_URL, source_id="s", content_type="application/rss+xml; charset=windows-1251"
    )
    assert feed.items[0].title == "Новости Москвы" and feed.notes == ()


def test_http_charset_beats_the_declaration() -> None:
    """RFC 7303: the HTTP charset wins over a (wrong) XML declaration."""
    body = hindi_feed("iso-8859-1", "Новости", "Лента").encode("koi8-r")
    feed = parse_feed(body, url=FEED_URL, source_id="s", content_type="text/xml; charset=koi8-r")
    assert feed.items[0].title == "Новости"


def test_utf8_bytes_beat_a_latin1_label() -> None:
    """UTF-8 bytes labelled ISO-8859-1 (a server default) are read as UTF-8, with a note."""
    body = hindi_feed("iso-8859-1").encode("utf-8")
    feed = parse_feed(
        body, url=FEED_URL, source_id="s", content_type="text/xml; charset=ISO-8859-1"
    )
    assert feed.items[0].title == HINDI_TITLE
    assert "encoding: HTTP charset says 'iso-8859-1' but the bytes are UTF-8" in feed.notes


def test_invalid_bytes_after_a_bom_do_not_crash() -> None:
    """feedparser's bozo_invalid-bytes-with-bom.xml (invalid UTF-8 after a UTF-8 BOM, then a
    truncated document): decoding replaces the bad bytes, and the broken XML with no entry
    is a clear FeedError, not a crash."""
    with pytest.raises(FeedError, match="ill-formed XML without a readable entry"):
        parse("feedparser-suite/encoding/bozo_invalid-bytes-with-bom.xml")
    decoded = decode_document(body("feedparser-suite/encoding/bozo_invalid-bytes-with-bom.xml"))
    assert "Valid UTF8: Ѩ" in decoded.text
    assert "encoding: invalid utf-8 bytes after the byte-order mark (at byte 200)" in decoded.notes


def test_windows_1252_code_points_in_utf8_are_demoronized() -> None:
    """feedparser's demoronize-1.xml: U+0092 (a cp1252 byte read as Latin-1) becomes ’."""
    assert parse("feedparser-suite/encoding/demoronize-1.xml").items[0].text == "don’t"


@pytest.mark.parametrize(
    ("name", "expected", "codec"),
    [
        ("gb2312", "不归移民漫画系列：专业工作", "gb18030"),
        ("koi8r", "Как пережить новогоднюю ночь", "koi8-r"),
        ("windows1255", "העתק נאמן למקור", "cp1255"),
    ],
)
def test_undeclared_non_latin_legacy_text_is_detected(name: str, expected: str, codec: str) -> None:
    """feedparser's chardet cases: GB2312, KOI8-R and windows-1255 bytes with no label
    anywhere are found by the charset detector (windows-1252 reads them as mojibake)."""
    feed = parse(f"feedparser-suite/illformed/chardet/{name}.xml")
    assert len(feed.items) == 1
    item = feed.items[0]
    assert expected in item.title + item.text
    assert feed.notes == (f"encoding: undeclared or wrong; detected {codec}",)


def test_windows_1251_labelled_utf8_is_detected() -> None:
    """windows-1251 bytes served as ``charset=utf-8`` (they are not UTF-8): detected."""
    body = hindi_feed(None, "Лавров провёл переговоры в Москве", "Новости").encode("cp1251")
    feed = parse_feed(
        body, url=FEED_URL, source_id="s", content_type="application/rss+xml; charset=utf-8"
    )
    assert feed.items[0].title == "Лавров провёл переговоры в Москве"
    assert feed.notes[-1] == "encoding: undeclared or wrong; detected cp1251"


def test_a_server_default_latin1_label_yields_to_cyrillic_bytes() -> None:
    """KOI8-R bytes under a server's default ``charset=ISO-8859-1``: Latin-1 reads them as
    mojibake, so the detector's reading wins; real Latin-1 under that label is untouched."""
    body = hindi_feed(None, "Министр встретился с коллегой из Китая", "Лента").encode("koi8-r")
    feed = parse_feed(
        body, url=FEED_URL, source_id="s", content_type="text/xml; charset=ISO-8859-1"
    )
    assert feed.items[0].title == "Министр встретился с коллегой из Китая"
    assert feed.notes == ("encoding: HTTP charset says 'iso-8859-1'; detected koi8-r",)
    latin = hindi_feed(None, "Le ministre a rencontré son homologue à Genève", "Actualités")
    feed = parse_feed(
        latin.encode("cp1252"), url=FEED_URL, source_id="s", content_type="text/xml; charset=latin1"
    )
    assert feed.items[0].title == "Le ministre a rencontré son homologue à Genève"
    assert feed.notes == ()


def test_short_undeclared_latin_text_stays_windows_1252() -> None:
    """One short French title without a label: a detector's first guess for so little text
    is a sibling code page (it would turn "à" into "ŕ"); windows-1252 reads it plausibly,
    so windows-1252 it stays."""
    body = hindi_feed(None, "Le ministre a rencontré son homologue à Genève", "Flux").encode(
        "cp1252"
    )
    feed = parse_feed(body, url=FEED_URL, source_id="s")
    assert feed.items[0].title == "Le ministre a rencontré son homologue à Genève"
    assert feed.notes == ("encoding: undeclared or wrong; decoded as cp1252",)


def test_label_helpers() -> None:
    """Content-Type charsets and encoding labels map as browsers map them."""
    assert charset_of("application/atom+xml;charset='gb2312'") == "gb2312"
    assert charset_of("text/xml") is None and charset_of(None) is None
    assert codec_for("GB2312") == "gb18030"
    assert codec_for("ISO-8859-1") == "cp1252"
    assert codec_for("bogus") is None
    assert decode_document(b"\xff\xfe<\x00r\x00").text == "<r"
