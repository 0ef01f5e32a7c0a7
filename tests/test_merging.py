"""A version without spans never replaces an annotated article unasked: in `retrain`'s merge into the
corpus and in the pending corrections of `POST /annotations` (one function, `model.merging`)."""

import dataclasses
import json
import shutil

import pytest

from model.corpus_io import read_documents
from model.document import Document
from model.merging import EmptyingRefused, plan_merge
from serving.pending import append_pending
from training.retrain import merge_into_corpus

from tests.conftest import CORPUS


@pytest.fixture
def corpus_copy(tmp_path):
    path = tmp_path / "corpus.jsonl"
    shutil.copy(CORPUS, path)
    return path


def emptied(document, **changes):
    return dataclasses.replace(document, spans=[], **changes)


def test_a_new_version_replaces_by_id_else_by_text(corpus):
    seed_000, seed_001 = corpus[0], corpus[1]
    plan = plan_merge(corpus, [dataclasses.replace(seed_000, spans=seed_000.spans[:1]),
                               dataclasses.replace(seed_001, id="renamed")])
    assert [(r.old.id, r.new.id) for r in plan.replacements] == [("seed-000", "seed-000"), ("seed-001", "renamed")]
    assert plan.added == [] and [d.id for d in plan.documents][:2] == ["seed-000", "renamed"]


def test_merge_refuses_to_empty_an_annotated_article_and_writes_nothing(corpus_copy, seed_004, tmp_path):
    before = corpus_copy.read_bytes()
    with pytest.raises(EmptyingRefused) as refused:
        merge_into_corpus(corpus_copy, tmp_path / "history.jsonl", [emptied(seed_004)])
    assert refused.value.problems == [
        f"'seed-004' has no span and would replace the version in {corpus_copy} that has 49 spans; "
        "pass --allow-emptying if its annotations are to go"
    ]
    assert corpus_copy.read_bytes() == before and not (tmp_path / "history.jsonl").exists()


def test_merge_refuses_to_empty_an_article_with_the_same_text_under_another_id(corpus_copy, seed_004, tmp_path):
    with pytest.raises(EmptyingRefused, match=r"^'new-id' \(same text as 'seed-004'\) has no span"):
        merge_into_corpus(corpus_copy, tmp_path / "history.jsonl", [emptied(seed_004, id="new-id")])


def test_merge_empties_an_article_when_allowed_and_keeps_the_old_version(corpus_copy, seed_004, tmp_path):
    history = tmp_path / "history.jsonl"
    merge_into_corpus(corpus_copy, history, [emptied(seed_004)], allow_emptying=True)
    assert [len(d.spans) for d in read_documents(corpus_copy)] == [37, 48, 80, 73, 0]
    [old] = [json.loads(line) for line in history.read_text(encoding="utf-8").splitlines()]
    assert old["id"] == "seed-004" and len(old["spans"]) == 49


def test_a_new_negative_article_is_added(corpus_copy, tmp_path):
    negative = Document("negative-1", "ولفتت المصادر إلى أن هذه القافلة هي الثانية خلال عام 2022.", [])
    result = merge_into_corpus(corpus_copy, tmp_path / "history.jsonl", [negative])
    assert result.added == ["negative-1"]


def record(document, spans):
    return {"id": document.id, "text": document.text, "spans": spans, "meta": {"source": "page"}}


def test_a_correction_may_not_empty_an_article_of_the_corpus(corpus_copy, seed_004, tmp_path):
    pending = tmp_path / "pending.jsonl"
    with pytest.raises(EmptyingRefused) as refused:
        append_pending(pending, record(seed_004, []), corpus_copy)
    assert refused.value.problems == [
        "'seed-004' has no span and would replace the version in the corpus that has 49 spans; "
        'send "allow_emptying": true if its annotations are to go'
    ]
    assert not pending.exists()


def test_a_correction_may_not_empty_an_earlier_pending_correction(corpus_copy, tmp_path):
    pending = tmp_path / "pending.jsonl"
    text = "قصفت طائرات التحالف مواقع للمليشيات. وقال المتحدث إن الوضع هادئ."
    first = {"id": "page-1", "text": text, "spans": [{"start": 0, "end": 4, "label": "ATTACK"}]}
    assert append_pending(pending, first, corpus_copy) == (1, [])
    with pytest.raises(EmptyingRefused, match="replace the version in the pending corrections that has 1 span"):
        append_pending(pending, {**first, "spans": []}, corpus_copy)
    assert pending.read_text(encoding="utf-8").count("\n") == 1


def test_a_correction_empties_an_article_when_allowed(corpus_copy, seed_004, tmp_path):
    pending = tmp_path / "pending.jsonl"
    assert append_pending(pending, record(seed_004, []), corpus_copy, allow_emptying=True) == (1, [])
    assert json.loads(pending.read_text(encoding="utf-8"))["spans"] == []
