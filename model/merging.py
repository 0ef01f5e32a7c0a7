"""Which stored version a new version of an article replaces, and the refusal to lose its spans.

A new version replaces the stored document with its id, else the one with its text (sha256),
in the order the new versions come. ``retrain --add`` (merging into the corpus) and
``POST /annotations`` (appending to the pending file) both go through ``plan_merge``, so both
refuse, in the same words, to replace a document that has spans by a version that has none:
losing annotations has to be asked for (``--allow-emptying``, ``allow_emptying``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from model.document import Document
from model.errors import AnnotationProblems
from model.wording import counted


@dataclass(frozen=True)
class Replacement:
    old: Document
    new: Document

    @property
    def empties(self) -> bool:
        """The new version has no span where the stored one had some."""
        return bool(self.old.spans) and not self.new.spans

    def describe(self, where: str) -> str:
        same = f"'{self.new.id}'" if self.new.id == self.old.id else f"'{self.new.id}' (same text as '{self.old.id}')"
        return (f"{same} has no span and would replace the version in {where} "
                f"that has {counted(len(self.old.spans), 'span')}")


@dataclass
class MergePlan:
    """The stored documents with the new versions in place, and what changed."""

    documents: list[Document]
    added: list[Document]
    replacements: list[Replacement]

    @property
    def emptying(self) -> list[Replacement]:
        return [r for r in self.replacements if r.empties]


def plan_merge(stored: Sequence[Document], new: Sequence[Document]) -> MergePlan:
    """Put each new version in place of the stored one with its id, else its text; add the others."""
    documents = list(stored)
    position_by_id = {d.id: i for i, d in enumerate(documents)}
    position_by_hash = {d.sha256: i for i, d in enumerate(documents)}
    added, replacements = [], []
    for document in new:
        position = position_by_id.get(document.id, position_by_hash.get(document.sha256))
        if position is None:
            position = len(documents)
            documents.append(document)
            added.append(document)
        else:
            replacements.append(Replacement(documents[position], document))
            documents[position] = document
        position_by_id[document.id] = position
        position_by_hash[document.sha256] = position
    return MergePlan(documents, added, replacements)


class EmptyingRefused(AnnotationProblems):
    """New versions without spans would replace documents that have some; one message per document."""
