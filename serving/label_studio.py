"""The Label Studio ML-backend protocol, without a server of its own: what the service's routes translate.

Label Studio (its ``ml`` app) calls an ML backend at

* ``POST /setup`` ``{"project": "<id>.<created>", "schema": <labelling config>, ...}`` when it is connected,
  and expects ``{"model_version": ...}``;
* ``POST /predict`` ``{"tasks": [...], "model_version", "project", "label_config", "params"}`` and stores
  the n-th entry of ``{"results": [...]}`` as the prediction of the n-th task;
* ``POST /webhook`` with the project's webhook payloads (``ANNOTATION_CREATED``, ``ANNOTATION_UPDATED``:
  ``{"action", "annotation", "task", "project"}``; ``START_TRAINING``: ``{"action", "project"}``), and
  ``POST /train`` in older versions (``{"annotations": [task with its annotations, ...], ...}``).

A prediction's regions name the project's ``<Labels>`` control (``from_name``) and the ``<Text>``
object it labels (``to_name``), so they are read from the project's config (the repository's
``annotations/label-studio-config.xml`` when none is sent). Offsets are the response's, code points
of the task's text, which Label Studio's text regions use too.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from model.errors import UserError
from model.interchange import label_studio_record

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "annotations" / "label-studio-config.xml"
ANNOTATION_EVENTS = ("ANNOTATION_CREATED", "ANNOTATION_UPDATED")
TRAINING_EVENT = "START_TRAINING"


@dataclass(frozen=True)
class LabellingTarget:
    """Where pre-annotations go in a project: the ``<Labels>`` control, its ``<Text>``, and their labels."""

    from_name: str
    to_name: str
    text_key: str  # the task data field the <Text> shows ("text" for value="$text")
    labels: frozenset[str]


def read_label_config(config: str | None) -> LabellingTarget:
    """The first ``<Labels>`` of ``config`` that labels a ``<Text>``; the repository's config when ``config`` is empty."""
    if not config or not config.strip():
        config = DEFAULT_CONFIG.read_text(encoding="utf-8")
    try:
        root = ElementTree.fromstring(config)
    except ElementTree.ParseError as exc:
        raise UserError(f"label_config is not valid XML: {exc}") from None
    texts = {e.get("name"): e for e in root.iter("Text") if e.get("name")}
    for labels in root.iter("Labels"):
        text = texts.get(labels.get("toName", ""))
        if text is not None and labels.get("name"):
            value = text.get("value", "")
            if not value.startswith("$") or len(value) < 2:
                raise UserError(f'label_config: <Text name="{text.get("name")}"> needs value="$field"')
            names = frozenset(label.get("value") for label in labels.iter("Label") if label.get("value"))
            return LabellingTarget(labels.get("name"), text.get("name"), value[1:], names)
    raise UserError("label_config has no <Labels> control whose toName is a <Text> object")


def task_text(task: Any, target: LabellingTarget, position: int) -> str:
    """A task's text (the field the config's <Text> shows), or a UserError naming the task and what is missing."""
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise UserError(f"tasks[{position}]: needs a 'data' object")
    text = task["data"].get(target.text_key)
    if not isinstance(text, str):
        raise UserError(f"tasks[{position}]: data.{target.text_key} must be a string (the <Text> of the labelling config)")
    return text


def prediction(result: dict[str, Any], target: LabellingTarget, model_version: str, score: float) -> dict[str, Any]:
    """One task's prediction in Label Studio's format, from the service's response object for its text.

    Every span is a ``labels`` region (spans with a label the project does not have are left out);
    every event's arguments are linked to its trigger by a ``relation`` from the trigger to the argument.
    ``score`` is the article's confidence: Label Studio sorts tasks by it, least certain first.
    """
    regions: list[dict[str, Any]] = []
    region_of: dict[tuple[int, int], str] = {}
    for number, span in enumerate(result["spans"]):
        if span["label"] not in target.labels:
            continue
        region_id = f"span-{number}"
        region_of[(span["start"], span["end"])] = region_id
        regions.append({
            "id": region_id,
            "from_name": target.from_name,
            "to_name": target.to_name,
            "type": "labels",
            "value": {"start": span["start"], "end": span["end"], "text": span["text"], "labels": [span["label"]]},
            "score": span["score"],
        })
    relations = []
    for event in result["events"]:
        trigger = event["trigger"] and region_of.get((event["trigger"]["start"], event["trigger"]["end"]))
        for argument in event["arguments"] if trigger else ():
            argument_region = region_of.get((argument["start"], argument["end"]))
            if argument_region:
                relations.append({"type": "relation", "from_id": trigger, "to_id": argument_region, "direction": "right"})
    return {"result": regions + relations, "score": round(score, 4), "model_version": model_version}


def annotated_task(payload: dict[str, Any]) -> dict[str, Any]:
    """The task of an ``ANNOTATION_CREATED``/``ANNOTATION_UPDATED`` payload, holding that one annotation."""
    task, annotation = payload.get("task"), payload.get("annotation")
    if not isinstance(task, dict) or not isinstance(annotation, dict):
        raise UserError(f"{payload.get('action')}: needs 'task' and 'annotation' objects")
    return {**task, "annotations": [annotation]}


def annotation_records(
    tasks: Sequence[Any], target: LabellingTarget
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Corpus records of annotated tasks (``model.interchange``'s Label Studio importer), their problems,
    and the tasks left out because their annotation is not a completed one (skipped, draft)."""
    records, problems, skipped = [], [], []
    for position, task in enumerate(tasks):
        record, messages, left_out = label_studio_record(task, target.text_key, position)
        name = task.get("id", position) if isinstance(task, dict) else position
        problems += [f"task {name}: {m}" for m in messages]
        if left_out is not None:
            skipped.append(f"task {name} ({left_out.reason})")
        elif record is not None:
            records.append(record)
    return records, problems, skipped


def health_route(model_version: str) -> Route:
    """``GET /health``, which Label Studio calls before it connects an ML backend."""

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "UP", "model_class": "arabic-event-tagger", "model_version": model_version})

    return Route("/health", health)
