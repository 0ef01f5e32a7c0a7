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

What becomes a document: only what an annotator finished. A Label Studio export holds every task
of the project, annotated or not; a task becomes a document only from a completed annotation (not
skipped, not a draft), and a completed annotation without any region is a negative example (the
annotator read the article and found no event). Pre-annotations (``predictions``) are taken only
when asked for. doccano's JSONL export cannot tell an unlabelled document from a negative one, so
its documents without labels are imported only when asked for. Everything left out is listed in
the ``ImportSummary``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.document import Document
from model.errors import AnnotationProblems, UserError
from model.labels import LABEL_COLOURS, SPAN_LABELS
from model.validation import Problem, check_record, iter_json_lines, read_bytes
from model.wording import counted

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


@dataclass(frozen=True)
class Skipped:
    """A task (or record) of the export that was not imported, and why."""

    item: str
    reason: str

    def __str__(self) -> str:
        return f"{self.item} ({self.reason})"


@dataclass
class ImportSummary:
    """What an import made of an export: the documents to write and what it left out."""

    documents: list[Document]
    skipped: list[Skipped] = field(default_factory=list)
    from_predictions: list[str] = field(default_factory=list)  # ids of documents taken from pre-annotations
    item: str = "task"  # what the tool calls one entry of its export
    skipped_what: str = "without a completed annotation"
    negatives_note: str = ""

    @property
    def negatives(self) -> list[str]:
        """Ids of the documents without a span: read by an annotator, and no event found."""
        return [d.id for d in self.documents if not d.spans]

    @property
    def spans(self) -> int:
        return sum(len(d.spans) for d in self.documents)

    def describe(self, output: str | None = None) -> str:
        """The one line ``import`` prints: documents, spans, negatives, predictions, skipped."""
        line = (f"{counted(len(self.documents), 'document')}, {counted(self.spans, 'span')}, "
                f"{counted(len(self.negatives), 'negative')}{self.negatives_note}")
        if self.from_predictions:
            line += f", {len(self.from_predictions)} from unreviewed predictions ({', '.join(self.from_predictions)})"
        if output is not None:
            line = f"wrote {line} to {output}"
        return f"{line}; {self.skipped_line()}" if self.skipped else line

    def skipped_line(self) -> str:
        listed = ", ".join(str(s) for s in self.skipped)
        return f"skipped {counted(len(self.skipped), self.item)} {self.skipped_what}: {listed}"


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

# Full JSON exports keep drafts in the task's ``drafts``, never among its ``annotations``; an
# annotation-like object carrying one of these flags is a draft all the same.
LABEL_STUDIO_DRAFT_FLAGS = ("is_draft", "was_postponed")


def _is_completed(annotation: Any) -> bool:
    """A submitted annotation: not skipped (``was_cancelled``), not a draft."""
    return (isinstance(annotation, dict) and not annotation.get("was_cancelled")
            and not any(annotation.get(flag) for flag in LABEL_STUDIO_DRAFT_FLAGS))


