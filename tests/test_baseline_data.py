"""The classical baseline of `evaluate --baseline` trains on the model's own training documents minus the gold ones."""

from __future__ import annotations

import pytest

from model.document import Document
from model.errors import UserError
from training.baseline_data import baseline_training_documents
from training.store import data_fingerprint, training_documents


def metadata_of(trained: list[Document]) -> dict:
    """What `training.store.save_to_store` records about a model's training data."""
    return {"training_documents": training_documents(trained), "data_sha256": data_fingerprint(trained)}


def ids(documents: list[Document]) -> list[str]:
    return [d.id for d in documents]


def test_the_evaluated_documents_are_left_out(corpus):
    chosen, _ = baseline_training_documents(metadata_of(corpus), corpus, [corpus[2]])
    assert ids(chosen) == ["seed-000", "seed-001", "seed-003", "seed-004"]


def test_documents_the_model_held_out_are_never_trained_on(corpus):
    # a model trained with seed-004 held out, evaluated on seed-004: the baseline must not see it either
    chosen, notes = baseline_training_documents(metadata_of(corpus[:4]), corpus, [corpus[4]])
    assert ids(chosen) == ["seed-000", "seed-001", "seed-002", "seed-003"]
    assert notes == ["baseline: trained on 4 of the model's 4 training documents (0 left out as evaluated)"]


def test_an_evaluated_text_under_another_id_is_left_out_too(corpus):
    renamed = Document("copy-of-seed-001", corpus[1].text, corpus[1].spans)
    chosen, _ = baseline_training_documents(metadata_of(corpus), corpus, [renamed])
    assert "seed-001" not in ids(chosen)


def test_a_model_stored_without_its_training_documents_is_refused(corpus):
    with pytest.raises(UserError, match="predates them"):
        baseline_training_documents({"data_sha256": data_fingerprint(corpus)}, corpus, [corpus[0]])


def test_changed_annotations_are_said(corpus):
    edited = [*corpus[:4], Document(corpus[4].id, corpus[4].text, corpus[4].spans[1:], corpus[4].meta)]
    chosen, notes = baseline_training_documents(metadata_of(corpus), edited, [corpus[0]])
    assert len(chosen) == 4
    assert "data_sha256 differs" in notes[0]


def test_missing_training_documents_are_said(corpus):
    chosen, notes = baseline_training_documents(metadata_of(corpus), corpus[:3], [corpus[0]])
    assert ids(chosen) == ["seed-001", "seed-002"]
    assert notes[0].startswith("2 of the model's 5 training documents are missing or have another text now (seed-003, seed-004)")


def test_nothing_left_to_train_on_is_an_error(corpus):
    with pytest.raises(UserError, match="no training document of the model is left"):
        baseline_training_documents(metadata_of(corpus[:1]), corpus, [corpus[0]])


@pytest.mark.slow
def test_evaluate_baseline_never_trains_on_the_evaluated_article(tiny_env, tmp_path):
    from tests.conftest import CORPUS, run_cli

    gold = tmp_path / "seed-002.jsonl"
    gold.write_text(next(line for line in CORPUS.read_text(encoding="utf-8").splitlines() if '"seed-002"' in line) + "\n")
    result = run_cli(tiny_env, "evaluate", "--data", str(gold), "--out", str(tmp_path / "report"), "--baseline")
    # the tiny model trained on the five seeds; its baseline on the four that are not evaluated
    assert "baseline: trained on 4 of the model's 5 training documents (1 left out as evaluated)" in result.stderr
