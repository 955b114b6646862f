"""The detector's quality on text it was not developed on, held to a floor.

``make eval`` prints the full report; this test keeps the held-out half of the labelled
corpus (``bench.evalscore.held_out``: split by publisher) from sliding back unnoticed. The
floors sit just under today's figures; raise them when the detector improves, never lower
them to let a change through.
"""

from __future__ import annotations

import json

from bench.evalscore import Score, blind, held_out, load_items, site
from monitor.commands.scan import scan_line
from tests.rules.lexicon_hygiene import CORPUS

# read at the end of the first 2026-12-08 session (retrained on 7,037 items, the unread block
# included): 0.865 item, 0.822 pairs, 0.837 status; at the end of the second: 0.862 / 0.836 /
# 0.845 (ECE 0.053)
FLOOR_ITEM_F1 = 0.84
# held-out pair F1 moves by up to 0.03 between retrains of the same grammar (about 200
# meetings; the thresholds the out-of-fold predictions choose flip on a flat surface)
FLOOR_PAIR_F1 = 0.79
FLOOR_STATUS = 0.81
# Expected calibration error of the confidences, at most. Per block it moves by 0.01-0.02
# from one retrain to the next (about 185 held-out meetings, 270 blind): the floor sits above
# that noise; the two blocks together (about 455 meetings) are held tighter. The target is
# 0.05 on unseen text (make eval reports it): retrains have read 0.036 to 0.050 there, so a
# floor of exactly 0.05 would fail on retraining noise alone.
FLOOR_ECE = 0.10
# Held-out and blind together. Until the 2026-12-07 late-night session 0.06 (retrains read
# 0.036 to 0.054 on 1,430 items); then the lab14 round joined the blind block and read 0.129
# alone at its first reading (303 items, about 225 meetings): 0.064 on the 1,733 items. With
# the model trained on the unread block too (2026-12-08) the 1,301 items read 0.050, and with
# lab18 in the blind block the 1,598 read 0.043; the floor keeps room for retraining noise, the
# issue's 0.05 stays the target.
FLOOR_ECE_UNSEEN = 0.07
# the blind sets (labelled last, never developed or trained on): the figure closest to what
# users see on news the project has never read. Set anew when a labelling round becomes the
# blind block (extra-lab13* since 2026-12-07 night, extra-lab14* since the late night,
# extra-lab15* since 2026-12-08: 1,056 items; lab15's first reading, by the code and model of
# that session's start, was 0.823 / 0.784 / 0.763, at its end 0.823 / 0.781 / 0.772; the three
# sets together at the end 0.757 / 0.673 / 0.716; a retrain alone moves these by about 0.015;
# extra-lab18* joined on the second 2026-12-08 session, 1,353 items: lab18 read 0.753 / 0.701 /
# 0.727 at its start, 0.759 / 0.707 / 0.727 at its end, the four sets 0.760 / 0.682 / 0.724)
BLIND_FLOOR_ITEM_F1 = 0.73
BLIND_FLOOR_PAIR_F1 = 0.64
BLIND_FLOOR_STATUS = 0.69


def _score(split: bool, blind_sets: bool = False) -> Score:
    score = Score()
    for item in load_items(CORPUS):
        if held_out(item) != split or blind(item) != blind_sets:
            continue
        # Through the scan contract, no language given, as an external evaluation runs it.
        raw = json.dumps({"id": item["id"], "text": item["text"]}).encode()
        score.add(item, scan_line(raw).get("meetings", []))
    return score


def test_held_out_split_stays_above_its_floor() -> None:
    score = _score(True)
    assert score.n >= 200
    assert score.item[2] >= FLOOR_ITEM_F1, score.lines("held-out")
    assert score.pair[2] >= FLOOR_PAIR_F1, score.lines("held-out")
    assert score.status >= FLOOR_STATUS, score.lines("held-out")
    assert score.ece <= FLOOR_ECE, score.lines("held-out")


def test_blind_sets_stay_above_their_floor() -> None:
    score = _score(False, blind_sets=True)
    assert score.n >= 1350
    assert score.item[2] >= BLIND_FLOOR_ITEM_F1, score.lines("blind")
    assert score.pair[2] >= BLIND_FLOOR_PAIR_F1, score.lines("blind")
    assert score.status >= BLIND_FLOOR_STATUS, score.lines("blind")
    assert score.ece <= FLOOR_ECE, score.lines("blind")


def test_confidences_are_calibrated_on_all_text_never_tuned_on() -> None:
    score = Score()
    for item in load_items(CORPUS):
        if held_out(item) or blind(item):
            raw = json.dumps({"id": item["id"], "text": item["text"]}).encode()
            score.add(item, scan_line(raw).get("meetings", []))
    assert score.n >= 600
    assert score.ece <= FLOOR_ECE_UNSEEN, score.lines("held-out + blind")


def test_split_is_by_publisher_not_by_item() -> None:
    by_site: dict[str, set[bool]] = {}
    for line in (CORPUS / "meetings-dev-2.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        by_site.setdefault(site(item["source"]), set()).add(held_out(item))
    assert all(len(sides) == 1 for sides in by_site.values())
    assert 0.3 < sum(True in s for s in by_site.values()) / len(by_site) < 0.7
