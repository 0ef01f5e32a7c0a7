"""Folding new annotations into the corpus and into a better model, without breaking what is served.

1. The new batch is validated whole: one invalid article refuses it, nothing is merged.
2. It is merged into the corpus by id and by text hash; a replaced article goes to the history
   file first, so no version is ever lost. Both files are written atomically.
3. A candidate is trained with the same config on everything but the held-out articles.
4. Candidate and served model are scored on the same held-out articles.
5. The candidate is stored either way, labelled with its scores, and promoted only if its event
   F1 is not lower than the served model's by more than the config's tolerance (or ``force``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from model.atomic import atomic_write_text
from model.corpus_io import read_corpus, read_documents, write_documents
from model.document import Document
from model.errors import UserError
from model.predictor import EventExtractor
from training.config import TrainConfig
from training.crossval import make_folds
from training.evaluation import predict_documents
from training.metrics import score
from training.store import inference_settings, load_extractor, promote, save_to_store, served_tag
from training.trainer import train


@dataclass
class MergeResult:
    added: list[str]
    replaced: list[str]


@dataclass
class RetrainOutcome:
    merge: MergeResult
    candidate_tag: str
    served_before: str | None
    candidate_scores: dict[str, Any]
    served_scores: dict[str, Any] | None
    promoted: bool
    reason: str


def merge_into_corpus(corpus_path: Path, history_path: Path, new: Sequence[Document]) -> MergeResult:
    """Add or replace articles by id or text hash; replaced versions are appended to the history."""
    corpus = read_documents(corpus_path)
    position_by_id = {d.id: i for i, d in enumerate(corpus)}
    position_by_hash = {d.sha256: i for i, d in enumerate(corpus)}
    replaced_records, added, replaced = [], [], []
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for document in new:
        position = position_by_id.get(document.id, position_by_hash.get(document.sha256))
        if position is None:
            position_by_id[document.id] = len(corpus)
            position_by_hash[document.sha256] = len(corpus)
            corpus.append(document)
            added.append(document.id)
        else:
            old = corpus[position]
            replaced_records.append({**old.to_json(), "replaced_at": now, "replaced_by": document.id})
            corpus[position] = document
            position_by_id[document.id] = position
            position_by_hash[document.sha256] = position
            replaced.append(old.id)
    if replaced_records:
        previous = history_path.read_text(encoding="utf-8") if history_path.exists() else ""
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in replaced_records)
        atomic_write_text(history_path, previous + lines)
    write_documents(corpus_path, corpus)
    return MergeResult(added, replaced)


def _scores(extractor: EventExtractor, held_out: Sequence[Document]) -> dict[str, Any]:
    return score(held_out, predict_documents(extractor, held_out))


def event_f1(scores: dict[str, Any]) -> float:
    return float(scores["events"]["events"]["f1"])


def retrain(
    new: Sequence[Document],
    config: TrainConfig,
    data_paths: Sequence[Path],
    corpus_path: Path,
    history_path: Path,
    eval_documents: Sequence[Document] | None = None,
    force: bool = False,
    say: Callable[[str], None] = print,
) -> RetrainOutcome:
    if not new:
        raise UserError("the new batch holds no article")
    merge = merge_into_corpus(corpus_path, history_path, new)
    say(f"merged: {len(merge.added)} added, {len(merge.replaced)} replaced (old versions in {history_path})")
    documents = read_corpus(data_paths, say=say)
    if eval_documents is None:
        corpus_ids = {d.id for d in read_documents(corpus_path)}
        in_corpus = [d for d in documents if d.id in corpus_ids]
        held_out = [in_corpus[i] for i in make_folds(in_corpus, 5, config.seed)[0]]
    else:
        held_out = list(eval_documents)
    held_ids = {d.id for d in held_out}
    training = [d for d in documents if d.id not in held_ids]
    say(f"training a candidate on {len(training)} documents; {len(held_out)} held out: {', '.join(sorted(held_ids))}")
    result = train(config, training)
    candidate = EventExtractor(result.model, result.tokenizer, **inference_settings(config))
    candidate_scores = _scores(candidate, held_out)
    try:
        served_before: str | None = served_tag()
    except UserError:
        served_before = None
    served_scores = _scores(load_extractor(served_before), held_out) if served_before else None
    metrics = {"retrain_held_out": sorted(held_ids), "held_out_scores": candidate_scores}
    tag = save_to_store(result, config, training, metrics, stage="candidate")

    if served_scores is None:
        promoted, reason = True, "no model was served before"
    elif force:
        promoted, reason = True, "--force"
    else:
        gap = event_f1(served_scores) - event_f1(candidate_scores)
        promoted = gap <= config.promotion_tolerance
        verdict = "within" if promoted else "beyond"
        reason = f"event F1 {event_f1(candidate_scores):.3f} vs {event_f1(served_scores):.3f}: {verdict} the tolerance {config.promotion_tolerance}"
    if promoted:
        promote(tag)
    return RetrainOutcome(merge, tag, served_before, candidate_scores, served_scores, promoted, reason)

