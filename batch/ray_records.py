"""``arabic-events records --engine ray``: the tagging on Ray Data, the merge across articles on the driver.

The tagging (a model pass over every sentence) runs on the actors of ``batch.ray_tagging``; each
article's date, source and url, and its file and line, travel with it through the actors
(``carry``). The merge (``incidents.records.build_records``) then runs on this machine over the
tagged articles, put back in input order, exactly as the local ``records`` runs it: it compares
the events of any two articles by date, place and actors, and its work is small next to the
tagging's. Malformed lines (the local path's messages, and a date that is not ISO) never stop the
other articles: they are listed in ``RECORDS.errors.jsonl``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import ray

from batch.ray_tagging import (
    ARTICLES,
    IO_CPUS,
    RaySettings,
    error_lines,
    input_format,
    job_failure,
    pool_size,
    problems_only,
    ray_session,
    read_article_rows,
    resolved_model,
    tagged_dataset,
)
from incidents.export import render
from incidents.inputs import Article, article_from
from incidents.records import build_records
from model.articles import iter_jsonl_articles
from model.atomic import atomic_write_text, check_output, is_stdout
from model.errors import UserError
from model.validation import Problem, iter_json_lines

ERRORS_SUFFIX = ".errors.jsonl"
# What the merge needs of an article besides its events: its text and metadata, and where it was read (for the order).
METADATA = pa.schema([("date", pa.string()), ("source", pa.string()), ("url", pa.string()),
                      ("path", pa.string()), ("line", pa.int64())])
RECORD_ROWS = pa.schema(list(ARTICLES) + list(METADATA))
CARRY = ("text", *METADATA.names)


@dataclass
class RecordsSummary:
    """What a run made, and what it skipped."""

    records: list[dict[str, Any]]
    warnings: list[str]
    problems: list[str] = field(default_factory=list)
    articles: int = 0
    actors: int = 0
    model: str = ""


def errors_path(output: Path) -> Path:
    """Where the malformed lines of a run writing ``output`` are listed: ``records.jsonl`` -> ``records.jsonl.errors.jsonl``."""
    return output.with_name(output.name + ERRORS_SUFFIX)


def parse_record_files(files: pa.Table) -> pa.Table:
    """``RECORD_ROWS`` of whole JSONL files (``bytes``, ``path``), checked line by line as ``read_record_articles`` does.

    A line is a problem (``error``) when ``tag`` would refuse it or its date is not an ISO date; an
    article without an id gets ``path:line``, as with ``tag --engine ray``.
    """
    rows: dict[str, list[Any]] = {name: [] for name in RECORD_ROWS.names}
    for data, path in zip(files.column("bytes").to_pylist(), files.column("path").to_pylist()):
        articles = iter_jsonl_articles(data, path, default_id=lambda number, p=path: f"{p}:{number}")
        for (number, fields), item in zip(iter_json_lines(data, path), articles, strict=True):  # one item per line
            article, error = None, str(item) if isinstance(item, Problem) else None
            if error is None:
                try:
                    article = article_from(fields, f"{path}:{number}", item[0])
                except UserError as exc:
                    error = str(exc)
            rows["id"].append(article and article.id)
            rows["text"].append(article and article.text)
            rows["error"].append(error)
            rows["date"].append(article.date.isoformat() if article and article.date else None)
            rows["source"].append(article and article.source)
            rows["url"].append(article and article.url)
            rows["path"].append(path)
            rows["line"].append(number)
    return pa.table(rows, schema=RECORD_ROWS)


def article_of(row: dict[str, Any]) -> Article:
    date = dt.date.fromisoformat(row["date"]) if row["date"] else None
    return Article(row["id"], row["text"], date, row["source"], row["url"])


def in_input_order(rows: list[dict[str, Any]]) -> tuple[list[Article], list[dict[str, Any]], list[str]]:
    """The articles and their response objects by file and line, and a problem for each id seen before.

    Ids are unique within a file already; a record points to its articles by id, so across files
    the later article with the same id is left out and listed.
    """
    articles, results, problems, first = [], [], [], {}
    for row in sorted(rows, key=lambda r: (r["path"], r["line"])):
        where = f"{row['path']}:{row['line']}"
        if row["id"] in first:
            problems.append(f"{where}: duplicate id '{row['id']}' (first at {first[row['id']]})")
            continue
        first[row["id"]] = where
        articles.append(article_of(row))
        results.append(json.loads(row["result"]))
    return articles, results, problems


def records_with_ray(articles: str, output: Path, fmt: str, model: str | None, precision: str,
                     settings: RaySettings, min_score: float | None = None) -> RecordsSummary:
    """Records of every article under ``articles`` (JSONL: a file, folder, glob or fsspec URL) in ``output``.

    Both files are written only once the whole job has run: the records (in ``fmt``) and the
    malformed lines beside them (``errors_path``), empty when there were none.
    """
    if is_stdout(output):
        raise UserError("--engine ray writes the records to a file, with its malformed lines beside it; give -o FILE")
    if input_format(articles) == "parquet":
        raise UserError(f"{articles}: records --engine ray reads JSONL articles ({{id, text, date?, source?, url?}} a line)")
    errors = errors_path(output)
    local_input = [] if "://" in articles else [Path(articles)]
    check_output(output, local_input)
    check_output(errors, local_input)
    tag = resolved_model(model)
    try:
        with ray_session(settings.address):
            rows = read_article_rows(articles, parse_jsonl=parse_record_files)
            tagged = list(tagged_dataset(rows, tag, precision, settings, carry=CARRY, min_score=min_score).iter_rows())
            problems = [row["error"] for row in rows.map_batches(problems_only, batch_format="pyarrow", num_cpus=IO_CPUS).iter_rows()]
            actors = pool_size(settings)
    except ray.exceptions.RayError as exc:
        raise job_failure(exc) from None
    inputs, results, duplicates = in_input_order(tagged)
    made, warnings = build_records(inputs, results)
    atomic_write_text(output, render(made, fmt))
    atomic_write_text(errors, error_lines(problems + duplicates))
    return RecordsSummary(made, warnings, problems + duplicates, len(inputs), actors, tag)
