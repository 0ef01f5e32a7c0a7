"""Stand-off annotations join their texts by id and sha256; missing and changed texts are handled."""

import hashlib
import json

import pytest

from model.corpus_io import read_corpus, read_documents
from model.errors import AnnotationProblems, UserError
from model.standoff import fetch_texts

from tests.conftest import FIXTURES

STANDOFF = FIXTURES / "standoff" / "extra.jsonl"
SOURCE = FIXTURES / "standoff" / "source"


def test_fetch_then_join_gives_the_annotated_texts(tmp_path):
    assert fetch_texts(SOURCE, tmp_path, [STANDOFF]) == {"extra.jsonl": 2}
    first, second = read_documents(STANDOFF, texts_dir=tmp_path)
    assert [(s.label, first.span_text(s)) for s in first.spans] == [
        ("ATTACK", "قصفت"), ("WEAPON", "طائرات حربية"), ("TARGET", "سوق المدينة"),
        ("TIME", "صباح الأحد"), ("ATTACK", "القصف"), ("CASUALTIES", "مقتل 12 مدنياً"),
    ]
    assert second.spans == [] and second.text.startswith("فاز المنتخب")


def test_missing_texts_are_left_out_with_one_note(tmp_path):
    notes = []
    documents = read_corpus([STANDOFF, FIXTURES.parent.parent / "annotations" / "corpus.jsonl"], tmp_path, notes.append)
    assert [d.id for d in documents] == ["seed-000", "seed-001", "seed-002", "seed-003", "seed-004"]
    assert notes == [
        f"note: the texts of extra.jsonl are not in {tmp_path} (run 'arabic-events corpus fetch'); going on without them"
    ]


def test_validating_without_texts_names_the_missing_record(tmp_path):
    with pytest.raises(AnnotationProblems) as caught:
        read_documents(STANDOFF, texts_dir=tmp_path)
    assert caught.value.problems[0] == (
        f"{STANDOFF}:1: the text of 'ex-1' is not in {tmp_path / 'extra.jsonl'} (run 'arabic-events corpus fetch')"
    )


def test_a_fetched_text_with_a_lone_surrogate_is_a_problem_of_its_record(tmp_path):
    fetch_texts(SOURCE, tmp_path, [STANDOFF])
    fetched = tmp_path / "extra.jsonl"
    fetched.write_text(fetched.read_text(encoding="utf-8").replace("الأحد", "الأحد\\ud800", 1), encoding="utf-8")
    with pytest.raises(AnnotationProblems) as caught:
        read_corpus([STANDOFF], tmp_path)
    assert caught.value.problems[0] == f"{STANDOFF}:1: the text of 'ex-1' in {fetched} is not valid Unicode (it holds a lone surrogate)"


def test_a_texts_file_with_a_record_without_text_is_refused_in_one_line(tmp_path):
    fetch_texts(SOURCE, tmp_path, [STANDOFF])
    (tmp_path / "extra.jsonl").write_text('{"id": "ex-1"}\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"extra.jsonl: record 1 is not an object with an 'id' and a 'text' string; "
                                        r"fetch the texts again: arabic-events corpus fetch$"):
        read_corpus([STANDOFF], tmp_path)


def test_a_changed_text_is_an_error_naming_the_record(tmp_path):
    fetch_texts(SOURCE, tmp_path, [STANDOFF])
    fetched = tmp_path / "extra.jsonl"
    rows = [json.loads(line) for line in fetched.read_text(encoding="utf-8").splitlines()]
    rows[0]["text"] = rows[0]["text"].replace("الأحد", "الإثنين")
    fetched.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(AnnotationProblems) as caught:
        read_corpus([STANDOFF], tmp_path)
    expected = json.loads((STANDOFF).read_text(encoding="utf-8").splitlines()[0])["sha256"]
    changed = hashlib.sha256(rows[0]["text"].encode("utf-8")).hexdigest()
    assert caught.value.problems[0] == (f"{STANDOFF}:1: the text of 'ex-1' in {fetched} has sha256 {changed}, "
                                        f'the annotations were made on "{expected}"')


def test_fetch_refuses_a_source_whose_text_differs_and_writes_nothing(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    original = (SOURCE / "extra.jsonl").read_text(encoding="utf-8")
    (source / "extra.jsonl").write_text(original.replace("مدنياً", "مدنيا"), encoding="utf-8")
    texts = tmp_path / "texts"
    with pytest.raises(UserError, match="'ex-1' in .* has a different text"):
        fetch_texts(source, texts, [STANDOFF])
    assert not texts.exists()
