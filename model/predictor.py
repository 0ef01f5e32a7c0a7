"""Running a trained tagger: the one path the CLI, the service and evaluation share.

Two steps, so the service can put BentoML's adaptive batching between them:

* ``EventExtractor.tag_sentences`` takes sentence texts (from any number of
  articles), packs them into rows and forward calls (``model.batching``), reads each word's tag probabilities from
  its first sub-token (or the piece covering it), decodes them under IOB2 constraints and returns spans
  with offsets relative to each sentence, plus event-type probabilities.
* ``build_result`` puts an article back together: absolute offsets into the
  text exactly as given, events assembled per sentence, warnings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from model.batching import pack_batch, pack_rows, plan_batches
from model.bio import tags_to_spans
from model.decoding import decode_words
from model.document import Span
from model.encoding import EncodedSentence, encode_sentence
from model.errors import UserError
from model.events import assemble
from model.labels import BIO_TAGS
from model.operating_point import OperatingPoint, apply_operating_point
from model.precisions import PRECISIONS
from model.tagger import EventTagger
from model.text_units import Sentence, Token, split_sentences, tokenize

ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FC\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFC]")
NO_ARABIC_WARNING = "the text has no Arabic letters; nothing to tag"


def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (AVX512-BF16 or AMX).

    Elsewhere oneDNN emulates bf16, which is no faster than fp32 and less exact.
    """
    return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())


