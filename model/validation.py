"""Checks of annotated articles against the scheme, reporting every problem.

``validate_lines`` never stops at the first problem: it returns one ``Problem``
per finding, as ``file:line: message``, so an annotator fixes a file in one go.
"""

from __future__ import annotations

import codecs
import json
import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.document import Document, Span
from model.errors import UserError
from model.labels import SPAN_LABELS, is_trigger
from model.standoff import default_texts_dir, is_standoff, join_problem, read_texts, sha256_text, texts_file
from model.text_units import is_format, is_separator, is_word_aligned, split_sentences
from model.wording import counted


@dataclass(frozen=True, slots=True)
class Problem:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


def iter_json_lines(data: bytes, source: str) -> Iterator[tuple[int, Any | Problem]]:
    """Yield ``(line number, parsed object)`` or ``(line number, Problem)`` per non-blank line."""
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, Problem(source, number, f"not valid UTF-8 (byte {exc.start} of the line)")
            continue
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, Problem(source, number, f"malformed JSON: {exc.msg} at column {exc.colno}")
        except RecursionError:
            yield number, Problem(source, number, "JSON nested too deeply to read")


def describe(text: str, span: Span) -> str:
    excerpt = text[span.start : span.end] if 0 <= span.start < span.end <= len(text) else ""
    excerpt = excerpt if len(excerpt) <= 40 else excerpt[:37] + "..."
    return f"{span.label} {span.start}-{span.end}" + (f" «{excerpt}»" if excerpt else "")


def parse_spans(raw_spans: Any) -> tuple[list[Span], list[str]]:
    """Spans of a record's ``spans`` field, and messages for the entries that are malformed."""
    if not isinstance(raw_spans, list):
        return [], ["'spans' must be a list"]
    spans, messages = [], []
    for k, raw in enumerate(raw_spans):
        if not isinstance(raw, dict):
            messages.append(f"span {k}: must be an object with start, end and label")
            continue
        start, end, label = raw.get("start"), raw.get("end"), raw.get("label")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            messages.append(f"span {k}: 'start' and 'end' must be integers")
        elif not isinstance(label, str):
            messages.append(f"span {k}: 'label' must be a string")
        else:
            spans.append(Span(start, end, label))
    return spans, messages


def span_problems(text: str, spans: list[Span]) -> list[str]:
    """Everything wrong with ``spans`` over ``text`` under the scheme."""
    messages: list[str] = []
    placed: list[Span] = []
    for span in spans:
        where = describe(text, span)
        if span.label not in SPAN_LABELS:
            messages.append(f"unknown label '{span.label}' (labels: {', '.join(SPAN_LABELS)})")
        elif not 0 <= span.start < span.end <= len(text):
            messages.append(f"span {where}: offsets out of range for a text of {len(text)} characters")
        elif is_separator(text[span.start]) or is_separator(text[span.end - 1]):
            messages.append(f"span {where}: starts or ends on whitespace or punctuation")
        elif marks := [f"U+{ord(c):04X}" for c in {text[span.start], text[span.end - 1]} if is_format(c)]:
            messages.append(f"span {where}: starts or ends on an invisible mark ({', '.join(sorted(marks))}); leave it out of the span")
        elif not is_word_aligned(text, span.start, span.end):
            messages.append(f"span {where}: starts or ends inside a word")
        else:
            placed.append(span)

    placed.sort()
    for previous, span in zip(placed, placed[1:]):
        if span.overlaps(previous):
            messages.append(f"span {describe(text, span)} overlaps span {describe(text, previous)}")

    sentences = split_sentences(text)
    triggered = set()
    located: list[tuple[Span, int]] = []
    for span in placed:
        holder = next((s for s in sentences if s.start <= span.start and span.end <= s.end), None)
        if holder is None:
            messages.append(f"span {describe(text, span)} crosses a sentence end")
            continue
        located.append((span, holder.index))
        if is_trigger(span.label):
            triggered.add(holder.index)
    for span, index in located:
        if not is_trigger(span.label) and index not in triggered:
            messages.append(
                f"span {describe(text, span)} is an argument in sentence {index}, which has no trigger"
            )
    return messages


EVENT_RECORD = "an event record, not an annotation (score event records with: arabic-events evaluate --records FILE)"


def is_event_record(obj: Any) -> bool:
    """Whether ``obj`` is an event record (as ``records`` writes them) rather than an annotation."""
    return isinstance(obj, dict) and isinstance(obj.get("event_id"), str) and isinstance(obj.get("mentions"), list) \
        and "spans" not in obj


SURROGATE = re.compile("[\ud800-\udfff]")
SHA256_HEX = re.compile("[0-9a-f]{64}")


def lone_surrogate(value: Any) -> str | None:
    """The problem of the first string in a parsed JSON value (keys and values, at any depth) that
    holds a lone surrogate, naming where; None when there is none.

    JSON's ``"\\ud800"`` escape decodes to one. It is no Unicode character: such a record could not
    be written back, hashed or even printed as UTF-8, so nothing else of it is checked or repeated.
    """
    pending: list[tuple[str, Any]] = [("", value)]  # (path, value); a stack, as a record may be deep
    while pending:
        path, item = pending.pop()
        where = f"'{path if len(path) <= 60 else path[:57] + '...'}'" if path else "the record"
        if isinstance(item, str):
            named = [(where, item)]
        elif isinstance(item, dict):
            named = [(f"a key of {where}", key) for key in item]
            pending += reversed([(f"{path}.{key}" if path else key, child) for key, child in item.items()])
        else:
            named = []
            if isinstance(item, list):
                pending += reversed([(f"{path}[{index}]", child) for index, child in enumerate(item)])
        for name, string in named:
            if found := SURROGATE.search(string):
                return f"{name} holds a lone surrogate U+{ord(found.group()):04X} at character {found.start()}, not valid Unicode"
    return None


