"""A stored model shows the cross-validation of its own recipe only: same data, same config."""

import json

from training.recipe_reports import crossvalidation_for

SCORES = {
    "events": {"events": {"f1": 0.61234}},
    "spans": {"triggers (micro)": {"f1": 0.7}, "arguments (micro)": {"f1": 0.4}},
    "sentences": {"attack": {"f1": 0.8}, "retaliation": {"f1": 0.5}},
}


def test_only_reports_of_the_same_data_and_config_are_attached(tmp_path):
    config = {"epochs": 8, "data": ["annotations/corpus.jsonl"]}
    (tmp_path / "crossval.json").write_text(json.dumps({"data_sha256": "abc", "config": config, "pooled": {"model": SCORES}}))
    (tmp_path / "other.json").write_text(json.dumps({"data_sha256": "xyz", "config": config, "pooled": {"model": SCORES}}))
    found = crossvalidation_for({"data_sha256": "abc", "config": config}, tmp_path)
    assert found == {"crossval.json": {"event_f1": 0.6123, "trigger_span_f1": 0.7, "argument_span_f1": 0.4,
                                       "attack_sentence_f1": 0.8, "retaliation_sentence_f1": 0.5}}
    assert crossvalidation_for({"data_sha256": "abc", "config": {**config, "epochs": 9}}, tmp_path) == {}


POINT = {"attack": {"min_score": 0.9, "min_sentence_score": 0.85}}


def test_a_model_with_an_operating_point_shows_the_nested_score_of_its_point(tmp_path):
    config = {"epochs": 8, "operating_point": {}}
    (tmp_path / "crossval.json").write_text(json.dumps({"data_sha256": "abc", "config": config, "pooled": {"model": SCORES}}))
    nested = {**SCORES, "events": {"events": {"f1": 0.7}}}
    (tmp_path / "operating-point.json").write_text(json.dumps(
        {"report": "reports/crossval.json", "chosen": POINT, "scores": {"every event": SCORES, "nested operating point": nested}}))
    found = crossvalidation_for({"data_sha256": "abc", "config": {**config, "operating_point": POINT}}, tmp_path)
    assert found["crossval.json"]["scored"] == "every event (the model's operating_point not applied)"
    assert found["operating-point.json"]["event_f1"] == 0.7
    assert found["operating-point.json"]["scored"] == "at the operating point chosen on the other folds (nested)"


def test_an_operating_point_report_of_another_point_is_not_attached(tmp_path):
    config = {"epochs": 8, "operating_point": {}}
    (tmp_path / "crossval.json").write_text(json.dumps({"data_sha256": "abc", "config": config, "pooled": {"model": SCORES}}))
    (tmp_path / "operating-point.json").write_text(json.dumps(
        {"report": "reports/crossval.json", "chosen": {"attack": {"min_score": 0.5, "min_sentence_score": 0.0}},
         "scores": {"every event": SCORES, "nested operating point": SCORES}}))
    found = crossvalidation_for({"data_sha256": "abc", "config": {**config, "operating_point": POINT}}, tmp_path)
    assert set(found) == {"crossval.json"}
