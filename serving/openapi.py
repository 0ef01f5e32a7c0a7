"""The OpenAPI document of ``/docs.json``: BentoML's, finished in this one place.

BentoML derives each API's request schema from its signature and its response schema
from its return annotation, but it inlines a flattened copy of the top-level schema
(``id: str | None`` loses its ``null``), names the response component after a generated
class (``ExtractResultIODescriptor``), lists 400/404/500 with its own exception bodies on
every route, and fills ``info`` with the service's name, class docstring and ``"None"``.
``finish_document`` replaces those parts and adds what BentoML does not know of: the error
statuses each route really answers, ``GET /metadata`` (served by the page app), and one
example per endpoint. Pydantic writes JSON Schema 2020-12, so the document is OpenAPI 3.1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from serving.label_studio_schemas import Predictions, SetupAnswer, TrainingRefused, TrainingStarted, WebhookAnswer
from serving.record_schemas import RecordsResult
from serving.schemas import API_VERSION, BatchResult, ErrorBody, ExtractResult, PendingReceipt, ServiceMetadata

REF = "#/components/schemas/{model}"
REFERENCED = re.compile(r'"#/components/schemas/([^"]+)"')
EXAMPLES = Path(__file__).resolve().parent / "static" / "examples.json"

TITLE = "Arabic event tagger"
DESCRIPTION = """\
Finds the sentences of an Arabic news article that report an **attack** or a **retaliation**,
each event's trigger, and its arguments (ATTACKER, TARGET, WEAPON, LOCATION, ORIGIN, TIME,
CASUALTIES), with scores.

Every offset is a Python string index into the `text` exactly as sent: `text[start:end]` is
the span's text. Every error is a JSON object `{"error": "<one specific line>"}`; the limits
are in `GET /metadata`. Contract version: `api_version` in `GET /metadata` (the README says what
changes it).
"""

TAG = {"name": "events", "description": "Tag articles, keep corrected ones, describe the served model."}
ERRORS = {
    400: "The body is not valid JSON, misses a required field or has one of the wrong type (`detail` lists each), "
    "or what it holds is unusable: an empty article or batch, a correction that breaks the annotation scheme "
    "(`problems` lists each).",
    401: "A route that changes state, called without the API token the server requires (see the README).",
    409: "A conflict with the server's state: a correction would empty an article that has spans "
    "(`allow_emptying` allows it), or a training job is already running.",
    413: "An article is over `max_article_chars`, a batch over `max_batch_articles` (see `GET /metadata`), "
    "or the body is over the byte limit (refused before it is read).",
    503: "The model's queue is full (`max_queued_sentences` sentences waiting); retry in a moment.",
    500: "An unexpected error; the server log has its details.",
}


@dataclass(frozen=True)
class Route:
    """What a route answers on success, and which error statuses it can answer."""

    response: type[BaseModel]
    errors: tuple[int, ...]
    description: str
    status: int = 200
    also: tuple[int, ...] = ()  # further success statuses, with the same body
    error_bodies: Mapping[int, type[BaseModel]] = field(default_factory=dict)  # errors whose body is not ErrorBody


TRAINING_ERRORS = {409: TrainingRefused}
ROUTES = {
    "/extract": Route(ExtractResult, (400, 413, 503, 500), "The article's sentences, spans and events."),
    "/extract_batch": Route(BatchResult, (400, 413, 503, 500), "One result per article, in the order sent."),
    "/records": Route(RecordsResult, (400, 413, 503, 500), "One record per incident, merged across the articles."),
    "/annotations": Route(PendingReceipt, (400, 401, 409, 413, 500), "Kept for the next retraining.", status=201),
    "/setup": Route(SetupAnswer, (400, 413, 500), "The project's labelling config is usable."),
    "/predict": Route(Predictions, (400, 413, 503, 500), "One prediction per task, in order."),
    "/webhook": Route(WebhookAnswer, (400, 401, 409, 413, 500), "Annotations kept (201; 200 when none was a completed "
                      "one), a training job started (201), or the event ignored (200).", status=201, also=(200,),
                      error_bodies=TRAINING_ERRORS),
    "/train": Route(TrainingStarted, (400, 401, 409, 413, 500), "A training job started on the pending annotations.",
                    status=201, error_bodies=TRAINING_ERRORS),
}


def response_schemas() -> dict[str, Any]:
    """The JSON Schemas of every response body, named as their models, with ``$ref``s between them."""
    models = [ServiceMetadata, ErrorBody, *(route.response for route in ROUTES.values()),
              *{model for route in ROUTES.values() for model in route.error_bodies.values()}]
    _, schemas = models_json_schema([(m, "serialization") for m in models], ref_template=REF)
    return schemas["$defs"]


def json_response(description: str, model: type[BaseModel], example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": {"$ref": REF.format(model=model.__name__)}}
    if example is not None:
        media["example"] = example
    return {"description": description, "content": {"application/json": media}}


def finish_document(spec: dict[str, Any]) -> dict[str, Any]:
    """BentoML's document (``Service.openapi_spec.asdict()``) with the contract's schemas, errors and info."""
    document = json.loads(json.dumps(spec))  # a deep copy, with the status codes as strings, as served
    document["openapi"] = "3.1.0"
    document["info"] = {"title": TITLE, "description": DESCRIPTION, "version": API_VERSION}
    document["tags"] = [TAG, *(tag for tag in document["tags"] if tag["name"] != "Service APIs")]
    document["components"]["schemas"].update(response_schemas())
    examples = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    for path, route in ROUTES.items():
        operation = document["paths"][path]["post"]
        api_name = operation["x-bentoml-name"]
        operation.update(operationId=api_name, tags=[TAG["name"]])  # generated clients name functions after them
        operation["requestBody"]["required"] = True
        request = operation["requestBody"]["content"]["application/json"]
        request["schema"] = {"$ref": REF.format(model=f"{api_name}__Input")}  # the unflattened one
        example = examples.get(path, {})
        if example:
            request["example"] = example["request"]
        operation["responses"] = {
            str(route.status): json_response(route.description, route.response, example.get("response")),
            **{str(status): json_response(route.description, route.response) for status in route.also},
            **{str(status): json_response(ERRORS[status], route.error_bodies.get(status, ErrorBody))
               for status in route.errors},
        }
    document["paths"]["/metadata"] = {
        "get": {
            "tags": [TAG["name"]],
            "operationId": "metadata",
            "description": "The contract's version, the served model, its labels, training data, scores and the limits.",
            "responses": {"200": json_response("Success", ServiceMetadata)},
        }
    }
    drop_unreferenced(document)
    return document


def drop_unreferenced(document: dict[str, Any]) -> None:
    """Remove the component schemas no path reaches (BentoML's task and exception bodies, the
    ``*IODescriptor`` copies), so that neither ``/docs`` nor a generated client shows them."""
    schemas = document["components"]["schemas"]
    reached: set[str] = set()
    pending = REFERENCED.findall(json.dumps(document["paths"]))
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending += REFERENCED.findall(json.dumps(schemas[name]))
    document["components"]["schemas"] = {name: schema for name, schema in schemas.items() if name in reached}
