"""Articles to make records from: ``{id, text, date?, source?, url?}``, checked once for the CLI and the service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.articles import read_articles
from model.errors import UserError
from model.validation import iter_json_lines, read_bytes


@dataclass(frozen=True)
class Article:
    id: str
    text: str
    date: dt.date | None = None  # publication date: the reference of relative times
    source: str | None = None
    url: str | None = None


# Publication dates a record can be dated from: relative days (a week, a month back) stay inside the calendar.
FIRST_YEAR, LAST_YEAR = 1000, 9998


def parse_date(value: Any, where: str) -> dt.date | None:
    """An ISO ``YYYY-MM-DD`` date (a full timestamp is cut to its day); a one-line error naming ``where`` otherwise."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value[:10]) if len(value) > 10 and value[10] in "T " else dt.date.fromisoformat(value)
        except ValueError:
            day = None
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise UserError(f"{where}: date {value!r} is out of range (years {FIRST_YEAR} to {LAST_YEAR})")
        if day is not None:
            return day
    raise UserError(f"{where}: date {value!r} is not an ISO date (YYYY-MM-DD)")


def article_from(fields: dict[str, Any], where: str, default_id: str) -> Article:
    for name in ("source", "url"):
        if fields.get(name) is not None and not isinstance(fields[name], str):
            raise UserError(f"{where}: {name} must be a string")
    return Article(str(fields.get("id") or default_id), fields["text"], parse_date(fields.get("date"), where),
                   fields.get("source"), fields.get("url"))


def unique_ids(articles: list[Article]) -> list[Article]:
    """``articles`` themselves; an error naming the first repeated id (records point to articles by id)."""
    seen: set[str] = set()
    for index, article in enumerate(articles):
        if article.id in seen:
            raise UserError(f"articles[{index}]: duplicate id {article.id!r}")
        seen.add(article.id)
    return articles


def read_record_articles(path: Path) -> list[Article]:
    """A JSONL of articles with their metadata, or a folder of ``.txt`` (no metadata)."""
    pairs = read_articles(path)  # every check of ``arabic-events tag``: JSON, text, duplicate ids
    if path.is_dir():
        return [Article(doc_id, text) for doc_id, text in pairs]
    lines = list(iter_json_lines(read_bytes(path), str(path)))  # all valid: read_articles checked them
    return [article_from(fields, f"{path}:{number}", doc_id) for (number, fields), (doc_id, _) in zip(lines, pairs)]
