"""Stand-off annotations: spans of texts the repository does not hold.

A stand-off record is ``{"id", "sha256", "spans", "meta"}``; its text lives in
a git-ignored folder of the checkout (``corpus-texts/``, or
``$ARABIC_EVENTS_TEXTS``), one JSONL file per stand-off file with the same
name, filled by ``arabic-events corpus fetch``. A record joins its text by id,
and only if the text's sha256 is the one the annotations were made on.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from model.atomic import write_jsonl
from model.errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STANDOFF_DIR = PROJECT_ROOT / "annotations" / "standoff"


def default_texts_dir() -> Path:
    return Path(os.environ.get("ARABIC_EVENTS_TEXTS") or PROJECT_ROOT / "corpus-texts")


def is_standoff(record: Any) -> bool:
    return isinstance(record, dict) and "sha256" in record and "text" not in record


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_records(path: Path) -> list[dict[str, Any]]:
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: cannot read ({exc})") from None


def is_standoff_file(path: Path) -> bool:
    records = read_records(path)
    return bool(records) and all(is_standoff(r) for r in records)


def texts_file(standoff_file: Path, texts_dir: Path) -> Path:
    return texts_dir / standoff_file.name


def read_texts(standoff_file: Path, texts_dir: Path) -> dict[str, str] | None:
    """id -> text for a stand-off file, or None when its texts have not been fetched."""
    path = texts_file(standoff_file, texts_dir)
    if not path.exists():
        return None
    records = read_records(path)
    for number, record in enumerate(records, start=1):
        if not (isinstance(record, dict) and isinstance(record.get("id"), str) and isinstance(record.get("text"), str)):
            raise UserError(f"{path}: record {number} is not an object with an 'id' and a 'text' string; "
                            "fetch the texts again: arabic-events corpus fetch")
    return {r["id"]: r["text"] for r in records}


def join_problem(record: dict[str, Any], texts: dict[str, str] | None, where: str) -> str | None:
    """Why ``record`` cannot be joined with ``texts`` (None when it can)."""
    if texts is None or record.get("id") not in texts:
        return f"the text of '{record.get('id')}' is not in {where} (run 'arabic-events corpus fetch')"
    try:
        actual = sha256_text(texts[record["id"]])
    except UnicodeEncodeError:  # a lone surrogate, from a "\ud800" escape
        return f"the text of '{record['id']}' in {where} is not valid Unicode (it holds a lone surrogate)"
    if actual != record.get("sha256"):
        return (f"the text of '{record['id']}' in {where} has sha256 {actual}, "
                f"the annotations were made on {json.dumps(record.get('sha256'))}")
    return None


def fetch_texts(source_dir: Path, texts_dir: Path, standoff_files: Iterable[Path]) -> dict[str, int]:
    """Copy the texts that ``standoff_files`` need from a local copy of the sources, checking each hash.

    ``source_dir`` holds JSONL files of ``{"id", "text", ...}`` records (such as
    ``../shared/corpus-extra``). Nothing is written unless every text is found
    with the expected hash. Returns texts written per stand-off file.
    """
    if not source_dir.is_dir():
        raise UserError(f"{source_dir}: no such folder")
    available: dict[str, dict[str, Any]] = {}
    for path in sorted(source_dir.glob("*.jsonl")):
        for record in read_records(path):
            if isinstance(record, dict) and isinstance(record.get("text"), str) and "id" in record:
                available[record["id"]] = record
    return write_texts(available, str(source_dir), texts_dir, standoff_files)


def write_texts(
    available: Mapping[str, dict[str, Any]], where: str, texts_dir: Path, standoff_files: Iterable[Path]
) -> dict[str, int]:
    """Write the texts of ``standoff_files`` from ``available`` (id -> ``{"text", "meta"}``), checking each hash.

    ``where`` names the source in messages. Nothing is written unless every
    text is there with the sha256 its stand-off record expects. Returns texts
    written per stand-off file.
    """
    plan: dict[Path, list[dict[str, Any]]] = {}
    problems = []
    for standoff in standoff_files:
        rows = []
        for record in read_records(standoff):
            source = available.get(record["id"])
            if source is None:
                problems.append(f"{standoff.name}: '{record['id']}' is not in {where}")
            elif sha256_text(source["text"]) != record["sha256"]:
                problems.append(f"{standoff.name}: '{record['id']}' in {where} has a different text (sha256 mismatch)")
            else:
                rows.append({"id": record["id"], "text": source["text"], "meta": source.get("meta", {})})
        plan[standoff] = rows
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise UserError(problems[0] + more)
    texts_dir.mkdir(parents=True, exist_ok=True)
    for standoff, rows in plan.items():
        write_jsonl(texts_file(standoff, texts_dir), rows)
    return {standoff.name: len(rows) for standoff, rows in plan.items()}
