"""Reading annotated articles (always validated) and writing them back as JSONL."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from model.atomic import write_jsonl
from model.document import Document
from model.errors import AnnotationProblems
from model.standoff import default_texts_dir, is_standoff_file, read_texts
from model.validation import validate_files


def read_documents(*paths: Path, texts_dir: Path | None = None) -> list[Document]:
    """Every document of the JSONL files, validated (stand-off records joined with their texts).

    Any problem raises ``AnnotationProblems`` listing all of them.
    """
    documents, problems = validate_files(paths, texts_dir)
    if problems:
        raise AnnotationProblems(problems)
    return documents


def write_documents(path: Path, documents: Iterable[Document]) -> None:
    write_jsonl(path, (d.to_json() for d in documents))


def read_corpus(
    paths: Iterable[Path], texts_dir: Path | None = None, say: Callable[[str], None] = print
) -> list[Document]:
    """The documents of ``paths``, leaving out stand-off files whose texts have not been fetched.

    Each left-out file is reported in one line through ``say``; a text that is
    there but differs from the annotated one is an error, never a silent skip.
    """
    texts_dir = texts_dir or default_texts_dir()
    usable = []
    for path in paths:
        if path.exists() and is_standoff_file(path) and read_texts(path, texts_dir) is None:
            say(f"note: the texts of {path.name} are not in {texts_dir} (run 'arabic-events corpus fetch'); "
                "going on without them")
            continue
        usable.append(path)
    return read_documents(*usable, texts_dir=texts_dir)
