"""What may be held out, and folds by incident: the one place every held-out split is drawn.

Only real articles are ever scored. The contrast set is constructed text written
by the team (``meta.kind == "contrast"``, ids ``contrast-*``): it is trained on,
never held out, so no reported figure includes it. Passages about the same
incident share ``meta.group`` and are held out together; groups are formed over
all real documents, so holding out one passage of an incident holds out the
whole incident rather than training on its other passages.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence

from model.document import Document

CONSTRUCTED_KIND = "contrast"


def is_constructed(document: Document) -> bool:
    """Whether ``document`` is constructed text (the contrast set) rather than a real article."""
    return document.meta.get("kind") == CONSTRUCTED_KIND or document.id.startswith(f"{CONSTRUCTED_KIND}-")


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


def holdable(documents: Sequence[Document], testable: Collection[str] | None = None) -> list[int]:
    """Indices of the documents that may be held out: real ones only, whole incident groups.

    ``testable`` (ids) narrows them to those documents and every real document of their
    groups; ``None`` means every real document.
    """
    real = [i for i, d in enumerate(documents) if not is_constructed(d)]
    if testable is None:
        return real
    groups = {group_of(documents[i]) for i in real if documents[i].id in testable}
    return [i for i in real if group_of(documents[i]) in groups]


def held_out_folds(
    documents: Sequence[Document], folds: int | None, seed: int, testable: Collection[str] | None = None
) -> list[list[int]]:
    """``make_folds`` over the ``holdable`` documents, as indices into ``documents``."""
    pool = holdable(documents, testable)
    return [[pool[j] for j in fold] for fold in make_folds([documents[i] for i in pool], folds, seed)]
