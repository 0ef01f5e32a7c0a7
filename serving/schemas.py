"""The service's response bodies as pydantic models: the API contract that ``/docs.json`` publishes.

The field names and their order are those of ``model.predictor.build_result``'s dicts
(the service validates each dict into ``ExtractResult``; pydantic serializes fields in
declaration order), so the JSON a client receives is the same as before the models existed.

``API_VERSION`` is the contract's version (``/metadata`` and the document's ``info.version``):
the major number goes up when a change can break a client (a field removed, renamed, retyped
or given another meaning; a new required request field; a status code changed), the minor
number when the contract only grows (a new endpoint, a new response field, a new optional
request field, a new label value).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from model.labels import ARGUMENT_LABELS, EVENT_TYPES, SPAN_LABELS
from model.operating_point import MIN_SCORE_RULE
from model.predictor import PRECISIONS

API_VERSION = "1.2"


def string_enum(name: str, values: tuple[str, ...], doc: str) -> type[StrEnum]:
    """A string enum: one named schema in /docs.json (one class in a generated client) for every field holding its values."""
    enum = StrEnum(name, [(value, value) for value in values])
    enum.__doc__ = doc
    return enum


EventType = string_enum("EventType", EVENT_TYPES, "An event type of the annotation scheme.")
SpanLabel = string_enum("SpanLabel", SPAN_LABELS, "A span label of the annotation scheme: a trigger or an argument role.")
ArgumentRole = string_enum("ArgumentRole", ARGUMENT_LABELS, "The role of an event's argument in the annotation scheme.")
Precision = string_enum("Precision", tuple(p for p in PRECISIONS if p != "auto"),
                        "Numeric precision the model runs in on this server (what `auto` resolved to).")

START = "Offset of the first character in the article's `text` as sent (a Python string index: Unicode code points, from 0)."
END = "Offset just past the last character: `text[start:end]` is the span's text."
SCORE = "The model's confidence, in [0, 1], rounded to 4 decimals."
SENTENCE = "`index` of the sentence the span lies in."

#: The optional ``min_score`` request field of ``/extract``, ``/extract_batch`` and ``/records``: a JSON
#: number (strict: not a string or a boolean) in [0, 1]; anything else is a 400 naming the field.
MinScore = Annotated[float | None, Field(ge=0, le=1, strict=True, allow_inf_nan=False, description=MIN_SCORE_RULE)]


class Contract(BaseModel):
    """A response object: every field always present, nothing beyond them."""

    model_config = ConfigDict(extra="forbid")


class ModelInfo(Contract):
    """Which model answered."""

    tag: str = Field(description="The model's BentoML tag, `arabic-event-tagger:<version>`.")
    backbone: str = Field(description="The encoder the model was fine-tuned from, e.g. `bundled:multilingual-e5-small`.")
    precision: Precision


class Sentence(Contract):
    """One sentence of the article as the service split it, with the event types it reports."""

    index: int = Field(ge=0, description="Position of the sentence in the article, from 0.")
    start: int = Field(ge=0, description=START)
    end: int = Field(ge=0, description="Offset just past the sentence's last character: `text[start:end]` is the sentence.")
    types: list[EventType] = Field(
        description="Event types the sentence reports: those the sentence classifier scores at or above the model's "
        "threshold, plus the type of every trigger found in it; with `min_score`, only the types of its events kept. "
        "Empty for a sentence without events."
    )
    scores: dict[str, float] = Field(
        description="The sentence classifier's probability for each event type (keys: `attack`, `retaliation`), "
        "in [0, 1], rounded to 4 decimals."
    )


class Span(Contract):
    """A labelled stretch of the text: a trigger (ATTACK, RETALIATION) or an argument of an event."""

    start: int = Field(ge=0, description=START)
    end: int = Field(ge=0, description=END)
    label: SpanLabel = Field(description="The span's label in the annotation scheme: a trigger or an argument role.")
    text: str = Field(description="`text[start:end]`, exactly as in the article.")
    score: float = Field(ge=0, le=1, description=SCORE)
    sentence: int = Field(ge=0, description=SENTENCE)


class Trigger(Contract):
    """The word or phrase that reports the event."""

    start: int = Field(ge=0, description=START)
    end: int = Field(ge=0, description=END)
    text: str = Field(description="`text[start:end]`, exactly as in the article.")


class Argument(Contract):
    """A participant or circumstance of an event, attached to the nearest trigger in its sentence."""

    role: ArgumentRole = Field(description="What the argument is to the event.")
    start: int = Field(ge=0, description=START)
    end: int = Field(ge=0, description=END)
    text: str = Field(description="`text[start:end]`, exactly as in the article.")
    score: float = Field(ge=0, le=1, description=SCORE)


class Event(Contract):
    """An attack or retaliation reported in one sentence, with its trigger and arguments."""

    type: EventType = Field(description="The event's type.")
    sentence: int = Field(ge=0, description="`index` of the sentence that reports the event.")
    score: float = Field(
        ge=0, le=1, description="The trigger's score; for an event without a trigger, the sentence classifier's "
        "probability of its type. In [0, 1], rounded to 4 decimals."
    )
    trigger: Trigger | None = Field(
        description="The trigger, or `null` when the sentence classifier found this event type in the sentence "
        "but the span tagger found no trigger of it (such an event has no arguments)."
    )
    arguments: list[Argument] = Field(description="The event's arguments, in text order.")


class ExtractResult(Contract):
    """The events of one article: its sentences, all labelled spans, and the events built from them."""

    id: str | None = Field(description="The `id` sent with the article, or `null`.")
    model: ModelInfo
    sentences: list[Sentence] = Field(description="Every sentence that went to the model, in text order.")
    spans: list[Span] = Field(
        description="Every trigger and argument kept, in text order. Arguments in a sentence without a trigger are "
        "dropped: the scheme has no arguments outside events."
    )
    events: list[Event] = Field(description="The events, sentence by sentence.")
    warnings: list[str] = Field(
        description="Why a result may be empty, e.g. `the text has no Arabic letters; nothing to tag`. Empty otherwise."
    )


class BatchResult(Contract):
    """One result per article sent, in the same order."""

    results: list[ExtractResult]


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer: a specific, one-line message."""

    error: str = Field(description="What was wrong, e.g. `text has 100001 characters; the limit is 100000`.")
    problems: list[str] | None = Field(
        default=None, description="Every problem found, when there can be several (`POST /annotations`)."
    )
    detail: list[dict[str, Any]] | None = Field(
        default=None, description="For a body that does not match the request schema: pydantic's error entries "
        "(`loc`, `msg`, `type`), which `error` sums up."
    )


