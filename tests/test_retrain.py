"""`arabic-events retrain`: validate, merge with history, train a candidate, gate the promotion."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from model.corpus_io import read_documents
from tests.conftest import CORPUS, ROOT, run_cli
from training.gate_split import make_gate_split, write_gate_split

pytestmark = pytest.mark.slow

NEW_TEXT = "قصفت طائرات حربية مواقع للمسلحين في ريف حماة صباح اليوم. وقال مصدر محلي إن القصف أسفر عن مقتل ثلاثة مسلحين."


def new_article() -> dict:
    def span(surface, label):
        start = NEW_TEXT.index(surface)
        return {"start": start, "end": start + len(surface), "label": label}

    spans = [span("قصفت", "ATTACK"), span("طائرات حربية", "WEAPON"), span("مواقع للمسلحين", "TARGET"),
             span("ريف حماة", "LOCATION"), span("صباح اليوم", "TIME"), span("القصف", "ATTACK"),
             span("مقتل ثلاثة مسلحين", "CASUALTIES")]
    return {"id": "new-001", "text": NEW_TEXT, "spans": spans, "meta": {"source": "test"}}


def make_workspace(tmp_path):
    """A private corpus, config and BentoML home holding one served tiny model."""
    corpus = tmp_path / "corpus.jsonl"
    shutil.copy(CORPUS, corpus)
    home = tmp_path / "bentoml"
    env = {**os.environ, "BENTOML_HOME": str(home), "ARABIC_EVENTS_CACHE": str(tmp_path / "cache"), "BENTOML_DO_NOT_TRACK": "true"}
    base = (ROOT / "configs" / "tiny.yaml").read_text(encoding="utf-8").replace("annotations/corpus.jsonl", str(corpus))
    run_cli(env, "train", "--config", str(write(tmp_path / "tiny.yaml", base)))
    served = (home / "arabic-event-tagger.served").read_text().strip()
    return type("Workspace", (), {"path": tmp_path, "corpus": corpus, "env": env, "home": home, "base": base, "served": served,
                                  "split": gate_split(tmp_path, corpus)})


def gate_split(tmp_path, corpus):
    """The corpus's evaluation split, drawn as `arabic-events gate-split` draws it: seed-001 of the five seeds."""
    split = tmp_path / "gate-split.json"
    write_gate_split(split, make_gate_split(read_documents(corpus), 13, [str(corpus)]))
    return split


@pytest.fixture
def workspace(tmp_path):
    return make_workspace(tmp_path)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def retrain(ws, *extra, tolerance):
    config = write(ws.path / "retrain.yaml", ws.base + f"promotion_tolerance: {tolerance}\n")
    return subprocess.run(
        [sys.executable, "-m", "arabic_events", "retrain", "--config", str(config), "--corpus", str(ws.corpus),
         "--history", str(ws.path / "history.jsonl"), "--split", str(ws.split), *extra],
        cwd=ROOT, env=ws.env, capture_output=True, text=True, timeout=600,
    )


def stored_models(ws):
    return sorted(p.name for p in (ws.home / "models" / "arabic-event-tagger").iterdir() if p.name != "latest")


def stored(ws, tag):
    """The labels and metadata BentoML keeps for the stored model ``tag`` (or its bare version)."""
    info = yaml.safe_load((ws.home / "models" / "arabic-event-tagger" / tag.split(":")[-1] / "model.yaml").read_text())
    return info["labels"], info["metadata"]


def stored_with_stage(ws, stage):
    return [f"arabic-event-tagger:{v}" for v in stored_models(ws) if stored(ws, v)[0]["stage"] == stage]


