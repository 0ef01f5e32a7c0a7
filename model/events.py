"""From a sentence's predicted spans and type probabilities to events, without contradiction.

* Every trigger span is an event of its type; each argument in the sentence
  attaches to the nearest trigger (by character distance).
* Arguments in a sentence where no trigger survives are dropped: the scheme
  has no arguments outside events.
* A type the sentence head predicts with no trigger of that type still yields
  an event, with ``trigger: null``; a trigger the sentence head missed still
  adds its type to the sentence. So the two heads never silently disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from model.document import Span
from model.labels import EVENT_TYPES, TRIGGER_TO_EVENT, is_trigger


@dataclass
class SentenceEvents:
    types: list[str]
    spans: list[Span]
    events: list[dict[str, Any]] = field(default_factory=list)


def _distance(a: Span, b: Span) -> int:
    return max(a.start - b.end, b.start - a.end, 0)


def assemble(
    text: str, spans: list[Span], type_probs: dict[str, float], threshold: float, sentence_index: int
) -> SentenceEvents:
    triggers = [s for s in spans if is_trigger(s.label)]
    kept = spans if triggers else []
    types = {t for t in EVENT_TYPES if type_probs[t] >= threshold} | {TRIGGER_TO_EVENT[s.label] for s in triggers}

    def span_json(span: Span) -> dict[str, Any]:
        return {"start": span.start, "end": span.end, "text": text[span.start : span.end]}

    events: list[dict[str, Any]] = []
    arguments: dict[int, list[dict[str, Any]]] = {id(t): [] for t in triggers}
    for span in kept:
        if not is_trigger(span.label):
            nearest = min(triggers, key=lambda t: (_distance(t, span), t.start))
            arguments[id(nearest)].append({"role": span.label, **span_json(span), "score": round(span.score or 0.0, 4)})
    for trigger in triggers:
        event_type = TRIGGER_TO_EVENT[trigger.label]
        events.append(
            {
                "type": event_type,
                "sentence": sentence_index,
                "score": round(trigger.score or 0.0, 4),
                "trigger": span_json(trigger),
                "arguments": arguments[id(trigger)],
            }
        )
    for event_type in sorted(types - {TRIGGER_TO_EVENT[t.label] for t in triggers}):
        events.append(
            {"type": event_type, "sentence": sentence_index, "score": round(type_probs[event_type], 4),
             "trigger": None, "arguments": []}
        )
    return SentenceEvents(sorted(types, key=EVENT_TYPES.index), kept, events)
