"""The API contract: the response models give the JSON ``build_result`` always gave, and ``/docs.json`` states it."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from _bentoml_impl.serde import JSONSerde
from _bentoml_sdk.io_models import ensure_io_descriptor
from openapi_spec_validator import validate

from active.uncertainty import confidence
from incidents.records import FIELDS
from model.document import Span
from model.labels import TRIGGER_TO_EVENT, is_trigger
from model.predictor import SentenceTagging, build_result
from serving import label_studio
from serving.jobs import Job, TrainingRunning
from serving.label_studio_schemas import Predictions, SetupAnswer, TrainingRefused, TrainingStarted, WebhookAnswer
from serving.openapi import EXAMPLES, ROUTES
from serving.record_schemas import Record, RecordsResult
from serving.schemas import API_VERSION, BatchResult, ExtractResult, PendingReceipt, ServiceMetadata
from tests.test_incidents import PUBLISHED, seed_records
from tests.test_service import ARTICLES, assert_offsets_hold, post

MODEL_INFO = {"tag": "arabic-event-tagger:test", "backbone": "tiny:", "precision": "fp32"}


def gold_taggings(document):
    """The corpus's own spans as if the model had found them, with unrounded scores; a sentence without
    a trigger scores `retaliation` 0.7, so the result also has events whose trigger is null."""
    taggings = []
    for sentence in document.sentences:
        spans = [Span(s.start - sentence.start, s.end - sentence.start, s.label, 0.5 + (i % 7) / 17)
                 for i, s in enumerate(document.spans_in(sentence))]
        types = {TRIGGER_TO_EVENT[s.label] for s in spans if is_trigger(s.label)}
        probs = {t: 0.9312345 if t in types else 0.1234567 for t in TRIGGER_TO_EVENT.values()}
        if not types:
            probs["retaliation"] = 0.7098765
        taggings.append(SentenceTagging(spans, probs))
    return taggings


def test_the_typed_result_serializes_as_build_results_dict_on_the_corpus(corpus):
    events = []
    for document in corpus:
        result = build_result(document.id, document.text, document.sentences, gold_taggings(document), 0.5, MODEL_INFO)
        typed = ExtractResult.model_validate(result).model_dump_json()
        # same names, same order, same values: json.loads keeps the order of the keys it reads
        assert json.dumps(json.loads(typed), ensure_ascii=False) == json.dumps(result, ensure_ascii=False)
        events += result["events"]
    assert any(e["trigger"] is None for e in events) and any(e["arguments"] for e in events)


def test_the_documented_examples_are_valid_results_with_true_offsets():
    examples = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    single = examples["/extract"]
    ExtractResult.model_validate(single["response"])
    assert_offsets_hold(single["request"]["text"], single["response"])
    assert BatchResult.model_validate(examples["/extract_batch"]["response"]).results[0].id == "demo"


def sent(annotation, value) -> bytes:
    """The body BentoML sends when an API annotated ``-> annotation`` returns ``value`` (its own code path)."""
    response = asyncio.run(ensure_io_descriptor(annotation).to_http_response(value, JSONSerde()))
    return b"".join(bytes(chunk) for chunk in response.body_iterator)


def same_json(model, body) -> bool:
    """Whether ``model`` describes ``body`` exactly: validated and dumped, it is the same JSON (names, order, nulls)."""
    return json.dumps(model.model_validate(body).model_dump(mode="json")) == json.dumps(body)


def test_a_record_has_the_fields_of_the_record_schema_in_order():
    assert tuple(Record.model_fields) == FIELDS


def test_typed_records_are_sent_byte_for_byte_as_the_dict_was_on_the_corpus(corpus):
    records, warnings = seed_records(corpus, set(PUBLISHED))  # gold mentions of every seed article
    as_dict = sent(dict, {"records": records, "warnings": warnings})  # /records returned this dict before
    assert sent(RecordsResult, RecordsResult(records=records, warnings=warnings)) == as_dict
    # the corpus exercises nulls, links and notes, not only filled fields
    assert any(r["retaliation_for"] for r in records) and any(r["latitude"] is None for r in records)
    assert any(r["normalisation_notes"] for r in records) and "\\u0642" in as_dict.decode()


def test_label_studio_predictions_are_what_their_model_states_on_the_corpus(corpus):
    target = label_studio.read_label_config(None)
    predictions = []
    for document in corpus:
        taggings = gold_taggings(document)
        result = build_result(document.id, document.text, document.sentences, taggings, 0.5, MODEL_INFO)
        predictions.append(label_studio.prediction(result, target, MODEL_INFO["tag"], confidence(taggings)))
    body = {"results": predictions, "model_version": MODEL_INFO["tag"]}  # as /predict builds it
    assert same_json(Predictions, body)
    kinds = {region["type"] for p in predictions for region in p["result"]}
    assert kinds == {"labels", "relation"}


def test_training_answers_are_what_their_models_state():
    job = Job("20261130T090000-1", ["python", "-m", "arabic_events", "retrain", "--add", "batch.jsonl"], 3, "jobs/x")
    assert same_json(TrainingStarted, {"job": job.id, "status": job.to_json()})  # as _start_training builds them
    running = TrainingRunning(job.to_json())
    assert same_json(TrainingRefused, {"error": str(running), "job": running.job})
    assert same_json(TrainingRefused, {"error": str(TrainingRunning(None)), "job": None})


def test_every_documented_example_is_valid_and_its_offsets_hold():
    examples = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    assert sorted(examples) == sorted(ROUTES)
    for path, example in examples.items():
        ROUTES[path].response.model_validate(example["response"])
    records = examples["/records"]
    texts = {a["id"]: a["text"] for a in records["request"]["articles"]}
    for record in records["response"]["records"]:
        assert all(texts[m["article_id"]][m["start"] : m["end"]] == m["text"] for m in record["mentions"])
    task_text = examples["/predict"]["request"]["tasks"][0]["data"]["text"]
    for region in examples["/predict"]["response"]["results"][0]["result"]:
        assert region["type"] == "relation" or task_text[region["value"]["start"] : region["value"]["end"]] == \
            region["value"]["text"]


def resolved(document, schema):
    """``schema`` with its top-level ``$ref`` followed into the document's components."""
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def stated_shape(document, schema) -> bool:
    """Whether a response schema says what the body holds: properties, or a choice of bodies that each do."""
    schema = resolved(document, schema)
    choices = schema.get("anyOf") or schema.get("oneOf")
    return bool(schema.get("properties")) if choices is None else all(stated_shape(document, c) for c in choices)


