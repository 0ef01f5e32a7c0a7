"""The hand-annotated seed corpus in annotations/corpus.jsonl."""

import hashlib
from collections import Counter

from model.labels import SPAN_LABELS
from model.validation import validate_files

from tests.conftest import CORPUS

#: sha256 of the five seed files as shipped in ../shared/seeds/ (text is kept byte for byte).
SEED_SHA256 = {
    "000_0f51c7804733e988.txt": "6305c5e7e01bf932b842f856e6de024f11985258785b256bc94929ef84fca264",
    "001_ac5e62f6193e386d.txt": "b00ab81231550c1b7cebc6bb7b57c8da968c5ab2f1ebf2d15332a768c901ceed",
    "002_0ee9b0c3b61cb9fa.txt": "0e4f8f997f6d7c62f60d9fd7ae644144b08a3f935312a1a471ba3e8a7554c82b",
    "003_dda62b9ba4865efa.txt": "d35ae3afa417894d9e2d2ee39425dad8a9dd46277304d60d423398f9817eedd6",
    "004_50d3f8b03a1c1261.txt": "8e5ab2468294075ebeb1632aa1447071697deeada8177c11844e62877613814e",
}


def test_corpus_validates_clean():
    documents, problems = validate_files([CORPUS])
    assert [str(p) for p in problems] == []
    assert len(documents) == 5


def test_corpus_texts_are_the_seed_files_byte_for_byte(corpus):
    shipped = {d.meta["source"]: hashlib.sha256(d.text.encode("utf-8")).hexdigest() for d in corpus}
    assert shipped == SEED_SHA256


def test_every_label_of_the_scheme_is_used(corpus):
    used = {s.label for d in corpus for s in d.spans}
    assert used == set(SPAN_LABELS)


def test_sentence_types_come_from_triggers(seed_004):
    first, second, third = seed_004.sentences[:3]
    assert seed_004.event_types(first) == {"attack", "retaliation"}
    assert seed_004.event_types(second) == set()  # the guidelines' worked example: no trigger
    assert seed_004.event_types(third) == {"retaliation"}


def test_worked_example_of_the_guidelines(seed_004):
    third = seed_004.sentences[2]
    labelled = [(s.label, seed_004.span_text(s)) for s in seed_004.spans_in(third)]
    assert labelled == [
        ("RETALIATION", "ردت"),
        ("ATTACKER", "مدفعية التحالف الدولي"),
        ("TARGET", "مواقع سيطرة النظام"),
        ("LOCATION", "شرقي محافظة دير الزور"),
    ]


def test_contrast_set_validates_and_is_marked_as_constructed():
    from model.corpus_io import read_documents

    documents = read_documents(CORPUS.parent / "contrast.jsonl")
    assert len(documents) >= 80
    assert {d.meta["kind"] for d in documents} == {"contrast"}
    sentences = [(d, s) for d in documents for s in d.sentences]
    negatives = sum(1 for d, s in sentences if not d.event_types(s))
    assert len(sentences) >= 80 and negatives >= len(sentences) // 3


def test_standoff_annotations_validate_against_the_fetched_texts():
    import pytest

    from model.standoff import default_texts_dir

    files = sorted((CORPUS.parent / "standoff").glob("*.jsonl"))
    if not all((default_texts_dir() / f.name).exists() for f in files):
        pytest.skip("texts not fetched (make corpus-texts)")
    documents, problems = validate_files(files)
    assert [str(p) for p in problems] == []
    prefixes = Counter(d.id.split("-")[0] for d in documents)
    assert prefixes == {"sa": 24, "wn": 70, "un": 628}
