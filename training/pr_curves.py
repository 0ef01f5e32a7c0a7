"""Precision–recall curves per event type: what each ``min_score`` would give, for choosing one.

For each event type, the predicted events of that type are ranked by score and matched to the
gold events as ``training.metrics.event_scores`` matches them (type and exact trigger, each gold
event at most once; an event without a trigger never matches). At every threshold ``t`` (each
distinct score), the events scored at least ``t`` (those ``min_score = t`` keeps) give a precision
and a recall; recall is over every gold event of the type, so a gold event the model never
proposed is a miss at every threshold. Average precision is scikit-learn's
(``sum over thresholds of (R_n - R_{n-1}) * P_n``), with that recall.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from model.document import Document
from model.labels import EVENT_TYPES
from training.metrics import match_events, prf

TABLE_THRESHOLDS: tuple[float, ...] = (0.3, 0.5, 0.7, 0.9)


def ranked_matches(
    documents: Sequence[Document], predicted_events: Sequence[list[dict]], event_type: str
) -> tuple[list[tuple[float, bool]], int]:
    """``(score, matched)`` of each predicted event of ``event_type``, best first; and the number of gold events.

    Within a document the higher-scored of two events on one gold event is the one that matches it.
    """
    ranked: list[tuple[float, bool]] = []
    gold_total = 0
    for document, events in zip(documents, predicted_events, strict=True):
        mine = sorted((e for e in events if e["type"] == event_type), key=lambda e: -e["score"])
        match = match_events(document, mine)
        matched = {id(event) for _, event in match.pairs}
        ranked += [(event["score"], id(event) in matched) for event in mine]
        gold_total += len(match.pairs) + sum(e["type"] == event_type for e in match.missed)
    ranked.sort(key=lambda pair: -pair[0])
    return ranked, gold_total


def _point(threshold: float, true_positives: int, kept: int, gold_total: int) -> dict[str, float]:
    scores = prf(true_positives, kept, gold_total)
    return {"threshold": threshold, "precision": scores["precision"], "recall": scores["recall"], "f1": scores["f1"]}


def curve(ranked: Sequence[tuple[float, bool]], gold_total: int) -> dict[str, Any]:
    """The curve of one event type from ``ranked_matches``: its points, average precision, best F1, and a table."""
    points: list[dict[str, float]] = []
    true_positives = 0
    for kept, (score, matched) in enumerate(ranked, start=1):
        true_positives += matched
        if kept == len(ranked) or ranked[kept][0] != score:  # the last event at this score
            points.append(_point(score, true_positives, kept, gold_total))
    average_precision = None
    if gold_total:
        recalls = [0.0] + [p["recall"] for p in points]
        average_precision = sum((recalls[n + 1] - recalls[n]) * p["precision"] for n, p in enumerate(points))
    best = max(points, key=lambda p: (p["f1"], p["threshold"]), default=None)  # ties: the higher threshold

    def at(threshold: float) -> dict[str, float]:
        kept = [matched for score, matched in ranked if score >= threshold]
        return _point(threshold, sum(kept), len(kept), gold_total)

    return {
        "gold": gold_total,
        "predicted": len(ranked),
        "average_precision": average_precision,
        "best": best,
        "table": [at(t) for t in TABLE_THRESHOLDS],
        "points": points,
    }


def precision_recall_curves(documents: Sequence[Document], predicted_events: Sequence[list[dict]]) -> dict[str, Any]:
    """``curve`` for each event type (``report.json``'s ``precision_recall``)."""
    return {event_type: curve(*ranked_matches(documents, predicted_events, event_type)) for event_type in EVENT_TYPES}
