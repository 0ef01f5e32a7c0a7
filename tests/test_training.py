"""Training on the tiny backbone: deterministic for a seed, and the model round-trips through save/load."""

from __future__ import annotations

import pytest
import torch

from model.predictor import EventExtractor
from training.config import TrainConfig
from training.trainer import train

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def config() -> TrainConfig:
    return TrainConfig.from_yaml(ROOT / "configs" / "tiny.yaml")


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ARABIC_EVENTS_CACHE", str(tmp_path / "cache"))


def test_same_seed_gives_the_same_model(config, corpus):
    first, second = train(config, corpus, show_progress=False), train(config, corpus, show_progress=False)
    assert first.epoch_losses == second.epoch_losses
    for (name, a), (_, b) in zip(first.model.named_parameters(), second.model.named_parameters()):
        assert torch.equal(a, b), name


def test_saved_model_carries_its_label_maps_and_predicts_the_same(config, corpus, tmp_path):
    result = train(config, corpus, show_progress=False)
    result.model.save_pretrained(tmp_path / "model")
    result.tokenizer.save_pretrained(tmp_path / "model")
    loaded = EventExtractor.from_directory(tmp_path / "model")
    assert loaded.model.config.id2label[1] == "B-ATTACK"
    assert loaded.model.config.sentence_labels == ["attack", "retaliation"]
    text = corpus[4].text
    assert loaded.extract(text) == EventExtractor(result.model, result.tokenizer).extract(text)


def test_unknown_config_setting_is_a_clear_error(tmp_path):
    from model.errors import UserError

    path = tmp_path / "bad.yaml"
    path.write_text("epochs: 2\nlearning_rate: 0.1\n", encoding="utf-8")
    with pytest.raises(UserError, match="unknown setting\\(s\\): learning_rate"):
        TrainConfig.from_yaml(path)
