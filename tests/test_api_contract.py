"""The API contract: the response models give the JSON ``build_result`` always gave, and ``/docs.json`` states it."""

from __future__ import annotations

import json

import httpx
import pytest
from openapi_spec_validator import validate

from model.document import Span
from model.labels import TRIGGER_TO_EVENT, is_trigger
from model.predictor import SentenceTagging, build_result
from serving.openapi import EXAMPLES
from serving.schemas import API_VERSION, BatchResult, ExtractResult, PendingReceipt, ServiceMetadata
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
    assert ServiceMetadata.model_validate(meta).api_version == API_VERSION == "1.1"


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
