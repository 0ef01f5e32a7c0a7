"""Import from and export to the annotation tools people already use.

* Label Studio: the JSON export of a Labels-on-Text project (a list of tasks,
  each with ``data.text`` and ``annotations[].result[]`` regions), and tasks
  with pre-annotations (``predictions``) to import into such a project.
* doccano: the JSONL export of a sequence-labelling project,
  ``{"text": ..., "label": [[start, end, tag], ...]}``.

Browser-based tools count offsets in UTF-16 code units in some versions and in
code points in others; the two differ only after a character outside the Basic
Multilingual Plane (an emoji). Imports therefore convert UTF-16 offsets to
Python's code points where a region's own ``text`` (Label Studio) or the
document's characters (doccano) show that they are UTF-16, and every imported
record then goes through the same validator as the corpus.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from model.document import Document
from model.errors import AnnotationProblems, UserError
from model.labels import LABEL_COLOURS, SPAN_LABELS
from model.validation import Problem, check_record, iter_json_lines, read_bytes

LABEL_STUDIO_FROM_NAME = "label"
LABEL_STUDIO_TO_NAME = "text"


def utf16_to_codepoint_index(text: str) -> dict[int, int]:
    """Map every UTF-16 code-unit offset that falls on a character boundary to a code-point offset."""
    mapping, units = {}, 0
    for index, char in enumerate(text):
        mapping[units] = index
        units += 2 if ord(char) > 0xFFFF else 1
    mapping[units] = len(text)
    return mapping


def has_astral(text: str) -> bool:
    return any(ord(c) > 0xFFFF for c in text)


def _from_utf16(text: str, start: int, end: int) -> tuple[int, int] | None:
    mapping = utf16_to_codepoint_index(text)
    if start in mapping and end in mapping:
        return mapping[start], mapping[end]
    return None


def _finish(records: list[tuple[int, dict[str, Any]]], source: str, problems: list[Problem]) -> list[Document]:
    documents, seen = [], {}
    for number, record in records:
        document, messages = check_record(record)
        problems += [Problem(source, number, m) for m in messages]
        if document is not None:
            if document.id in seen:
                problems.append(Problem(source, number, f"duplicate id '{document.id}' (first at item {seen[document.id]})"))
            seen.setdefault(document.id, number)
            documents.append(document)
    if problems:
        raise AnnotationProblems(problems)
    return documents


# ---------------------------------------------------------------- Label Studio


def _label_studio_spans(text: str, task: dict[str, Any], problems: list[str]) -> list[dict[str, Any]]:
    annotations = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if not annotations:
        return []
    # The most recently updated annotation of the task is the one that counts.
    annotation = max(annotations, key=lambda a: str(a.get("updated_at") or a.get("created_at") or ""))
    spans = []
    for region in annotation.get("result") or []:
        if region.get("type") != "labels":
            continue
        value = region.get("value") or {}
        start, end, labels = value.get("start"), value.get("end"), value.get("labels") or []
        if not isinstance(start, int) or not isinstance(end, int) or len(labels) != 1:
            problems.append(f"region {region.get('id', '?')}: needs integer start/end and exactly one label")
            continue
        surface = value.get("text")
        if surface is not None and text[start:end] != surface:
            converted = _from_utf16(text, start, end)
            if converted is None or text[converted[0] : converted[1]] != surface:
                problems.append(f"region {region.get('id', '?')}: offsets {start}-{end} do not select its text «{surface}»")
                continue
            start, end = converted
        spans.append({"start": start, "end": end, "label": labels[0]})
    return spans


def import_label_studio(path: Path) -> list[Document]:
    """Documents from a Label Studio JSON export; all problems are raised together."""
    source = str(path)
    try:
        tasks = json.loads(read_bytes(path).decode("utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{source}: not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{source}: malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise UserError(f"{source}: expected a Label Studio JSON export (a list of tasks)")
    records, problems = [], []
    for number, task in enumerate(tasks, start=1):
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            problems.append(Problem(source, number, "task has no data.text"))
            continue
        region_problems: list[str] = []
        spans = _label_studio_spans(data["text"], task, region_problems)
        problems += [Problem(source, number, m) for m in region_problems]
        meta = dict(data.get("meta") or {})
        meta.setdefault("label_studio_task", task.get("id"))
        doc_id = data.get("id") or f"label-studio-{task.get('id', number)}"
        records.append((number, {"id": str(doc_id), "text": data["text"], "spans": spans, "meta": meta}))
    return _finish(records, source, problems)


def export_label_studio(documents: list[Document], model_version: str = "annotations") -> list[dict[str, Any]]:
    """Label Studio tasks whose pre-annotations are the documents' spans."""
    tasks = []
    for document in documents:
        result = [
            {
                "id": f"{document.id}-{k}",
                "from_name": LABEL_STUDIO_FROM_NAME,
                "to_name": LABEL_STUDIO_TO_NAME,
                "type": "labels",
                "value": {
                    "start": span.start,
                    "end": span.end,
                    "text": document.span_text(span),
                    "labels": [span.label],
                },
            }
            for k, span in enumerate(document.spans)
        ]
        tasks.append(
            {
                "data": {"id": document.id, "text": document.text, "meta": document.meta},
                "predictions": [{"model_version": model_version, "result": result}],
            }
        )
    return tasks


