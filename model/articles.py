"""Untagged input articles: a JSONL file of ``{"id", "text"}`` or a folder of ``.txt`` files."""

from __future__ import annotations

from pathlib import Path

from model.errors import AnnotationProblems, UserError
from model.validation import Problem, iter_json_lines, read_bytes


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
    articles, problems, seen = [], [], set()
    for number, parsed in iter_json_lines(read_bytes(path), str(path)):
        if isinstance(parsed, Problem):
            problems.append(parsed)
        elif not isinstance(parsed, dict) or not isinstance(parsed.get("text"), str):
            problems.append(Problem(str(path), number, "expected an object with a 'text' string"))
        else:
            doc_id = str(parsed.get("id", number))
            if doc_id in seen:
                problems.append(Problem(str(path), number, f"duplicate id '{doc_id}'"))
            seen.add(doc_id)
            articles.append((doc_id, parsed["text"]))
    if problems:
        raise AnnotationProblems(problems)
    if not articles:
        raise UserError(f"{path}: no articles in this file")
    return articles
