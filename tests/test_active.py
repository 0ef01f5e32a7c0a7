"""``arabic-events select``: ranking by uncertainty, near-duplicates left out, Label Studio tasks out."""

from __future__ import annotations

import json

import pytest

from active.select import Candidate, Strategy, jaccard, pick, rank, shingles
from tests.conftest import CORPUS, run_cli

ROOT_ANNOTATIONS = CORPUS.parent

ARTICLES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


def candidate(doc_id: str, text: str, uncertainty: float) -> Candidate:
    return Candidate(doc_id, text, uncertainty, 1 - uncertainty, {"spans": [], "events": []})


def test_shingles_are_character_5_grams_with_whitespace_folded():
    assert shingles("قصف  عنيف") == frozenset({"قصف ع", "صف عن", "ف عني", " عنيف"})
    assert shingles("قصف") == frozenset({"قصف"})


def test_jaccard_of_two_shingle_sets():
    # "abcdef" -> {abcde, bcdef}; "abcdeg" -> {abcde, bcdeg}: one shared of three
    assert jaccard(shingles("abcdef"), shingles("abcdeg")) == pytest.approx(1 / 3)


def test_a_near_duplicate_of_a_chosen_article_is_skipped_for_the_next_one():
    story = ARTICLES[4]["text"]
    retold = story.replace("قوات التحالف الدولي", "قوات التحالف", 1)  # the same wire story, one word less
    ranked = [candidate("a", story, 0.9), candidate("a-again", retold, 0.8), candidate("b", ARTICLES[1]["text"], 0.1)]
    assert [c.id for c in pick(ranked, 2, max_similarity=0.5)] == ["a", "b"]
    assert [c.id for c in pick(ranked, 2, max_similarity=1.0)] == ["a", "a-again"]


def test_uncertainty_strategies_rank_most_uncertain_first_and_random_is_seeded():
    pool = [candidate("low", "x", 0.1), candidate("high", "y", 0.7), candidate("mid", "z", 0.4)]
    assert [c.id for c in rank(pool, Strategy.entropy, seed=1)] == ["high", "mid", "low"]
    assert [c.id for c in rank(pool, Strategy.random, seed=1)] == [c.id for c in rank(pool, Strategy.random, seed=1)]
    assert sorted(c.id for c in rank(pool, Strategy.random, seed=1)) == ["high", "low", "mid"]


@pytest.mark.slow
def test_select_writes_label_studio_tasks_of_the_least_certain_articles(tiny_env, tmp_path):
    out, tagged = tmp_path / "tasks.json", tmp_path / "tagged.jsonl"
    result = run_cli(tiny_env, "select", "--pool", str(CORPUS), "-n", "3", "--strategy", "entropy", "-o", str(out))
    assert "chose 3 of 5 articles by entropy" in result.stdout
    tasks = json.loads(out.read_text(encoding="utf-8"))
    uncertainties = [t["data"]["meta"]["uncertainty"] for t in tasks]
    assert [t["data"]["meta"]["rank"] for t in tasks] == [1, 2, 3]
    assert uncertainties == sorted(uncertainties, reverse=True)
    # the pre-annotations are the model's spans, as `tag` writes them
    run_cli(tiny_env, "tag", str(CORPUS), "-o", str(tagged))
    spans = {r["id"]: [(s["start"], s["end"], s["label"]) for s in r["spans"]] for r in map(json.loads, tagged.read_text(encoding="utf-8").splitlines())}
    for task in tasks:
        regions = [r["value"] for r in task["predictions"][0]["result"] if r["type"] == "labels"]
        assert [(v["start"], v["end"], v["labels"][0]) for v in regions] == spans[task["data"]["id"]]
        assert task["predictions"][0]["score"] == pytest.approx(1 - task["data"]["meta"]["uncertainty"], abs=1e-3)


def texts_fetched() -> bool:
    from model.standoff import default_texts_dir
    from training.ablation import SOURCE_FILES

    return all((default_texts_dir() / SOURCE_FILES[name].name).exists() for name in ("syrian-archive", "wikinews"))


def test_the_held_out_fifth_is_fixed_and_apart_from_the_pool():
    from active.simulation import held_out_split
    from model.corpus_io import read_documents

    documents = read_documents(CORPUS) + read_documents(ROOT_ANNOTATIONS / "contrast.jsonl")
    pool, held_out = held_out_split(documents, 13)
    assert held_out_split(documents, 13) == (pool, held_out)
    assert {d.id for d in pool}.isdisjoint(d.id for d in held_out)
    assert len(pool) + len(held_out) == len(documents)
    assert len(held_out) in (len(documents) // 5, len(documents) // 5 + 1)


@pytest.mark.slow
@pytest.mark.skipif(not texts_fetched(), reason="texts not fetched (make corpus-texts)")
def test_simulate_writes_curves_from_one_first_model_and_a_plot(tiny_env, tmp_path):
    import yaml

    from tests.conftest import ROOT

    config = yaml.safe_load((ROOT / "configs" / "tiny.yaml").read_text(encoding="utf-8"))
    config.update(epochs=1, max_steps=4)  # the loop, not the model, is under test
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    run_cli(tiny_env, "simulate", "--config", str(tmp_path / "tiny.yaml"), "--rounds", "2", "--per-round", "2",
            "--repeats", "1", "-o", str(tmp_path / "al"))
    result = json.loads((tmp_path / "al" / "simulation.json").read_text(encoding="utf-8"))
    assert sorted(result["curves"]) == ["entropy", "random"]
    for runs in result["curves"].values():
        assert [point["added"] for point in runs[0]] == [0, 2, 4]
        chosen = [doc for point in runs[0] for doc in point["chosen"]]
        assert len(set(chosen)) == 4 and set(chosen).isdisjoint(result["held_out"])
    assert result["curves"]["entropy"][0][0]["event_f1"] == result["curves"]["random"][0][0]["event_f1"]
    assert (tmp_path / "al" / "simulation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