def label_studio_config() -> str:
    """The labeling config (XML) of a Label Studio project for the scheme's nine labels."""
    labels = "\n".join(
        f'    <Label value="{label}" background="{LABEL_COLOURS[label]}"/>' for label in SPAN_LABELS
    )
    return (
        "<View>\n"
        f'  <Labels name="{LABEL_STUDIO_FROM_NAME}" toName="{LABEL_STUDIO_TO_NAME}">\n'
        f"{labels}\n"
        "  </Labels>\n"
        f'  <View style="direction: rtl; text-align: right">\n'
        f'    <Text name="{LABEL_STUDIO_TO_NAME}" value="$text" granularity="word"/>\n'
        "  </View>\n"
        "</View>\n"
    )


# ---------------------------------------------------------------- doccano


def import_doccano(path: Path) -> list[Document]:
    """Documents from a doccano sequence-labelling JSONL export."""
    source = str(path)
    records, problems = [], []
    for number, parsed in iter_json_lines(read_bytes(path), source):
        if isinstance(parsed, Problem):
            problems.append(parsed)
            continue
        if not isinstance(parsed, dict) or not isinstance(parsed.get("text"), str):
            problems.append(Problem(source, number, "record has no 'text' string"))
            continue
        text = parsed["text"]
        raw = parsed.get("label", parsed.get("labels", []))
        if not isinstance(raw, list):
            problems.append(Problem(source, number, "'label' must be a list of [start, end, tag]"))
            continue
        spans = []
        for k, item in enumerate(raw):
            if not (isinstance(item, list) and len(item) == 3 and all(isinstance(v, int) for v in item[:2])):
                problems.append(Problem(source, number, f"label {k}: expected [start, end, tag]"))
                continue
            start, end, tag = item
            if has_astral(text):
                converted = _from_utf16(text, start, end)
                if converted is None:
                    problems.append(Problem(source, number, f"label {k}: offsets {start}-{end} split a character"))
                    continue
                start, end = converted
            spans.append({"start": start, "end": end, "label": tag})
        doc_id = parsed.get("doc_id") or parsed.get("id") or f"doccano-{number}"
        meta = {k: v for k, v in parsed.items() if k not in ("id", "doc_id", "text", "label", "labels")}
        meta = meta.get("meta", meta) if isinstance(meta.get("meta"), dict) else meta
        records.append((number, {"id": str(doc_id), "text": text, "spans": spans, "meta": meta}))
    return _finish(records, source, problems)


def export_doccano(documents: list[Document]) -> list[dict[str, Any]]:
    """doccano sequence-labelling records (code-point offsets) for the documents."""
    return [
        {"id": d.id, "text": d.text, "label": [[s.start, s.end, s.label] for s in d.spans], "meta": d.meta}
        for d in documents
    ]


IMPORTERS = {"label-studio": import_label_studio, "doccano": import_doccano}
FORMAT_NAMES = {"label-studio": "a Label Studio JSON export", "doccano": "a doccano JSONL export"}


def detect_format(path: Path) -> str | None:
    """``label-studio`` (one JSON document: a task or a list of tasks with ``data``), ``doccano``
    (JSON lines, the first an object with ``text``), or None when the file is neither."""
    data = read_bytes(path)
    try:
        whole = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        whole = None
    tasks = whole if isinstance(whole, list) else [whole]
    if tasks and all(isinstance(t, dict) and isinstance(t.get("data"), dict) for t in tasks):
        return "label-studio"
    first = next(iter_json_lines(data, str(path)), (0, None))[1]
    if isinstance(first, dict) and isinstance(first.get("text"), str):
        return "doccano"
    return None


def read_export(path: Path, declared: str | None = None) -> list[Document]:
    """Documents of an annotation tool's export, in the ``declared`` format or the one the file shows.

    A file that shows another format than the declared one is refused in one line, rather
    than read line by line as the wrong format (thousands of "malformed JSON" problems).
    """
    detected = detect_format(path)
    if declared is None and detected is None:
        raise UserError(f"{path}: neither a Label Studio JSON export nor a doccano JSONL export (say which with --from)")
    if declared is not None and detected is not None and detected != declared:
        raise UserError(f"{path}: this is {FORMAT_NAMES[detected]}, not {FORMAT_NAMES[declared]}; use --from {detected}")
    return IMPORTERS[declared or detected](path)
