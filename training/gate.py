"""The promotion gate's comparison: two models that never saw the evaluation documents, scored on them.

The served model is usually trained on every article (``make serve``), so scoring it on any of
them would score it on its own training data. The gate compares instead the candidate (the
recipe's data after the merge, minus the evaluation split) with a *reference* of what is
served: the served model's config trained on the data before the merge, minus the split. Any
stored model trained with that config on exactly that data serves as the reference (usually
the candidate of the previous retrain); otherwise one is trained and stored (stage
``reference``). Every model is checked against the evaluation documents, through the
training documents recorded in its metadata, before it is scored (``gate_scores``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from model.document import Document
from model.errors import UserError
from model.predictor import EventExtractor
from model.wording import counted
from training.config import TrainConfig, training_settings
from training.evaluation import predict_documents
from training.metrics import score
from training.store import MODEL_NAME, data_fingerprint, get_stored, save_to_store, seen_in_training
from training.trainer import train

REFERENCE_STAGE = "reference"


def refuse_seen(name: str, metadata: dict[str, Any], documents: Sequence[Document]) -> None:
    """Raise unless the model's metadata shows that it was trained on none of ``documents``."""
    seen = seen_in_training(metadata, documents)
    if seen is None:
        raise UserError(f"{name} records no training documents, so whether it saw the evaluation documents "
                        "cannot be known; the promotion gate does not score it")
    if seen:
        raise UserError(f"{name} was trained on {len(seen)} of the {counted(len(documents), 'evaluation document')} "
                        f"({', '.join(sorted(seen)[:3])}{', ...' if len(seen) > 3 else ''}); "
                        "the promotion gate never scores a model on documents it saw")


def gate_scores(name: str, extractor: EventExtractor, metadata: dict[str, Any],
                documents: Sequence[Document]) -> dict[str, Any]:
    """``training.metrics.score`` of the model on ``documents``, once ``refuse_seen`` lets it."""
    refuse_seen(name, metadata, documents)
    return score(documents, predict_documents(extractor, documents))


def find_reference(config: TrainConfig, documents: Sequence[Document]) -> str | None:
    """The tag of the latest stored model trained with ``config`` on exactly ``documents`` (ids, texts, spans)."""
    import bentoml

    fingerprint, settings = data_fingerprint(documents), training_settings(config.to_dict())
    for stored in sorted(bentoml.models.list(MODEL_NAME), key=lambda m: m.info.creation_time, reverse=True):
        metadata = stored.info.metadata
        if metadata.get("data_sha256") == fingerprint and training_settings(metadata.get("config") or {}) == settings:
            return str(stored.tag)
    return None


def served_config(served_tag: str) -> TrainConfig:
    """The config the served model was trained with: the recipe its reference is trained with."""
    return TrainConfig.from_dict(get_stored(served_tag).info.metadata.get("config"), f"the config stored with {served_tag}")


def reference_for(served_tag: str, config: TrainConfig, documents: Sequence[Document],
                  say: Callable[[str], None]) -> str:
    """The tag of a reference of ``served_tag``: ``config`` on ``documents``; a stored one, else trained now."""
    tag = find_reference(config, documents)
    if tag is not None:
        say(f"reference: {tag}, stored earlier, trained with the served model's config on these {counted(len(documents), 'document')}")
        return tag
    say(f"training a reference of {served_tag}: its config on the {counted(len(documents), 'document')} before the merge, "
        "minus the evaluation split")
    return save_to_store(train(config, documents), config, documents, {"reference_of": served_tag},
                         stage=REFERENCE_STAGE)
