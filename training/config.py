"""The training config: one YAML file is the single source of a training run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from model.backbones import DEFAULT_BACKBONE
from model.errors import UserError
from model.operating_point import OperatingPoint


POSITIVE_SETTINGS = ("max_length", "epochs", "batch_size")


@dataclass(frozen=True)
class TrainConfig:
    backbone: str = DEFAULT_BACKBONE
    #: annotated JSONL files, relative to the project root unless absolute
    data: tuple[str, ...] = ("annotations/corpus.jsonl",)
    max_length: int = 128
    window_stride: int = 32
    epochs: int = 20
    batch_size: int = 4
    lr_encoder: float = 1e-4
    lr_heads: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    token_loss_weight: float = 1.0
    sentence_loss_weight: float = 1.0
    #: weight non-O tags by sqrt(count(O) / count(tag)), capped at 10
    class_weighting: bool = True
    #: keep the (large) word-embedding table fixed: about 40% faster steps on CPU
    freeze_embeddings: bool = True
    head_dropout: float = 0.1
    #: a sentence type is predicted when the sentence head's probability reaches this
    sentence_threshold: float = 0.5
    #: which events the trained model returns, per event type (``model.operating_point``): applied at
    #: inference, never in training; chosen by ``arabic-events operating-point`` on cross-validation
    operating_point: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    seed: int = 13
    #: stop after this many optimiser steps (0 = no limit): one training budget whatever the data (the
    #: active-learning simulation), and smoke tests
    max_steps: int = 0
    #: retraining promotes a candidate unless its event F1 is lower than the served model's by more than this
    promotion_tolerance: float = 0.01

    @classmethod
    def from_yaml(cls, path: Path) -> TrainConfig:
        if not path.exists():
            raise UserError(f"{path}: no such config file")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise UserError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
        return cls.from_dict(raw, str(path))

    @classmethod
    def from_dict(cls, raw: Any, source: str) -> TrainConfig:
        """A config from its settings (a YAML file's or a stored model's ``to_dict``); ``source`` names them in errors."""
        if not isinstance(raw, dict):
            raise UserError(f"{source}: a config is a mapping of settings")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise UserError(f"{source}: unknown setting(s): {', '.join(unknown)}")
        raw = dict(raw)
        if isinstance(raw.get("data"), str):
            raw["data"] = [raw["data"]]
        if "data" in raw:
            raw["data"] = tuple(raw["data"])
        try:
            config = cls(**raw)
        except TypeError as exc:
            raise UserError(f"{source}: {exc}") from None
        OperatingPoint.from_dict(config.operating_point, source)
        for name in POSITIVE_SETTINGS:
            value = getattr(config, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UserError(f"{source}: {name} must be a whole number of at least 1, got {value!r}")
        return config

    def replace(self, **changes: Any) -> TrainConfig:
        return type(self)(**{**asdict(self), **changes})

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["data"] = list(self.data)
        return data


def training_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """A stored config (``TrainConfig.to_dict``) without the settings that do not change the trained model."""
    return {k: v for k, v in config.items() if k not in ("promotion_tolerance", "operating_point")}
