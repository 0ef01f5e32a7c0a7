"""Corrected articles sent from the page (``POST /annotations``), kept for the next ``retrain --add``."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path
from typing import Any

from model.atomic import atomic_write_text
from model.validation import check_record


def append_pending(path: Path, record: dict[str, Any]) -> tuple[int, list[str]]:
    """Validate ``record`` and append it as one line; returns (lines now pending, problems).

    The append rewrites the file through a temporary file and a rename, under a lock,
    so concurrent requests neither interleave nor leave a half-written line.
    """
    _, problems = check_record(record)
    if problems:
        return 0, problems
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        if existing and not existing.endswith("\n"):
            existing += "\n"
        atomic_write_text(path, existing + json.dumps(record, ensure_ascii=False) + "\n")
        return existing.count("\n") + 1, []
