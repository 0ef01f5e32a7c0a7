"""The promotion gate's evaluation split (annotations/gate-split.json) and its refusal to score a model on what it saw."""

from __future__ import annotations

import json

import pytest

from model.corpus_io import read_documents
from model.document import Document
from model.errors import UserError
from tests.conftest import CORPUS, ROOT
from training.config import TrainConfig
from training.folds import group_of, held_out_folds, is_constructed
from training.gate import refuse_seen
from training.gate_split import GateSplit, read_gate_split, write_gate_split
from training.store import training_documents

SPLIT = ROOT / "annotations" / "gate-split.json"


@pytest.fixture(scope="module")
def default_data() -> tuple[list[Document], dict[str, str]]:
    """Every document of configs/default.yaml's data as stored (stand-off texts are not needed), and id -> text sha256."""
    documents, hashes = [], {}
    for name in TrainConfig.from_yaml(ROOT / "configs" / "default.yaml").data:
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            document = Document(record["id"], record.get("text", ""), meta=record.get("meta", {}))
            documents.append(document)
            hashes[document.id] = record.get("sha256") or document.sha256
    return documents, hashes


def test_the_recorded_split_is_fold_0_of_the_real_articles_with_seed_13(default_data):
    documents, hashes = default_data
    fold = [documents[i] for i in held_out_folds(documents, 5, 13)[0]]
    split = read_gate_split(SPLIT)
    assert split.documents == {d.id: hashes[d.id] for d in fold}
    assert len(split.documents) == 160 and sum(not is_constructed(d) for d in documents) == 727


def test_the_split_holds_whole_incidents_and_no_contrast_document(default_data):
    documents, _ = default_data
    split = read_gate_split(SPLIT)
    assert not [d.id for d in documents if is_constructed(d) and d.id in split.documents]
    in_split_groups = {d.id for d in documents if not is_constructed(d) and group_of(d) in split.groups}
    assert in_split_groups == set(split.documents)


def test_a_new_passage_of_a_split_incident_or_a_split_text_under_another_id_is_held_out_too():
    seeds = read_documents(CORPUS)
    split = GateSplit.of_documents([seeds[1]])
    renamed = Document("renamed", seeds[1].text)
    same_incident = Document("new-passage", seeds[0].text, meta={"group": "seed-001"})
    assert [split.holds(d) for d in (*seeds, renamed, same_incident)] == [False, True, False, False, False, True, True]


def test_a_recorded_split_is_not_changed_silently(tmp_path):
    seeds = read_documents(CORPUS)
    path = tmp_path / "split.json"
    write_gate_split(path, GateSplit.of_documents(seeds[:1]))
    before = path.read_bytes()
    assert write_gate_split(path, GateSplit.of_documents(seeds[:1])) == f"{path} already holds this split (1 document); unchanged"
    with pytest.raises(UserError, match=r"holds a different split \(2 documents would go in or out\); pass --replace"):
        write_gate_split(path, GateSplit.of_documents(seeds[1:2]))
    assert path.read_bytes() == before
    write_gate_split(path, GateSplit.of_documents(seeds[1:2]), replace=True)
    assert list(read_gate_split(path).documents) == ["seed-001"]


def test_a_model_trained_on_split_documents_is_refused():
    seeds = read_documents(CORPUS)
    trained_on_everything = {"training_documents": training_documents(seeds)}
    split = [seeds[1], seeds[3]]
    with pytest.raises(UserError) as refused:
        refuse_seen("arabic-event-tagger:served", trained_on_everything, split)
    assert str(refused.value) == ("arabic-event-tagger:served was trained on 2 of the 2 evaluation documents "
                                  "(seed-001, seed-003); the promotion gate never scores a model on documents it saw")
    refuse_seen("a reference", {"training_documents": training_documents([seeds[0], seeds[2], seeds[4]])}, split)


def test_a_model_without_recorded_training_documents_is_refused():
    with pytest.raises(UserError, match="^old records no training documents, so whether it saw the evaluation documents "
                                        "cannot be known; the promotion gate does not score it$"):
        refuse_seen("old", {"data_sha256": "0" * 64}, read_documents(CORPUS)[:1])
