"""What each source of annotations adds: cross-validation by document over the real texts.

The real documents (seeds, Syrian Archive, Wikinews) are split once into folds,
whole incident groups together. For every data setting, each fold's model is
trained on that setting's documents outside the fold (the contrast set, being
constructed text, is only ever trained on) and tested on *all* real documents
of the fold, so every setting is measured on the same articles: its own
sources, other conflicts, and the hard negatives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from model.document import Document
from training.baselines import baseline_predictions
from training.config import TrainConfig
from training.fold_cache import FoldCache, fold_outcome
from training.folds import is_constructed, make_folds
from training.metrics import DocumentPrediction, negative_rate, prediction_from_result, score
from training.store import data_fingerprint


ANNOTATIONS = Path(__file__).resolve().parent.parent / "annotations"

#: The sources of annotations in the order the ablation adds them, the real ones first, then the constructed
#: contrast set (only ever trained on): the last setting is configs/default.yaml's data, in its order.
SOURCE_FILES: dict[str, Path] = {
    "seeds": ANNOTATIONS / "corpus.jsonl",
    "syrian-archive": ANNOTATIONS / "standoff" / "syrian-archive.jsonl",
    "wikinews": ANNOTATIONS / "standoff" / "wikinews-ar.jsonl",
    "un": ANNOTATIONS / "standoff" / "unpc-2015.jsonl",
    "contrast": ANNOTATIONS / "contrast.jsonl",
}
SETTING_LABELS = {"syrian-archive": "+ Syrian Archive", "wikinews": "+ Wikinews", "un": "+ UN sentences",
                  "contrast": "+ contrast set"}


def cumulative_settings(small: TrainConfig, config: TrainConfig) -> list[tuple[str, list[str], TrainConfig]]:
    """The seeds alone (``small``), then each further source added in turn (``config``)."""
    names = list(SOURCE_FILES)
    return [("seeds", ["seeds"], small)] + [
        (SETTING_LABELS[name], names[: k + 1], config) for k, name in enumerate(names) if k > 0
    ]


def ablate(
    sources: dict[str, list[Document]],
    settings: list[tuple[str, list[str], TrainConfig]],
    folds: int,
    seed: int,
    console: Console,
    checkpoint: Callable[[dict[str, Any]], None] | None = None,
    cache: FoldCache | None = None,
) -> dict[str, Any]:
    """``sources``: name -> documents (constructed ones, ``training.folds.is_constructed``, are train-only);
    ``settings``: (label, source names to train on, config). Each setting keeps its fold models' response
    objects for every real document (``responses``, as ``tag`` writes them). ``cache``: finished folds of
    every setting are kept and taken from there (``training.fold_cache``), so an interrupted run resumes."""
    real = [(name, d) for name, docs in sources.items() for d in docs if not is_constructed(d)]
    plan = make_folds([d for _, d in real], folds, seed)
    results: dict[str, Any] = {"folds": [[real[i][1].id for i in fold] for fold in plan], "settings": {}}
    for label, names, config in settings:
        predictions: dict[str, DocumentPrediction] = {}
        responses: dict[str, dict[str, Any]] = {}
        baseline: dict[str, DocumentPrediction] = {}
        for k, fold in enumerate(plan, start=1):
            test_ids = {real[i][1].id for i in fold}
            training = [d for name in names for d in sources[name] if d.id not in test_ids]
            console.print(f"{label}: fold {k}/{len(plan)}, training on {len(training)} documents")
            test = [real[i][1] for i in fold]
            outcome = fold_outcome(config, training, test, ["fp32"], cache or FoldCache(None), console.print)
            responses.update({d.id: r for d, r in zip(test, outcome["responses"]["fp32"])})
            predictions.update({d.id: prediction_from_result(d, responses[d.id]) for d in test})
            baseline.update({d.id: p for d, p in zip(test, baseline_predictions(training, test))})
        per_source = {}
        for name in [n for n in sources if n in {m for m, _ in real}] + ["pooled"]:
            docs = [d for n, d in real if name in (n, "pooled")]
            preds = [predictions[d.id] for d in docs]
            trivial = [baseline[d.id] for d in docs]
            per_source[name] = {
                **score(docs, preds),
                "negatives": negative_rate(docs, preds),
                "baseline": {**score(docs, trivial), "negatives": negative_rate(docs, trivial)},
            }
        everything = [d for name in names for d in sources[name]]
        results["settings"][label] = {
            "train_sources": names,
            "config": config.to_dict(),
            # the data a model of this recipe trains on when nothing is held out: links it to stored models
            "data_sha256": data_fingerprint(everything),
            "scores": per_source,
            "responses": [responses[d.id] for _, d in real],
        }
        if checkpoint:
            checkpoint(results)  # a long run keeps every finished setting
    return results
