"""End to end on the tiny backbone: train, store in a temporary BentoML home, load, tag."""

import json
import subprocess
import sys

import pytest

from model.text_units import is_word_aligned

from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def env(tiny_env):
    return tiny_env


@pytest.fixture(scope="module")
def tagged(env, tmp_path_factory):
    out = tmp_path_factory.mktemp("tagged") / "out.jsonl"
    run_cli(env, "tag", str(ROOT / "annotations" / "corpus.jsonl"), "-o", str(out))
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_tag_writes_one_result_per_article(tagged):
    assert [r["id"] for r in tagged] == ["seed-000", "seed-001", "seed-002", "seed-003", "seed-004"]
    assert all(r["model"]["tag"].startswith("arabic-event-tagger:") and r["model"]["backbone"] == "tiny:" for r in tagged)


def test_spans_are_whole_words_of_the_original_text(tagged):
    texts = {json.loads(l)["id"]: json.loads(l)["text"] for l in (ROOT / "annotations" / "corpus.jsonl").open(encoding="utf-8")}
    for result in tagged:
        text = texts[result["id"]]
        for span in result["spans"]:
            assert text[span["start"] : span["end"]] == span["text"]
            assert is_word_aligned(text, span["start"], span["end"])
            assert 0.0 <= span["score"] <= 1.0


def test_sentences_cover_the_article(tagged):
    for result in tagged:
        assert [s["index"] for s in result["sentences"]] == list(range(len(result["sentences"])))
        assert all(set(s["scores"]) == {"attack", "retaliation"} for s in result["sentences"])


def test_model_is_listed_in_the_store(env):
    result = subprocess.run([sys.executable, "-m", "bentoml", "models", "list", "arabic-event-tagger"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert "arabic-event-tagger" in result.stdout


def test_a_missing_model_is_a_clear_error(env, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "arabic_events", "tag", str(ROOT / "annotations" / "corpus.jsonl"), "-o", str(tmp_path / "o.jsonl"),
         "--model", "arabic-event-tagger:nosuchversion"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "no model 'arabic-event-tagger:nosuchversion'" in result.stderr
    assert not (tmp_path / "o.jsonl").exists()
