# ruff: noqa: E501  (the report table reads best one report per line)
"""The headline scenario: 31 reports of three meetings on overlapping days, in six languages
from many sources, and what stands in for the detector until it is merged.

A: Jaishankar–Wang Yi in Astana, Thu July 3 (first announced). B: Jaishankar–Lavrov in
Astana, Wed July 2. C: Rajnath Singh–Dong Jun in Qingdao, Wed July 2 — the same pair as A,
a different meeting.

``ScenarioRule`` reads each item's meeting from the table (what the detector would read
from its text). The items carry realistic texts, so a test can swap in the real detector
(``rules.RULES["bilateral_meeting"]``) once it lands.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from monitor.events.alerts import AlertRule, NotifierPolicy
from monitor.events.cluster import ClusterPolicy, official_resolver
from monitor.model import Item, Match
from monitor.pipeline.decide import Officials
from rules.base import RuleOptions
from tests.events.factory import ROSTER, item, meeting_match

J, W, L = "S. Jaishankar", "Wang Yi", "Sergey Lavrov"
R, DJ = "Rajnath Singh", "Dong Jun"
IN_CN, IN_RU = ("CN", "IN"), ("IN", "RU")

# (id, source, lang, hours after Tue 2025-07-01 06:00 UTC, meeting, status, officials, place,
#  text, official source, author handle).
REPORTS = [
    ("a01", "pti", "en", 2, "A", "scheduled", (J, W), "Astana", "Jaishankar to meet Wang Yi in Astana on Thursday.", False, None),
    ("a02", "hindustan", "hi", 22, "A", "scheduled", (J, W), "Astana", "जयशंकर कल अस्ताना में वांग यी से मिलेंगे।", False, None),
    ("a03", "reuters", "en", 51, "A", "held", (J, W), "Astana", "Jaishankar met Wang Yi in Astana on Thursday.", False, None),
    ("a04", "mea", "en", 52, "A", "held", (J, W), "Astana", "EAM Dr. S. Jaishankar met FM Wang Yi today in Astana.", True, None),
    ("a05", "x", "en", 52.5, "A", "held", (J, W), "Astana", "Good meeting with FM Wang Yi today in Astana.", False, "@DrSJaishankar"),
    ("a06", "xinhua", "zh", 54, "A", "held", (W, J), "Astana", "王毅3日在阿斯塔纳会见印度外长苏杰生。", False, None),
    ("a07", "peoples-daily", "zh", 67, "A", "held", (W, J), None, "王毅昨天会见印度外长苏杰生。", False, None),
    ("a08", "aajtak", "hi", 56, "A", "held", (J, W), "Astana", "विदेश मंत्री जयशंकर ने आज अस्ताना में वांग यी से मुलाकात की।", False, None),
    ("a09", "tass", "ru", 57, "A", "held", (W, J), "Astana", "Ван И и Джайшанкар встретились в четверг в Астане.", False, None),
    ("a10", "the-hindu", "en", 68, "A", "held", (J, W), "Astana", "Jaishankar and Wang Yi met in Astana.", False, None),
    ("a11", "france24", "fr", 58, "A", "held", (W,), "Astana", "Wang Yi a rencontré jeudi son homologue indien à Astana.", False, None),
    ("a12", "aljazeera", "ar", 59, "A", "held", (W,), "Astana", "التقى وانغ يي اليوم نظيره الهندي في أستانا.", False, None),
    ("a13", "dawn", "en", 72, "A", "held", (J, W), "Kazakhstan", "Jaishankar met Wang Yi on Thursday in Kazakhstan.", False, None),
    ("a14", "mfa-china", "zh", 55, "A", "held", (W, J), "Astana", "2025年7月3日，王毅在阿斯塔纳会见苏杰生。", True, None),
    ("b01", "pti", "en", 28, "B", "held", (J, L), "Astana", "Jaishankar met Lavrov in Astana on Wednesday.", False, None),
    ("b02", "tass", "ru", 29, "B", "held", (L, J), "Astana", "Лавров и Джайшанкар провели переговоры в среду в Астане.", False, None),
    ("b03", "ria", "ru", 30, "B", "held", (L, J), None, "Сегодня Лавров встретился с Джайшанкаром.", False, None),
    ("b04", "hindustan", "hi", 31, "B", "held", (J, L), None, "जयशंकर ने बुधवार को लावरोव से मुलाकात की।", False, None),
    ("b05", "mid-ru", "ru", 32, "B", "held", (L, J), "Astana", "2 июля в Астане Лавров провёл переговоры с Джайшанкаром.", True, None),
    ("b06", "reuters", "en", 50, "B", "held", (J, L), "Astana", "Jaishankar met Lavrov on Wednesday in Astana.", False, None),
    ("b07", "the-hindu", "en", 44, "B", "held", (J, L), "Astana", "Jaishankar and Lavrov met in Astana.", False, None),
    ("b08", "aljazeera", "ar", 47, "B", "held", (L, J), "Astana", "التقى لافروف أمس نظيره الهندي في أستانا.", False, None),
    ("b09", "x", "en", 33, "B", "held", (J, L), None, "Productive talks with FM Lavrov today.", False, "@DrSJaishankar"),
    ("c01", "ani", "en", 24, "C", "held", (R, DJ), "Qingdao", "Rajnath Singh met Dong Jun in Qingdao today.", False, None),
    ("c02", "xinhua", "zh", 26, "C", "held", (DJ, R), "Qingdao", "董军2日在青岛会见印度国防部长辛格。", False, None),
    ("c03", "pib", "en", 27, "C", "held", (R, DJ), "Qingdao", "Raksha Mantri Rajnath Singh held talks with Dong Jun today.", True, None),
    ("c04", "amar-ujala", "hi", 28, "C", "held", (R, DJ), None, "राजनाथ सिंह ने आज डोंग जुन से मुलाकात की।", False, None),
    ("c05", "global-times", "zh", 43, "C", "held", (DJ,), "Qingdao", "董军昨天在青岛会见印度国防部长。", False, None),
    ("c06", "tass", "ru", 30, "C", "held", (R, DJ), "Qingdao", "Сегодня Раджнат Сингх встретился с Дун Цзюнем.", False, None),
    ("c07", "hindustan-times", "en", 45, "C", "held", (R,), None, "Rajnath Singh and his Chinese counterpart met.", False, None),
    ("c08", "x", "en", 29, "C", "held", (R, DJ), "Qingdao", "Held talks with Admiral Dong Jun in Qingdao today.", False, "@rajnathsingh"),
]  # fmt: skip

MEETING_OF = {r[0]: r[4] for r in REPORTS}
NOTIFIERS = {
    "desk-slack": NotifierPolicy("desk-slack", "slack"),
    "desk-mail": NotifierPolicy("desk-mail", "email"),
    "partner-hook": NotifierPolicy("partner-hook", "webhook"),
}
RULE = AlertRule(
    "india-desk", tuple(NOTIFIERS), frozenset({"held", "scheduled"}), 6 * 3600.0, ("IN",)
)
OFFICIAL_HANDLES: dict[str, str | None] = {"@DrSJaishankar": "IN", "@rajnathsingh": "IN"}
SOURCE_LABELS = {"mea": "MEA", "mfa-china": "MFA China", "mid-ru": "MID Russia", "pib": "PIB"}
POLICY = ClusterPolicy(
    official=official_resolver(OFFICIAL_HANDLES, SOURCE_LABELS), official_country=ROSTER.get
)
OFFICIALS = Officials(OFFICIAL_HANDLES, ROSTER.get, SOURCE_LABELS)  # the same, for EventDecide


def stream() -> list[tuple[Item, Match]]:
    out = []
    for (
        ident,
        source,
        lang,
        hours,
        which,
        status,
        officials,
        place,
        text,
        official,
        handle,
    ) in REPORTS:
        it = item(
            ident, source, hours=hours, text=text, lang=lang, official=official, handle=handle
        )
        parties = IN_RU if which == "B" else IN_CN
        m = meeting_match(
            it, parties, status=status, officials=officials, place=place, rule="india-desk"
        )
        out.append((it, m))
    return out


CHRONO = sorted(stream(), key=lambda pair: pair[0].published_at)
BY_ID = {r[0]: r for r in REPORTS}


class ScenarioOptions(RuleOptions):
    """Like the detector's options: which statuses alert, which countries lead headlines."""

    statuses: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)


class ScenarioRule:
    """Stands in for the bilateral-meeting detector: the table says what each item reports."""

    type_name: ClassVar[str] = "scenario_meeting"
    Options: ClassVar[type[RuleOptions]] = ScenarioOptions

    def __init__(self, options: RuleOptions) -> None:
        self.options = options

    def evaluate(self, it: Item) -> list[Match]:
        row = BY_ID.get(it.id)
        if row is None:
            return []
        _, _, _, _, which, status, officials, place, *_ = row
        parties = IN_RU if which == "B" else IN_CN
        return [
            meeting_match(
                it, parties, status=status, officials=officials, place=place, rule=self.options.id
            )
        ]


def scenario_rule(notify: tuple[str, ...] = tuple(NOTIFIERS), **options: object) -> ScenarioRule:
    """The India desk's rule (as RULE above), as a rule the pipeline runs."""
    values: dict[str, object] = {
        "id": "india-desk",
        "type": "scenario_meeting",
        "notify": list(notify),
        "statuses": ["held", "scheduled"],
        "realert": "6h",
        "countries": ["IN"],
        **options,
    }
    return ScenarioRule(ScenarioOptions.model_validate(values))
