"""The case tables through the shipped detector, status model included.

The tables (``tests/fixtures/rules/cases-*.tsv``) pin the grammar's reading exactly
(``test_detect_en/asia/europe``). The status model may drop a pair the grammar proposed when
it judges it no meeting; on these hand-written cases it must agree almost everywhere, and the
cases where it does not are listed here so that a change in them is seen.
"""

from __future__ import annotations

from tests.rules.cases import load_cases, outcome

TABLES = (
    "cases-en.tsv",
    "cases-asia.tsv",
    "cases-europe.tsv",
    "cases-south-asia.tsv",
    "cases-world.tsv",
)
# Rows where the shipped model reads otherwise than the grammar. These come and go between
# retrains: their probability sits near the threshold. Until the 2026-12-07 night sides
# named only by capitals ("Paris and Washington held consultations"), a Tamil past tour of a
# list of destinations and a Ukrainian meeting with the Commission's head were listed here
# too. Since candidates the grammar leaves unpaired reach the model (rules.bilateral.cooccur),
# a row may also gain a pair: consultations with a counterpart "during the NATO summit with
# all allies" are a bilateral on the summit's sidelines to the model, not to the table.
KNOWN_MODEL_MISSES = {
    # the 2026-12-08 retrains (the unread block joined the training data): the Commission's
    # head; a Dutch consultation at a NATO summit with all the allies (the second session's
    # retrain, none_at 0.9, reads the Senegalese plural titles and the Dutch hour-long talk)
    "Президент України зустрівся з головою Єврокомісії у Брюсселі.",
    "De Nederlandse minister van Buitenlandse Zaken voerde overleg met zijn Duitse ambtgenoot "
    "tijdens de NAVO-top met alle bondgenoten.",
}


def test_the_shipped_detector_agrees_with_the_tables() -> None:
    rows = [row for name in TABLES for row in load_cases(name)]
    differ = {text for lang, text, want in rows if outcome(text, lang) != want}
    assert len(rows) > 300
    assert differ == KNOWN_MODEL_MISSES
