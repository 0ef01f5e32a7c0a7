"""Finished folds of a long cross-validation, kept on disk so that an interrupted run resumes.

On a 2-core CPU one fold of the default recipe trains for about half an hour, and a
leave-one-article-out run or an ablation takes hours: longer than a working session, and
any interruption used to lose every finished fold. Each fold's outcome (the held-out
documents' response objects at each precision, the training time and loss) is written here
as soon as it is known, under a key of everything that decides it: the training config,
the training documents (ids, texts and spans), the held-out documents and the precisions.
A rerun of the same command takes finished folds from here and trains only the others;
any change to the config or the data gives new keys, so stale folds are never reused.

What the key cannot see is a change to the code itself, or to the files of a backbone at the same
path or hub name: each entry records the commit it was made at, and ``resumed`` says it, so a
reader can tell; ``--fresh`` ignores the cache.
The entries quote the texts (the responses do), so the folders are git-ignored.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from model.atomic import atomic_write_text
from model.document import Document
from model.predictor import EventExtractor
from training.config import TrainConfig
from training.evaluation import predict_responses
from training.store import inference_settings, ordered_fingerprint
from training.trainer import train

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def cache_beside(report: Path) -> Path:
    """The cache folder of the run that writes ``report``: ``NAME.folds/`` next to ``NAME.json``."""
    return report.with_name(report.stem + ".folds")


def fold_key(config: TrainConfig, training: Sequence[Document], test: Sequence[Document], precisions: Sequence[str]) -> str:
    """sha256 over what decides a fold's outcome (the seed is in the config)."""
    what = {
        # the fold models answer without the config's operating point, which is chosen from those answers
        "config": {k: v for k, v in config.to_dict().items() if k != "operating_point"},
        "training": ordered_fingerprint(training),  # the order of the documents decides the batches
        "test": ordered_fingerprint(test),
        "precisions": sorted(precisions),
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _commit() -> str | None:
    try:
        done = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


class FoldCache:
    """``get``/``put`` of fold outcomes by key in ``folder``; with no folder, a cache that keeps nothing."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.commit = _commit()  # the code this run loaded: read now, not when a fold ends

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{key[:24]}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if self.folder is None or not self._path(key).is_file():
            return None
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None  # a damaged entry is trained again, never trusted
        return entry if isinstance(entry, dict) and entry.get("key") == key else None

    def put(self, key: str, outcome: dict[str, Any]) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        entry = {"key": key, "commit": self.commit, "made": datetime.now(timezone.utc).isoformat(timespec="seconds"), **outcome}
        atomic_write_text(self._path(key), json.dumps(entry, ensure_ascii=False))

    def clear(self) -> None:
        """Forget every entry (after a run that finished and wrote its report)."""
        if self.folder is not None and self.folder.is_dir():
            shutil.rmtree(self.folder)


def fold_outcome(
    config: TrainConfig,
    training: Sequence[Document],
    test: Sequence[Document],
    precisions: Sequence[str],
    cache: FoldCache,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """``train_seconds``, ``final_loss`` and ``responses`` (precision -> the response objects of ``test``, in
    order, as ``tag`` writes them) of a model trained with ``config`` on ``training``: from ``cache`` when
    this fold finished before, else trained now and put there at once."""
    key = fold_key(config, training, test, precisions)
    entry = cache.get(key)
    if entry is not None and _fits(entry, test, precisions):
        say(f"  {resumed(entry)}")
        return entry
    if entry is not None:
        say("  the kept entry of this fold is damaged: trained again")
    result = train(config, training)
    outcome = {"train_seconds": round(result.seconds, 1), "final_loss": round(result.final_loss, 5), "responses": {}}
    for precision in precisions:
        settings = {**inference_settings(config), "operating_point": None}  # every event, for choosing one (above)
        extractor = EventExtractor(result.model, result.tokenizer, precision=precision, **settings)
        outcome["responses"][precision] = predict_responses(extractor, test)
    cache.put(key, outcome)
    return outcome


def _fits(entry: dict[str, Any], test: Sequence[Document], precisions: Sequence[str]) -> bool:
    """Whether ``entry`` holds a time, a loss and, at every precision, one response per held-out document, in order."""
    responses = entry.get("responses")
    ids = [d.id for d in test]
    return (isinstance(entry.get("train_seconds"), (int, float)) and isinstance(entry.get("final_loss"), (int, float))
            and isinstance(responses, dict)
            and all(isinstance(responses.get(p), list) and [r.get("id") if isinstance(r, dict) else None for r in responses[p]] == ids
                    for p in precisions))


def resumed(entry: dict[str, Any]) -> str:
    """The line that says a fold was taken from the cache, and from which code."""
    return f"finished earlier ({entry.get('made', '?')}, commit {entry.get('commit') or 'unknown'}): not trained again"
