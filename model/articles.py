"""Untagged input articles: a JSONL file of ``{"id", "text"}`` or a folder of ``.txt`` files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from model.errors import AnnotationProblems, UserError
from model.validation import Problem, iter_json_lines, read_bytes


def iter_jsonl_articles(
    data: bytes, source: str, default_id: Callable[[int], str] = str
) -> Iterator[tuple[str, str] | Problem]:
    """Each non-blank line's ``(id, text)``, or the ``Problem`` that line has (``source:line: message``).

    An article without an id gets ``default_id(line number)``; a repeated id is a problem of the
    later line. The one validation of input articles, shared by the local and the Ray engine.
    """
    seen: set[str] = set()
    for number, parsed in iter_json_lines(data, source):
        if isinstance(parsed, Problem):
            yield parsed
        elif not isinstance(parsed, dict) or not isinstance(parsed.get("text"), str):
            yield Problem(source, number, "expected an object with a 'text' string")
        else:
            doc_id = str(parsed["id"]) if "id" in parsed else default_id(number)
            if doc_id in seen:
                yield Problem(source, number, f"duplicate id '{doc_id}'")
            else:
                seen.add(doc_id)
                yield doc_id, parsed["text"]


def read_articles(path: Path) -> list[tuple[str, str]]:
    """``(id, text)`` pairs, texts exactly as stored (no newline translation)."""
    if path.is_dir():
        files = sorted(path.glob("*.txt"))
        if not files:
            raise UserError(f"{path}: no .txt files in this folder")
        articles = []
        for file in files:
            try:
                articles.append((file.stem, read_bytes(file).decode("utf-8")))
            except UnicodeDecodeError as exc:
                raise UserError(f"{file}: not valid UTF-8 (byte {exc.start})") from None
        return articles
    articles, problems = [], []
    for item in iter_jsonl_articles(read_bytes(path), str(path)):
        (problems if isinstance(item, Problem) else articles).append(item)
    if problems:
        raise AnnotationProblems(problems)
    if not articles:
        raise UserError(f"{path}: no articles in this file")
    return articles
