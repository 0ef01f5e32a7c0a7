"""Trained models in the BentoML model store, with what is needed to trust and reuse them."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from model.atomic import atomic_write_text
from model.document import Document
from model.errors import UserError
from model.labels import BIO_TAGS, EVENT_TYPES
from model.predictor import EventExtractor
from model.wording import printable
from training.config import TrainConfig
from training.trainer import TrainResult

MODEL_NAME = "arabic-event-tagger"


def data_fingerprint(documents: Sequence[Document]) -> str:
    """sha256 over the documents' ids, texts and spans: the same data gives the same hash, in any order."""
    return ordered_fingerprint(sorted(documents, key=lambda d: d.id))


def ordered_fingerprint(documents: Sequence[Document]) -> str:
    """sha256 over the documents' ids, texts and spans, in the order given."""
    digest = hashlib.sha256()
    for document in documents:
        record = {"id": document.id, "text": document.sha256, "spans": [s.to_json() for s in document.spans]}
        digest.update(json.dumps(record, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def training_documents(documents: Sequence[Document]) -> dict[str, str]:
    """id -> text sha256 of each document a model was trained on (stored in its metadata)."""
    return {d.id: d.sha256 for d in sorted(documents, key=lambda d: d.id)}


def seen_in_training(metadata: dict[str, Any], documents: Sequence[Document]) -> list[str] | None:
    """Ids of ``documents`` the stored model was trained on (same id or same text); None when unknown.

    Models stored before training documents were recorded have no such list: their
    overlap with any data cannot be known, which callers must say rather than guess.
    """
    trained = metadata.get("training_documents")
    if trained is None:
        return None
    hashes = set(trained.values())
    return [d.id for d in documents if d.id in trained or d.sha256 in hashes]


def inference_settings(config: TrainConfig) -> dict[str, Any]:
    return {"max_length": config.max_length, "stride": config.window_stride, "threshold": config.sentence_threshold,
            "operating_point": dict(config.operating_point)}


def save_to_store(
    result: TrainResult,
    config: TrainConfig,
    documents: Sequence[Document],
    metrics: dict[str, Any] | None = None,
    stage: str = "trained",
) -> str:
    """Save a trained model as a new version of ``arabic-event-tagger``; returns its tag."""
    import bentoml

    sentences = sum(len(d.sentences) for d in documents)
    metadata = {
        "backbone": config.backbone,
        "token_labels": list(BIO_TAGS),
        "sentence_labels": list(EVENT_TYPES),
        "config": config.to_dict(),
        "inference": inference_settings(config),
        "data_sha256": data_fingerprint(documents),
        "data_documents": len(documents),
        "data_sentences": sentences,
        "data_spans": sum(len(d.spans) for d in documents),
        # id -> sha256 of the text of every training document: what a model must never be scored on
        "training_documents": training_documents(documents),
        "train_seconds": round(result.seconds, 1),
        "final_loss": round(result.final_loss, 5),
        "metrics": metrics or {},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    labels = {"backbone": config.backbone.replace(":", "-").replace("/", "-") or "none", "stage": stage}
    with bentoml.models.create(MODEL_NAME, labels=labels, metadata=metadata) as bento_model:
        result.model.save_pretrained(bento_model.path)
        result.tokenizer.save_pretrained(bento_model.path)
    return str(bento_model.tag)


def bentoml_home() -> Path:
    return Path(os.environ.get("BENTOML_HOME") or Path.home() / "bentoml")


def served_pointer() -> Path:
    """The file naming the promoted model: the one ``make serve`` and ``evaluate`` use by default."""
    return bentoml_home() / f"{MODEL_NAME}.served"


def promote(tag: str) -> None:
    served_pointer().parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(served_pointer(), tag + "\n")


def served_tag() -> str:
    """The promoted model's tag; the latest version when nothing was ever promoted."""
    pointer = served_pointer()
    if pointer.exists():
        return pointer.read_text(encoding="utf-8").strip()
    return str(get_stored(f"{MODEL_NAME}:latest").tag)


def resolve_tag(tag: str | None) -> str:
    """``None`` or ``served`` mean the promoted model; a bare version gets the model name."""
    if not tag or tag == "served":
        return served_tag()
    return tag if ":" in tag else f"{MODEL_NAME}:{tag}"


def get_stored(tag: str | None = None):
    """The stored model ``tag`` (default: the served one)."""
    import bentoml
    from bentoml.exceptions import BentoMLException, NotFound

    tag = resolve_tag(tag)
    try:
        return bentoml.models.get(tag)
    except NotFound:
        raise UserError(
            f"no model '{tag}' in the BentoML store at {bentoml_home()}; train one with 'arabic-events train'"
        ) from None
    except BentoMLException as exc:  # not a tag at all (BentoML's InvalidArgument and its kin)
        raise UserError(f"'{printable(tag)}' is not a model tag ({printable(str(exc))})") from None


def load_extractor(tag: str | None = None, **overrides: Any) -> EventExtractor:
    """The extractor of stored model ``tag`` (default: the served one), or of a stored model's folder.

    A folder (one version of the store, e.g. on a volume every node of a cluster mounts) is read
    with the inference settings of its ``model.yaml``, as the store would give them.
    """
    if tag and Path(tag).is_dir():
        return _extractor_from_folder(Path(tag), **overrides)
    bento_model = get_stored(tag)
    settings = {**bento_model.info.metadata.get("inference", {}), **overrides}
    return EventExtractor.from_directory(bento_model.path, tag=str(bento_model.tag), **settings)


def _extractor_from_folder(folder: Path, **overrides: Any) -> EventExtractor:
    import yaml

    info_file = folder / "model.yaml"
    if not info_file.is_file():
        raise UserError(f"{folder}: not a stored model (no model.yaml); give a model tag or a version folder of the store")
    info = yaml.safe_load(info_file.read_text(encoding="utf-8"))
    settings = {**info.get("metadata", {}).get("inference", {}), **overrides}
    return EventExtractor.from_directory(folder, tag=f"{info['name']}:{info['version']}", **settings)
