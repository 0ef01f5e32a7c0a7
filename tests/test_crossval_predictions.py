"""Cross-validation keeps its fold models' responses, so error analysis and operating points need no retraining."""

import json

from tests.conftest import CORPUS, run_cli


def test_crossval_responses_rescore_to_the_pooled_model_scores(tmp_path, tiny_env):
    report = tmp_path / "cv.json"
    run_cli(tiny_env, "crossval", "--config", "configs/tiny.yaml", "--folds", "2", "-o", str(report))
    sidecar = tmp_path / "cv.predictions.jsonl"
    responses = [json.loads(line) for line in sidecar.read_text(encoding="utf-8").splitlines()]
    result = json.loads(report.read_text(encoding="utf-8"))
    assert "responses" not in result  # the report stays free of the texts' quotes
    assert [r["id"] for r in responses] == result["held_out_documents"]

    run_cli(tiny_env, "evaluate", str(CORPUS), "--predictions", str(sidecar), "-o", str(tmp_path / "eval"))
    rescored = json.loads((tmp_path / "eval" / "report.json").read_text(encoding="utf-8"))["scores"]["model"]
    assert rescored == result["pooled"]["model"]
