"""Folding new annotations into the corpus and into a better model, without breaking what is served.

1. The new batch is validated whole: one invalid article refuses it, nothing is merged.
2. It is merged into the corpus by id and by text hash; a replaced article goes to the history
   file first, so no version is ever lost. Both files are written atomically. A version without
   spans never replaces one with spans unless ``allow_emptying`` (``model.merging``).
3. The promotion gate (``training.gate``) compares two models that were both trained without the
   evaluation split (``training.gate_split``, or the ``--eval`` documents), on that split: a
   candidate (the config on the data after the merge) and a reference of what is served (the
   served model's config on the data before the merge). No model is scored on a document it
   was trained on: each is checked through the training documents its metadata records.
4. The candidate passes if its event F1 is not lower than the reference's by more than the
   config's tolerance (or ``force``), never if both score zero, and never if the training data
   lost spans in the merge, unless ``allow_emptying`` (``promotion_verdict``).
5. The candidate is stored either way with the gate's numbers (it is the next retrain's reference
   when its config is served then). If it passes, the model promoted is trained anew on
   everything the config's data holds, the split included, and stored with the same numbers.
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
from model.wording import counted
from training.config import TrainConfig
from training.folds import is_constructed
from training.gate import gate_scores, reference_for, served_config
from training.gate_split import GateSplit, read_gate_split
from training.store import (data_fingerprint, get_stored, inference_settings, load_extractor, promote, save_to_store,
                            served_tag, training_documents)
from training.trainer import train

@dataclass
class MergeResult:
    added: list[str]
    replaced: list[str]


@dataclass
class RetrainOutcome:
    merge: MergeResult
    candidate_tag: str
    #: the model trained on everything and promoted, if the candidate passed
    promoted_tag: str | None
    served_before: str | None
    reference_tag: str | None
    #: the gate's numbers: both models trained without the evaluation split, scored on it
    gate: dict[str, Any]
    reason: str

    @property
    def candidate_scores(self) -> dict[str, Any]:
        return self.gate["candidate"]

    @property
    def reference_scores(self) -> dict[str, Any] | None:
        return self.gate["reference"]


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


def event_f1(scores: dict[str, Any]) -> float:
    return float(scores["events"]["events"]["f1"])


def span_count(documents: Sequence[Document]) -> int:
    return sum(len(d.spans) for d in documents)


def promotion_verdict(
    candidate_scores: dict[str, Any],
    reference_scores: dict[str, Any] | None,
    spans_before: int,
    spans_after: int,
    tolerance: float,
    force: bool = False,
    allow_emptying: bool = False,
) -> tuple[bool, str]:
    """Whether to promote the candidate, and why.

    ``reference_scores`` are those of the reference of the served model (``training.gate``), None
    when nothing is served. Two refusals come before the scores are compared and ``force`` does
    not lift them: a candidate that, like the reference, finds no event at all on the evaluation
    split shows nothing (an emptied corpus scores 0.000 against 0.000, within any tolerance); and a
    batch that left the training data with fewer spans than before is promoted only if
    losing them was asked for (``allow_emptying``).
    """
    candidate_f1 = event_f1(candidate_scores)
    reference_f1 = event_f1(reference_scores) if reference_scores is not None else None
    if candidate_f1 == 0 and not reference_f1:
        scored = "as the reference" if reference_f1 is not None else "and no model was served before"
        return False, f"event F1 0.000 on the evaluation split, {scored}: nothing shows that it works"
    if spans_after < spans_before and not allow_emptying:
        return False, (f"the training data lost spans ({spans_before} before the merge, {spans_after} after); "
                       "give --allow-emptying if that was meant")
    if reference_f1 is None:
        return True, "no model was served before"
    if force:
        return True, "--force"
    promoted = reference_f1 - candidate_f1 <= tolerance
    verdict = "within" if promoted else "beyond"
    return promoted, f"event F1 {candidate_f1:.3f} vs {reference_f1:.3f}: {verdict} the tolerance {tolerance}"


GATE_NOTE = ("candidate and reference were both trained without the evaluation split and scored on it; "
             "a model promoted after them is trained on all the data, the split included")


def retrain(
    new: Sequence[Document],
    config: TrainConfig,
    data_paths: Sequence[Path],
    corpus_path: Path,
    history_path: Path,
    split_path: Path,
    eval_documents: Sequence[Document] | None = None,
    force: bool = False,
    say: Callable[[str], None] = print,
    allow_emptying: bool = False,
) -> RetrainOutcome:
    """Merge ``new``, gate a candidate against the served model's reference, promote one trained on everything.

    The evaluation split is ``eval_documents`` when given, else the split recorded at ``split_path``.
    """
    if not new:
        raise UserError("the new batch holds no article")
    if eval_documents is not None and not eval_documents:
        raise UserError("--eval: the file holds no article to compare on")
    constructed = [d.id for d in eval_documents or () if is_constructed(d)]
    if constructed:
        raise UserError(f"--eval: {', '.join(constructed)}: constructed text (the contrast set); the gate scores real articles only")
    split = GateSplit.of_documents(eval_documents) if eval_documents is not None else read_gate_split(split_path)
    before = read_corpus(data_paths, say=say)
    if eval_documents is None and not any(split.holds(d) for d in before):
        raise UserError(f"none of the {counted(len(split.documents), 'document')} of the evaluation split {split_path} is in "
                        "the training data (are the stand-off texts fetched?); compare on others with --eval FILE")
    try:
        served_before: str | None = served_tag()
    except UserError:
        served_before = None
    reference_config = served_config(served_before) if served_before else None

    merge = merge_into_corpus(corpus_path, history_path, new, allow_emptying)
    say(f"merged: {len(merge.added)} added, {len(merge.replaced)} replaced (old versions in {history_path})")
    documents = read_corpus(data_paths, say=lambda _: None)  # its notes were said above
    spans_before, spans_after = span_count(before), span_count(documents)
    say(f"training data: {counted(spans_after, 'span')} ({spans_before} before the merge)")
    evaluated = list(eval_documents) if eval_documents is not None else [d for d in documents if split.holds(d)]
    say(f"evaluation split: {counted(len(evaluated), 'real article')} ({'--eval' if eval_documents is not None else split_path}), "
        "trained on by neither model compared")

    reference_tag, reference_scores = None, None
    if served_before and reference_config:
        reference_tag = reference_for(served_before, reference_config, [d for d in before if not split.holds(d)], say)
        reference_scores = gate_scores(reference_tag, load_extractor(reference_tag),
                                       get_stored(reference_tag).info.metadata, evaluated)
    candidate_training = [d for d in documents if not split.holds(d)]
    say(f"training a candidate on {counted(len(candidate_training), 'document')}: the data after the merge, minus the split")
    result = train(config, candidate_training)
    candidate = EventExtractor(result.model, result.tokenizer, **inference_settings(config))
    candidate_scores = gate_scores("the candidate", candidate,
                                   {"training_documents": training_documents(candidate_training)}, evaluated)
    gate = {"split_sha256": data_fingerprint(evaluated), "split_documents": len(evaluated),
            "candidate": candidate_scores, "reference": reference_scores, "reference_tag": reference_tag,
            "note": GATE_NOTE}

    candidate_tag = save_to_store(result, config, candidate_training, {"gate": gate}, stage="candidate")
    promoted, reason = promotion_verdict(candidate_scores, reference_scores, spans_before, spans_after,
                                         config.promotion_tolerance, force, allow_emptying)
    if not promoted:
        return RetrainOutcome(merge, candidate_tag, None, served_before, reference_tag, gate, reason)
    say(f"the candidate passed ({reason}); training the model to promote on all {counted(len(documents), 'document')}, "
        "the evaluation split included")
    promoted_tag = save_to_store(train(config, documents), config, documents, {"gate": gate})
    promote(promoted_tag)
    return RetrainOutcome(merge, candidate_tag, promoted_tag, served_before, reference_tag, gate, reason)
