"""Untagged input articles: a JSONL file of ``{"id", "text"}`` or a folder of ``.txt`` files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from model.errors import AnnotationProblems, UserError
from model.validation import Problem, iter_json_lines, read_bytes
from model.wording import counted


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


def text_files(folder: Path, recursive: bool = False, say: Callable[[str], None] = print) -> list[Path]:
    """The ``.txt`` files of ``folder`` (any case of the extension), sorted; says what it leaves out."""
    found, other_files, subfolders = [], 0, 0
    for path in sorted(folder.rglob("*") if recursive else folder.iterdir()):
        if path.is_dir():
            subfolders += not recursive
        elif path.suffix.lower() == ".txt":
            found.append(path)
        else:
            other_files += 1
    if subfolders:
        say(f"note: {counted(subfolders, 'subfolder')} of {folder} not read (add --recursive to read them)")
    if other_files:
        say(f"note: {counted(other_files, 'file')} of {folder} not read: not .txt")
    return found


def read_articles(path: Path, recursive: bool = False, say: Callable[[str], None] = print) -> list[tuple[str, str]]:
    """``(id, text)`` pairs, texts exactly as stored (no newline translation, no byte-order mark).

    In a folder, an article's id is its file's path inside the folder without the extension.
    """
    if path.is_dir():
        files = text_files(path, recursive, say)
        if not files:
            raise UserError(f"{path}: no .txt files in this folder" + ("" if recursive else " (add --recursive to read subfolders)"))
        articles, seen = [], {}
        for file in files:
            doc_id = file.relative_to(path).with_suffix("").as_posix()
            if doc_id in seen:
                raise UserError(f"{file}: same article id '{doc_id}' as {seen[doc_id]}; rename one of them")
            seen[doc_id] = file
            try:
                articles.append((doc_id, read_bytes(file).decode("utf-8")))
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
