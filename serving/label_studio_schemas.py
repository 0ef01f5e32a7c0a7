"""The answers of the Label Studio ML-backend routes (``/setup``, ``/predict``, ``/webhook``, ``/train``)
as pydantic models, for ``/docs.json``.

Their shapes are Label Studio's ML-backend protocol (what ``label_studio_ml/api.py`` of
HumanSignal/label-studio-ml-backend answers and Label Studio reads; a prediction's regions and
relations are Label Studio's annotation result format), built by ``serving.label_studio`` and
``serving.service``; the training job is ``serving.jobs.Job``. Documented, not re-validated:
the routes return the dicts Label Studio has always received from them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, RootModel

from serving.schemas import Contract, SpanLabel


class SetupAnswer(Contract):
    """What Label Studio reads when it connects the service as an ML backend.
    The shape is Label Studio's ML-backend protocol."""

    model_version: str = Field(description="The served model's tag; Label Studio shows it as the backend's model version "
                               "(Label Studio's ML-backend protocol).")


class RegionValue(Contract):
    """Where a region is in the task's text and its label, as Label Studio's text regions hold it."""

    start: int = Field(ge=0, description="Offset of the first character in the task's text (Unicode code points).")
    end: int = Field(ge=0, description="Offset just past the last character: `text[start:end]` is the region's text.")
    text: str = Field(description="`text[start:end]`, exactly as in the task.")
    labels: list[SpanLabel] = Field(description="The span's label, one.")


class Region(Contract):
    """One predicted span as a Label Studio `labels` region.
    The shape is Label Studio's ML-backend protocol."""

    id: str = Field(description="The region's id in this prediction (`span-<n>`), which relations refer to.")
    from_name: str = Field(description="`name` of the project's `<Labels>` control.")
    to_name: str = Field(description="`name` of the `<Text>` object it labels.")
    type: Literal["labels"] = Field(description="Label Studio's result type of a text span.")
    value: RegionValue
    score: float = Field(ge=0, le=1, description="The model's confidence in the span, rounded to 4 decimals.")


class Relation(Contract):
    """An event's argument linked to its trigger, as a Label Studio relation.
    The shape is Label Studio's ML-backend protocol."""

    type: Literal["relation"] = Field(description="Label Studio's result type of a relation.")
    from_id: str = Field(description="`id` of the trigger's region.")
    to_id: str = Field(description="`id` of the argument's region.")
    direction: Literal["right"] = Field(description="From the trigger to the argument.")


class Prediction(Contract):
    """One task's pre-annotation.
    The shape is Label Studio's ML-backend protocol."""

    result: list[Region | Relation] = Field(description="The regions, then the relations from triggers to arguments, "
                                            "in Label Studio's annotation result format.")
    score: float = Field(ge=0, le=1, description="The article's confidence (Label Studio sorts tasks by it, least "
                         "certain first), rounded to 4 decimals.")
    model_version: str = Field(description="The served model's tag.")


class Predictions(Contract):
    """Pre-annotations of the tasks sent: Label Studio stores the n-th as the prediction of the n-th task.
    The shape is Label Studio's ML-backend protocol."""

    results: list[Prediction] = Field(description="One prediction per task, in the order sent (Label Studio's ML-backend "
                                   "protocol: the n-th is stored as the n-th task's prediction).")
    model_version: str = Field(description="The served model's tag.")


class Ignored(Contract):
    """A webhook event this backend does not act on (anything but annotations created or updated and START_TRAINING)."""

    status: Literal["ignored"]
    action: str = Field(description="The event's `action`, as sent.")


class KeptAnnotations(Contract):
    """Annotated tasks kept for the next retraining (``arabic-events retrain --add``). Label Studio reads only
    the status code of a webhook's answer; the body is this service's."""

    kept: list[str] = Field(description="`id`s of the articles kept, one per completed annotation.")
    skipped: list[str] = Field(description="Tasks not kept because their annotation is not a completed one, e.g. "
                               "`task 12 (skipped)`.")
    pending: int | None = Field(description="How many corrected articles now wait for the next retraining; `null` "
                                "when nothing was kept.")


class TrainingJob(Contract):
    """A retraining job of the service (``GET /jobs/{id}`` reads it later)."""

    id: str = Field(description="The job's id: its start time (UTC, `YYYYmmddTHHMMSS`) and a counter.")
    command: list[str] = Field(description="The `arabic-events retrain --add` command it runs.")
    articles: int = Field(ge=1, description="Pending articles it trains on.")
    folder: str = Field(description="The job's folder on the server: its batch and `log.txt`.")
    state: Literal["running", "succeeded", "failed"]
    started: str = Field(description="When it started (ISO 8601, UTC).")
    finished: str | None = Field(description="When it ended (ISO 8601, UTC), or `null` while running.")
    exit_code: int | None = Field(description="The command's exit code, or `null` while running.")
    outcome: str | None = Field(description="The last line the command printed (`PROMOTED …`, `NOT PROMOTED …` or "
                                "its error), or `null` while running.")


class TrainingStarted(Contract):
    """A retraining job started on the pending annotations.
    The shape is Label Studio's ML-backend protocol."""

    job: str = Field(description="The job's id; Label Studio keeps it as the id of its training job "
                     "(Label Studio's ML-backend protocol).")
    status: TrainingJob


class TrainingRefused(Contract):
    """409: a training job is already running."""

    error: str = Field(description="Which job runs and since when, e.g. `a training job is already running (job …)`.")
    job: TrainingJob | None = Field(description="The running job, or `null` when another process runs it.")


class WebhookAnswer(RootModel[KeptAnnotations | TrainingStarted | Ignored]):
    """``POST /webhook``'s answer: annotations kept (201 when any was kept, else 200), a training job
    started (201, for START_TRAINING), or an event ignored (200)."""
