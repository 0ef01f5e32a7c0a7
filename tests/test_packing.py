"""Packed inference: several windows in one row read exactly as each window alone."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoTokenizer

from model.backbones import resolve_backbone
from model.batching import pack_batch
from model.tagger import EventTagger

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny(corpus, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("ARABIC_EVENTS_CACHE", str(tmp_path_factory.mktemp("cache")))
    path = resolve_backbone("tiny:", (d.text for d in corpus))
    mp.undo()
    torch.manual_seed(0)
    return EventTagger.from_encoder(path, "tiny:").eval(), AutoTokenizer.from_pretrained(path)


def alone(model: EventTagger, ids: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    row = torch.tensor([ids])
    output = model(input_ids=row, attention_mask=torch.ones_like(row))
    return output.token_logits[0], output.sentence_logits[0]


def packed(model: EventTagger, windows: list[list[int]], rows: list[list[int]]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    ids, segments, placed = pack_batch(windows, rows, pad_id=1)
    output = model.forward_packed(ids, segments)
    return [(output.token_logits[r, first : first + len(windows[i])], output.sentence_logits[k]) for k, (i, r, first) in enumerate(placed)]


@pytest.mark.parametrize("attention", ["sdpa", "eager"])
@torch.inference_mode()
def test_packed_windows_match_each_window_alone(tiny, seed_004, attention):
    model, tokenizer = tiny
    model.encoder.set_attn_implementation(attention)
    sentences = [seed_004.text[s.start : s.end] for s in seed_004.sentences[:5]]
    windows = tokenizer(sentences)["input_ids"]
    rows = [[0, 1], [2], [3, 4]]  # rows of two, one and two windows; the shorter rows padded
    for (tokens, types), i in zip(packed(model, windows, rows), [0, 1, 2, 3, 4]):
        expected_tokens, expected_types = alone(model, windows[i])
        torch.testing.assert_close(tokens, expected_tokens, atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(types, expected_types, atol=1e-5, rtol=1e-4)
