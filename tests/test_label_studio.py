"""The Label Studio ML-backend protocol, the token rule for state-changing routes, pending annotations
and the uncertainty measures, without a server (the routes themselves: test_label_studio_backend.py)."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from active.uncertainty import confidence, entropy, least_confidence
from model.document import Span
from model.errors import UserError
from model.labels import BIO_TAGS, SPAN_LABELS
from model.predictor import SentenceTagging, build_result
from model.text_units import split_sentences
from serving.auth import presented_token, refusal
from serving.label_studio import (
    DEFAULT_CONFIG,
    LabellingTarget,
    annotated_task,
    annotation_records,
    prediction,
    read_label_config,
    task_text,
)
from serving.pending import append_pending, keep_pending, restore_pending, take_pending

TEXT = "قصفت طائرات حربية سوقاً في أريحا."
CUSTOM_CONFIG = """<View>
  <Text name="article" value="$body"/>
  <Labels name="roles" toName="article"><Label value="ATTACK"/><Label value="WEAPON"/><Label value="TARGET"/></Labels>
</View>"""


def tagging(spans: list[Span], words: int = 6, attack: float = 0.9) -> SentenceTagging:
    uniform = np.full((words, len(BIO_TAGS)), 1 / len(BIO_TAGS))
    return SentenceTagging(spans, {"attack": attack, "retaliation": 0.1}, uniform, np.full(words, 0.5))


def response() -> dict:
    """The service's response object for TEXT with four spans (what /extract would return)."""
    spans = [Span(0, 4, "ATTACK", 0.98), Span(5, 17, "WEAPON", 0.9), Span(18, 23, "TARGET", 0.8), Span(27, 32, "LOCATION", 0.7)]
    return build_result("t", TEXT, split_sentences(TEXT), [tagging(spans)], 0.5, {"tag": "m:1"})


def test_the_repository_config_is_read_when_a_project_sends_none():
    assert read_label_config(None) == LabellingTarget("label", "text", "text", frozenset(SPAN_LABELS))


def test_from_name_to_name_and_text_field_come_from_the_project_config():
    target = read_label_config(CUSTOM_CONFIG)
    assert target == LabellingTarget("roles", "article", "body", frozenset({"ATTACK", "WEAPON", "TARGET"}))
    assert task_text({"id": 4, "data": {"body": TEXT}}, target, 0) == TEXT


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("<View><Text name='t' value='$text'/></View>", "label_config has no <Labels> control whose toName is a <Text> object"),
        ("<View><Text", "label_config is not valid XML"),
    ],
)
def test_a_config_without_labels_on_a_text_is_refused(config, message):
    with pytest.raises(UserError, match=message):
        read_label_config(config)


def test_a_task_without_the_config_text_field_is_refused_by_position():
    with pytest.raises(UserError, match=r"tasks\[2\]: data.text must be a string"):
        task_text({"id": 4, "data": {"body": TEXT}}, read_label_config(None), 2)


def test_prediction_has_a_region_per_span_and_a_relation_from_trigger_to_each_argument():
    result = prediction(response(), read_label_config(None), "m:1", 0.25)
    regions = [r for r in result["result"] if r["type"] == "labels"]
    assert [(r["id"], r["from_name"], r["to_name"], r["value"], r["score"]) for r in regions] == [
        ("span-0", "label", "text", {"start": 0, "end": 4, "text": "قصفت", "labels": ["ATTACK"]}, 0.98),
        ("span-1", "label", "text", {"start": 5, "end": 17, "text": "طائرات حربية", "labels": ["WEAPON"]}, 0.9),
        ("span-2", "label", "text", {"start": 18, "end": 23, "text": "سوقاً", "labels": ["TARGET"]}, 0.8),
        ("span-3", "label", "text", {"start": 27, "end": 32, "text": "أريحا", "labels": ["LOCATION"]}, 0.7),
    ]
    assert [r for r in result["result"] if r["type"] == "relation"] == [
        {"type": "relation", "from_id": "span-0", "to_id": f"span-{k}", "direction": "right"} for k in (1, 2, 3)
    ]
    assert (result["score"], result["model_version"]) == (0.25, "m:1")


