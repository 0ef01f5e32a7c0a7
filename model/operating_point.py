"""Operating points: which events of a response object are returned.

Two of them, applied the same way to the response object ``model.predictor.build_result`` makes:

* the model's own (``OperatingPoint``, the ``operating_point`` of its training config, chosen by
  cross-validation with ``arabic-events operating-point``): per event type, the least event score
  and the least probability the sentence head gives that type in the event's sentence (a gate of
  the trigger spans by the sentence head). Every path (the service, ``tag``, ``records``) applies it;
* the one a user chooses on top: ``min_score`` (``POST /extract``, ``/extract_batch``,
  ``/records``, ``arabic-events tag`` and ``records``), the least event score.

Both compare the scores as returned (rounded to 4 decimals). Dropping events follows one rule:

* the dropped event goes, and so do its trigger span and its argument spans from ``spans`` (each
  argument belongs to one event, the one with the nearest trigger; a span shared with a kept event stays);
* each sentence's ``types`` keeps only the types of its kept events; its ``scores`` (the
  sentence classifier's probabilities) are unchanged;
* the events kept are exactly as before: arguments are not moved to another trigger.

So the response stays self-consistent: every kept event's trigger and arguments are in ``spans``,
every span belongs to a kept event, and every sentence's ``types`` are those of its events.
``min_score`` 0 (every score is at least 0), ``None`` and an operating point of zeros return the
response unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from model.errors import UserError
from model.labels import EVENT_TYPES, TRIGGER_LABELS

EVENT_TO_TRIGGER: dict[str, str] = dict(zip(EVENT_TYPES, TRIGGER_LABELS))

MIN_GOLD_EVENTS = 30
"""The fewest gold events of a type that a point is chosen on (``training.operating_point_choice``).

Below it one event moves the type's F1 by more than 0.03, and a chosen point does not carry over:
on the 11 retaliations of the default recipe's 3-fold cross-validation (about 7 in each pair of
folds a point was chosen on), two runs of it chose points whose nested retaliation event F1 was
0.10 above keeping every event (2026-11-30) and 0.16 below it (2026-12-01)."""

MIN_SCORE_RULE = (
    "Keep only events whose score is at least this, in [0, 1] (default: every event). A dropped event's trigger "
    "and arguments leave `spans`, and each sentence's `types` keeps only the types of its kept events; the kept "
    "events are unchanged."
)


def _event_spans(event: dict[str, Any]) -> set[tuple[int, int, str]]:
    """``(start, end, label)`` of the event's trigger and arguments, as they appear in ``spans``."""
    parts = {(a["start"], a["end"], a["role"]) for a in event["arguments"]}
    trigger = event["trigger"]
    if trigger is not None:
        parts.add((trigger["start"], trigger["end"], EVENT_TO_TRIGGER[event["type"]]))
    return parts


THRESHOLDS = ("min_score", "min_sentence_score")


@dataclass(frozen=True)
class OperatingPoint:
    """Per event type, the least event ``score`` and sentence-head probability of the type an event needs.

    A type not named keeps every event (both thresholds 0). An event without a trigger (the sentence
    head's alone) has the type's probability as its score, so both thresholds apply to that number.
    """

    min_score: Mapping[str, float] = field(default_factory=dict)
    min_sentence_score: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, raw: Any, source: str) -> OperatingPoint:
        """From its config form ``{event type: {min_score: x, min_sentence_score: y}}``; ``source`` names it in errors."""
        if not isinstance(raw, Mapping):
            raise UserError(f"{source}: operating_point maps event types ({', '.join(EVENT_TYPES)}) to thresholds")
        values: dict[str, dict[str, float]] = {name: {} for name in THRESHOLDS}
        for event_type, thresholds in raw.items():
            if event_type not in EVENT_TYPES:
                raise UserError(f"{source}: operating_point: {event_type!r} is not an event type ({', '.join(EVENT_TYPES)})")
            if not isinstance(thresholds, Mapping):
                raise UserError(f"{source}: operating_point.{event_type}: a mapping of {' and '.join(THRESHOLDS)}")
            unknown = sorted(map(str, set(thresholds) - set(THRESHOLDS)))
            if unknown:
                raise UserError(f"{source}: operating_point.{event_type}: unknown setting(s) {', '.join(unknown)} "
                                f"(known: {', '.join(THRESHOLDS)})")
            for name, value in thresholds.items():
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                    raise UserError(f"{source}: operating_point.{event_type}.{name} must be a number in [0, 1], got {value!r}")
                values[name][event_type] = float(value)
        return cls(**values)

    def to_dict(self) -> dict[str, dict[str, float]]:
        """The config form (``from_dict``'s input), every event type named."""
        return {t: {"min_score": self.min_score.get(t, 0.0), "min_sentence_score": self.min_sentence_score.get(t, 0.0)}
                for t in EVENT_TYPES}

    def keeps(self, event: dict[str, Any], sentence_scores: Mapping[str, float]) -> bool:
        kind = event["type"]
        return (event["score"] >= self.min_score.get(kind, 0.0)
                and (sentence_scores or {}).get(kind, 0.0) >= self.min_sentence_score.get(kind, 0.0))


def apply_operating_point(result: dict[str, Any], point: OperatingPoint | None) -> dict[str, Any]:
    """``result`` without the events ``point`` does not keep and what belongs only to them (see the module)."""
    if point is None:
        return result
    sentence_scores = {s["index"]: s.get("scores") for s in result["sentences"]}
    return _keep_events(result, lambda event: point.keeps(event, sentence_scores[event["sentence"]]))


def apply_min_score(result: dict[str, Any], min_score: float | None) -> dict[str, Any]:
    """``result`` without the events scored below ``min_score`` and what belongs only to them (see the module)."""
    if min_score is None:
        return result
    return _keep_events(result, lambda event: event["score"] >= min_score)


def _keep_events(result: dict[str, Any], keep: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    kept = [e for e in result["events"] if keep(e)]
    if len(kept) == len(result["events"]):
        return result
    kept_spans = set().union(*map(_event_spans, kept))
    dropped_spans = set().union(*(_event_spans(e) for e in result["events"] if not keep(e))) - kept_spans
    kept_types: dict[int, set[str]] = {}
    for event in kept:
        kept_types.setdefault(event["sentence"], set()).add(event["type"])
    return {
        **result,
        "sentences": [{**s, "types": [t for t in s["types"] if t in kept_types.get(s["index"], set())]}
                      for s in result["sentences"]],
        "spans": [s for s in result["spans"] if (s["start"], s["end"], s["label"]) not in dropped_spans],
        "events": kept,
    }
