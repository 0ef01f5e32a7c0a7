"""How unsure the model is of an article, from the token head's per-word tag distributions.

Both measures are normalised by length, so a long article is not chosen for its length alone,
and lie in [0, 1]:

* ``entropy``: the mean over the article's words of the entropy of their tag distribution,
  divided by its maximum, log(number of tags);
* ``least_confidence``: one minus the geometric mean of the probabilities of the tags the
  decoder chose, i.e. one minus the length-normalised probability of the decoded path.

An article without a word the model read (no Arabic letter) scores 0: there is nothing to learn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from model.predictor import SentenceTagging

Measure = Callable[[Sequence[SentenceTagging]], float]


def entropy(taggings: Sequence[SentenceTagging]) -> float:
    """Length-normalised token entropy of one article's sentences, in [0, 1]."""
    probs = [t.tag_probs for t in taggings if len(t.tag_probs)]
    if not probs:
        return 0.0
    p = np.clip(np.concatenate(probs), 1e-12, 1.0)
    per_word = -(p * np.log(p)).sum(axis=1) / np.log(p.shape[1])
    return float(np.clip(per_word.mean(), 0.0, 1.0))


def least_confidence(taggings: Sequence[SentenceTagging]) -> float:
    """One minus the length-normalised probability of the decoded tag path, in [0, 1]."""
    chosen = [t.path_probs for t in taggings if len(t.path_probs)]
    if not chosen:
        return 0.0
    logs = np.log(np.clip(np.concatenate(chosen), 1e-12, 1.0))
    return float(1.0 - np.exp(logs.mean()))


MEASURES: dict[str, Measure] = {"entropy": entropy, "least-confidence": least_confidence}


def confidence(taggings: Sequence[SentenceTagging]) -> float:
    """The model's confidence in an article: one minus its token entropy (the task score Label Studio sorts by)."""
    return 1.0 - entropy(taggings)
