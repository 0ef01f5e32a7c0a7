"""Folding new annotations into the corpus and into a better model, without breaking what is served.

1. The new batch is validated whole: one invalid article refuses it, nothing is merged.
2. It is merged into the corpus by id and by text hash; a replaced article goes to the history
   file first, so no version is ever lost. Both files are written atomically. A version without
   spans never replaces one with spans unless ``allow_emptying`` (``model.merging``).
3. A candidate is trained with the same config on everything but the held-out articles.
4. Candidate and served model are scored on the same held-out articles.
5. The candidate is stored either way, labelled with its scores, and promoted only if its event
   F1 is not lower than the served model's by more than the config's tolerance (or ``force``),
   never if it and the served model both score zero, and never if the training data lost spans
   in the merge, unless ``allow_emptying`` (``promotion_verdict``).
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
from model.merging import EmptyingRefused, plan_merge
from model.predictor import EventExtractor
from training.config import TrainConfig
from training.evaluation import predict_documents
from training.folds import held_out_folds
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


def merge_into_corpus(
    corpus_path: Path, history_path: Path, new: Sequence[Document], allow_emptying: bool = False
) -> MergeResult:
    """Add or replace articles by id or text hash; replaced versions are appended to the history.

    Replacing an article that has spans by a version without any is refused (nothing is written)
    unless ``allow_emptying``.
    """
    plan = plan_merge(read_documents(corpus_path), new)
    if plan.emptying and not allow_emptying:
        raise EmptyingRefused(
            [f"{r.describe(str(corpus_path))}; pass --allow-emptying if its annotations are to go" for r in plan.emptying]
        )
    if plan.replacements:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        previous = history_path.read_text(encoding="utf-8") if history_path.exists() else ""
        lines = "".join(
            json.dumps({**r.old.to_json(), "replaced_at": now, "replaced_by": r.new.id}, ensure_ascii=False) + "\n"
            for r in plan.replacements
        )
        atomic_write_text(history_path, previous + lines)
    write_documents(corpus_path, plan.documents)
    return MergeResult([d.id for d in plan.added], [r.old.id for r in plan.replacements])


def _scores(extractor: EventExtractor, held_out: Sequence[Document]) -> dict[str, Any]:
    return score(held_out, predict_documents(extractor, held_out))


def event_f1(scores: dict[str, Any]) -> float:
    return float(scores["events"]["events"]["f1"])


def span_count(documents: Sequence[Document]) -> int:
    return sum(len(d.spans) for d in documents)


def promotion_verdict(
    candidate_scores: dict[str, Any],
    served_scores: dict[str, Any] | None,
    spans_before: int,
    spans_after: int,
    tolerance: float,
    force: bool = False,
    allow_emptying: bool = False,
) -> tuple[bool, str]:
    """Whether to promote the candidate, and why.

    Two refusals come before the scores are compared and ``force`` does not lift them: a
    candidate that, like the served model, finds no event at all on the held-out articles
    shows nothing (an emptied corpus scores 0.000 against 0.000, within any tolerance); and a
    batch that left the training data with fewer spans than before is promoted only if
    losing them was asked for (``allow_emptying``).
    """
    candidate_f1 = event_f1(candidate_scores)
    served_f1 = event_f1(served_scores) if served_scores is not None else None
    if candidate_f1 == 0 and not served_f1:
        scored = "as the served model" if served_f1 is not None else "and no model was served before"
        return False, f"event F1 0.000 on the held-out articles, {scored}: nothing shows that it works"
    if spans_after < spans_before and not allow_emptying:
        return False, (f"the training data lost spans ({spans_before} before the merge, {spans_after} after); "
                       "give --allow-emptying if that was meant")
    if served_f1 is None:
        return True, "no model was served before"
    if force:
        return True, "--force"
    promoted = served_f1 - candidate_f1 <= tolerance
    verdict = "within" if promoted else "beyond"
    return promoted, f"event F1 {candidate_f1:.3f} vs {served_f1:.3f}: {verdict} the tolerance {tolerance}"


def retrain(
    new: Sequence[Document],
    config: TrainConfig,
    data_paths: Sequence[Path],
    corpus_path: Path,
    history_path: Path,
    eval_documents: Sequence[Document] | None = None,
    force: bool = False,
    say: Callable[[str], None] = print,
    allow_emptying: bool = False,
) -> RetrainOutcome:
    if not new:
        raise UserError("the new batch holds no article")
    spans_before = span_count(read_corpus(data_paths, say=say))
    merge = merge_into_corpus(corpus_path, history_path, new, allow_emptying)
    say(f"merged: {len(merge.added)} added, {len(merge.replaced)} replaced (old versions in {history_path})")
    documents = read_corpus(data_paths, say=lambda _: None)  # its notes were said above
    spans_after = span_count(documents)
    say(f"training data: {spans_after} spans ({spans_before} before the merge)")
    if eval_documents is None:
        corpus_ids = {d.id for d in read_documents(corpus_path)}
        folds = held_out_folds(documents, 5, config.seed, corpus_ids)
        if not folds:
            raise UserError(f"{corpus_path} holds no real article to hold out; compare on one with --eval FILE")
        held_out = [documents[i] for i in folds[0]]
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

    promoted, reason = promotion_verdict(candidate_scores, served_scores, spans_before, spans_after,
                                         config.promotion_tolerance, force, allow_emptying)
    if promoted:
        promote(tag)
    return RetrainOutcome(merge, tag, served_before, candidate_scores, served_scores, promoted, reason)
