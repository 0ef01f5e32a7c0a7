"""From annotated documents to a ``datasets.Dataset`` of labelled model windows.

Every sentence is an example, including the many with no event: they teach the
model that ``هجوم`` in a football report is not an attack.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from datasets import Dataset
from transformers import PreTrainedTokenizerBase

from model.bio import spans_to_tags
from model.document import Document
from model.encoding import encode_sentence
from model.labels import BIO_TAGS, EVENT_TYPES, TRIGGER_TO_EVENT
from model.text_units import Token

TAG_ID = {tag: i for i, tag in enumerate(BIO_TAGS)}


def sentence_records(documents: Sequence[Document]) -> list[dict[str, Any]]:
    """One record per sentence: its text, its words' offsets and their gold tags."""
    records = []
    for document in documents:
        for sentence in document.sentences:
            words = document.tokens(sentence)
            records.append(
                {
                    "doc_id": document.id,
                    "text": document.text[sentence.start : sentence.end],
                    "base": sentence.start,
                    "word_starts": [w.start for w in words],
                    "word_ends": [w.end for w in words],
                    "word_punct": [w.is_punct for w in words],
                    "tags": spans_to_tags(words, document.spans_in(sentence)),
                }
            )
    return records


def build_dataset(
    documents: Sequence[Document], tokenizer: PreTrainedTokenizerBase, max_length: int, stride: int
) -> Dataset:
    """Labelled windows: ``input_ids``, ``token_labels`` (-100 off first sub-tokens), ``sentence_labels``.

    A sub-token covering several words (``▁11:00``) carries the tag of the first; the
    words after it continue that tag at inference (``model.encoding``). With the bundled
    tokenizer, every gold span of the corpus can be expressed this way (31 contain such words).
    """

    def encode(batch: dict[str, list]) -> dict[str, list]:
        encoded = tokenizer(batch["text"], add_special_tokens=False, return_offsets_mapping=True)
        out: dict[str, list] = {"input_ids": [], "token_labels": [], "sentence_labels": []}
        for k, ids in enumerate(encoded["input_ids"]):
            words = [Token(s, e, p) for s, e, p in zip(batch["word_starts"][k], batch["word_ends"][k], batch["word_punct"][k])]
            sentence = encode_sentence(
                ids, encoded["offset_mapping"][k], words, batch["base"][k], tokenizer, max_length, stride
            )
            tags = batch["tags"][k]
            for window in sentence.windows:
                labels = [TAG_ID[tags[w]] if w >= 0 else -100 for w in window.word_at]
                types = {TRIGGER_TO_EVENT[tags[w][2:]] for w in window.word_at if w >= 0 and tags[w][2:] in TRIGGER_TO_EVENT}
                out["input_ids"].append(window.input_ids)
                out["token_labels"].append(labels)
                out["sentence_labels"].append([int(t in types) for t in EVENT_TYPES])
        return out

    records = Dataset.from_list(sentence_records(documents))
    return records.map(encode, batched=True, remove_columns=records.column_names, desc="encoding")


def collate(batch: list[dict[str, list[int]]], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad a batch to its longest window only."""
    width = max(len(x["input_ids"]) for x in batch)

    def padded(key: str, value: int) -> torch.Tensor:
        return torch.tensor([x[key] + [value] * (width - len(x[key])) for x in batch])

    input_ids = padded("input_ids", pad_id)
    return {
        "input_ids": input_ids,
        "attention_mask": (torch.arange(width)[None, :] < torch.tensor([len(x["input_ids"]) for x in batch])[:, None]).long(),
        "token_labels": padded("token_labels", -100),
        "sentence_labels": torch.tensor([x["sentence_labels"] for x in batch]),
    }


class LengthGroupedBatches:
    """Batches of windows of similar length, in a seeded random order: less padding per step.

    Windows are shuffled, cut into pools of ``pool`` batches, each pool sorted by
    length and cut into batches; then the batches are shuffled. Each epoch
    draws a new order from the same generator, so a run is reproducible.
    """

    def __init__(self, lengths: list[int], batch_size: int, seed: int, pool: int = 50):
        self.lengths = lengths
        self.batch_size = batch_size
        self.pool = pool
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return (len(self.lengths) + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        order = torch.randperm(len(self.lengths), generator=self.generator).tolist()
        size = self.batch_size * self.pool
        batches = []
        for begin in range(0, len(order), size):
            pool = sorted(order[begin : begin + size], key=lambda i: self.lengths[i])
            batches += [pool[k : k + self.batch_size] for k in range(0, len(pool), self.batch_size)]
        for index in torch.randperm(len(batches), generator=self.generator).tolist():
            yield batches[index]
