"""Annotated articles kept for the next retraining: corrections from the page (``POST /annotations``)
and Label Studio annotations (``POST /webhook``), one JSON line each.

Every change rewrites the file through a temporary file and a rename, under a lock, so concurrent
requests neither interleave nor leave a half-written line.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from model.atomic import atomic_write_text
from model.validation import check_record


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def append_pending(path: Path, record: dict[str, Any]) -> tuple[int, list[str]]:
    """Validate ``record`` and keep it; returns (articles now pending, problems)."""
    return keep_pending(path, [record])


def keep_pending(path: Path, records: Sequence[dict[str, Any]]) -> tuple[int, list[str]]:
    """Validate every record and keep them all, or none if any is invalid; returns (articles now pending, problems).

    A pending article with the same id is replaced: the latest version of an article counts.
    """
    problems = []
    for record in records:
        _, messages = check_record(record)
        name = record.get("id") if isinstance(record, dict) else None
        problems += [f"{name}: {m}" if len(records) > 1 else m for m in messages]
    if problems:
        return 0, problems
    with _locked(path):
        latest = {record["id"]: record for record in records}
        kept = [line for line in _lines(path) if line.strip() and json.loads(line).get("id") not in latest]
        kept += [json.dumps(record, ensure_ascii=False) for record in latest.values()]
        atomic_write_text(path, "".join(line + "\n" for line in kept))
        return len(kept), []


def take_pending(path: Path, destination: Path) -> int:
    """Move the pending articles to ``destination`` (a new batch starts empty); returns how many there were."""
    with _locked(path):
        lines = [line for line in _lines(path) if line.strip()]
        if lines:
            atomic_write_text(destination, "".join(line + "\n" for line in lines))
            path.unlink()
        return len(lines)


def restore_pending(path: Path, batch: Path) -> None:
    """Put a batch back in front of the pending articles; an article pending again since then keeps its newer version."""
    with _locked(path):
        newer = [line for line in _lines(path) if line.strip()]
        newer_ids = {json.loads(line).get("id") for line in newer}
        older = [line for line in _lines(batch) if line.strip() and json.loads(line).get("id") not in newer_ids]
        atomic_write_text(path, "".join(line + "\n" for line in older + newer))
