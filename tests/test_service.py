"""The real service (``bentoml serve``) on a free loopback port, with the tiny model."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import CORPUS, comparable

pytestmark = pytest.mark.slow

ARTICLES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


def post(server, path, payload=None, **kwargs):
    return httpx.post(f"{server.url}{path}", json=payload, timeout=120, **kwargs) if payload is not None \
        else httpx.post(f"{server.url}{path}", timeout=120, **kwargs)


def assert_offsets_hold(text, result):
    for span in result["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]
    for event in result["events"]:
        if event["trigger"]:
            assert text[event["trigger"]["start"] : event["trigger"]["end"]] == event["trigger"]["text"]
        for argument in event["arguments"]:
            assert text[argument["start"] : argument["end"]] == argument["text"]
    for sentence in result["sentences"]:
        assert text[sentence["start"] : sentence["end"]].strip() == text[sentence["start"] : sentence["end"]]


def test_extract_returns_the_documented_object(server):
    article = ARTICLES[4]
    response = post(server, "/extract", {"text": article["text"], "id": article["id"]})
    assert response.status_code == 200
    result = response.json()
    assert set(result) == {"id", "model", "sentences", "spans", "events", "warnings"}
    assert result["id"] == "seed-004"
    assert result["model"]["tag"].startswith("arabic-event-tagger:") and result["model"]["backbone"] == "tiny:"
    assert len(result["sentences"]) == 13
    assert_offsets_hold(article["text"], result)


def test_extract_batch_keeps_the_order(server):
    payload = {"articles": [{"id": a["id"], "text": a["text"]} for a in ARTICLES]}
    response = post(server, "/extract_batch", payload)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [a["id"] for a in ARTICLES]
    single = post(server, "/extract", {"text": ARTICLES[2]["text"], "id": ARTICLES[2]["id"]}).json()
    assert comparable(results[2]) == comparable(single)
    assert [s["score"] for s in results[2]["spans"]] == pytest.approx([s["score"] for s in single["spans"]], abs=0.01)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b'{"text": ', 400, "Invalid JSON"),
        (b'{"id": "a"}', 400, "text: Field required"),
        (b'{"text": 5}', 400, "text: Input should be a valid string"),
        (b'{"text": "   \\n "}', 400, "text is empty"),
        (b"[1, 2]", 400, "Input should be an object"),
    ],
)
def test_bad_extract_requests_get_a_specific_4xx(server, body, status, message):
    response = post(server, "/extract", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert message in response.json()["error"]


def test_article_over_the_limit_gets_413(server):
    response = post(server, "/extract", {"text": "ب" * 100_001})
    assert response.status_code == 413
    assert response.json()["error"] == "text has 100001 characters; the limit is 100000"


def test_chunked_body_over_the_byte_limit_gets_413(server):
    def chunks():
        yield b'{"text": "'
        for _ in range(80):
            yield "ب".encode() * 5000
        yield b'"}'

    response = httpx.post(f"{server.url}/extract", content=chunks(), headers={"content-type": "application/json"}, timeout=60)
    assert response.status_code == 413
    assert "larger than the limit" in response.json()["error"]


def test_batch_limits(server):
    assert post(server, "/extract_batch", {"articles": []}).json() == {"error": "articles is empty"}
    response = post(server, "/extract_batch", {"articles": [{"text": "قصف"}] * 33})
    assert response.status_code == 413
    assert response.json()["error"] == "33 articles; the limit is 32 per request"
    response = post(server, "/extract_batch", {"articles": [{"text": "قصف"}, {"text": " "}]})
    assert (response.status_code, response.json()) == (400, {"error": "articles[1]: text is empty"})


def test_text_without_arabic_letters_gets_a_warning_and_no_events(server):
    response = post(server, "/extract", {"text": "Rockets hit the base on Monday."})
    assert response.status_code == 200
    result = response.json()
    assert result["events"] == [] and result["spans"] == []
    assert result["warnings"] == ["the text has no Arabic letters; nothing to tag"]


def test_awkward_characters_never_crash_or_shift_offsets(server):
    text = (
        "<p>قصفت\u0000 طائراتٌ حربيّة 🚀 مواقعَ في \u202bدير الزور\u202c يوم ١٥ تشرين الثاني، "
        "وقالت مصادر (AFP) إن الـ drones\tأصابت ‏الهدف.</p>\r\nـــ «انتهى»"
    )
    response = post(server, "/extract", {"text": text})
    assert response.status_code == 200
    assert_offsets_hold(text, response.json())


def test_metadata(server):
    meta = httpx.get(f"{server.url}/metadata", timeout=30).json()
    assert meta["model"]["backbone"] == "tiny:"
    assert meta["labels"]["events"] == ["attack", "retaliation"]
    assert meta["training_data"]["documents"] == 5


def test_bentoml_endpoints_answer(server):
    for path in ("/readyz", "/livez", "/metrics", "/docs", "/docs.json", "/", "/static/countries-110m.json"):
        assert httpx.get(f"{server.url}{path}", timeout=30).status_code == 200, path


def test_fifty_concurrent_requests_all_succeed(server):
    payloads = [{"text": ARTICLES[i % len(ARTICLES)]["text"], "id": str(i)} for i in range(50)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(lambda p: post(server, "/extract", p), payloads))
    assert [r.status_code for r in responses] == [200] * 50
    assert [r.json()["id"] for r in responses] == [str(i) for i in range(50)]


def test_rejections_log_one_line_without_traceback(server):
    post(server, "/extract", content=b'{"text": 5}', headers={"content-type": "application/json"})
    log = server.log.read_text()
    assert "rejected /extract: 1 validation error" in log
    assert "Traceback" not in log


def test_a_corrected_article_is_kept_for_retraining(server):
    article = ARTICLES[4]
    before = server.pending.read_text(encoding="utf-8").splitlines() if server.pending.exists() else []
    record = {"id": "corrected-1", "text": article["text"], "spans": article["spans"][:4]}
    response = post(server, "/annotations", record)
    assert response.status_code == 201
    assert response.json() == {"id": "corrected-1", "pending": len(before) + 1}
    lines = server.pending.read_text(encoding="utf-8").splitlines()
    assert lines[: len(before)] == before
    assert json.loads(lines[-1])["spans"] == article["spans"][:4]


def test_a_correction_that_empties_an_article_of_the_corpus_gets_409_unless_allowed(server):
    article = ARTICLES[3]  # no other test sends this text: the version it would replace is the corpus's
    before = server.pending.read_text(encoding="utf-8") if server.pending.exists() else ""
    emptied = {"id": article["id"], "text": article["text"], "spans": []}
    response = post(server, "/annotations", emptied)
    assert response.status_code == 409
    assert response.json()["error"] == (
        "'seed-003' has no span and would replace the version in the corpus that has 73 spans; "
        'send "allow_emptying": true if its annotations are to go')
    assert (server.pending.read_text(encoding="utf-8") if server.pending.exists() else "") == before
    assert post(server, "/annotations", {**emptied, "allow_emptying": True}).status_code == 201


def test_an_invalid_correction_gets_400_with_its_problems_and_is_not_kept(server):
    before = server.pending.read_text(encoding="utf-8") if server.pending.exists() else ""
    record = {"id": "bad", "text": "قصفت الطائرات الموقع.", "spans": [{"start": 1, "end": 4, "label": "ATTACK"}]}
    response = post(server, "/annotations", record)
    assert response.status_code == 400
    assert response.json()["problems"] == ["span ATTACK 1-4 «صفت»: starts or ends inside a word"]
    assert (server.pending.read_text(encoding="utf-8") if server.pending.exists() else "") == before


def test_records_returns_one_object_per_incident_with_offsets_that_hold(server):
    article = {"id": "s4", "text": ARTICLES[4]["text"], "date": "2024-01-23", "source": "Enab Baladi"}
    response = post(server, "/records", {"articles": [article]})
    assert response.status_code == 200, response.text
    body = response.json()
    for record in body["records"]:
        assert record["event_type"] in ("attack", "retaliation") and record["sources"][0]["date"] == "2024-01-23"
        for m in record["mentions"]:
            assert article["text"][m["start"] : m["end"]] == m["text"]


def test_records_without_a_date_work_with_a_warning(server):
    response = post(server, "/records", {"articles": [{"id": "x", "text": ARTICLES[4]["text"]}]})
    assert response.status_code == 200 and any("no publication date" in w for w in response.json()["warnings"])


@pytest.mark.parametrize("articles, status, message", [
    ([{"id": "x", "text": "قصف", "date": "30/01/2024"}], 400, "articles[0]: date '30/01/2024' is not an ISO date"),
    ([], 400, "articles is empty"),
    ([{"id": "x", "text": "  "}], 400, "articles[0]: text is empty"),
    ([{"id": "x", "text": "قصف"}, {"id": "x", "text": "غارة"}], 400, "articles[1]: duplicate id 'x'"),
])
def test_bad_records_requests_get_a_specific_4xx(server, articles, status, message):
    response = post(server, "/records", {"articles": articles})
    assert response.status_code == status and message in response.json()["error"]
