"""The service as a Label Studio ML backend (``bentoml serve`` with the tiny model): /health, /setup,
/predict, /webhook, /train, the training jobs, and the token on state-changing routes."""

from __future__ import annotations

import base64
import json
import shutil
import time

import httpx
import pytest
import yaml

from serving.label_studio import DEFAULT_CONFIG
from tests.conftest import CORPUS, ROOT, running_service

pytestmark = pytest.mark.slow

ARTICLES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
LABEL_CONFIG = DEFAULT_CONFIG.read_text(encoding="utf-8")
TOKEN = "token-for-the-tests-1234"
TEXT = "قصفت طائرات حربية سوقاً في أريحا."


def post(url, path, payload, **kwargs):
    return httpx.post(f"{url}{path}", json=payload, timeout=120, **kwargs)


def annotation_event(action: str, labels: list[tuple[int, int, str]], task_id: int = 12) -> dict:
    """Label Studio's webhook payload for a new or updated annotation."""
    result = [
        {"id": f"r{k}", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
         "value": {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]}}
        for k, (start, end, label) in enumerate(labels)
    ]
    return {
        "action": action,
        "annotation": {"id": 31, "result": result, "task": task_id, "was_cancelled": False},
        "task": {"id": task_id, "data": {"text": TEXT}, "project": 3},
        "project": {"id": 3, "title": "events", "label_config": LABEL_CONFIG},
    }


def test_health_and_setup_give_the_served_model_version(server):
    health = httpx.get(f"{server.url}/health", timeout=30).json()
    assert health["status"] == "UP"
    assert health["model_version"].startswith("arabic-event-tagger:")
    setup = post(server.url, "/setup", {"project": "3.1764480000", "schema": LABEL_CONFIG, "hostname": "http://localhost:8080",
                                        "access_token": "abc", "extra_params": None})
    assert (setup.status_code, setup.json()) == (200, {"model_version": health["model_version"]})


def test_setup_refuses_a_project_without_labels_on_a_text(server):
    response = post(server.url, "/setup", {"project": "3.1", "schema": "<View><Image name='i' value='$image'/></View>"})
    assert response.status_code == 400
    assert response.json() == {"error": "label_config has no <Labels> control whose toName is a <Text> object"}


def test_predict_gives_one_prediction_per_task_in_order_with_the_extract_spans(server):
    tasks = [{"id": 101, "data": {"text": ARTICLES[4]["text"]}}, {"id": 102, "data": {"text": "   "}},
             {"id": 103, "data": {"text": ARTICLES[2]["text"]}}]
    response = post(server.url, "/predict", {"tasks": tasks, "project": "3.1764480000", "label_config": LABEL_CONFIG,
                                             "params": {"login": None, "password": None, "context": None}})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 3
    assert results[1]["result"] == [] and results[1]["score"] == 1.0
    for task, result in zip([tasks[0], tasks[2]], [results[0], results[2]]):
        extracted = post(server.url, "/extract", {"text": task["data"]["text"]}).json()
        regions = [r for r in result["result"] if r["type"] == "labels"]
        assert [(r["value"]["start"], r["value"]["end"], r["value"]["labels"]) for r in regions] == \
            [(s["start"], s["end"], [s["label"]]) for s in extracted["spans"]]
        assert all(task["data"]["text"][r["value"]["start"]:r["value"]["end"]] == r["value"]["text"] for r in regions)
        assert {(r["from_name"], r["to_name"]) for r in regions} == {("label", "text")}
        relations = [r for r in result["result"] if r["type"] == "relation"]
        assert len(relations) == sum(len(e["arguments"]) for e in extracted["events"] if e["trigger"])
        assert 0.0 < result["score"] < 1.0
        assert result["model_version"] == extracted["model"]["tag"]


def test_predict_refuses_tasks_without_the_configured_text(server):
    response = post(server.url, "/predict", {"tasks": [{"id": 1, "data": {"body": TEXT}}], "label_config": LABEL_CONFIG})
    assert (response.status_code, response.json()) == (400, {"error": "tasks[0]: data.text must be a string (the <Text> of the labelling config)"})


def test_annotation_events_are_kept_pending_and_an_update_replaces_the_first_version(server):
    created = post(server.url, "/webhook", annotation_event("ANNOTATION_CREATED", [(0, 4, "ATTACK")], task_id=501))
    assert created.status_code == 201
    before = created.json()["pending"]
    updated = post(server.url, "/webhook", annotation_event("ANNOTATION_UPDATED", [(0, 4, "ATTACK"), (18, 23, "TARGET")], task_id=501))
    assert (updated.status_code, updated.json()) == (201, {"kept": ["label-studio-501"], "skipped": [], "pending": before})
    kept = [json.loads(line) for line in server.pending.read_text(encoding="utf-8").splitlines()]
    assert [r["spans"] for r in kept if r["id"] == "label-studio-501"] == [
        [{"start": 0, "end": 4, "label": "ATTACK"}, {"start": 18, "end": 23, "label": "TARGET"}]]


def test_an_annotation_against_the_scheme_gets_400_and_is_not_kept(server):
    before = server.pending.read_text(encoding="utf-8") if server.pending.exists() else ""
    response = post(server.url, "/webhook", annotation_event("ANNOTATION_CREATED", [(18, 23, "TARGET")], task_id=502))
    assert response.status_code == 400
    assert response.json()["problems"] == ["span TARGET 18-23 «سوقاً» is an argument in sentence 0, which has no trigger"]
    assert (server.pending.read_text(encoding="utf-8") if server.pending.exists() else "") == before


