"""Cross-validation by document: the honest number on a corpus this small.

Documents that report the same incident share ``meta.group`` and always stay in
the same fold. With ``folds`` equal to the number of groups (the default) this
is leave-one-article-out. ``testable`` narrows the documents that are ever held
out (say, the seed articles): the others train in every fold and are never
scored, which is how a recipe trained on several sources is cross-validated on
one of them without a fold per document of every source. Only real documents
are ever held out, whole incident groups at a time (``training.folds``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from rich.console import Console

from model.document import Document
from model.errors import UserError
from model.predictor import native_bf16
from training.baselines import baseline_predictions
from training.config import TrainConfig
from training.fold_cache import FoldCache, fold_outcome
from training.folds import held_out_folds
from training.metrics import DocumentPrediction, negative_rate, prediction_from_result, score
from training.store import data_fingerprint


# The fold models are scored at each inference precision the product offers, so a faster path's
# cost in F1 is measured on the same folds as the default's.
PRECISION_SYSTEMS = {"model": "fp32", "model (bf16)": "bf16", "model (int8)": "int8"}
NO_NATIVE_BF16 = "bf16 not scored: this CPU has no bf16 in hardware (AVX512-BF16 or AMX); emulated, it runs many times slower than fp32"
EVERY_EVENT = ("the model's scores are of every event the fold models found: the config's operating_point is not applied "
               "(`arabic-events operating-point` scores it by nested cross-validation over these folds)")


def precision_systems() -> dict[str, str]:
    """``PRECISION_SYSTEMS`` this CPU runs at product speed: bf16 only where it is native (as ``auto`` chooses)."""
    return {name: p for name, p in PRECISION_SYSTEMS.items() if p != "bf16" or native_bf16()}


def crossvalidate(
    config: TrainConfig,
    documents: Sequence[Document],
    folds: int | None = None,
    console: Console | None = None,
    testable: Collection[str] | None = None,
    sources: Mapping[str, str] | None = None,
    cache: FoldCache | None = None,
) -> dict[str, Any]:
    """Per-fold and pooled scores of the model at each precision and of the baselines, on the held-out documents.

    ``testable``: ids of the documents to hold out (with their incident groups); by default every real one.
    ``sources``: document id -> the name of its source; the model's and the baseline's scores are then
    also pooled per source (``per_source``). The result's ``responses`` are the fp32 fold models' response
    objects for the held-out documents (as ``tag`` writes them, scores included), for error analysis and
    operating points without retraining. ``cache``: where finished folds are kept and taken from
    (``training.fold_cache``), so an interrupted run resumes.
    """
    console = console or Console(stderr=True)
    plan = held_out_folds(documents, folds, config.seed, testable)
    pool = sorted(i for fold in plan for i in fold)
    if not pool:
        raise UserError("no real document to hold out (constructed contrast documents are only ever trained on)")
    if any(len(fold) == len(documents) for fold in plan):
        raise UserError("cross-validation needs documents left to train on in every fold")
    systems = precision_systems()
    predictions: dict[str, dict[int, DocumentPrediction]] = {name: {} for name in [*systems, "baseline"]}
    responses: dict[int, dict[str, Any]] = {}
    per_fold = []
    seconds = 0.0
    for k, test_ids in enumerate(plan, start=1):
        test = [documents[i] for i in test_ids]
        training = [d for i, d in enumerate(documents) if i not in set(test_ids)]
        console.print(f"fold {k}/{len(plan)}: test {', '.join(d.id for d in test)}")
        outcome = fold_outcome(config, training, test, list(systems.values()), cache or FoldCache(None), console.print)
        seconds += outcome["train_seconds"]
        for name, precision in systems.items():
            answers = outcome["responses"][precision]
            predictions[name].update((i, prediction_from_result(documents[i], r)) for i, r in zip(test_ids, answers))
        responses.update(zip(test_ids, outcome["responses"]["fp32"]))
        predictions["baseline"].update(zip(test_ids, baseline_predictions(training, test)))
        per_fold.append({"test": [d.id for d in test], "train_seconds": outcome["train_seconds"], "final_loss": outcome["final_loss"],
                         **{name: score(test, [predictions[name][i] for i in test_ids]) for name in ("model", "baseline")}})
    scored = [documents[i] for i in pool]

    def pooled(indices: Sequence[int], system: str) -> dict[str, Any]:
        docs, preds = [documents[i] for i in indices], [predictions[system][i] for i in indices]
        return {"documents": len(docs), **score(docs, preds), "negatives": negative_rate(docs, preds)}

    by_source: dict[str, list[int]] = {}
    for i in pool:
        by_source.setdefault((sources or {}).get(documents[i].id, "unknown"), []).append(i)
    return {
        "config": config.to_dict(),
        "data_sha256": data_fingerprint(documents),
        "folds": len(plan),
        "documents": len(documents),
        "held_out_documents": [d.id for d in scored],
        "train_seconds_total": round(seconds, 1),
        "notes": ([] if "model (bf16)" in systems else [NO_NATIVE_BF16]) + ([EVERY_EVENT] if config.operating_point else []),
        "pooled": {name: pooled(pool, name) for name in predictions},
        "per_source": {} if sources is None else {
            source: {name: pooled(indices, name) for name in ("model", "baseline")} for source, indices in sorted(by_source.items())
        },
        "per_fold": per_fold,
        "responses": [responses[i] for i in pool],
    }
