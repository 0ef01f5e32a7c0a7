"""Batch evaluation: a model (or a file of its predictions) against annotated articles."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from model.document import Document
from model.errors import UserError
from model.labels import EVENT_TYPES
from model.predictor import EventExtractor
from model.validation import Problem, iter_json_lines, read_bytes
from model.wording import counted
from training.metrics import DocumentPrediction, prediction_from_result, score
from training.pr_curves import precision_recall_curves
from training.store import data_fingerprint, seen_in_training


def counts(documents: Sequence[Document]) -> dict[str, int]:
    sentences = [(d, s) for d in documents for s in d.sentences]
    return {
        "documents": len(documents),
        "sentences": len(sentences),
        "event_sentences": sum(1 for d, s in sentences if d.event_types(s)),
        "spans": sum(len(d.spans) for d in documents),
    }


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_score(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1


def _has(item: Any, **types: Callable[[Any], bool]) -> bool:
    return isinstance(item, dict) and all(check(item.get(key)) for key, check in types.items())


def response_problem(result: Any) -> str | None:
    """What keeps ``result`` from being a response object of the service (as ``tag`` writes them), or None."""
    if not isinstance(result, dict):
        return "not a JSON object"
    offsets = {"start": _is_int, "end": _is_int}
    is_str = lambda v: isinstance(v, str)  # noqa: E731
    checks = {  # key: (what each entry holds, its check)
        "spans": ("start, end, label and text", lambda s: _has(s, **offsets, label=is_str, text=is_str)),
        "sentences": ("index, types and scores per event type", lambda s: _has(
            s, index=_is_int, types=lambda v: isinstance(v, list),
            scores=lambda v: v is None or isinstance(v, dict) and all(_is_score(x) for x in v.values()))),
        "events": ("type (attack or retaliation), sentence, score, trigger and arguments (role, start, end)", lambda e: _has(
            e, type=lambda v: v in EVENT_TYPES, sentence=_is_int, score=_is_score, trigger=lambda t: t is None or _has(t, **offsets),
            arguments=lambda a: isinstance(a, list) and all(_has(x, **offsets, role=is_str) for x in a))),
    }
    for key, (fields, check) in checks.items():
        if not isinstance(result.get(key), list):
            return f"not a response object of 'tag' or the service: no '{key}' list"
        bad = next((k for k, entry in enumerate(result[key]) if not check(entry)), None)
        if bad is not None:
            return f"'{key}' entry {bad} is not like the service's (expected {fields})"
    indices = {s["index"] for s in result["sentences"]}
    stray = next((k for k, e in enumerate(result["events"]) if e["sentence"] not in indices), None)
    if stray is not None:
        return f"'events' entry {stray} names sentence {result['events'][stray]['sentence']}, which 'sentences' does not hold"
    return None


def read_predictions(path: Path) -> list[dict[str, Any]]:
    """The response objects of a JSONL file; the first problem (with how many lines have one) is one error."""
    results, problems = [], []
    for number, parsed in iter_json_lines(read_bytes(path), str(path)):
        problem = parsed if isinstance(parsed, Problem) else response_problem(parsed)
        if problem is None:
            results.append(parsed)
        else:
            problems.append(problem if isinstance(problem, Problem) else Problem(str(path), number, problem))
    if problems:
        more = f" ({len(problems)} lines have problems)" if len(problems) > 1 else ""
        raise UserError(f"{problems[0]}{more}")
    if not results:
        raise UserError(f"{path}: no predictions in this file")
    seen = Counter(r.get("id") for r in results if r.get("id") is not None)
    twice = sorted((i for i, n in seen.items() if n > 1), key=str)
    if twice:
        raise UserError(f"{path}: more than one response for article {', '.join(map(str, twice[:5]))}: keep one per article")
    return results


def training_overlap_warnings(metadata: dict[str, Any], tag: str, gold: Sequence[Document]) -> list[str]:
    """A warning when evaluated articles are in the model's training data, or when that cannot be known."""
    seen = seen_in_training(metadata, gold)
    if seen is None:
        return [f"{tag} was stored without the list of its training documents: "
                "whether these articles were among them is unknown"]
    if not seen:
        return []
    shown = ", ".join(seen[:5]) + (", ..." if len(seen) > 5 else "")
    return [f"{len(seen)} of the {counted(len(gold), 'evaluated article')} {'is' if len(seen) == 1 else 'are'} in the training "
            f"data of {tag} ({shown}): its scores on {'it' if len(seen) == 1 else 'them'} overstate how it does on new articles"]


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
        kept = {(s["start"], s["end"]) for s in result["spans"]}
        for event in result["events"]:
            parts = ([event["trigger"]] if event["trigger"] else []) + event["arguments"]
            outside = next((p for p in parts if (p["start"], p["end"]) not in kept), None)
            if outside is not None:
                raise UserError(f"prediction for '{document.id}': an event's part {outside['start']}-{outside['end']} is not in its spans")
        aligned.append(prediction_from_result(document, result))
    return aligned


def evaluate(
    gold: Sequence[Document],
    model_predictions: Sequence[DocumentPrediction],
    model_tag: str,
    baseline_predictions: Sequence[DocumentPrediction] | None = None,
    warnings: Sequence[str] = (),
) -> dict[str, Any]:
    report = {
        "model": model_tag,
        "data": {"sha256": data_fingerprint(gold), **counts(gold)},
        "warnings": list(warnings),
        "scores": {"model": score(gold, model_predictions)},
        "precision_recall": precision_recall_curves(gold, [p.events for p in model_predictions]),
    }
    if baseline_predictions is not None:
        report["scores"]["baseline"] = score(gold, baseline_predictions)
    return report


def predict_responses(
    extractor: EventExtractor,
    documents: Sequence[Document],
    advance: Callable[[int], None] | None = None,
    chunk: int | None = None,
) -> list[dict[str, Any]]:
    """The extractor's response objects (as ``tag`` writes them) for annotated documents; ``chunk`` articles per call."""
    responses: list[dict[str, Any]] = []
    chunk = chunk or max(1, len(documents))
    for begin in range(0, len(documents), chunk):
        part = documents[begin : begin + chunk]
        responses += extractor.extract_many([(d.id, d.text) for d in part])
        if advance:
            advance(len(part))
    return responses


def predict_documents(
    extractor: EventExtractor,
    documents: Sequence[Document],
    advance: Callable[[int], None] | None = None,
    chunk: int | None = None,
) -> list[DocumentPrediction]:
    """The extractor's predictions for annotated documents; ``chunk`` articles per call (all by default)."""
    responses = predict_responses(extractor, documents, advance, chunk)
    return [prediction_from_result(d, r) for d, r in zip(documents, responses)]
