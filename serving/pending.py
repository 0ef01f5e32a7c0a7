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


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _keep(path: Path, records: Sequence[dict[str, Any]]) -> int:
    """Write ``records`` after the pending articles, replacing those with the same id; the lock is held."""
    latest = {record["id"]: record for record in records}
    kept = [line for line in _lines(path) if line.strip() and json.loads(line).get("id") not in latest]
    kept += [json.dumps(record, ensure_ascii=False) for record in latest.values()]
    atomic_write_text(path, "".join(line + "\n" for line in kept))
    return len(kept)


def append_pending(
    path: Path, record: dict[str, Any], corpus_path: Path | None = None, allow_emptying: bool = False
) -> tuple[int, list[str]]:
    """Validate a correction and keep it; returns (articles now pending, problems).

    A pending article with the same id is replaced: the latest version of an article counts. A
    record without spans that would replace a version with spans (in ``corpus_path`` or among the
    pending articles) raises ``EmptyingRefused`` unless ``allow_emptying``.
    """
    document, problems = check_record(record)
    if document is None:
        return 0, problems
    with _locked(path):
        if not allow_emptying:
            corpus = stored_versions(corpus_path) if corpus_path is not None else []
            refuse_emptying(document, corpus, stored_versions(path))
        return _keep(path, [record]), []


def keep_pending(path: Path, records: Sequence[dict[str, Any]]) -> tuple[int, list[str]]:
    """Validate every record and keep them all, or none if any is invalid; returns (articles now pending, problems).

    Used for Label Studio's annotations: an annotator's submitted empty annotation is a decision,
    and ``retrain`` still refuses to let it empty an annotated article without ``--allow-emptying``.
    """
    problems = []
    for record in records:
        _, messages = check_record(record)
        name = record.get("id") if isinstance(record, dict) else None
        problems += [f"{name}: {m}" if len(records) > 1 else m for m in messages]
    if problems:
        return 0, problems
    with _locked(path):
        return _keep(path, records), []


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
