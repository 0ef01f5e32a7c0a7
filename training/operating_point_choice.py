"""Choosing the model's operating point from cross-validation's answers, and measuring the choice honestly.

The fold models of ``arabic-events crossval`` answer every held-out article with all their events
(``NAME.predictions.jsonl``, scores included). For each event type the choice is the pair of
thresholds of ``model.operating_point.OperatingPoint`` (the least event score; the least
probability the sentence head gives the type in the event's sentence) with the best event F1 of
that type over the answers it is chosen on, events matched as everywhere else (type and exact
trigger, ``training.metrics.match_events``). The sentence-head thresholds tried are
``SENTENCE_GATES``; the event-score thresholds, 0 and every distinct score of the events the gate
leaves (the points of their precision–recall curve). Ties go to the lower gate, then the lower
score: of two points equally good on the answers seen, the one that drops less. A type with fewer
than ``MIN_GOLD_EVENTS`` gold events in those answers keeps every event: a point chosen on so few
fits their noise (see the constant).

A threshold chosen on the articles it is scored on flatters itself, so the figure to report is
nested (``nested_answers``): each fold's articles are answered at the point chosen on the *other*
folds' answers, and those answers are pooled and scored as cross-validation scores them. The point
to put in the config is chosen on every fold's answers (``choose``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from model.document import Document
from model.errors import UserError
from model.labels import EVENT_TYPES
from model.operating_point import MIN_GOLD_EVENTS, OperatingPoint, apply_operating_point
from model.wording import counted
from training.evaluation import align_results
from training.metrics import negative_rate, prf, score
from training.pr_curves import curve, ranked_matches

SENTENCE_GATES: tuple[float, ...] = tuple(round(0.05 * k, 2) for k in range(20))  # 0, 0.05, ..., 0.95


def _gated_events(response: dict[str, Any], event_type: str, gate: float) -> list[dict[str, Any]]:
    """The events of ``event_type`` in ``response`` whose sentence gives the type at least ``gate``."""
    gated = apply_operating_point(response, OperatingPoint(min_sentence_score={event_type: gate}))
    return [e for e in gated["events"] if e["type"] == event_type]


def best_thresholds(
    documents: Sequence[Document], responses: Sequence[dict[str, Any]], event_type: str, min_gold_events: int = MIN_GOLD_EVENTS
) -> dict[str, float]:
    """``min_score``, ``min_sentence_score`` and the event F1 of ``event_type`` they give on ``responses`` (see the module);
    both thresholds 0 when the documents hold fewer than ``min_gold_events`` gold events of the type."""
    best = {"f1": -1.0, "min_score": 0.0, "min_sentence_score": 0.0}
    for gate in SENTENCE_GATES:
        ranked, gold_total = ranked_matches(documents, [_gated_events(r, event_type, gate) for r in responses], event_type)
        points = curve(ranked, gold_total)["points"]
        everything = points[-1]["f1"] if points else 0.0  # the lowest score keeps every event, as 0 does
        if gold_total < min_gold_events:
            return {"f1": everything, "min_score": 0.0, "min_sentence_score": 0.0}
        for threshold, f1 in [(0.0, everything), *((p["threshold"], p["f1"]) for p in reversed(points))]:
            if f1 > best["f1"]:  # strictly better: ties keep the earlier, lower gate and score
                best = {"f1": f1, "min_score": threshold, "min_sentence_score": gate}
    return best


def choose(
    documents: Sequence[Document], responses: Sequence[dict[str, Any]], min_gold_events: int = MIN_GOLD_EVENTS
) -> OperatingPoint:
    """The operating point with the best event F1 per type on ``responses`` to ``documents`` (in the same order)."""
    chosen = {t: best_thresholds(documents, responses, t, min_gold_events) for t in EVENT_TYPES}
    return OperatingPoint(min_score={t: c["min_score"] for t, c in chosen.items()},
                          min_sentence_score={t: c["min_sentence_score"] for t, c in chosen.items()})


def _others(items: Sequence[Any], fold: Sequence[int]) -> list[Any]:
    """The items whose indices are not in ``fold``: what a fold's point is chosen on."""
    held = set(fold)
    return [item for i, item in enumerate(items) if i not in held]


def nested_answers(
    documents: Sequence[Document], responses: Sequence[dict[str, Any]], folds: Sequence[Sequence[int]],
    min_gold_events: int = MIN_GOLD_EVENTS,
) -> tuple[list[dict[str, Any]], list[OperatingPoint]]:
    """Each response at the point chosen on the other folds' responses; and the point of each fold.

    ``folds`` partition the indices of ``documents`` (and ``responses``) as cross-validation held them out.
    """
    answered: dict[int, dict[str, Any]] = {}
    points = []
    for fold in folds:
        point = choose(_others(documents, fold), _others(responses, fold), min_gold_events)
        points.append(point)
        answered.update((i, apply_operating_point(responses[i], point)) for i in fold)
    return [answered[i] for i in range(len(documents))], points