NO_SPANS = ("no 'spans': an article, not an annotation "
            "(an article that was read and reports no event carries \"spans\": [])")


def check_record(obj: Any, texts: Joiner | None = None) -> tuple[Document | None, list[str]]:
    """A ``Document`` from one parsed JSONL record, or None, and the record's problems.

    A stand-off record (``sha256`` instead of ``text``) is first joined with its text by ``texts``.
    A record must have ``spans``: without it, nothing says anyone looked for events in the text,
    and taken as an annotation it would teach the model that the article reports none.
    """
    if not isinstance(obj, dict):
        return None, ["not a JSON object"]
    if surrogate := lone_surrogate(obj):
        return None, [surrogate]
    if is_event_record(obj):
        return None, [EVENT_RECORD]
    if is_standoff(obj):
        problem = texts.problem(obj) if texts else "a stand-off record (sha256, no text) needs its texts"
        if problem:
            return None, [problem]
        obj = {**obj, "text": texts.text(obj)}
    messages: list[str] = []
    doc_id, text, meta = obj.get("id"), obj.get("text"), obj.get("meta", {})
    if not isinstance(doc_id, str) or not doc_id.strip():
        messages.append("'id' must be a non-empty string")
    if "text" not in obj:
        messages.append("no 'text' (a stand-off record carries its text's 'sha256' instead)")
    elif not isinstance(text, str):
        messages.append("'text' must be a string")
    elif not text.strip():
        messages.append("'text' is empty")
    elif "sha256" in obj and obj["sha256"] != (digest := sha256_text(text)):
        form = "is not the text's" if isinstance(obj["sha256"], str) and SHA256_HEX.fullmatch(obj["sha256"]) \
            else "must be 64 lower-case hex digits"
        messages.append(f"'sha256' {form}: the text's is {digest}")
    if not isinstance(meta, dict):
        messages.append("'meta' must be an object")
    spans, span_messages = parse_spans(obj["spans"]) if "spans" in obj else ([], [NO_SPANS])
    messages += span_messages
    if messages:
        return None, messages
    messages += span_problems(text, spans)
    if messages:
        return None, messages
    return Document(doc_id, text, sorted(spans), meta), []


def validate_lines(
    data: bytes, source: str, seen_ids: dict[str, str] | None = None, texts: Joiner | None = None
) -> tuple[list[Document], list[Problem]]:
    """Parse and check a JSONL file's bytes; ``seen_ids`` carries ids across files."""
    seen_ids = {} if seen_ids is None else seen_ids
    if data.lstrip().startswith(b"[") and isinstance(whole := whole_json(data), list):
        return [], [Problem(source, 1, json_array_problem(whole, source))]
    documents: list[Document] = []
    problems: list[Problem] = []
    for number, parsed in iter_json_lines(data, source):
        if isinstance(parsed, Problem):
            problems.append(parsed)
            continue
        document, messages = check_record(parsed, texts)
        problems += [Problem(source, number, m) for m in messages]
        doc_id = parsed.get("id") if isinstance(parsed, dict) else None
        if isinstance(doc_id, str) and not SURROGATE.search(doc_id):  # such an id is a problem of its own, not printable
            if doc_id in seen_ids:
                problems.append(Problem(source, number, f"duplicate id '{doc_id}' (first at {seen_ids[doc_id]})"))
            else:
                seen_ids[doc_id] = f"{source}:{number}"
        if document is not None:
            documents.append(document)
    return documents, problems


def whole_json(data: bytes) -> Any:
    """The file parsed as one JSON document, or None when it is not one (JSON lines are not)."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):  # not JSON as a whole, or too deep: the line checks say so
        return None


def json_array_problem(array: list[Any], source: str) -> str:
    """What to say of a file that is one JSON array rather than JSON lines."""
    if not array:
        return "an empty JSON array: no documents"
    if all(isinstance(item, dict) for item in array):
        return (f"one JSON array of {counted(len(array), 'object')}, not JSON lines (one article per line); "
                f"write it as lines with: jq -c '.[]' {shlex.quote(source)} > FILE.jsonl")
    return "one JSON array, not JSON lines of annotated articles (one JSON object per line)"


def read_bytes(path: Path) -> bytes:
    """The file's bytes without a leading UTF-8 byte-order mark, or a ``UserError`` naming why it cannot be read.

    The mark (which Windows editors write) says how the file is encoded; it is not part of its text.
    """
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if path.is_dir():
        raise UserError(f"{path}: is a directory, expected a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    return data.removeprefix(codecs.BOM_UTF8)


@dataclass(frozen=True)
class Joiner:
    """Joins the stand-off records of one file with their fetched texts."""

    texts: dict[str, str] | None
    where: str

    def problem(self, record: dict[str, Any]) -> str | None:
        return join_problem(record, self.texts, self.where)

    def text(self, record: dict[str, Any]) -> str:
        return self.texts[record["id"]]


def validate_files(paths: Iterable[Path], texts_dir: Path | None = None) -> tuple[list[Document], list[Problem]]:
    """Check files; stand-off records are joined with their texts in ``texts_dir`` (default: corpus-texts/)."""
    texts_dir = texts_dir or default_texts_dir()
    seen: dict[str, str] = {}
    documents, problems = [], []
    for path in paths:
        joiner = Joiner(read_texts(path, texts_dir), str(texts_file(path, texts_dir))) if path.exists() else None
        docs, probs = validate_lines(read_bytes(path), str(path), seen, joiner)
        documents += docs
        problems += probs
    return documents, problems
