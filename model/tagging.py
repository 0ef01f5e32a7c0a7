"""Tagging many articles with progress: sentences go to the model in calls of bounded size, so
that a long article reports as it goes instead of running for minutes in silence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from model.predictor import EventExtractor, build_results, split_articles


def extract_with_progress(
    extractor: EventExtractor,
    articles: Sequence[tuple[str | None, str]],
    advance: Callable[[int, int], None],
    articles_per_batch: int = 8,
    sentences_per_call: int = 256,
) -> list[dict[str, Any]]:
    """The response object for each ``(id, text)``, as ``extractor.extract_many`` gives it.

    ``advance(characters, articles)`` is called after each model call with the characters of
    the sentences it tagged, and after each batch with the rest of its characters and the
    number of its articles: over a run, the characters add up to the articles' length.
    """
    results: list[dict[str, Any]] = []
    for begin in range(0, len(articles), articles_per_batch):
        batch = articles[begin : begin + articles_per_batch]
        per_article, sentences = split_articles([text for _, text in batch])
        taggings, reported = [], 0
        for first in range(0, len(sentences), sentences_per_call):
            call = sentences[first : first + sentences_per_call]
            taggings += extractor.tag_sentences(call)
            advance(sum(map(len, call)), 0)
            reported += sum(map(len, call))
        results += build_results(batch, per_article, taggings, extractor.threshold, extractor.model_info,
                                 extractor.operating_point)
        advance(sum(len(text) for _, text in batch) - reported, len(batch))  # the space between sentences
    return results