class PendingReceipt(Contract):
    """A corrected article kept for retraining."""

    id: str = Field(description="The article's `id`.")
    pending: int = Field(ge=1, description="How many corrected articles now wait for the next `retrain --add`.")


class ServedModel(Contract):
    tag: str = Field(description="The model's BentoML tag.")
    backbone: str | None = Field(description="The encoder the model was fine-tuned from.")
    created: str | None = Field(description="When the model was trained (ISO 8601).")
    precision: Precision


class Labels(Contract):
    spans: list[SpanLabel] = Field(description="Every span label of the scheme.")
    events: list[EventType] = Field(description="Every event type.")
    colours: dict[str, str] = Field(description="A display colour (`#rrggbb`) per span label.")


class TrainingData(Contract):
    documents: int | None = Field(description="Articles the model was trained on.")
    sentences: int | None = Field(description="Their sentences.")
    spans: int | None = Field(description="Their annotated spans.")
    sha256: str | None = Field(description="Digest of the training data.")


class Limits(Contract):
    max_article_chars: int = Field(description="Longest article accepted, in characters; longer ones get 413.")
    max_batch_articles: int = Field(description="Most articles per `POST /extract_batch`; more get 413.")


class ServiceMetadata(Contract):
    """What ``GET /metadata`` reports: the contract's version and the served model."""

    api_version: str = Field(description="Version of this API contract (`major.minor`; see the README).")
    model: ServedModel
    labels: Labels
    training_data: TrainingData
    metrics: dict[str, Any] = Field(description="Evaluation scores stored with the model at training time.")
    cross_validation: dict[str, Any] = Field(
        description="Headline cross-validation scores of the model's recipe, when a report matches its data and config."
    )
    limits: Limits
