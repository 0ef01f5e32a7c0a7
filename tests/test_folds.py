"""What may be held out: real articles only, whole incidents (training.folds), for train, crossval and retrain."""

from __future__ import annotations

import json

import pytest

from model.corpus_io import read_documents
from model.document import Document
from model.errors import UserError
from tests.conftest import CORPUS, ROOT
from training.config import TrainConfig
from training.crossval import crossvalidate
from training.folds import held_out_folds, holdable, is_constructed

CONTRAST = ROOT / "annotations" / "contrast.jsonl"
SYRIAN_ARCHIVE = ROOT / "annotations" / "standoff" / "syrian-archive.jsonl"


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    """The seeds, the Syrian Archive records (ids and groups as stored; their texts are not needed here), the contrast set."""
    standoff = [json.loads(line) for line in SYRIAN_ARCHIVE.read_text(encoding="utf-8").splitlines()]
    archive = [Document(r["id"], "", meta=r.get("meta", {})) for r in standoff]
    return [*read_documents(CORPUS), *archive, *read_documents(CONTRAST)]


def test_every_contrast_document_is_constructed_and_no_real_one_is(documents):
    assert [d.id for d in documents if is_constructed(d)] == [d.id for d in read_documents(CONTRAST)]


def test_no_fold_ever_holds_out_a_contrast_document(documents):
    held = [documents[i].id for fold in held_out_folds(documents, None, seed=13) for i in fold]
    assert len(held) == 5 + 24  # every seed and Syrian Archive passage, once
    assert not [i for i in held if i.startswith("contrast-")]


def test_holding_out_one_passage_of_an_incident_holds_out_the_whole_incident(documents):
    # sa-04 is one of the three passages about the Atarib market strike (meta.group atarib-market-2017)
    atarib = sorted(d.id for d in documents if d.meta.get("group") == "atarib-market-2017")
    assert atarib == ["sa-01", "sa-03", "sa-04"]
    held = sorted(documents[i].id for i in holdable(documents, {"sa-04", "seed-001"}))
    assert held == sorted(["seed-001", *atarib])
    folds = held_out_folds(documents, None, 13, {"sa-04", "seed-001"})
    assert sorted(len(f) for f in folds) == [1, 3]  # the incident is one fold


def test_crossval_refuses_to_score_only_constructed_text(documents):
    contrast = [d for d in documents if is_constructed(d)]
    with pytest.raises(UserError, match="no real document to hold out"):
        crossvalidate(TrainConfig(backbone="tiny:"), contrast)


def test_train_holdout_counts_incidents_and_leaves_some_to_train_on(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "bentoml"), "ARABIC_EVENTS_CACHE": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-m", "arabic_events", "train", "--config", "configs/tiny.yaml", "--holdout", "5"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "--holdout 5: the data has 5 incidents of real articles to hold out" in result.stderr