def test_other_label_studio_events_are_ignored(server):
    response = post(server.url, "/webhook", {"action": "PROJECT_UPDATED", "project": {"id": 3}})
    assert (response.status_code, response.json()) == (200, {"status": "ignored", "action": "PROJECT_UPDATED"})


# ---------------------------------------------------------------- a service that listens beyond loopback


@pytest.fixture(scope="module")
def guarded(tiny_env, tmp_path_factory):
    """A service that believes it listens on every interface (``ARABIC_EVENTS_HOST=0.0.0.0``, bound to
    loopback all the same), with a token, its own copy of the model store, and training jobs that
    retrain on the tiny config over a copy of the corpus."""
    folder = tmp_path_factory.mktemp("guarded")
    home = folder / "bentoml"
    shutil.copytree(tiny_env["BENTOML_HOME"], home, ignore=shutil.ignore_patterns("cache"))
    shutil.copy(CORPUS, folder / "corpus.jsonl")
    config = yaml.safe_load((ROOT / "configs" / "tiny.yaml").read_text(encoding="utf-8"))
    config["data"] = [str(folder / "corpus.jsonl")]
    (folder / "tiny.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {
        **tiny_env, "BENTOML_HOME": str(home), "ARABIC_EVENTS_HOST": "0.0.0.0", "ARABIC_EVENTS_API_TOKEN": TOKEN,
        "ARABIC_EVENTS_PENDING": str(folder / "pending.jsonl"), "ARABIC_EVENTS_JOBS": str(folder / "jobs"),
        "ARABIC_EVENTS_RETRAIN_ARGS": f"--config {folder / 'tiny.yaml'} --corpus {folder / 'corpus.jsonl'} --history {folder / 'history.jsonl'}",
    }
    with running_service(env, folder) as running:
        running.pending = folder / "pending.jsonl"
        yield running


BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize("path", ["/annotations", "/webhook", "/train"])
def test_state_changing_routes_refuse_a_request_without_the_token(guarded, path):
    before = guarded.pending.read_text(encoding="utf-8") if guarded.pending.exists() else ""
    response = post(guarded.url, path, annotation_event("ANNOTATION_CREATED", [(0, 4, "ATTACK")]))
    assert response.status_code == 401
    assert response.json() == {"error": "this route needs the API token (ARABIC_EVENTS_API_TOKEN) as a bearer token or basic-auth password"}
    wrong = post(guarded.url, path, {}, headers={"Authorization": "Bearer not-the-token"})
    assert (wrong.status_code, wrong.json()) == (401, {"error": "the API token is wrong"})
    assert (guarded.pending.read_text(encoding="utf-8") if guarded.pending.exists() else "") == before


def test_reading_routes_need_no_token(guarded):
    assert httpx.get(f"{guarded.url}/health", timeout=30).status_code == 200
    assert post(guarded.url, "/predict", {"tasks": [{"id": 1, "data": {"text": TEXT}}]}).status_code == 200
    assert post(guarded.url, "/extract", {"text": TEXT}).status_code == 200


def test_label_studio_basic_auth_credentials_are_accepted(guarded):
    basic = {"Authorization": "Basic " + base64.b64encode(f"label-studio:{TOKEN}".encode()).decode()}
    response = post(guarded.url, "/webhook", annotation_event("ANNOTATION_CREATED", [(0, 4, "ATTACK"), (18, 23, "TARGET")]), headers=basic)
    assert response.status_code == 201


def test_one_training_at_a_time_its_state_readable_and_its_outcome_logged(guarded):
    kept = post(guarded.url, "/webhook", annotation_event("ANNOTATION_CREATED", [(0, 4, "ATTACK"), (5, 17, "WEAPON")], task_id=77),
                headers=BEARER)
    assert kept.status_code == 201
    first = post(guarded.url, "/webhook", {"action": "START_TRAINING", "project": {"id": 3}}, headers=BEARER)
    assert first.status_code == 201
    job = first.json()["job"]
    assert first.json()["status"]["state"] == "running" and first.json()["status"]["articles"] == kept.json()["pending"]
    second = post(guarded.url, "/webhook", {"action": "START_TRAINING", "project": {"id": 3}}, headers=BEARER)
    assert second.status_code == 409
    assert second.json()["error"].startswith(f"a training job is already running (job {job}, started ")
    older = post(guarded.url, "/train", {"annotations": [], "label_config": LABEL_CONFIG}, headers=BEARER)
    assert older.status_code == 409
    assert httpx.get(f"{guarded.url}/jobs", timeout=30).json()["running"]["id"] == job

    deadline = time.monotonic() + 600
    while (state := httpx.get(f"{guarded.url}/jobs/{job}", timeout=30).json())["state"] == "running":
        assert time.monotonic() < deadline, "the tiny retraining did not finish in 10 minutes"
        time.sleep(2)
    assert state["state"] == "succeeded", state
    assert state["outcome"].startswith(("PROMOTED", "NOT PROMOTED"))
    assert f"training job {job} succeeded: {state['outcome']}" in guarded.log.read_text()
    assert not guarded.pending.exists()  # the batch went to the job
    assert httpx.get(f"{guarded.url}/jobs/nope", timeout=30).status_code == 404