def _latest(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The most recently updated entry; on a tie, the later one in the export."""
    return max(enumerate(entries), key=lambda e: (str(e[1].get("updated_at") or e[1].get("created_at") or ""), e[0]))[1]


def _chosen_annotation(task: dict[str, Any]) -> dict[str, Any] | None:
    """The annotation that counts: the ground truth if one is marked, else the latest completed one."""
    completed = [a for a in task.get("annotations") or [] if _is_completed(a)]
    if not completed:
        return None
    return _latest([a for a in completed if a.get("ground_truth")] or completed)


def _untouched(task: dict[str, Any]) -> bool:
    """No annotator has skipped the task or started a draft of it."""
    return not task.get("annotations") and not task.get("drafts")


def _why_skipped(task: dict[str, Any]) -> str:
    annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict)]
    if any(a.get("was_cancelled") for a in annotations):
        return "skipped by its annotator"
    if annotations or task.get("drafts"):
        return "draft only"
    if task.get("predictions"):
        return "predictions only"
    return "not annotated"


def _annotator(annotation: dict[str, Any]) -> Any:
    completed_by = annotation.get("completed_by")
    return completed_by.get("id", completed_by.get("email")) if isinstance(completed_by, dict) else completed_by


def _label_studio_spans(text: str, result: list[Any], problems: list[str]) -> list[dict[str, Any]]:
    spans = []
    for region in result:
        if not isinstance(region, dict) or region.get("type") != "labels":
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


def import_label_studio(path: Path, accept_predictions: bool = False) -> ImportSummary:
    """Documents from the completed annotations of a Label Studio JSON export; all problems are raised together.

    Tasks without a completed annotation are skipped and listed. With ``accept_predictions`` a
    task that no annotator touched (no annotation, skipped or not, no draft) is taken from its
    latest pre-annotation, marked as such in ``meta``.
    """
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
    records, problems, skipped, from_predictions = [], [], [], []
    for number, task in enumerate(tasks, start=1):
        record, messages, skip = label_studio_record(task, "text", number, accept_predictions)
        problems += [Problem(source, number, message) for message in messages]
        if skip is not None:
            skipped.append(skip)
        elif record is not None:
            if record["meta"]["label_studio"].get("unreviewed_prediction"):
                from_predictions.append(record["id"])
            records.append((number, record))
    return ImportSummary(_finish(records, source, problems), skipped, from_predictions)


def label_studio_record(
    task: Any, text_key: str, position: int, accept_predictions: bool = False
) -> tuple[dict[str, Any] | None, list[str], Skipped | None]:
    """The corpus record (not yet validated) of one Label Studio task, its problems, or why it is skipped.

    A task becomes a record only from a completed annotation (the ground truth, else the latest),
    or, with ``accept_predictions``, from its latest prediction when no annotator touched it; its
    provenance goes to ``meta.label_studio``. The text is ``data[text_key]``; the id is ``data.id``,
    else ``label-studio-<task id>`` (the task's ``position`` when it has no id). Shared by the
    export importer and the ML backend's webhook, so both keep exactly the same annotations.
    """
    data = task.get("data") if isinstance(task, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get(text_key), str):
        return None, [f"task has no data.{text_key}"], None
    task_id = task.get("id", position)
    annotation = _chosen_annotation(task)
    predictions = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
    if annotation is not None:
        provenance = {"task": task_id, "annotation": annotation.get("id"), "annotator": _annotator(annotation),
                      "updated_at": annotation.get("updated_at") or annotation.get("created_at"),
                      "ground_truth": bool(annotation.get("ground_truth"))}
        chosen = annotation
    elif accept_predictions and predictions and _untouched(task):
        chosen = _latest(predictions)
        provenance = {"task": task_id, "prediction": chosen.get("id"), "model_version": chosen.get("model_version"),
                      "unreviewed_prediction": True}
    else:
        return None, [], Skipped(str(task_id), _why_skipped(task))
    result, meta = chosen.get("result") or [], data.get("meta") or {}
    problems = [] if isinstance(result, list) else ["'result' must be a list of regions"]
    if not isinstance(meta, dict):
        problems.append("'data.meta' must be an object")
    spans = _label_studio_spans(data[text_key], result if isinstance(result, list) else [], problems)
    if result and not spans and not problems:
        # Regions, none a text label: another project's config, not a negative example.
        problems.append(f"none of its {counted(len(result), 'region')} is a text label (type 'labels')")
    if problems:
        return None, problems, None
    doc_id = str(data.get("id") or f"label-studio-{task_id}")
    return {"id": doc_id, "text": data[text_key], "spans": spans, "meta": {**meta, "label_studio": provenance}}, [], None


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


DOCCANO_NEGATIVES_NOTE = " (kept with --keep-empty: doccano cannot tell them from unlabelled documents)"


def import_doccano(path: Path, keep_empty: bool = False) -> ImportSummary:
    """Documents from a doccano sequence-labelling JSONL export.

    Its records do not say whether a document without labels was read and found to report no
    event or never read: such records are skipped and listed, or kept as negatives with ``keep_empty``.
    """
    source = str(path)
    records, problems, skipped = [], [], []
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
        doc_id = parsed.get("doc_id") or parsed.get("id") or f"doccano-{number}"
        if not raw and not keep_empty:
            skipped.append(Skipped(str(doc_id), f"line {number}"))
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
        meta = {k: v for k, v in parsed.items() if k not in ("id", "doc_id", "text", "label", "labels")}
        meta = meta.get("meta", meta) if isinstance(meta.get("meta"), dict) else meta
        records.append((number, {"id": str(doc_id), "text": text, "spans": spans, "meta": meta}))
    documents = _finish(records, source, problems)
    return ImportSummary(documents, skipped, item="record",
                         skipped_what="without labels (doccano does not tell them from negatives; --keep-empty imports them)",
                         negatives_note=DOCCANO_NEGATIVES_NOTE if keep_empty else "")


def export_doccano(documents: list[Document]) -> list[dict[str, Any]]:
    """doccano sequence-labelling records (code-point offsets) for the documents."""
    return [
        {"id": d.id, "text": d.text, "label": [[s.start, s.end, s.label] for s in d.spans], "meta": d.meta}
        for d in documents
    ]


FORMAT_NAMES = {"label-studio": "a Label Studio JSON export", "doccano": "a doccano JSONL export"}


def detect_format(path: Path) -> str | None:
    """``label-studio`` (one JSON document: a task or a list of tasks, any of them with ``data``, or
    an empty list; the importer names the tasks without it), ``doccano`` (JSON lines, the first an
    object with ``text``), or None when the file is neither."""
    data = read_bytes(path)
    try:
        whole = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        whole = None
    tasks = whole if isinstance(whole, list) else [whole]
    if whole == [] or any(isinstance(t, dict) and isinstance(t.get("data"), dict) for t in tasks):
        return "label-studio"
    first = next(iter_json_lines(data, str(path)), (0, None))[1]
    if isinstance(first, dict) and isinstance(first.get("text"), str):
        return "doccano"
    return None


def is_doccano_export(path: Path) -> bool:
    """Whether ``path`` is a doccano export rather than annotated articles: its first record has
    doccano's ``label`` list and no ``spans`` (annotated articles also have ``text``)."""
    first = next(iter_json_lines(read_bytes(path), str(path)), (0, None))[1]
    return isinstance(first, dict) and isinstance(first.get("label"), list) and "spans" not in first


def why_unrecognised(path: Path) -> str:
    """The one line for a file ``detect_format`` recognises as neither export: what is broken in it
    (its encoding, nothing in it, malformed JSON and where), or, when it is valid JSON, that it is neither."""
    data = read_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return f"{path}: not valid UTF-8"
    if not text.strip():
        return f"{path}: the file is empty: no Label Studio tasks or doccano records to import"
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        lines = list(iter_json_lines(data, str(path)))
        first = lines[0][1]
        if isinstance(first, Problem):
            if any(isinstance(parsed, dict) for _, parsed in lines[1:]):  # JSON lines: the first is the broken one
                return str(first)
            return f"{path}:{exc.lineno}: malformed JSON: {exc.msg} at column {exc.colno}"
    return f"{path}: neither a Label Studio JSON export nor a doccano JSONL export (say which with --from)"


def import_annotations(
    tool: str | None, path: Path, accept_predictions: bool = False, keep_empty: bool = False
) -> ImportSummary:
    """Import ``path`` as written by ``tool`` ("label-studio" or "doccano"; None: the tool the file
    shows) under the policy above.

    A file that shows another format than ``tool`` is refused in one line, rather than read
    as the wrong format (a Label Studio export read as doccano: a "malformed JSON" per line).
    """
    if tool not in (None, "label-studio", "doccano"):
        raise UserError(f"unknown annotation tool '{tool}' (label-studio or doccano)")
    detected = detect_format(path)
    if tool is None and detected is None:
        raise UserError(why_unrecognised(path))
    tool = tool or detected
    # an option of the other tool is the user's slip whatever the file holds: named first
    if tool == "label-studio" and keep_empty:
        raise UserError("--keep-empty is for doccano: Label Studio tells a negative (a submitted annotation "
                        "without regions) from an unannotated task, and imports the negatives")
    if tool == "doccano" and accept_predictions:
        raise UserError("--accept-predictions is for Label Studio: a doccano export holds no pre-annotations")
    if detected is not None and detected != tool:
        raise UserError(f"{path}: this is {FORMAT_NAMES[detected]}, not {FORMAT_NAMES[tool]}; use --from {detected}")
    if tool == "label-studio":
        return import_label_studio(path, accept_predictions)
    return import_doccano(path, keep_empty)
