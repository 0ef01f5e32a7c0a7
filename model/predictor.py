"""Running a trained tagger over articles: the one path the CLI, the service and evaluation share.

``EventExtractor.extract_many`` batches the sentences of all given articles
together (sorted by length, padded per batch), reads each word's tag
probabilities from its first sub-token, decodes them under IOB2 constraints,
and assembles events. Offsets are always into the text exactly as given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from model.bio import tags_to_spans
from model.decoding import viterbi
from model.document import Span
from model.encoding import EncodedSentence, encode_sentence
from model.events import assemble
from model.labels import BIO_TAGS
from model.tagger import EventTagger
from model.text_units import Sentence, Token, split_sentences, tokenize

ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u06FA-\u06FC\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFC]")


@dataclass
class SentencePrediction:
    sentence: Sentence
    type_probs: dict[str, float]
    spans: list[Span]


@dataclass
class _Pending:
    article: int
    sentence: Sentence
    words: list[Token]
    encoded: EncodedSentence


class EventExtractor:
    def __init__(
        self,
        model: EventTagger,
        tokenizer: PreTrainedTokenizerBase,
        max_length: int = 128,
        stride: int = 32,
        threshold: float = 0.5,
        batch_size: int = 16,
        tag: str = "",
    ):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.stride = stride
        self.threshold = threshold
        self.batch_size = batch_size
        self.tag = tag
        self.sentence_labels: list[str] = list(model.config.sentence_labels)

    @classmethod
    def from_directory(cls, path: Path, **settings: Any) -> EventExtractor:
        model = EventTagger.from_pretrained(path)
        tokenizer = AutoTokenizer.from_pretrained(path)
        return cls(model, tokenizer, **settings)

    @property
    def backbone(self) -> str:
        return self.model.config.backbone

    # ------------------------------------------------------------ prediction

    def predict_sentences(
        self, texts: Sequence[str], on_article: Callable[[int], None] | None = None
    ) -> list[list[SentencePrediction]]:
        """Per article, per sentence: type probabilities and decoded spans.

        An article with no Arabic letter is not run through the model and gets no sentences.
        """
        located = [
            (article, sentence, tokenize(text, sentence.start, sentence.end))
            for article, text in enumerate(texts)
            if ARABIC_LETTER.search(text)
            for sentence in split_sentences(text)
        ]
        encoded = self.tokenizer(
            [texts[a][s.start : s.end] for a, s, _ in located] or [""], add_special_tokens=False, return_offsets_mapping=True
        )
        pending = [
            _Pending(article, sentence, words, encode_sentence(
                encoded["input_ids"][k], encoded["offset_mapping"][k], words, sentence.start,
                self.tokenizer, self.max_length, self.stride,
            ))
            for k, (article, sentence, words) in enumerate(located)
        ]
        token_probs, sentence_probs = self._forward([w.input_ids for p in pending for w in p.encoded.windows])

        results: list[list[SentencePrediction]] = [[] for _ in texts]
        cursor = 0
        for item in pending:
            count = len(item.encoded.windows)
            windows = range(cursor, cursor + count)
            cursor += count
            types = sentence_probs[list(windows)].max(axis=0)
            emissions = np.zeros((len(item.words), len(BIO_TAGS)))
            for w, reader in enumerate(item.encoded.reader):
                if reader is not None:
                    emissions[w] = np.log(np.clip(token_probs[windows[reader[0]]][reader[1]], 1e-12, 1.0))
            path = viterbi(emissions)
            chosen = [float(np.exp(emissions[w, t])) if item.encoded.reader[w] else 1.0 for w, t in enumerate(path)]
            spans = tags_to_spans(item.words, [BIO_TAGS[t] for t in path], chosen)
            type_probs = {label: float(types[i]) for i, label in enumerate(self.sentence_labels)}
            results[item.article].append(SentencePrediction(item.sentence, type_probs, spans))
        if on_article:
            for article in range(len(texts)):
                on_article(article)
        return results

    @torch.inference_mode()
    def _forward(self, windows: list[list[int]]) -> tuple[list[np.ndarray], np.ndarray]:
        """Token tag probabilities per window and sentence-type probabilities per window."""
        token_probs: list[np.ndarray] = [np.empty(0)] * len(windows)
        sentence_probs = np.zeros((len(windows), len(self.sentence_labels)))
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
        pad = self.tokenizer.pad_token_id
        for begin in range(0, len(order), self.batch_size):
            batch = order[begin : begin + self.batch_size]
            width = max(len(windows[i]) for i in batch)
            ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):
                ids[row, : len(windows[i])] = torch.tensor(windows[i])
                mask[row, : len(windows[i])] = 1
            output = self.model(input_ids=ids, attention_mask=mask)
            tags = output.token_logits.softmax(-1).numpy()
            types = output.sentence_logits.sigmoid().numpy()
            for row, i in enumerate(batch):
                token_probs[i] = tags[row, : len(windows[i])]
                sentence_probs[i] = types[row]
        return token_probs, sentence_probs

    # ------------------------------------------------------------ output

    def extract_many(
        self, articles: Sequence[tuple[str | None, str]], on_article: Callable[[int], None] | None = None
    ) -> list[dict[str, Any]]:
        """The service's response object for each ``(id, text)``."""
        predictions = self.predict_sentences([text for _, text in articles], on_article)
        return [self._result(doc_id, text, sentences) for (doc_id, text), sentences in zip(articles, predictions)]

    def extract(self, text: str, doc_id: str | None = None) -> dict[str, Any]:
        return self.extract_many([(doc_id, text)])[0]

    def _result(self, doc_id: str | None, text: str, sentences: list[SentencePrediction]) -> dict[str, Any]:
        out_sentences, out_spans, out_events = [], [], []
        for prediction in sentences:
            index = prediction.sentence.index
            assembled = assemble(text, prediction.spans, prediction.type_probs, self.threshold, index)
            out_sentences.append(
                {
                    "index": index,
                    "start": prediction.sentence.start,
                    "end": prediction.sentence.end,
                    "types": assembled.types,
                    "scores": {k: round(v, 4) for k, v in prediction.type_probs.items()},
                }
            )
            out_spans += [
                {"start": s.start, "end": s.end, "label": s.label, "text": text[s.start : s.end],
                 "score": round(s.score or 0.0, 4), "sentence": index}
                for s in assembled.spans
            ]
            out_events += assembled.events
        warnings = [] if ARABIC_LETTER.search(text) else ["the text has no Arabic letters; nothing to tag"]
        return {
            "id": doc_id,
            "model": {"tag": self.tag, "backbone": self.backbone},
            "sentences": out_sentences,
            "spans": out_spans,
            "events": out_events,
            "warnings": warnings,
        }
