"""Every false and missed trigger of saved predictions against gold articles, each with its category.

Events match as the event scores match them (``training.metrics.match_events``: type and exact
trigger offsets). A false trigger is a predicted event no gold event matches (an event the
sentence head predicted without a trigger included); a missed trigger is a gold event no
predicted event matches. Each gets one category: ``boundary`` when a trigger of the same type
overlaps it on the other side, ``wrong type`` when one of the other type does, else the first
cue category of the rules (``error_analysis.categories``) that fires, else ``other``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from error_analysis.categories import BOUNDARY, OTHER, WRONG_TYPE, CategoryRules
from model.document import Document
from model.errors import UserError
from model.text_units import Sentence
from training.evaluation import align_results
from training.metrics import gold_events, match_events

FALSE, MISSED = "false", "missed"


@dataclass(frozen=True)
class TriggerError:
    """One false or missed trigger; offsets refer to the article's text (``None`` for an event without a trigger)."""

    kind: str  # FALSE or MISSED
    category: str
    cue: str | None  # the folded text the category's cue matched, when a cue decided it
    document: str
    type: str
    trigger: str | None
    start: int | None
    end: int | None
    score: float | None  # the predicted event's score (false triggers only)
    sentence_score: float | None  # the sentence head's probability of this type, when the response gives it
    sentence: int | None
    sentence_text: str | None


def _overlaps(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _structural(trigger: dict, event_type: str, others: Sequence[dict]) -> str | None:
    """``boundary`` or ``wrong type`` when a trigger of the other side overlaps ``trigger``, else None."""
    overlapping = [e["type"] for e in others if e["trigger"] and _overlaps(trigger, e["trigger"])]
    if event_type in overlapping:
        return BOUNDARY
    return WRONG_TYPE if overlapping else None


def _check_triggers(document: Document, events: Sequence[dict]) -> None:
    for event in events:
        trigger = event["trigger"]
        if trigger is not None and not 0 <= trigger["start"] < trigger["end"] <= len(document.text):
            raise UserError(f"prediction for '{document.id}' does not fit its text (trigger {trigger['start']}-{trigger['end']})")


def document_errors(document: Document, events: Sequence[dict], sentence_scores: dict[int, dict], rules: CategoryRules) -> list[TriggerError]:
    """The false and missed triggers of one article, in the order of the text (false before missed at one place).

    ``sentence_scores`` maps a sentence index to the sentence head's probabilities by event type.
    """
    _check_triggers(document, events)
    match = match_events(document, events)
    gold = gold_events(document)
    sides = [(FALSE, event, gold) for event in match.false] + [(MISSED, event, list(events)) for event in match.missed]
    found = []
    for kind, event, others in sides:
        trigger, sentence = event["trigger"], _sentence_of(document, event)
        category, cue = _categorise(document, sentence, event, others, rules)
        found.append(TriggerError(
            kind=kind, category=category, cue=cue, document=document.id, type=event["type"],
            trigger=document.text[trigger["start"] : trigger["end"]] if trigger else None,
            start=trigger["start"] if trigger else None, end=trigger["end"] if trigger else None,
            score=event.get("score") if kind == FALSE else None,
            sentence_score=sentence_scores.get(sentence.index, {}).get(event["type"]) if sentence else None,
            sentence=sentence.index if sentence else None,
            sentence_text=document.text[sentence.start : sentence.end] if sentence else None,
        ))
    return sorted(found, key=lambda e: (e.sentence if e.sentence is not None else -1, e.start or 0, e.kind))


def _sentence_of(document: Document, event: dict) -> Sentence | None:
    """The sentence holding the event's trigger; for an event without one, the sentence its response names."""
    if event["trigger"] is not None:
        return next((s for s in document.sentences if s.start <= event["trigger"]["start"] < s.end), None)
    index = event.get("sentence")
    in_range = isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(document.sentences)
    return document.sentences[index] if in_range else None


def _categorise(document: Document, sentence: Sentence | None, event: dict, others: Sequence[dict],
                rules: CategoryRules) -> tuple[str, str | None]:
    """The error's category, and the folded text of the cue that decided it (None for the fixed rules)."""
    trigger = event["trigger"]
    structural = _structural(trigger, event["type"], others) if trigger else None
    if structural:
        return structural, None
    if sentence is None:  # an event without a trigger whose response names no sentence of the article
        return OTHER, None
    local = (trigger["start"] - sentence.start, trigger["end"] - sentence.start) if trigger else None
    return rules.classify(document.text[sentence.start : sentence.end], local)


def find_errors(gold: Sequence[Document], results: Sequence[dict[str, Any]], rules: CategoryRules) -> tuple[list[TriggerError], list[Document]]:
    """The errors of the gold articles that have a prediction, and those articles.

    A prediction whose article is in none of the gold files is an error, as is one whose spans do
    not fit its article's text (``align_results``); gold articles without a prediction are left out.
    """
    predicted_ids = {result.get("id") for result in results}
    gold_ids = {document.id for document in gold}
    foreign = sorted(str(i) for i in predicted_ids - gold_ids)
    if foreign:
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise UserError(f"{len(foreign)} predicted articles are in none of the gold files ({shown}): "
                        "give the annotated files that hold them")
    covered = [document for document in gold if document.id in predicted_ids]
    by_id = {result.get("id"): result for result in results}
    errors = []
    for document, prediction in zip(covered, align_results(covered, results)):
        scores = {s["index"]: s.get("scores") or {} for s in by_id[document.id]["sentences"]}
        errors += document_errors(document, prediction.events, scores, rules)
    return errors, covered
