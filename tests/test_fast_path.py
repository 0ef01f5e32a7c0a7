"""The fast path of inference gives what the plain model gives, on every seed article.

The extractor packs several windows into one row, batches rows of similar length and runs
PyTorch's fused attention (SDPA). The reference here is the plainest use of the same weights:
each window alone, through the model's ordinary forward with the eager attention. Spans, sentence
types and events must be identical, and every score equal to the fourth decimal.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from model.tagger import EventTagger
from tests.conftest import comparable


@torch.inference_mode()
def each_window_alone(model: EventTagger, windows: list[list[int]]) -> tuple[list[np.ndarray], np.ndarray]:
    """Tag and type probabilities per window, one window per forward call, without packing."""
    tags, types = [], []
    for ids in windows:
        row = torch.tensor([ids])
        output = model(input_ids=row, attention_mask=torch.ones_like(row))
        tags.append(output.token_logits[0].softmax(-1).numpy())
        types.append(output.sentence_logits[0].sigmoid().numpy())
    return tags, np.stack(types)


def scores(result: dict) -> list[float]:
    return [s["score"] for s in result["spans"]] + [v for s in result["sentences"] for v in s["scores"].values()]


def test_packed_batched_sdpa_inference_equals_each_window_alone_with_eager_attention(tiny_extractor, corpus, monkeypatch):
    extractor = tiny_extractor
    articles = [(d.id, d.text) for d in corpus]
    extractor.model.encoder.set_attn_implementation("sdpa")
    fast = extractor.extract_many(articles)

    extractor.model.encoder.set_attn_implementation("eager")
    monkeypatch.setattr(extractor, "_forward", lambda windows: each_window_alone(extractor.model, windows))
    plain = [extractor.extract(text, doc_id) for doc_id, text in articles]

    assert sum(len(r["events"]) for r in plain) > 0  # the comparison covers events, not only empty results
    for got, expected in zip(fast, plain):
        assert comparable(got) == comparable(expected), expected["id"]
        np.testing.assert_allclose(scores(got), scores(expected), atol=1e-4)