@pytest.mark.slow
def test_no_success_answer_in_the_served_document_is_a_bare_object(server):
    document = httpx.get(f"{server.url}/docs.json", timeout=30).json()
    validate(document)
    answers = {
        (path, method, status): media["schema"]
        for path, methods in document["paths"].items() for method, operation in methods.items()
        for status, response in operation["responses"].items() if status.startswith("2")
        for media in response.get("content", {}).values() if "schema" in media
    }
    assert {path for path, _, _ in answers} >= set(ROUTES) | {"/metadata"}
    assert [key for key, schema in answers.items() if not stated_shape(document, schema)] == []
    assert answers[("/records", "post", "200")] == {"$ref": "#/components/schemas/RecordsResult"}
    assert sorted(document["paths"]["/webhook"]["post"]["responses"]) == ["200", "201", "400", "401", "409", "413", "500"]
    event_id = document["components"]["schemas"]["Record"]["properties"]["event_id"]
    assert event_id["description"].startswith("Stable id of the incident")


@pytest.mark.slow
def test_served_records_are_their_model_sent_as_a_dict_was(server):
    article = {"id": "s4", "text": ARTICLES[4]["text"], "date": "2024-01-23", "source": "Enab Baladi"}
    response = post(server, "/records", {"articles": [article]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert same_json(RecordsResult, body)
    assert response.content == json.dumps(body).encode()  # json.dumps's separators and escapes, as before


@pytest.mark.slow
def test_served_label_studio_answers_are_what_their_models_state(server):
    setup = post(server, "/setup", {"project": "3.1764480000", "schema": None})
    assert same_json(SetupAnswer, setup.json())
    predicted = post(server, "/predict", {"tasks": [{"id": 7, "data": {"text": ARTICLES[4]["text"]}}]})
    assert predicted.status_code == 200 and same_json(Predictions, predicted.json())
    ignored = post(server, "/webhook", {"action": "PROJECT_UPDATED", "project": {"id": 3}})
    assert ignored.status_code == 200 and same_json(WebhookAnswer, ignored.json())

@pytest.mark.slow
def test_the_served_document_validates_and_states_every_response(server):
    document = httpx.get(f"{server.url}/docs.json", timeout=30).json()
    validate(document)
    assert document["info"]["title"] == "Arabic event tagger" and document["info"]["version"] == API_VERSION
    extract = document["paths"]["/extract"]["post"]["responses"]
    assert sorted(extract) == ["200", "400", "413", "500", "503"]
    assert extract["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ExtractResult"}
    assert extract["413"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    assert not [name for name in document["components"]["schemas"] if "IODescriptor" in name or name == "NotFound"]
    span = document["components"]["schemas"]["Span"]["properties"]
    assert "`text[start:end]` is the span's text" in span["end"]["description"]
    assert document["paths"]["/metadata"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ServiceMetadata"}


@pytest.mark.slow
def test_a_served_result_has_the_contracts_fields_in_its_order(server):
    article = ARTICLES[4]
    result = post(server, "/extract", {"text": article["text"], "id": article["id"]}).json()
    typed = ExtractResult.model_validate(result)
    assert list(result) == list(ExtractResult.model_fields)
    assert [list(s) for s in result["sentences"]] == [["index", "start", "end", "types", "scores"]] * len(typed.sentences)
    assert json.dumps(json.loads(typed.model_dump_json())) == json.dumps(result)


@pytest.mark.slow
def test_metadata_reports_the_api_version_in_the_documented_shape(server):
    meta = httpx.get(f"{server.url}/metadata", timeout=30).json()
    assert ServiceMetadata.model_validate(meta).api_version == API_VERSION == "1.2"


@pytest.mark.slow
def test_a_kept_correction_answers_the_documented_receipt(server):
    article = ARTICLES[1]
    response = post(server, "/annotations", {"id": "receipt-1", "text": article["text"], "spans": article["spans"][:2]})
    assert response.status_code == 201
    assert PendingReceipt.model_validate(response.json()).id == "receipt-1"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path", "status", "error"),
    [
        ("GET", "/no/such/page", 404, "no such path: /no/such/page"),
        ("POST", "/extractt", 404, "no such path: /extractt"),
        ("GET", "/extract", 405, "GET is not allowed on /extract; use POST"),
    ],
)
def test_unknown_paths_and_methods_answer_a_json_error(server, method, path, status, error):
    response = httpx.request(method, f"{server.url}{path}", timeout=30)
    assert (response.status_code, response.headers["content-type"], response.json()) == (
        status, "application/json", {"error": error})