def test_spans_with_a_label_the_project_lacks_are_left_out_with_their_relations():
    result = prediction(response(), read_label_config(CUSTOM_CONFIG), "m:1", 0.5)
    assert [(r["from_name"], r["to_name"], r["value"]["labels"][0]) for r in result["result"] if r["type"] == "labels"] == [
        ("roles", "article", "ATTACK"), ("roles", "article", "WEAPON"), ("roles", "article", "TARGET"),
    ]
    assert [(r["from_id"], r["to_id"]) for r in result["result"] if r["type"] == "relation"] == [
        ("span-0", "span-1"), ("span-0", "span-2"),
    ]


def test_a_task_with_no_span_gets_an_empty_result():
    empty = build_result(None, "كان الطقس جميلاً.", split_sentences("كان الطقس جميلاً."), [tagging([], 3, 0.1)], 0.5, {})
    assert prediction(empty, read_label_config(None), "m:1", 0.9)["result"] == []


def webhook_payload(action: str, labels: list[tuple[int, int, str]]) -> dict:
    """What Label Studio posts to an ML backend's webhook for an annotation (its regions, then a relation)."""
    result = [
        {"id": f"r{k}", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
         "value": {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]}}
        for k, (start, end, label) in enumerate(labels)
    ]
    result.append({"type": "relation", "from_id": "r0", "to_id": "r1", "direction": "right"})
    return {
        "action": action,
        "annotation": {"id": 31, "result": result, "task": 12, "was_cancelled": False, "updated_at": "2026-11-30T06:00:00Z"},
        "task": {"id": 12, "data": {"text": TEXT}, "project": 3},
        "project": {"id": 3, "label_config": DEFAULT_CONFIG.read_text(encoding="utf-8")},
    }


def test_an_annotation_event_becomes_a_corpus_record():
    payload = webhook_payload("ANNOTATION_CREATED", [(0, 4, "ATTACK"), (18, 23, "TARGET")])
    records, problems, skipped = annotation_records([annotated_task(payload)], read_label_config(None))
    assert problems == [] and skipped == []
    assert records == [{
        "id": "label-studio-12", "text": TEXT,
        "meta": {"label_studio": {"task": 12, "annotation": 31, "annotator": None,
                                  "updated_at": "2026-11-30T06:00:00Z", "ground_truth": False}},
        "spans": [{"start": 0, "end": 4, "label": "ATTACK"}, {"start": 18, "end": 23, "label": "TARGET"}],
    }]


def test_a_skipped_annotation_event_is_not_kept_as_a_negative():
    payload = webhook_payload("ANNOTATION_CREATED", [])
    payload["annotation"]["was_cancelled"] = True
    records, problems, skipped = annotation_records([annotated_task(payload)], read_label_config(None))
    assert (records, problems, skipped) == ([], [], ["task 12 (skipped by its annotator)"])


def test_a_region_whose_offsets_miss_its_text_is_a_problem_named_by_task():
    payload = webhook_payload("ANNOTATION_CREATED", [(0, 4, "ATTACK"), (18, 23, "TARGET")])
    payload["annotation"]["result"][1]["value"]["start"] = 17
    _, problems, _ = annotation_records([annotated_task(payload)], read_label_config(None))
    assert problems == ["task 12: region r1: offsets 17-23 do not select its text «سوقاً»"]


# ---------------------------------------------------------------- the token rule


@pytest.mark.parametrize(
    ("host", "client", "token", "authorization", "refused"),
    [
        ("127.0.0.1", "127.0.0.1", None, None, False),
        ("localhost", "127.0.0.1", None, None, False),
        ("0.0.0.0", "127.0.0.1", None, None, True),  # listens beyond loopback, no token configured
        ("127.0.0.1", "192.0.2.7", None, None, True),  # bound elsewhere than its settings say
        ("0.0.0.0", "192.0.2.7", "s3cret-token", "Bearer s3cret-token", False),
        ("0.0.0.0", "192.0.2.7", "s3cret-token", "Token s3cret-token", False),
        ("0.0.0.0", "192.0.2.7", "s3cret-token", "Basic " + base64.b64encode(b"label-studio:s3cret-token").decode(), False),
        ("0.0.0.0", "192.0.2.7", "s3cret-token", "Basic " + base64.b64encode(b"s3cret-token:").decode(), True),
        ("0.0.0.0", "192.0.2.7", "s3cret-token", "Bearer wrong", True),
        ("0.0.0.0", "192.0.2.7", "s3cret-token", None, True),
        ("127.0.0.1", "127.0.0.1", "s3cret-token", None, True),  # a token once set is always checked
    ],
)
def test_state_changing_routes_need_the_token_beyond_loopback(host, client, token, authorization, refused):
    assert (refusal(host, client, token, authorization) is not None) == refused


