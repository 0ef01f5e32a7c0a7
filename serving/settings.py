"""Service settings: ``configs/serving.yaml``, overridden by environment variables."""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from model.errors import UserError
from model.predictor import checked_precision

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "configs" / "serving.yaml"
ENVIRONMENT = {
    "model_tag": "ARABIC_EVENTS_MODEL",
    "host": "ARABIC_EVENTS_HOST",
    "port": "ARABIC_EVENTS_PORT",
    "max_article_chars": "ARABIC_EVENTS_MAX_CHARS",
    "max_batch_articles": "ARABIC_EVENTS_MAX_BATCH",
    "threads": "ARABIC_EVENTS_THREADS",
    "sentence_batch_size": "ARABIC_EVENTS_SENTENCE_BATCH",
    "max_queued_sentences": "ARABIC_EVENTS_MAX_QUEUED",
    "precision": "ARABIC_EVENTS_PRECISION",
    "pending_annotations": "ARABIC_EVENTS_PENDING",
    "corpus": "ARABIC_EVENTS_CORPUS",
    "training_jobs": "ARABIC_EVENTS_JOBS",
    "retrain_args": "ARABIC_EVENTS_RETRAIN_ARGS",
}


@dataclass(frozen=True)
class ServingSettings:
    model_tag: str = "served"
    host: str = "127.0.0.1"
    port: int = 3000
    max_article_chars: int = 100_000
    max_batch_articles: int = 32
    threads: int = 0
    sentence_batch_size: int = 256
    max_queued_sentences: int = 20000
    precision: str = "auto"
    pending_annotations: str = "annotations/pending.jsonl"
    corpus: str = "annotations/corpus.jsonl"
    training_jobs: str = "annotations/training-jobs"
    retrain_args: str = "--config configs/default.yaml"

    @property
    def pending_path(self) -> Path:
        return _in_project(self.pending_annotations)

    @property
    def corpus_path(self) -> Path:
        """The corpus ``retrain`` merges into: a correction may not empty an article of it unasked."""
        return _in_project(self.corpus)

    @property
    def jobs_path(self) -> Path:
        return _in_project(self.training_jobs)

    @property
    def retrain_arguments(self) -> list[str]:
        """What a training job passes to ``arabic-events retrain`` besides ``--add``."""
        return shlex.split(self.retrain_args)

    @property
    def max_extract_bytes(self) -> int:
        """Largest /extract body: every character escaped as \\uXXXX, plus room for the rest."""
        return 6 * self.max_article_chars + 64 * 1024

    @property
    def max_batch_bytes(self) -> int:
        return self.max_extract_bytes * self.max_batch_articles


def _in_project(setting: str) -> Path:
    path = Path(setting)
    return path if path.is_absolute() else DEFAULT_FILE.parent.parent / path


def load_settings(path: Path | None = None) -> ServingSettings:
    path = Path(os.environ.get("ARABIC_EVENTS_SERVING_CONFIG", path or DEFAULT_FILE))
    values: dict = {}
    if path.exists():
        values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    types = {f.name: f.type for f in fields(ServingSettings)}
    unknown = sorted(set(values) - set(types))
    if unknown:
        raise UserError(f"{path}: unknown setting(s): {', '.join(unknown)}")
    for name, variable in ENVIRONMENT.items():
        if variable in os.environ:
            values[name] = os.environ[variable]
    for name, value in values.items():
        if types[name] == "int":
            try:
                values[name] = int(value)
            except (TypeError, ValueError):
                raise UserError(f"setting {name} must be a whole number, got {value!r}") from None
    checked_precision(values.get("precision", "auto"), "setting precision")
    try:
        shlex.split(str(values.get("retrain_args", "")))
    except ValueError as exc:
        raise UserError(f"setting retrain_args: {exc}") from None
    return ServingSettings(**values)
