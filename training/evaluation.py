"""Batch evaluation: a model (or a file of its predictions) against annotated articles."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from model.document import Document
from model.predictor import EventExtractor
from training.metrics import DocumentPrediction, prediction_from_result, score
from training.store import data_fingerprint


def counts(documents: Sequence[Document]) -> dict[str, int]:
    sentences = [(d, s) for d in documents for s in d.sentences]
    return {
        "documents": len(documents),
        "sentences": len(sentences),
        "event_sentences": sum(1 for d, s in sentences if d.event_types(s)),
        "spans": sum(len(d.spans) for d in documents),
    }


def align_results(gold: Sequence[Document], results: Sequence[dict[str, Any]]) -> list[DocumentPrediction]:
    """Predictions in the order of ``gold``, matched by id; a missing or foreign text is an error."""
    from model.errors import UserError

    by_id = {r.get("id"): r for r in results}
    aligned = []
    for document in gold:
        result = by_id.get(document.id)
        if result is None:
            raise UserError(f"no prediction for article '{document.id}'")
        for span in result["spans"]:
            if document.text[span["start"] : span["end"]] != span["text"]:
                raise UserError(f"prediction for '{document.id}' does not fit its text (span {span['start']}-{span['end']})")
        aligned.append(prediction_from_result(document, result))
    return aligned


def evaluate(
    gold: Sequence[Document],
    model_predictions: Sequence[DocumentPrediction],
    model_tag: str,
    baseline_predictions: Sequence[DocumentPrediction] | None = None,
) -> dict[str, Any]:
    report = {
        "model": model_tag,
        "data": {"sha256": data_fingerprint(gold), **counts(gold)},
        "scores": {"model": score(gold, model_predictions)},
    }
    if baseline_predictions is not None:
        report["scores"]["baseline"] = score(gold, baseline_predictions)
    return report


def predict_documents(
    extractor: EventExtractor,
    documents: Sequence[Document],
    advance: Callable[[int], None] | None = None,
    chunk: int | None = None,
) -> list[DocumentPrediction]:
    """The extractor's predictions for annotated documents; ``chunk`` articles per call (all by default)."""
    predictions: list[DocumentPrediction] = []
    chunk = chunk or max(1, len(documents))
    for begin in range(0, len(documents), chunk):
        part = documents[begin : begin + chunk]
        outputs = extractor.extract_many([(d.id, d.text) for d in part])
        predictions += [prediction_from_result(d, o) for d, o in zip(part, outputs)]
        if advance:
            advance(len(part))
    return predictions
