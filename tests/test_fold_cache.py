"""An interrupted cross-validation resumes: finished folds are kept on disk and never trained twice."""

import json

import pytest

import training.fold_cache
import training.trainer
from tests.conftest import ROOT
from training.config import TrainConfig
from training.crossval import crossvalidate
from training.fold_cache import FoldCache, fold_key

TINY = TrainConfig.from_yaml(ROOT / "configs" / "tiny.yaml").replace(epochs=2)  # what the model learns does not matter here


class Interrupted(Exception):
    pass


def stop_after(trainings: int, monkeypatch):
    """Let ``trainings`` trainings run, then interrupt the next one, as a killed run would stop; count them."""
    calls = []

    def train(*args, **kwargs):
        calls.append(1)
        if len(calls) > trainings:
            raise Interrupted
        return training.trainer.train(*args, **kwargs)

    monkeypatch.setattr(training.fold_cache, "train", train)
    return calls


def untimed(report: dict) -> dict:
    """A report without its training times, which differ from run to run."""
    per_fold = [{k: v for k, v in fold.items() if k != "train_seconds"} for fold in report["per_fold"]]
    return {**{k: v for k, v in report.items() if k != "train_seconds_total"}, "per_fold": per_fold}


def test_a_rerun_trains_only_the_folds_an_interrupted_run_did_not_finish(corpus, tmp_path, monkeypatch):
    cache = FoldCache(tmp_path / "cv.folds")
    stop_after(1, monkeypatch)
    with pytest.raises(Interrupted):
        crossvalidate(TINY, corpus, folds=2, cache=cache)
    assert len(list(cache.folder.glob("*.json"))) == 1

    calls = stop_after(2, monkeypatch)
    resumed = crossvalidate(TINY, corpus, folds=2, cache=cache)
    assert len(calls) == 1  # fold 2; fold 1 came from the cache
    monkeypatch.undo()
    assert untimed(resumed) == untimed(crossvalidate(TINY, corpus, folds=2))  # the same report as a run never interrupted


def test_a_finished_fold_is_taken_from_the_cache_with_its_scores(corpus, tmp_path, monkeypatch):
    cache = FoldCache(tmp_path / "cv.folds")
    first = crossvalidate(TINY, corpus, folds=2, cache=cache)
    calls = stop_after(0, monkeypatch)
    assert crossvalidate(TINY, corpus, folds=2, cache=cache) == first
    assert calls == []


def test_another_config_or_other_data_is_another_fold(corpus):
    training, test = corpus[1:], corpus[:1]
    key = fold_key(TINY, training, test, ["fp32"])
    assert fold_key(TINY, training, test, ["fp32"]) == key
    assert fold_key(TINY.replace(seed=TINY.seed + 1), training, test, ["fp32"]) != key
    assert fold_key(TINY, training[1:], test, ["fp32"]) != key
    assert fold_key(TINY, training, test, ["fp32", "int8"]) != key
    assert fold_key(TINY, training[::-1], test, ["fp32"]) != key  # the order of the documents decides the batches


def test_a_damaged_entry_is_trained_again_not_trusted(corpus, tmp_path):
    cache = FoldCache(tmp_path / "cv.folds")
    key = fold_key(TINY, corpus[1:], corpus[:1], ["fp32"])
    cache.put(key, {"train_seconds": 1.0, "final_loss": 0.5, "responses": {"fp32": []}})
    assert cache.get(key)["commit"] is not None  # each entry says which code made it
    path = next(cache.folder.glob("*.json"))
    path.write_text(path.read_text(encoding="utf-8")[:40], encoding="utf-8")
    assert cache.get(key) is None


def test_an_entry_of_another_key_in_the_same_file_is_not_taken(corpus, tmp_path):
    cache = FoldCache(tmp_path / "cv.folds")
    key = fold_key(TINY, corpus[1:], corpus[:1], ["fp32"])
    cache.put(key, {"train_seconds": 1.0, "final_loss": 0.5, "responses": {"fp32": []}})
    path = next(cache.folder.glob("*.json"))
    entry = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**entry, "key": "0" * 64}), encoding="utf-8")
    assert cache.get(key) is None


def test_a_kept_fold_whose_answers_are_not_its_articles_is_trained_again(corpus, tmp_path, monkeypatch):
    cache = FoldCache(tmp_path / "cv.folds")
    first = crossvalidate(TINY, corpus, folds=2, cache=cache)
    for path in cache.folder.glob("*.json"):  # valid JSON, the right key, but the answers in the wrong order
        entry = json.loads(path.read_text(encoding="utf-8"))
        entry["responses"] = {p: answers[::-1] for p, answers in entry["responses"].items()}
        path.write_text(json.dumps(entry), encoding="utf-8")
    calls = stop_after(2, monkeypatch)
    assert untimed(crossvalidate(TINY, corpus, folds=2, cache=cache)) == untimed(first)
    assert len(calls) == 2
