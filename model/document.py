"""The annotated article: ``Document`` holds the text, its ``Span``s and metadata.

A span is born here, as a character range of the original text with a label;
``model.bio`` turns spans into word tags and back, and nothing ever edits
``Document.text``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from model.labels import TRIGGER_TO_EVENT, is_trigger
from model.text_units import Sentence, Token, split_sentences, tokenize


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """``text[start:end]`` carries ``label``; ``score`` is set on predictions only."""

    start: int
    end: int
    label: str
    score: float | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"start": self.start, "end": self.end, "label": self.label}
        if self.score is not None:
            record["score"] = round(self.score, 4)
        return record

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(eq=False)
class Document:
    """One article of the corpus, in the scheme's JSONL format."""

    id: str
    text: str
    spans: list[Span] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def sentences(self) -> list[Sentence]:
        return split_sentences(self.text)

    @property
    def sha256(self) -> str:
        return text_sha256(self.text)

    def span_text(self, span: Span) -> str:
        return self.text[span.start : span.end]

    def tokens(self, sentence: Sentence) -> list[Token]:
        return tokenize(self.text, sentence.start, sentence.end)

    def spans_in(self, sentence: Sentence) -> list[Span]:
        return [s for s in self.spans if sentence.start <= s.start and s.end <= sentence.end]

    def event_types(self, sentence: Sentence) -> set[str]:
        """A sentence's event types: those of the triggers it contains (never stored)."""
        return {TRIGGER_TO_EVENT[s.label] for s in self.spans_in(sentence) if is_trigger(s.label)}

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "spans": [s.to_json() for s in sorted(self.spans)],
            "meta": self.meta,
        }


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