def test_an_invalid_batch_changes_nothing(workspace):
    before = workspace.corpus.read_bytes()
    models = stored_models(workspace)
    bad = new_article()
    bad["spans"].append({"start": 1, "end": 4, "label": "ATTACK"})
    batch = write(workspace.path / "batch.jsonl", json.dumps(new_article(), ensure_ascii=False) + "\n"
                  + json.dumps({**bad, "id": "new-002"}, ensure_ascii=False) + "\n")
    result = retrain(workspace, "--add", str(batch), tolerance=0.01)
    assert result.returncode == 1
    assert "starts or ends inside a word" in result.stderr
    assert workspace.corpus.read_bytes() == before
    assert not (workspace.path / "history.jsonl").exists()
    assert stored_models(workspace) == models


def test_a_valid_batch_merges_keeps_history_and_promotes_within_tolerance(workspace):
    corrected = json.loads(CORPUS.read_text(encoding="utf-8").splitlines()[4])
    original_spans = list(corrected["spans"])
    corrected["spans"] = corrected["spans"][:-1]
    batch = write(workspace.path / "batch.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (new_article(), corrected)))
    result = retrain(workspace, "--add", str(batch), tolerance=1.0)
    assert result.returncode == 0, result.stderr[-2000:]
    merged = [json.loads(line) for line in workspace.corpus.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in merged] == ["seed-000", "seed-001", "seed-002", "seed-003", "seed-004", "new-001"]
    assert merged[4]["spans"] == corrected["spans"]
    [history] = [json.loads(line) for line in (workspace.path / "history.jsonl").read_text(encoding="utf-8").splitlines()]
    assert history["id"] == "seed-004" and history["spans"] == original_spans and history["replaced_by"] == "seed-004"
    assert "PROMOTED" in result.stdout
    served = (workspace.home / "arabic-event-tagger.served").read_text().strip()
    assert served != workspace.served and len(stored_models(workspace)) == 4  # served before, reference, candidate, promoted


def test_the_gate_scores_models_trained_without_the_split_and_promotes_one_trained_on_everything(workspace):
    batch = write(workspace.path / "batch.jsonl", json.dumps(new_article(), ensure_ascii=False) + "\n")
    result = retrain(workspace, "--add", str(batch), tolerance=1.0)
    assert result.returncode == 0, result.stderr[-2000:]
    assert list(json.loads(workspace.split.read_text())["documents"]) == ["seed-001"]
    # the served model, trained on all five seeds, is not scored: a reference of it trained without seed-001 is
    assert sorted(stored(workspace, workspace.served)[1]["training_documents"]) == [f"seed-00{i}" for i in range(5)]
    [reference] = stored_with_stage(workspace, "reference")
    _, reference_metadata = stored(workspace, reference)
    assert sorted(reference_metadata["training_documents"]) == ["seed-000", "seed-002", "seed-003", "seed-004"]
    assert reference_metadata["metrics"] == {"reference_of": workspace.served}
    # the candidate passed; the model promoted is trained on everything, seed-001 and the new article included
    promoted = (workspace.home / "arabic-event-tagger.served").read_text().strip()
    _, promoted_metadata = stored(workspace, promoted)
    assert sorted(promoted_metadata["training_documents"]) == ["new-001", *(f"seed-00{i}" for i in range(5))]
    [candidate] = stored_with_stage(workspace, "candidate")
    assert sorted(stored(workspace, candidate)[1]["training_documents"]) == ["new-001", "seed-000", "seed-002", "seed-003", "seed-004"]
    gate = promoted_metadata["metrics"]["gate"]
    assert gate == stored(workspace, candidate)[1]["metrics"]["gate"]
    assert gate["split_documents"] == 1 and gate["reference_tag"] == reference
    assert gate["note"].startswith("candidate and reference were both trained without the evaluation split")
    assert "evaluation split: 1 real article (" in " ".join(result.stderr.split())
    assert "It was trained on all the data, the evaluation split included" in " ".join(result.stdout.split())


def test_a_candidate_worse_beyond_tolerance_is_stored_but_not_promoted(workspace):
    batch = write(workspace.path / "batch.jsonl", json.dumps(new_article(), ensure_ascii=False) + "\n")
    result = retrain(workspace, "--add", str(batch), tolerance=-1.0)  # the candidate would need +1.0 event F1
    assert result.returncode == 0, result.stderr[-2000:]
    assert "NOT PROMOTED" in result.stdout
    assert (workspace.home / "arabic-event-tagger.served").read_text().strip() == workspace.served
    [candidate] = stored_with_stage(workspace, "candidate")
    assert sorted(stored(workspace, candidate)[1]["training_documents"]) == ["new-001", "seed-000", "seed-002", "seed-003", "seed-004"]
    assert len(stored_models(workspace)) == 3  # the served model, a reference, the candidate


def test_the_next_retrain_takes_the_last_candidate_as_its_reference_when_its_config_is_served(workspace):
    batch = write(workspace.path / "batch.jsonl", json.dumps(new_article(), ensure_ascii=False) + "\n")
    assert retrain(workspace, "--add", str(batch), tolerance=-1.0).returncode == 0  # not promoted
    [candidate] = stored_with_stage(workspace, "candidate")
    result = retrain(workspace, "--add", str(batch), tolerance=-1.0)  # the same batch again
    assert result.returncode == 0, result.stderr[-2000:]
    # the same config on the same data (the corpus after the first merge, minus the split): nothing to train again
    assert f"reference: {candidate}, stored earlier" in " ".join(result.stderr.split())
    assert len(stored_with_stage(workspace, "reference")) == 1


@pytest.fixture
def untrained_workspace(tmp_path):
    """A private corpus and config, no model: for batches refused before anything is trained."""
    corpus = tmp_path / "corpus.jsonl"
    shutil.copy(CORPUS, corpus)
    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "bentoml"), "ARABIC_EVENTS_CACHE": str(tmp_path / "cache"),
           "BENTOML_DO_NOT_TRACK": "true"}
    base = (ROOT / "configs" / "tiny.yaml").read_text(encoding="utf-8").replace("annotations/corpus.jsonl", str(corpus))
    return type("Workspace", (), {"path": tmp_path, "corpus": corpus, "env": env, "base": base,
                                  "split": gate_split(tmp_path, corpus)})