def test_the_refusals_say_what_to_do():
    assert refusal("0.0.0.0", "127.0.0.1", None, None) == (
        "this route changes state and the service is reachable beyond loopback: "
        "set ARABIC_EVENTS_API_TOKEN on the server and send it as a bearer token or basic-auth password")
    assert refusal("0.0.0.0", "127.0.0.1", "abcdef", "Bearer x") == "the API token is wrong"


def test_malformed_basic_credentials_give_no_token():
    assert presented_token("Basic ???") is None
    assert presented_token("Digest abc") is None


# ---------------------------------------------------------------- pending annotations


def record(doc_id: str, spans: list[dict]) -> dict:
    return {"id": doc_id, "text": TEXT, "spans": spans, "meta": {}}


ATTACK = {"start": 0, "end": 4, "label": "ATTACK"}
TARGET = {"start": 18, "end": 23, "label": "TARGET"}


def pending_ids_and_spans(path):
    return [(r["id"], len(r["spans"])) for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())]


def test_a_newer_version_of_a_pending_article_replaces_the_older(tmp_path):
    path = tmp_path / "pending.jsonl"
    assert append_pending(path, record("a", [ATTACK])) == (1, [])
    assert append_pending(path, record("b", [ATTACK])) == (2, [])
    assert append_pending(path, record("a", [ATTACK, TARGET])) == (2, [])
    assert pending_ids_and_spans(path) == [("b", 1), ("a", 2)]


def test_a_batch_with_one_invalid_article_is_kept_not_at_all(tmp_path):
    path = tmp_path / "pending.jsonl"
    count, problems = keep_pending(path, [record("a", [ATTACK]), record("b", [{"start": 1, "end": 4, "label": "ATTACK"}])])
    assert (count, problems) == (0, ["b: span ATTACK 1-4 «صفت»: starts or ends inside a word"])
    assert not path.exists()


def test_a_failed_batch_goes_back_in_front_and_newer_versions_win(tmp_path):
    path, batch = tmp_path / "pending.jsonl", tmp_path / "batch.jsonl"
    keep_pending(path, [record("a", [ATTACK]), record("b", [ATTACK])])
    assert take_pending(path, batch) == 2 and not path.exists()
    append_pending(path, record("b", [ATTACK, TARGET]))  # annotated again while the batch trained
    restore_pending(path, batch)
    assert pending_ids_and_spans(path) == [("a", 1), ("b", 2)]


def test_taking_an_empty_pending_file_takes_nothing(tmp_path):
    assert take_pending(tmp_path / "pending.jsonl", tmp_path / "batch.jsonl") == 0
    assert not (tmp_path / "batch.jsonl").exists()


# ---------------------------------------------------------------- uncertainty


def probs_tagging(tag_probs: list[list[float]], path_probs: list[float]) -> SentenceTagging:
    return SentenceTagging([], {}, np.array(tag_probs, dtype=float), np.array(path_probs, dtype=float))


def test_entropy_is_one_for_uniform_words_zero_for_certain_ones_and_averages_over_words():
    tags = len(BIO_TAGS)
    uniform, certain = [1 / tags] * tags, [1.0] + [0.0] * (tags - 1)
    assert entropy([probs_tagging([uniform], [1 / tags])]) == pytest.approx(1.0)
    assert entropy([probs_tagging([certain], [1.0])]) == pytest.approx(0.0, abs=1e-9)
    # length-normalised: one uncertain word among two, whichever sentence holds it
    assert entropy([probs_tagging([uniform], [1 / tags]), probs_tagging([certain], [1.0])]) == pytest.approx(0.5)
    assert confidence([probs_tagging([uniform, certain], [1 / tags, 1.0])]) == pytest.approx(0.5)


def test_least_confidence_is_one_minus_the_geometric_mean_of_the_chosen_tags():
    tags = len(BIO_TAGS)
    # path probabilities 1.0 and 0.25: geometric mean 0.5
    assert least_confidence([probs_tagging([[1 / tags] * tags] * 2, [1.0, 0.25])]) == pytest.approx(0.5)


def test_an_article_the_model_did_not_read_is_not_uncertain():
    assert entropy([]) == 0.0 and least_confidence([]) == 0.0 and confidence([]) == 1.0
