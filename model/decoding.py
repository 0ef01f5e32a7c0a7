"""Constrained decoding: the best IOB2-valid tag path over a sentence's word probabilities.

Plain argmax lets a multi-word span change label half-way (``سفينة إسرائيلية``
read as WEAPON + TARGET) or start with ``I-``; Viterbi over the allowed
transitions (``I-X`` only after ``B-X`` or ``I-X``) keeps one label per span.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from model.labels import BIO_TAGS


@lru_cache(maxsize=1)
def transition_mask() -> tuple[np.ndarray, np.ndarray]:
    """(allowed[prev, next], allowed_start[next]) as 0 / -inf log-weights."""
    n = len(BIO_TAGS)
    allowed = np.zeros((n, n))
    start = np.zeros(n)
    for j, tag in enumerate(BIO_TAGS):
        if tag.startswith("I-"):
            start[j] = -np.inf
            for i, prev in enumerate(BIO_TAGS):
                if prev[2:] != tag[2:]:
                    allowed[i, j] = -np.inf
    return allowed, start


def viterbi(log_probs: np.ndarray) -> list[int]:
    """Tag indices maximising the summed log-probabilities under the IOB2 constraints."""
    if len(log_probs) == 0:
        return []
    allowed, start = transition_mask()
    score = log_probs[0] + start
    back = np.zeros(log_probs.shape, dtype=np.int64)
    for t in range(1, len(log_probs)):
        candidates = score[:, None] + allowed
        back[t] = candidates.argmax(axis=0)
        score = candidates.max(axis=0) + log_probs[t]
    path = [int(score.argmax())]
    for t in range(len(log_probs) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


@lru_cache(maxsize=1)
def continuation() -> tuple[int, ...]:
    """For each tag index, the tag of a word continuing it: ``I-X`` after ``B-X`` or ``I-X``, ``O`` after ``O``."""
    return tuple(0 if tag == "O" else BIO_TAGS.index("I-" + tag[2:]) for tag in BIO_TAGS)


def decode_words(log_probs: np.ndarray, continues: Sequence[bool]) -> list[int]:
    """``viterbi`` over the words that have a sub-token of their own; each other word continues the word before it.

    A word inside another word's sub-token (``00`` of ``▁11:00``, see ``model.encoding``)
    has no prediction of its own and cannot start or end a span there. Its tag
    follows from its neighbour's, so it adds nothing to any path's score and the
    best path over the other words stays the best one. A first word with nothing
    to continue is ``O``.
    """
    own = [i for i, flag in enumerate(continues) if not flag]
    decoded = iter(viterbi(log_probs[own]))
    path: list[int] = []
    for flag in continues:
        path.append((continuation()[path[-1]] if path else 0) if flag else next(decoded))
    return path
