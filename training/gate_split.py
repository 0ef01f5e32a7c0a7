"""The promotion gate's fixed evaluation split: real articles that no model the gate compares is trained on.

The split is drawn once (``make_gate_split``: fold 0 of ``training.folds.held_out_folds``,
five folds, a fixed seed, so whole incidents and never a contrast document) and recorded in
the repository (``annotations/gate-split.json``). It holds documents by id and text hash and
whole incident groups (``meta.group``): a corrected version of a split article, or a new
article about a split incident, is held out too, so nothing of the split leaks into training.
``write_gate_split`` refuses to change a recorded split unless asked (``replace``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from model.atomic import atomic_write_text
from model.document import Document
from model.errors import UserError
from model.wording import counted
from training.folds import group_of, held_out_folds, is_constructed
from training.store import training_documents

SPLIT_FOLDS = 5


@dataclass(frozen=True)
class GateSplit:
    """The documents (id -> text sha256) and incident groups that are evaluated, never trained on."""

    documents: dict[str, str]
    groups: frozenset[str]
    note: str = ""

    @classmethod
    def of_documents(cls, documents: Sequence[Document], note: str = "") -> GateSplit:
        """A split holding exactly these documents and their incidents (``--eval FILE``)."""
        return cls(training_documents(documents), frozenset(group_of(d) for d in documents), note)

    def holds(self, document: Document) -> bool:
        """Whether ``document`` is in the split: a real article with its id, its text or its incident."""
        if is_constructed(document):
            return False
        return document.id in self.documents or document.sha256 in self.texts or group_of(document) in self.groups

    @cached_property
    def texts(self) -> frozenset[str]:
        return frozenset(self.documents.values())

    def to_json(self) -> dict[str, Any]:
        return {"note": self.note, "groups": sorted(self.groups), "documents": dict(sorted(self.documents.items()))}


def make_gate_split(documents: Sequence[Document], seed: int, made_from: Sequence[str]) -> GateSplit:
    """Fold 0 of ``SPLIT_FOLDS`` seeded folds of the real articles, whole incidents."""
    folds = held_out_folds(documents, SPLIT_FOLDS, seed)
    if not folds:
        raise UserError("the data holds no real article to put in the evaluation split")
    held = [documents[i] for i in folds[0]]
    note = (f"The promotion gate's evaluation split (arabic-events gate-split): fold 0 of "
            f"training.folds.held_out_folds(real documents of {', '.join(made_from)}, {SPLIT_FOLDS} folds, seed {seed}), "
            f"{len(held)} of {sum(not is_constructed(d) for d in documents)} real documents, whole incidents, no contrast "
            "document. retrain trains neither the candidate nor the reference it compares on these documents, "
            "their incidents, or any document with their text.")
    return GateSplit.of_documents(held, note)


def read_gate_split(path: Path) -> GateSplit:
    if not path.exists():
        raise UserError(f"{path}: no such evaluation split; make one with 'arabic-events gate-split' or give --eval FILE")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        split = GateSplit(dict(raw["documents"]), frozenset(raw["groups"]), str(raw.get("note", "")))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise UserError(f"{path}: not an evaluation split (a JSON object with 'documents' and 'groups'): {exc}") from None
    if not split.documents:
        raise UserError(f"{path}: the evaluation split holds no document")
    return split


def write_gate_split(path: Path, split: GateSplit, replace: bool = False) -> str:
    """Record ``split`` at ``path``; a different recorded split is kept unless ``replace``. Says what it did."""
    if path.exists():
        recorded = read_gate_split(path)
        if recorded.documents == split.documents and recorded.groups == split.groups:
            return f"{path} already holds this split ({counted(len(split.documents), 'document')}); unchanged"
        changed = len(set(recorded.documents.items()) ^ set(split.documents.items()))
        if not replace:
            raise UserError(f"{path} holds a different split ({counted(changed, 'document')} would go in or out); "
                            "pass --replace to change it (the gate's numbers before and after are then not comparable)")
    atomic_write_text(path, json.dumps(split.to_json(), ensure_ascii=False, indent=1) + "\n")
    return f"wrote {path}: {counted(len(split.documents), 'document')} in {counted(len(split.groups), 'incident')}"