def seeds():
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


def test_articles_without_spans_are_refused_and_change_nothing(untrained_workspace):
    ws = untrained_workspace
    before = ws.corpus.read_bytes()
    articles = write(ws.path / "articles.jsonl",
                     "".join(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n" for r in seeds()))
    result = retrain(ws, "--add", str(articles), tolerance=0.01)
    assert result.returncode == 1
    assert result.stderr.count("no 'spans': an article, not an annotation") == 5
    assert ws.corpus.read_bytes() == before and not (ws.path / "history.jsonl").exists()


def test_a_version_without_spans_does_not_replace_an_annotated_article(untrained_workspace):
    ws = untrained_workspace
    before = ws.corpus.read_bytes()
    emptied = {**seeds()[4], "spans": []}
    batch = write(ws.path / "batch.jsonl", json.dumps(emptied, ensure_ascii=False) + "\n")
    result = retrain(ws, "--add", str(batch), tolerance=0.01)
    assert result.returncode == 1
    assert (f"'seed-004' has no span and would replace the version in {ws.corpus} that has 49 spans; "
            "pass --allow-emptying if its annotations are to go") in result.stderr
    assert ws.corpus.read_bytes() == before and not (ws.path / "history.jsonl").exists()


def test_a_batch_that_loses_spans_is_stored_but_not_promoted(workspace):
    corrected = {**seeds()[4], "spans": seeds()[4]["spans"][:-1]}
    batch = write(workspace.path / "batch.jsonl", json.dumps(corrected, ensure_ascii=False) + "\n")
    result = retrain(workspace, "--add", str(batch), tolerance=1.0)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "the training data lost spans (287 before the merge, 286 after); give --allow-emptying" in result.stdout
    assert "NOT PROMOTED" in result.stdout
    assert (workspace.home / "arabic-event-tagger.served").read_text().strip() == workspace.served
