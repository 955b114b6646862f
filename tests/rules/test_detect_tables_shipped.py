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
# Sides named only by capitals: the model, trained on 1,900 corpus items where such texts
# are mostly trade or ties, calls it no meeting.
KNOWN_MODEL_MISSES = {
    "Paris and Washington held consultations on Iran's nuclear programme.",
    # A past visit to a list of destinations closed by "(these) countries" (issue 10, visits
    # branch): retrained with these proposals, the model still gives the Tamil past-tense
    # tour no more than 0.25 held (the Marathi future one it now keeps).
    "பிரதமர் மோடி கானா, நமீபியா மற்றும் ஜப்பான் ஆகிய நாடுகளுக்கு பயணம் மேற்கொண்டார்.",
    # (A Korean minister meeting "일본 외무상" abroad was listed here until 외무상 became a
    # Korean title, 2026-12-07: the model now keeps it.)
    # Plain held meetings the model keeps below its min_confidence, after the retrain on the
    # reviewed grammar (these rows come and go between retrains: their held probability sits
    # near the threshold): a Dutch present-tense meeting. (Since the thresholds are the best
    # out-of-fold choice rather than the strictest near it, 0.35 instead of 0.4 to 0.45, an
    # envoy summoned in the Persian passive, one pair of a Japanese compound and a Polish
    # meeting with two organisation heads are kept.)
    "De Nederlandse premier en de Franse president spreken een uur lang met elkaar in Parijs.",
    # An organisation named in Ukrainian (issue 10, east5): every retrain since has called it
    # no meeting (Ukrainian organisation names are new as sides, and rare in the training
    # items).
    "Президент України зустрівся з головою Єврокомісії у Брюсселі.",
}


def test_the_shipped_detector_agrees_with_the_tables() -> None:
    rows = [row for name in TABLES for row in load_cases(name)]
    differ = {text for lang, text, want in rows if outcome(text, lang) != want}
    assert len(rows) > 300
    assert differ == KNOWN_MODEL_MISSES
