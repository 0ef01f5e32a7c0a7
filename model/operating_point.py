"""The operating point a user chooses: ``min_score``, applied to a response object.

One rule for every path (``POST /extract``, ``/extract_batch``, ``/records``, ``arabic-events
tag`` and ``records``), applied to the response object ``model.predictor.build_result`` makes:

* an event whose ``score`` (as returned, rounded to 4 decimals) is below ``min_score`` is dropped;
* so are its trigger span and its argument spans from ``spans`` (each argument belongs to one
  event, the one with the nearest trigger; a span shared with a kept event stays);
* each sentence's ``types`` keeps only the types of its kept events; its ``scores`` (the
  sentence classifier's probabilities) are unchanged;
* the events kept are exactly as without ``min_score``: arguments are not moved to another trigger.

So the response stays self-consistent: every kept event's trigger and arguments are in ``spans``,
every span belongs to a kept event, and every sentence's ``types`` are those of its events.
``min_score`` 0 (every score is at least 0) and ``None`` return the response unchanged.
"""

from __future__ import annotations

from typing import Any

from model.labels import EVENT_TYPES, TRIGGER_LABELS

EVENT_TO_TRIGGER: dict[str, str] = dict(zip(EVENT_TYPES, TRIGGER_LABELS))

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


def apply_min_score(result: dict[str, Any], min_score: float | None) -> dict[str, Any]:
    """``result`` without the events scored below ``min_score`` and what belongs only to them (see the module)."""
    if min_score is None:
        return result
    kept = [e for e in result["events"] if e["score"] >= min_score]
    if len(kept) == len(result["events"]):
        return result
    kept_spans = set().union(*map(_event_spans, kept))
    dropped_spans = set().union(*(_event_spans(e) for e in result["events"] if e["score"] < min_score)) - kept_spans
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
