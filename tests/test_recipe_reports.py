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
