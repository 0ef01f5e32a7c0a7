"""Scores of predictions against gold documents: spans with seqeval, sentences with scikit-learn.

Span scores are seqeval's strict IOB2 scores over the word tags of every
sentence (a span counts only with the exact label and word boundaries).
Sentence scores treat the two event types as a multi-label problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2
from sklearn.metrics import precision_recall_fscore_support

from model.bio import spans_to_tags
from model.document import Document, Span
from model.labels import ARGUMENT_LABELS, EVENT_TYPES, TRIGGER_LABELS


@dataclass
class DocumentPrediction:
    """What a system predicted for one gold document: spans and each sentence's event types."""

    spans: list[Span]
    sentence_types: list[set[str]]
    events: list[dict] = field(default_factory=list)


def _tags(documents: Sequence[Document], spans_of: Sequence[list[Span]]) -> list[list[str]]:
    rows = []
    for document, spans in zip(documents, spans_of):
        for sentence in document.sentences:
            inside = [s for s in spans if sentence.start <= s.start and s.end <= sentence.end]
            rows.append(spans_to_tags(document.tokens(sentence), inside))
    return rows


def _keep(rows: list[list[str]], labels: Sequence[str]) -> list[list[str]]:
    return [[t if t[2:] in labels else "O" for t in row] for row in rows]


def _report(gold: list[list[str]], pred: list[list[str]]) -> dict[str, dict[str, float]]:
    report = classification_report(gold, pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    return {
        label: {"precision": float(v["precision"]), "recall": float(v["recall"]), "f1": float(v["f1-score"]), "support": int(v["support"])}
        for label, v in report.items()
    }


def span_scores(documents: Sequence[Document], predictions: Sequence[DocumentPrediction]) -> dict:
    """Per label and micro/macro; plus micro scores over triggers only and arguments only."""
    gold = _tags(documents, [d.spans for d in documents])
    pred = _tags(documents, [p.spans for p in predictions])
    scores = _report(gold, pred)
    scores["triggers (micro)"] = _report(_keep(gold, TRIGGER_LABELS), _keep(pred, TRIGGER_LABELS))["micro avg"]
    scores["arguments (micro)"] = _report(_keep(gold, ARGUMENT_LABELS), _keep(pred, ARGUMENT_LABELS))["micro avg"]
    return scores


def sentence_scores(documents: Sequence[Document], predictions: Sequence[DocumentPrediction]) -> dict:
    """Precision/recall/F1 per event type, and micro over both."""
    y_true = np.array([[t in d.event_types(s) for t in EVENT_TYPES] for d in documents for s in d.sentences], dtype=int)
    y_pred = np.array([[t in types for t in EVENT_TYPES] for p in predictions for types in p.sentence_types], dtype=int)
    scores = {}
    p, r, f, support = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0, labels=range(len(EVENT_TYPES)))
    for i, event_type in enumerate(EVENT_TYPES):
        scores[event_type] = {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(support[i])}
    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="micro", zero_division=0)
    scores["micro avg"] = {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(y_true.sum())}
    return scores


def score(documents: Sequence[Document], predictions: Sequence[DocumentPrediction]) -> dict:
    """Every score of the reports: strict and lenient spans, sentences, events."""
    return {
        "spans": span_scores(documents, predictions),
        "spans (lenient)": lenient_span_scores(documents, predictions),
        "sentences": sentence_scores(documents, predictions),
        "events": event_scores(documents, [p.events for p in predictions]),
    }


def negative_rate(documents: Sequence[Document], predictions: Sequence[DocumentPrediction]) -> dict[str, float]:
    """Events fired per document that reports no event at all."""
    negatives = [(d, p) for d, p in zip(documents, predictions) if not any(d.event_types(s) for s in d.sentences)]
    fired = sum(len(p.events) for _, p in negatives)
    return {"negative_documents": len(negatives), "events_fired": fired,
            "events_per_negative_document": fired / len(negatives) if negatives else 0.0}


def prediction_from_result(document: Document, result: dict) -> DocumentPrediction:
    """A service response object for ``document`` as a ``DocumentPrediction``."""
    spans = [Span(s["start"], s["end"], s["label"], s.get("score")) for s in result["spans"]]
    types = {s["index"]: set(s["types"]) for s in result["sentences"]}
    return DocumentPrediction(spans, [types.get(s.index, set()) for s in document.sentences], result["events"])


def prediction_from_spans(document: Document, spans: list[Span], sentence_types: list[set[str]]) -> DocumentPrediction:
    """A prediction made of spans and sentence types only (baselines), with events assembled as the model's are."""
    from model.events import assemble

    kept, events = [], []
    for sentence, types in zip(document.sentences, sentence_types):
        inside = [s for s in spans if sentence.start <= s.start and s.end <= sentence.end]
        probs = {t: float(t in types) for t in ("attack", "retaliation")}
        assembled = assemble(document.text, inside, probs, 0.5, sentence.index)
        kept += assembled.spans
        events += assembled.events
    return DocumentPrediction(kept, sentence_types, events)


