"""What the classical baseline of a stored model trains on: that model's own training documents.

A baseline compared with a model on some gold articles must learn from what the
model learned from, minus those articles: never the gold itself, and never what
the model held out. The stored model's metadata names its training documents
(id -> text sha256, ``training.store``); they are read back from its config's
data files as they are now, and every difference from what the model saw is said.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from model.document import Document
from model.errors import UserError
from model.wording import counted
from training.store import data_fingerprint


def baseline_training_documents(
    metadata: dict[str, Any], available: Sequence[Document], evaluated: Sequence[Document]
) -> tuple[list[Document], list[str]]:
    """The model's training documents found in ``available`` (same id, same text), minus ``evaluated`` ones
    (same id or same text); and one-line notes on what differs from the model's own training data."""
    trained: dict[str, str] | None = metadata.get("training_documents")
    if trained is None:
        raise UserError("--baseline needs a model stored with its training documents; this one predates them: train it again")
    by_id = {d.id: d for d in available}
    found = [by_id[i] for i in trained if i in by_id and by_id[i].sha256 == trained[i]]
    evaluated_ids, evaluated_texts = {d.id for d in evaluated}, {d.sha256 for d in evaluated}
    chosen = [d for d in found if d.id not in evaluated_ids and d.sha256 not in evaluated_texts]
    notes = []
    if len(found) < len(trained):
        lost = sorted(set(trained) - {d.id for d in found})
        missing = "is missing or has" if len(lost) == 1 else "are missing or have"
        notes.append(f"{len(lost)} of the model's {counted(len(trained), 'training document')} {missing} another text now "
                     f"({', '.join(lost[:5])}{', ...' if len(lost) > 5 else ''}); the baseline trains without them")
    elif data_fingerprint(found) != metadata.get("data_sha256"):
        notes.append("the annotations of the model's training documents changed since it was trained (data_sha256 differs); "
                     "the baseline trains on them as they are now")
    if not chosen:
        raise UserError("no training document of the model is left for the baseline once the evaluated ones are removed")
    notes.append(f"baseline: trained on {len(chosen)} of the model's {counted(len(trained), 'training document')} "
                 f"({len(found) - len(chosen)} left out as evaluated)")
    return chosen, notes
