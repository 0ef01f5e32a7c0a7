"""Precision–recall curves per event type (``training.pr_curves``): hand-computed points on seed-004's gold events."""

from __future__ import annotations

import json
import os

import pytest
from sklearn.metrics import average_precision_score

from tests.conftest import FIXTURES, run_cli
from training.pr_curves import precision_recall_curves

# seed-004's gold events: 11 attacks (triggers at 87-94, 613-619, 969-975, ...) and 3 retaliations (0-3, 336-339, 806-813).


def event(event_type, score, trigger):
    return {"type": event_type, "score": score, "trigger": trigger and {"start": trigger[0], "end": trigger[1]}}


PREDICTED = [
    event("attack", 0.95, (87, 94)),  # matches
    event("attack", 0.9, (613, 619)),  # matches
    event("attack", 0.8, (806, 813)),  # a retaliation's trigger read as an attack: no match
    event("attack", 0.8, None),  # no trigger: never matches
    event("attack", 0.6, (969, 975)),  # matches
    event("attack", 0.6, (969, 975)),  # the same gold event again: each matches once
    event("attack", 0.2, (850, 857)),  # other boundaries than the gold 851-857: no match
    event("retaliation", 0.7, (0, 3)),  # matches
    event("retaliation", 0.5, (87, 94)),  # an attack's trigger read as a retaliation: no match
    event("retaliation", 0.5, (336, 339)),  # matches
    event("retaliation", 0.4, (806, 813)),  # matches: every gold retaliation proposed
]


@pytest.fixture(scope="module")
def curves(seed_004):
    return precision_recall_curves([seed_004], [PREDICTED])


def points(curve):
    """``(threshold, precision, recall, f1)`` of each point, flat (as ``pytest.approx`` compares lists)."""
    return [value for p in curve for value in (p["threshold"], p["precision"], p["recall"], p["f1"])]


def flat(rows):
    return pytest.approx([value for row in rows for value in row])


def test_attack_points_at_every_distinct_score_count_never_proposed_gold_events_as_misses(curves):
    attack = curves["attack"]
    assert (attack["gold"], attack["predicted"]) == (11, 7)
    assert points(attack["points"]) == flat([
        (0.95, 1.0, 1 / 11, 2 / 12),
        (0.9, 1.0, 2 / 11, 4 / 13),
        (0.8, 2 / 4, 2 / 11, 4 / 15),
        (0.6, 3 / 6, 3 / 11, 6 / 17),
        (0.2, 3 / 7, 3 / 11, 1 / 3),
    ])


def test_attack_average_precision_best_threshold_and_table(curves):
    attack = curves["attack"]
    assert attack["average_precision"] == pytest.approx(1 / 11 + 1 / 11 + 0.5 / 11)
    assert attack["best"] == pytest.approx({"threshold": 0.6, "precision": 0.5, "recall": 3 / 11, "f1": 6 / 17})
    assert points(attack["table"]) == flat([
        (0.3, 3 / 6, 3 / 11, 6 / 17),
        (0.5, 3 / 6, 3 / 11, 6 / 17),
        (0.7, 2 / 4, 2 / 11, 4 / 15),
        (0.9, 1.0, 2 / 11, 4 / 13),
    ])


def test_retaliation_points_and_average_precision_equal_scikit_learns_when_every_gold_event_is_proposed(curves):
    retaliation = curves["retaliation"]
    assert points(retaliation["points"]) == flat([
        (0.7, 1.0, 1 / 3, 0.5),
        (0.5, 2 / 3, 2 / 3, 2 / 3),
        (0.4, 3 / 4, 1.0, 6 / 7),
    ])
    assert retaliation["average_precision"] == pytest.approx(1 / 3 + 1 / 3 * 2 / 3 + 1 / 3 * 3 / 4)
    assert retaliation["average_precision"] == pytest.approx(average_precision_score([1, 0, 1, 1], [0.7, 0.5, 0.5, 0.4]))
    assert retaliation["best"]["threshold"] == 0.4


def test_a_type_without_predictions_has_no_points_no_best_threshold_and_average_precision_0(seed_004):
    curves = precision_recall_curves([seed_004], [[]])
    assert curves["attack"]["points"] == [] and curves["attack"]["average_precision"] == 0.0
    assert curves["attack"]["best"] is None and curves["attack"]["gold"] == 11


def test_evaluate_with_predictions_writes_the_curves_and_their_table(tmp_path):
    evaluation = FIXTURES / "evaluation"
    run_cli(dict(os.environ), "evaluate", str(evaluation / "gold.jsonl"), "--predictions",
            str(evaluation / "predictions.jsonl"), "-o", str(tmp_path))
    curves = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["precision_recall"]
    # one gold attack; predicted: قصفت 0.9 (matches), الوضع 0.6 (spurious)
    assert points(curves["attack"]["points"]) == flat([(0.9, 1.0, 1.0, 1.0), (0.6, 0.5, 1.0, 2 / 3)])
    assert curves["attack"]["average_precision"] == 1.0 and curves["attack"]["best"]["threshold"] == 0.9
    assert curves["retaliation"]["gold"] == 0 and curves["retaliation"]["average_precision"] is None
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<img alt='precision-recall curves' src='data:image/png;base64," in html
    assert "<td>0.9 (best F1)</td><td>1.000</td><td>1.000</td><td>1.000</td>" in html
