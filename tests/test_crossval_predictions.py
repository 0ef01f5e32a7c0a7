"""Cross-validation keeps its fold models' responses, so error analysis and operating points need no retraining."""

import json

from tests.conftest import CORPUS, ROOT, run_cli
from training.config import TrainConfig
from model.predictor import native_bf16
from training.crossval import crossvalidate, precision_systems
from training.metrics import negative_rate, prediction_from_result, score


def test_crossval_responses_rescore_to_the_pooled_model_scores(tmp_path, tiny_env):
    report = tmp_path / "cv.json"
    run_cli(tiny_env, "crossval", "--config", "configs/tiny.yaml", "--folds", "2", "-o", str(report))
    sidecar = tmp_path / "cv.predictions.jsonl"
    responses = [json.loads(line) for line in sidecar.read_text(encoding="utf-8").splitlines()]
    result = json.loads(report.read_text(encoding="utf-8"))
    assert "responses" not in result  # the report stays free of the texts' quotes
    assert not (tmp_path / "cv.folds").exists()  # a run that finished leaves no folds to resume
    assert [r["id"] for r in responses] == result["held_out_documents"]

    run_cli(tiny_env, "evaluate", str(CORPUS), "--predictions", str(sidecar), "-o", str(tmp_path / "eval"))
    rescored = json.loads((tmp_path / "eval" / "report.json").read_text(encoding="utf-8"))["scores"]["model"]
    pooled = result["pooled"]["model"]
    assert rescored == {key: pooled[key] for key in rescored}
    assert set(pooled) - set(rescored) == {"documents", "negatives"}  # what crossval adds to evaluate's scores



def test_crossval_pools_the_scores_of_each_source_over_its_own_documents(corpus):
    config = TrainConfig.from_yaml(ROOT / "configs" / "tiny.yaml")
    sources = {d.id: "first two" if d.id in ("seed-000", "seed-001") else "other three" for d in corpus}
    result = crossvalidate(config, corpus, folds=2, sources=sources)
    responses = {r["id"]: r for r in result["responses"]}
    first_two = [d for d in corpus if d.id in ("seed-000", "seed-001")]
    predicted = [prediction_from_result(d, responses[d.id]) for d in first_two]
    assert list(result["per_source"]) == ["first two", "other three"]
    assert result["per_source"]["first two"]["model"] == {
        "documents": 2, **score(first_two, predicted), "negatives": negative_rate(first_two, predicted)}


def test_crossval_scores_bf16_only_where_the_cpu_has_it_in_hardware():
    assert ("model (bf16)" in precision_systems()) == native_bf16()
    assert {"model", "model (int8)"} <= set(precision_systems())
