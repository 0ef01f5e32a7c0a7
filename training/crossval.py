"""Cross-validation by document: the honest number on a corpus this small.

Documents that report the same incident share ``meta.group`` and always stay in
the same fold. With ``folds`` equal to the number of groups (the default) this
is leave-one-article-out.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from rich.console import Console

from model.document import Document
from model.predictor import EventExtractor
from training.baselines import baseline_predictions
from training.config import TrainConfig
from training.evaluation import predict_documents
from training.metrics import DocumentPrediction, score
from training.store import data_fingerprint, inference_settings
from training.trainer import train


def group_of(document: Document) -> str:
    return str(document.meta.get("group") or document.id)


def make_folds(documents: Sequence[Document], folds: int | None, seed: int) -> list[list[int]]:
    """Lists of document indices; whole groups per fold, groups shuffled with ``seed``."""
    groups: dict[str, list[int]] = {}
    for i, document in enumerate(documents):
        groups.setdefault(group_of(document), []).append(i)
    names = sorted(groups)
    random.Random(seed).shuffle(names)
    count = len(names) if not folds else min(folds, len(names))
    buckets: list[list[int]] = [[] for _ in range(count)]
    for k, name in enumerate(names):
        buckets[k % count].extend(groups[name])
    return [sorted(b) for b in buckets]


def crossvalidate(
    config: TrainConfig, documents: Sequence[Document], folds: int | None = None, console: Console | None = None
) -> dict[str, Any]:
    console = console or Console(stderr=True)
    plan = make_folds(documents, folds, config.seed)
    model_predictions: dict[int, DocumentPrediction] = {}
    int8_predictions: dict[int, DocumentPrediction] = {}
    baseline: dict[int, DocumentPrediction] = {}
    per_fold = []
    seconds = 0.0
    for k, test_ids in enumerate(plan, start=1):
        test = [documents[i] for i in test_ids]
        training = [d for i, d in enumerate(documents) if i not in set(test_ids)]
        console.print(f"fold {k}/{len(plan)}: test {', '.join(d.id for d in test)}")
        result = train(config, training)
        seconds += result.seconds
        extractor = EventExtractor(result.model, result.tokenizer, **inference_settings(config))
        fold_model = predict_documents(extractor, test)
        quantized = EventExtractor(result.model, result.tokenizer, precision="int8", **inference_settings(config))
        int8_predictions.update(zip(test_ids, predict_documents(quantized, test)))
        fold_baseline = baseline_predictions(training, test)
        model_predictions.update(zip(test_ids, fold_model))
        baseline.update(zip(test_ids, fold_baseline))
        per_fold.append({"test": [d.id for d in test], "model": score(test, fold_model), "baseline": score(test, fold_baseline),
                         "train_seconds": round(result.seconds, 1), "final_loss": round(result.final_loss, 5)})
    order = range(len(documents))
    return {
        "config": config.to_dict(),
        "data_sha256": data_fingerprint(documents),
        "folds": len(plan),
        "documents": len(documents),
        "train_seconds_total": round(seconds, 1),
        "pooled": {
            "model": score(documents, [model_predictions[i] for i in order]),
            "model (int8)": score(documents, [int8_predictions[i] for i in order]),
            "baseline": score(documents, [baseline[i] for i in order]),
        },
        "per_fold": per_fold,
    }
