"""Input articles: the one validation both tagging engines share (`model.articles.iter_jsonl_articles`)."""

from __future__ import annotations

import pytest

from model.articles import iter_jsonl_articles, read_articles
from model.errors import AnnotationProblems, UserError
from training.store import get_stored, load_extractor

LINES = (
    '{"id": "a", "text": "قصف"}\n'
    "\n"
    '{"id": "b", "text": \n'
    '{"id": "c"}\n'
    '{"text": "غارة"}\n'
    '{"id": "a", "text": "رد"}\n'
).encode("utf-8")


def test_each_line_is_an_article_or_its_problem_in_file_order():
    items = [item if isinstance(item, tuple) else str(item) for item in iter_jsonl_articles(LINES, "in.jsonl")]
    assert items == [
        ("a", "قصف"),
        "in.jsonl:3: malformed JSON: Expecting value at column 21",
        "in.jsonl:4: expected an object with a 'text' string",
        ("5", "غارة"),
        "in.jsonl:6: duplicate id 'a'",
    ]


def test_an_article_without_id_gets_the_callers_default():
    items = list(iter_jsonl_articles(LINES, "in.jsonl", default_id=lambda line: f"in.jsonl:{line}"))
    assert ("in.jsonl:5", "غارة") in items


def test_the_local_path_refuses_the_file_with_the_same_messages(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(LINES)
    with pytest.raises(AnnotationProblems) as caught:
        read_articles(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:3: malformed JSON: Expecting value at column 21",
        f"{path}:4: expected an object with a 'text' string",
        f"{path}:6: duplicate id 'a'",
    ]


def test_a_folder_that_is_not_a_stored_model_is_one_clear_error(tmp_path):
    with pytest.raises(UserError, match="not a stored model"):
        load_extractor(str(tmp_path))


def test_a_tag_that_bentoml_cannot_parse_is_one_clear_error():
    # a hand-edited response's model.tag reaches the store this way (evaluate --predictions)
    with pytest.raises(UserError, match=r"^'arabic-event-tagger:no such thing' is not a model tag \("):
        get_stored("no such thing")