def checked_precision(precision: str, name: str = "precision") -> str:
    """``precision`` itself if it is one of ``PRECISIONS``; otherwise a one-line error naming where it came from."""
    if precision not in PRECISIONS:
        raise UserError(f"{name} must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    return precision


def resolve_precision(precision: str) -> str:
    """``auto`` is bf16 where the CPU has it natively (same spans as fp32 here, 2.5x faster), else fp32."""
    if checked_precision(precision) == "auto":
        return "bf16" if native_bf16() else "fp32"
    return precision


def quantize_int8(model: EventTagger) -> EventTagger:
    """A copy with dynamic int8 linear layers: weights stored as int8, activations quantized per batch.

    The faster CPU path (see BENCHMARKS.md for its speed-up and its cost in F1).
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization announces its move to torchao
        return torch.ao.quantization.quantize_dynamic(model.eval(), {torch.nn.Linear}, dtype=torch.qint8)


def bf16_linears(model: EventTagger) -> EventTagger:
    """A copy whose encoder linear layers hold bfloat16 weights; run it under CPU autocast.

    Autocast alone would cast every fp32 weight again on each forward call (about 5 ms
    of a 7 ms call on a short batch); the copy casts once. Embeddings, layer norms and
    the heads stay in float32, as autocast would keep them.
    """
    import copy

    copied = copy.deepcopy(model).eval()
    for module in copied.encoder.modules():
        if isinstance(module, torch.nn.Linear):
            module.to(torch.bfloat16)
    return copied


@dataclass
class SentenceTagging:
    """The model's reading of one sentence: spans relative to the sentence, type probabilities.

    ``tag_probs`` holds the token head's tag distribution (over ``BIO_TAGS``) of each word the
    model read, ``path_probs`` the probability of the tag the decoder chose for it: what the
    uncertainty measures of active learning and of the service's task scores are made of.
    """

    spans: list[Span]
    type_probs: dict[str, float]
    tag_probs: np.ndarray = field(default_factory=lambda: np.zeros((0, len(BIO_TAGS))))
    path_probs: np.ndarray = field(default_factory=lambda: np.zeros(0))


def has_arabic(text: str) -> bool:
    return ARABIC_LETTER.search(text) is not None


def article_sentences(text: str) -> list[Sentence]:
    """The sentences of an article that go to the model (none when it has no Arabic letter)."""
    return split_sentences(text) if has_arabic(text) else []


def build_result(
    doc_id: str | None,
    text: str,
    sentences: Sequence[Sentence],
    taggings: Sequence[SentenceTagging],
    threshold: float,
    model_info: dict[str, str],
    operating_point: OperatingPoint | None = None,
) -> dict[str, Any]:
    """The response object of the service (and of ``arabic-events tag``) for one article, at the model's operating point."""
    out_sentences, out_spans, out_events = [], [], []
    for sentence, tagging in zip(sentences, taggings, strict=True):
        spans = [Span(s.start + sentence.start, s.end + sentence.start, s.label, s.score) for s in tagging.spans]
        assembled = assemble(text, spans, tagging.type_probs, threshold, sentence.index)
        out_sentences.append(
            {
                "index": sentence.index,
                "start": sentence.start,
                "end": sentence.end,
                "types": assembled.types,
                "scores": {k: round(v, 4) for k, v in tagging.type_probs.items()},
            }
        )
        out_spans += [
            {"start": s.start, "end": s.end, "label": s.label, "text": text[s.start : s.end],
             "score": round(s.score or 0.0, 4), "sentence": sentence.index}
            for s in assembled.spans
        ]
        out_events += assembled.events
    return apply_operating_point({
        "id": doc_id,
        "model": model_info,
        "sentences": out_sentences,
        "spans": out_spans,
        "events": out_events,
        "warnings": [] if has_arabic(text) else [NO_ARABIC_WARNING],
    }, operating_point)


def split_articles(texts: Sequence[str]) -> tuple[list[list[Sentence]], list[str]]:
    """Each article's sentences, and all their texts in one flat list (the unit the model batches)."""
    per_article = [article_sentences(text) for text in texts]
    flat = [text[s.start : s.end] for text, sentences in zip(texts, per_article) for s in sentences]
    return per_article, flat


def build_results(
    articles: Sequence[tuple[str | None, str]],
    per_article: Sequence[Sequence[Sentence]],
    taggings: Sequence[SentenceTagging],
    threshold: float,
    model_info: dict[str, str],
    operating_point: OperatingPoint | None = None,
) -> list[dict[str, Any]]:
    """``build_result`` for each article, taking its share of the flat list of taggings."""
    return [
        build_result(doc_id, text, sentences, mine, threshold, model_info, operating_point)
        for (doc_id, text), sentences, mine in zip(articles, per_article, taggings_by_article(per_article, taggings))
    ]


def taggings_by_article(
    per_article: Sequence[Sequence[Sentence]], taggings: Sequence[SentenceTagging]
) -> list[Sequence[SentenceTagging]]:
    """The flat list of taggings (``split_articles`` order) cut back into each article's share."""
    shares, cursor = [], 0
    for sentences in per_article:
        shares.append(taggings[cursor : cursor + len(sentences)])
        cursor += len(sentences)
    return shares


def decode_sentence(words: Sequence[Token], encoded: EncodedSentence, window_probs: Sequence[np.ndarray]) -> SentenceTagging:
    """Spans of one sentence from the tag probabilities of its windows (one row per position).

    A word with a sub-token of its own is scored by the probability of its tag there. A
    word that continues the one before it inside a shared piece (``model.encoding``) takes
    that word's score, so a span's mean score counts each piece once per word it covers
    rather than a made-up certainty. The tagging's ``tag_probs``/``path_probs`` hold the words
    read from a sub-token of their own, each piece once. Event-type probabilities are the caller's.
    """
    emissions = np.zeros((len(words), len(BIO_TAGS)))  # uniform for a word no sub-token covers
    for w, reader in enumerate(encoded.reader):
        if reader is not None:
            emissions[w] = np.log(np.clip(window_probs[reader[0]][reader[1]], 1e-12, 1.0))
    path = decode_words(emissions, encoded.continues)
    scores: list[float] = []
    for w, t in enumerate(path):
        scores.append(scores[-1] if encoded.continues[w] and scores else float(np.exp(emissions[w, t])))
    own = [w for w, reader in enumerate(encoded.reader) if reader is not None and not encoded.continues[w]]
    return SentenceTagging(
        tags_to_spans(words, [BIO_TAGS[t] for t in path], scores), {},
        tag_probs=np.exp(emissions[own]), path_probs=np.array([scores[w] for w in own]),
    )


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
        precision: str = "fp32",
        operating_point: Mapping[str, Any] | None = None,
    ):
        self.precision = resolve_precision(precision)
        converted = {"int8": quantize_int8, "bf16": bf16_linears}.get(self.precision)
        self.model = converted(model) if converted else model.eval()
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.stride = stride
        self.threshold = threshold
        self.operating_point = None if operating_point is None else OperatingPoint.from_dict(
            operating_point, "the model's operating point")
        self.batch_size = batch_size  # packed rows per forward call
        self.tag = tag
        self.sentence_labels: list[str] = list(model.config.sentence_labels)

    @classmethod
    def from_directory(cls, path: Path, **settings: Any) -> EventExtractor:
        model = EventTagger.from_pretrained(path)
        tokenizer = AutoTokenizer.from_pretrained(path)
        return cls(model, tokenizer, **settings)

    @property
    def model_info(self) -> dict[str, str]:
        return {"tag": self.tag, "backbone": self.model.config.backbone, "precision": self.precision}

    def tag_sentences(self, texts: Sequence[str]) -> list[SentenceTagging]:
        """Spans (offsets relative to each text) and event-type probabilities for each sentence."""
        if not texts:
            return []
        words = [tokenize(text) for text in texts]
        encoded = self.tokenizer(list(texts), add_special_tokens=False, return_offsets_mapping=True)
        sentences = [
            encode_sentence(ids, offsets, w, 0, self.tokenizer, self.max_length, self.stride)
            for ids, offsets, w in zip(encoded["input_ids"], encoded["offset_mapping"], words)
        ]
        token_probs, type_probs = self._forward([window.input_ids for s in sentences for window in s.windows])

        results, cursor = [], 0
        for sentence, sentence_words in zip(sentences, words):
            windows = list(range(cursor, cursor + len(sentence.windows)))
            cursor += len(windows)
            tagging = decode_sentence(sentence_words, sentence, [token_probs[w] for w in windows])
            types = type_probs[windows].max(axis=0)  # an event in any window is an event of the sentence
            tagging.type_probs = {label: float(types[i]) for i, label in enumerate(self.sentence_labels)}
            results.append(tagging)
        return results

    @torch.inference_mode()
    def _forward(self, windows: list[list[int]]) -> tuple[list[np.ndarray], np.ndarray]:
        """Tag probabilities per window position, and event-type probabilities per window."""
        token_probs: list[np.ndarray] = [np.empty(0)] * len(windows)
        type_probs = np.zeros((len(windows), len(self.sentence_labels)))
        rows = pack_rows([len(w) for w in windows])
        row_lengths = [sum(len(windows[i]) for i in row) for row in rows]
        for batch in plan_batches(row_lengths, self.batch_size):
            ids, segments, placed = pack_batch(windows, [rows[r] for r in batch], self.tokenizer.pad_token_id)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16"):
                output = self.model.forward_packed(ids, segments)
            tags = output.token_logits.float().softmax(-1).numpy()
            types = output.sentence_logits.float().sigmoid().numpy()
            for k, (i, b, first) in enumerate(placed):
                token_probs[i] = tags[b, first : first + len(windows[i])]
                type_probs[i] = types[k]
        return token_probs, type_probs

    def extract_many(self, articles: Sequence[tuple[str | None, str]]) -> list[dict[str, Any]]:
        """The response object for each ``(id, text)``; all their sentences are batched together."""
        return self.extract_with_taggings(articles)[0]

    def extract_with_taggings(
        self, articles: Sequence[tuple[str | None, str]]
    ) -> tuple[list[dict[str, Any]], list[Sequence[SentenceTagging]]]:
        """``extract_many``, and the sentence taggings of each article (its per-word tag probabilities)."""
        per_article, sentences = split_articles([text for _, text in articles])
        taggings = self.tag_sentences(sentences)
        return (build_results(articles, per_article, taggings, self.threshold, self.model_info, self.operating_point),
                taggings_by_article(per_article, taggings))

    def extract(self, text: str, doc_id: str | None = None) -> dict[str, Any]:
        return self.extract_many([(doc_id, text)])[0]
