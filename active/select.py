"""Choosing the next articles to annotate: the model's least certain ones, without near-duplicates.

``select`` tags the whole pool once, ranks the articles by a strategy (``active.uncertainty``'s
measures, or a seeded shuffle as the baseline), and walks down the ranking taking an article
unless its text is a near-duplicate of one already taken (Jaccard similarity of their character
5-gram sets at or above ``max_similarity``): news wires repeat the same story with a changed
word or two, and labelling it twice teaches the model once.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from active.strategies import Strategy
from active.uncertainty import MEASURES, confidence
from model.predictor import EventExtractor
from serving.label_studio import prediction, read_label_config

SHINGLE = 5


@dataclass
class Candidate:
    id: str
    text: str
    uncertainty: float
    confidence: float
    result: dict[str, Any]  # the service's response object for the text


def shingles(text: str) -> frozenset[str]:
    """The text's character 5-grams, whitespace runs folded to one space (the whole text if shorter)."""
    folded = " ".join(text.split())
    return frozenset(folded[i : i + SHINGLE] for i in range(max(1, len(folded) - SHINGLE + 1)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def pick(ranked: Sequence[Candidate], n: int, max_similarity: float) -> list[Candidate]:
    """The first ``n`` of ``ranked`` that are not near-duplicates of one picked before them."""
    picked: list[tuple[Candidate, frozenset[str]]] = []
    for candidate in ranked:
        if len(picked) == n:
            break
        own = shingles(candidate.text)
        if all(jaccard(own, other) < max_similarity for _, other in picked):
            picked.append((candidate, own))
    return [candidate for candidate, _ in picked]


def score_pool(
    extractor: EventExtractor, articles: Sequence[tuple[str, str]], strategy: Strategy, batch: int = 8,
    progress: Callable[[int], None] = lambda n: None,
) -> list[Candidate]:
    """Every article tagged once, with its uncertainty under ``strategy`` (0 for ``random``)."""
    measure = MEASURES.get(strategy.value)
    candidates = []
    for begin in range(0, len(articles), batch):
        chunk = articles[begin : begin + batch]
        results, taggings = extractor.extract_with_taggings(chunk)
        for (doc_id, text), result, article_taggings in zip(chunk, results, taggings):
            uncertainty = measure(article_taggings) if measure else 0.0
            candidates.append(Candidate(doc_id, text, uncertainty, confidence(article_taggings), result))
        progress(len(chunk))
    return candidates


def rank(candidates: Sequence[Candidate], strategy: Strategy, seed: int) -> list[Candidate]:
    """Most uncertain first (ties in pool order); for ``random``, a shuffle seeded by ``seed``."""
    if strategy is Strategy.random:
        shuffled = list(candidates)
        random.Random(seed).shuffle(shuffled)
        return shuffled
    return sorted(candidates, key=lambda c: -c.uncertainty)


def label_studio_tasks(chosen: Sequence[Candidate], strategy: Strategy, model_version: str) -> list[dict[str, Any]]:
    """Label Studio tasks for the repository's labelling config, the model's spans as pre-annotations."""
    target = read_label_config(None)
    return [
        {
            "data": {"id": c.id, "text": c.text,
                     "meta": {"selected_by": strategy.value, "rank": rank_number, "uncertainty": round(c.uncertainty, 4)}},
            "predictions": [prediction(c.result, target, model_version, c.confidence)],
        }
        for rank_number, c in enumerate(chosen, start=1)
    ]