def type_scores(documents: Sequence[Document], responses: Sequence[dict[str, Any]], event_type: str) -> dict[str, float]:
    """Precision, recall and F1 of the events of ``event_type`` (type and exact trigger)."""
    ranked, gold_total = ranked_matches(documents, [[e for e in r["events"] if e["type"] == event_type] for r in responses],
                                        event_type)
    return prf(sum(matched for _, matched in ranked), len(ranked), gold_total)


def measured(documents: Sequence[Document], responses: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Cross-validation's scores of ``responses`` (``training.metrics.score``), events per type, events per negative document."""
    predictions = align_results(documents, responses)
    return {**score(documents, predictions), "events per type": {t: type_scores(documents, responses, t) for t in EVENT_TYPES},
            "negatives": negative_rate(documents, predictions)}


def gold_event_counts(documents: Sequence[Document]) -> dict[str, int]:
    """The number of gold events of each type in ``documents``."""
    return {t: ranked_matches(documents, [[] for _ in documents], t)[1] for t in EVENT_TYPES}


def kept_every_event(report: dict[str, Any]) -> list[str]:
    """A line for each event type that kept every event somewhere for want of gold events: on every
    fold's answers (the point for the config), or on the answers a fold's nested point was chosen on."""
    least = report["min_gold_events"]
    lines = []
    for event_type, total in report["gold_events"].items():
        if total < least:
            lines.append(f"{event_type}: every event kept: {counted(total, 'gold event')}, fewer than {least} "
                         "(--min-gold-events) to choose a point on")
            continue
        short = [f["gold_events_chosen_on"][event_type] for f in report["per_fold"]
                 if f["gold_events_chosen_on"][event_type] < least]
        if short:
            held = counted(min(short), "gold event") if min(short) == max(short) else f"{min(short)}–{max(short)} gold events"
            lines.append(f"{event_type}: every event kept in {len(short)} of {counted(len(report['per_fold']), 'fold')} "
                         f"of the nested figure (the answers each such fold's point is chosen on hold {held}, fewer "
                         f"than {least}); the point below, chosen on all {total}, is not what that figure scores")
    return lines


def operating_point_report(
    documents: Sequence[Document], responses: Sequence[dict[str, Any]], folds: Sequence[Sequence[int]],
    min_gold_events: int = MIN_GOLD_EVENTS,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every event against the nested operating point, the point of each fold, and the point chosen on all folds;
    and the nested answers themselves (each response at its fold's point), for ``errors`` to analyse."""
    nested, points = nested_answers(documents, responses, folds, min_gold_events)
    report = {
        "chosen": choose(documents, responses, min_gold_events).to_dict(),
        "min_gold_events": min_gold_events,
        "gold_events": gold_event_counts(documents),
        "per_fold": [{"test": [documents[i].id for i in fold], "operating_point": point.to_dict(),
                      "gold_events_chosen_on": gold_event_counts(_others(documents, fold))}
                     for fold, point in zip(folds, points)],
        "scores": {"every event": measured(documents, responses), "nested operating point": measured(documents, nested)},
    }
    return report, nested


def crossval_answers(
    report: Any, responses: Sequence[dict[str, Any]], gold: Sequence[Document], report_name: str
) -> tuple[list[Document], list[dict[str, Any]], list[list[int]]]:
    """The held-out articles of a ``crossval`` report, their responses and its folds (as indices into both).

    Every held-out article needs its gold document and its response; a report of another kind
    (``ablation``'s, an evaluation report) is refused, as it holds no folds.
    """
    folds_of = report.get("per_fold") if isinstance(report, dict) else None
    if not isinstance(folds_of, list) or not folds_of or not all(
        isinstance(f, dict) and isinstance(f.get("test"), list) and f["test"] and all(isinstance(i, str) for i in f["test"])
        for f in folds_of
    ):
        raise UserError(f"{report_name}: not a crossval report (no per_fold test articles)")
    if len(folds_of) < 2:
        raise UserError(f"{report_name}: {counted(len(folds_of), 'fold')}; choosing a point on the other folds needs at least 2")
    held = [i for f in folds_of for i in f["test"]]
    twice = sorted({i for i in held if held.count(i) > 1})
    if twice:
        raise UserError(f"{report_name}: article {', '.join(twice[:5])} is held out more than once")
    gold_by_id = {d.id: d for d in gold}
    response_by_id = {r.get("id"): r for r in responses}
    documents, answers, folds = [], [], []
    for fold in folds_of:
        folds.append([])
        for doc_id in fold["test"]:
            if doc_id not in gold_by_id:
                raise UserError(f"held-out article '{doc_id}' of {report_name} is in none of the gold files")
            if doc_id not in response_by_id:
                raise UserError(f"held-out article '{doc_id}' of {report_name} has no response in the predictions")
            folds[-1].append(len(documents))
            documents.append(gold_by_id[doc_id])
            answers.append(response_by_id[doc_id])
    return documents, answers, folds
