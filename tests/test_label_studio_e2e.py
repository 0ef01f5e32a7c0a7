"""The round trip through a real Label Studio: a project with the repository's labelling config, this
service connected as its ML backend through Label Studio's own API, three tasks imported, predictions
retrieved by Label Studio and stored with the offsets and labels of ``/extract``, and an annotation
made in Label Studio arriving through its webhook among the pending annotations.

It installs Label Studio into an environment of its own the first time (several minutes), so it
runs only when asked: ``ARABIC_EVENTS_LABEL_STUDIO=1 pytest -m label_studio`` (``.ci/run`` does).
"""

from __future__ import annotations

import json
import os

import httpx
import pytest

from serving.label_studio import DEFAULT_CONFIG
from tests.conftest import CORPUS
from tests.label_studio_app import running_label_studio

pytestmark = [
    pytest.mark.label_studio,
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("ARABIC_EVENTS_LABEL_STUDIO") != "1",
                       reason="a real Label Studio: set ARABIC_EVENTS_LABEL_STUDIO=1 (.ci/run does)"),
]

ARTICLES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory):
    with running_label_studio(tmp_path_factory.mktemp("label-studio")) as client:
        yield client


@pytest.fixture(scope="module")
def project(label_studio, server):
    """A project with the repository's labelling config, this service as its ML backend, three tasks."""
    created = label_studio.post("/api/projects", json={"title": "arabic-events", "label_config": DEFAULT_CONFIG.read_text(encoding="utf-8")})
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    backend = label_studio.post("/api/ml", json={"url": server.url, "project": project_id, "title": "arabic-events",
                                                 "is_interactive": False})
    assert backend.status_code == 201, backend.text
    texts = [ARTICLES[i]["text"] for i in (1, 3, 4)]
    imported = label_studio.post(f"/api/projects/{project_id}/import", json=[{"text": text} for text in texts])
    assert imported.status_code == 201, imported.text
    tasks = label_studio.get("/api/tasks", params={"project": project_id, "page_size": 10}).json()["tasks"]
    return {"id": project_id, "backend": backend.json(), "tasks": sorted(tasks, key=lambda t: t["id"])}


def test_label_studio_connects_to_the_service_as_an_ml_backend(project, server):
    health = httpx.get(f"{server.url}/health", timeout=30).json()
    assert project["backend"]["state"] == "CO"  # connected: /health and /setup answered
    assert project["backend"]["model_version"] == health["model_version"]


def test_predictions_retrieved_through_label_studio_keep_the_offsets_and_labels(label_studio, project, server):
    action = label_studio.post("/api/dm/actions", params={"id": "retrieve_tasks_predictions", "project": project["id"]},
                               json={"selectedItems": {"all": True, "excluded": []}})
    assert action.status_code == 200, action.text
    stored = label_studio.get("/api/predictions", params={"project": project["id"]}).json()
    by_task = {p["task"]: p for p in stored}
    assert sorted(by_task) == [t["id"] for t in project["tasks"]]
    for task in project["tasks"]:
        text = task["data"]["text"]
        extracted = httpx.post(f"{server.url}/extract", json={"text": text}, timeout=120).json()
        prediction = by_task[task["id"]]
        regions = [r for r in prediction["result"] if r["type"] == "labels"]
        assert [(r["value"]["start"], r["value"]["end"], r["value"]["labels"]) for r in regions] == \
            [(s["start"], s["end"], [s["label"]]) for s in extracted["spans"]]
        assert all(text[r["value"]["start"]:r["value"]["end"]] == r["value"]["text"] for r in regions)
        relations = [r for r in prediction["result"] if r["type"] == "relation"]
        assert len(relations) == sum(len(e["arguments"]) for e in extracted["events"] if e["trigger"])
        assert prediction["model_version"] == extracted["model"]["tag"]
        assert 0.0 < prediction["score"] <= 1.0


def test_an_annotation_made_in_label_studio_arrives_among_the_pending_annotations(label_studio, project, server):
    task = project["tasks"][2]
    text, spans = ARTICLES[4]["text"], ARTICLES[4]["spans"][:3]
    assert task["data"]["text"] == text
    result = [{"id": f"a{k}", "from_name": "label", "to_name": "text", "type": "labels",
               "value": {"start": s["start"], "end": s["end"], "text": text[s["start"]:s["end"]], "labels": [s["label"]]}}
              for k, s in enumerate(spans)]
    annotated = label_studio.post(f"/api/tasks/{task['id']}/annotations", json={"result": result})
    assert annotated.status_code == 201, annotated.text
    pending = [json.loads(line) for line in server.pending.read_text(encoding="utf-8").splitlines()]
    kept = [r for r in pending if r["id"] == f"label-studio-{task['id']}"]
    assert [r["spans"] for r in kept] == [[{"start": s["start"], "end": s["end"], "label": s["label"]} for s in spans]]