def overlap_matches(gold: Sequence[Span], pred: Sequence[Span]) -> int:
    """How many (gold, predicted) pairs of overlapping spans can be matched one-to-one.

    Each span is matched at most once, so a sentence-long prediction finds one gold
    span, not all of them, and a gold span predicted in four pieces counts once. A
    bipartite assignment maximises the number of matched pairs, then their shared characters.
    """
    if not gold or not pred:
        return 0
    shared = np.array([[max(0, min(g.end, p.end) - max(g.start, p.start)) for p in pred] for g in gold], dtype=float)
    weight = (shared > 0) * (1 + shared / (shared.sum() + 1))  # a pair always outweighs any extra overlap
    rows, columns = linear_sum_assignment(weight, maximize=True)
    return int((shared[rows, columns] > 0).sum())


def lenient_span_scores(documents: Sequence[Document], predictions: Sequence[DocumentPrediction]) -> dict:
    """Overlap match, one-to-one: a predicted and a gold span of the same label that share a character match,
    each span at most once (``overlap_matches``)."""
    from model.labels import SPAN_LABELS

    counts = {label: [0, 0, 0] for label in SPAN_LABELS}  # matched pairs, pred, gold
    for document, prediction in zip(documents, predictions):
        for label in SPAN_LABELS:
            gold = [s for s in document.spans if s.label == label]
            pred = [s for s in prediction.spans if s.label == label]
            counts[label][0] += overlap_matches(gold, pred)
            counts[label][1] += len(pred)
            counts[label][2] += len(gold)

    def row(matched: int, pred: int, gold: int) -> dict[str, float]:
        precision = matched / pred if pred else 0.0
        recall = matched / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": precision, "recall": recall, "f1": f1, "support": gold}

    scores = {label: row(*c) for label, c in counts.items() if c[1] or c[2]}
    scores["micro avg"] = row(*[sum(c[i] for c in counts.values()) for i in range(3)])
    return scores


def gold_events(document: Document) -> list[dict]:
    """The events of a gold document, assembled by the same rule as predictions."""
    from model.events import assemble

    events = []
    for sentence in document.sentences:
        spans = document.spans_in(sentence)
        events += assemble(document.text, spans, {"attack": 0.0, "retaliation": 0.0}, 1.0, sentence.index).events
    return events


def prf(tp: int, pred: int, gold: int) -> dict[str, float]:
    """Precision, recall and F1 of ``tp`` matches among ``pred`` predicted and ``gold`` gold items (0 when undefined)."""
    precision = tp / pred if pred else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": gold}


@dataclass
class EventMatch:
    """Predicted events of one document set against its gold events (type and exact trigger)."""

    pairs: list[tuple[dict, dict]]  # (gold, predicted)
    false: list[dict]  # predicted events that match no gold event (those without a trigger included)
    missed: list[dict]  # gold events that no predicted event matches


def match_events(document: Document, events: Sequence[dict]) -> EventMatch:
    """Match ``events`` to the gold events of ``document``: same type and exact trigger offsets, each gold event once."""
    gold = {(e["type"], e["trigger"]["start"], e["trigger"]["end"]): e for e in gold_events(document)}
    pairs, false = [], []
    for event in events:
        key = (event["type"], event["trigger"]["start"], event["trigger"]["end"]) if event["trigger"] else None
        if key in gold:
            pairs.append((gold.pop(key), event))
        else:
            false.append(event)
    return EventMatch(pairs, false, list(gold.values()))


def event_scores(documents: Sequence[Document], predicted_events: Sequence[list[dict]]) -> dict:
    """Events match on type and exact trigger (``match_events``); arguments are scored inside matched events."""
    matched = predicted = gold_count = 0
    arg_tp = arg_pred = arg_gold = 0
    for document, events in zip(documents, predicted_events):
        match = match_events(document, events)
        matched += len(match.pairs)
        predicted += len(events)
        gold_count += len(match.pairs) + len(match.missed)
        for gold, event in match.pairs:
            truth = {(a["role"], a["start"], a["end"]) for a in gold["arguments"]}
            guess = {(a["role"], a["start"], a["end"]) for a in event["arguments"]}
            arg_tp += len(truth & guess)
            arg_pred += len(guess)
            arg_gold += len(truth)

    return {"events": prf(matched, predicted, gold_count), "arguments in matched events": prf(arg_tp, arg_pred, arg_gold)}
