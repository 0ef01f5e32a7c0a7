"""Scores of predictions against gold documents: spans with seqeval, sentences with scikit-learn.

Span scores are seqeval's strict IOB2 scores over the word tags of every
sentence (a span counts only with the exact label and word boundaries).
Sentence scores treat the two event types as a multi-label problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
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
    return {"spans": span_scores(documents, predictions), "sentences": sentence_scores(documents, predictions)}


def prediction_from_result(document: Document, result: dict) -> DocumentPrediction:
    """A service response object for ``document`` as a ``DocumentPrediction``."""
    spans = [Span(s["start"], s["end"], s["label"], s.get("score")) for s in result["spans"]]
    types = {s["index"]: set(s["types"]) for s in result["sentences"]}
    return DocumentPrediction(spans, [types.get(s.index, set()) for s in document.sentences])
