"""Corrected articles sent from the page (``POST /annotations``), kept for the next ``retrain --add``."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path
from typing import Any

from model.atomic import atomic_write_text
from model.document import Document
from model.merging import EmptyingRefused, plan_merge
from model.validation import Problem, check_record, iter_json_lines


def stored_versions(path: Path) -> list[Document]:
    """The valid documents of a JSONL file, in order (none if it does not exist).

    Lenient on purpose: the pending file may hold an article twice (corrected twice), and a
    line someone broke by hand is ``validate``'s business, not a reason to refuse a correction.
    """
    if not path.exists():
        return []
    documents = []
    for _, parsed in iter_json_lines(path.read_bytes(), str(path)):
        document = None if isinstance(parsed, Problem) else check_record(parsed)[0]
        if document is not None:
            documents.append(document)
    return documents


def refuse_emptying(record: Document, corpus: list[Document], pending: list[Document]) -> None:
    """Raise ``EmptyingRefused`` if ``record`` has no span and the version it would replace has some.

    The version it replaces is the one ``retrain --add`` would meet: the corpus file it merges
    into, then the corrections pending before this one, in order.
    """
    stored = plan_merge(corpus, pending).documents
    from_pending = {id(d) for d in pending}
    messages = []
    for replacement in plan_merge(stored, [record]).emptying:
        where = "the pending corrections" if id(replacement.old) in from_pending else "the corpus"
        messages.append(f'{replacement.describe(where)}; send "allow_emptying": true if its annotations are to go')
    if messages:
        raise EmptyingRefused(messages)


def append_pending(
    path: Path, record: dict[str, Any], corpus_path: Path | None = None, allow_emptying: bool = False
) -> tuple[int, list[str]]:
    """Validate ``record`` and append it as one line; returns (lines now pending, problems).

    A record without spans that would replace a version with spans (in ``corpus_path`` or in the
    pending file) raises ``EmptyingRefused`` unless ``allow_emptying``. The append rewrites the
    file through a temporary file and a rename, under a lock, so concurrent requests neither
    interleave nor leave a half-written line.
    """
    document, problems = check_record(record)
    if document is None:
        return 0, problems
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not allow_emptying:
            corpus = stored_versions(corpus_path) if corpus_path is not None else []
            refuse_emptying(document, corpus, stored_versions(path))
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        if existing and not existing.endswith("\n"):
            existing += "\n"
        atomic_write_text(path, existing + json.dumps(record, ensure_ascii=False) + "\n")
        return existing.count("\n") + 1, []
