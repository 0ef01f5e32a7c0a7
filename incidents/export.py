"""Records as JSONL, as CSV in ACLED's column order, or as GeoJSON points for a map."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from model.atomic import dumps_jsonl

FORMATS = ("jsonl", "csv", "geojson")
# the suffix each format's files are named with; ``format_named`` reads a file name back
SUFFIXES = {"jsonl": ".jsonl", "csv": ".csv", "geojson": ".geojson"}
# ACLED's columns first, in ACLED's order, for the fields records have; then ours.
CSV_COLUMNS = (
    "event_id", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
    "country", "admin1", "location", "latitude", "longitude", "geo_precision", "source", "notes",
    "fatalities", "fatalities_high", "injuries", "target", "weapon", "geonameid", "retaliation_for",
    "article_ids", "urls", "confidence",
)


def _csv_row(record: dict[str, Any]) -> dict[str, Any]:
    sources = record["sources"]
    return {
        **{k: record.get(k) for k in CSV_COLUMNS if k in record},
        "source": "; ".join(dict.fromkeys(s["source"] for s in sources if s["source"])),
        "article_ids": "; ".join(s["article_id"] for s in sources),
        "urls": "; ".join(s["url"] for s in sources if s["url"]),
    }


def to_csv(records: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: "" if v is None else v for k, v in _csv_row(record).items()})
    return out.getvalue()


def to_geojson(records: Sequence[dict[str, Any]]) -> str:
    """A FeatureCollection of the records that have coordinates (the others have no point to draw)."""
    features = [
        {"type": "Feature", "id": r["event_id"],
         "geometry": {"type": "Point", "coordinates": [r["longitude"], r["latitude"]]},
         "properties": {k: v for k, v in r.items() if k not in ("latitude", "longitude")}}
        for r in records if r["latitude"] is not None
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1)


def format_named(path: Path) -> str | None:
    """The format the name of ``path`` says (``records.csv``: csv; ``.ndjson`` is JSON lines too),
    or None when its suffix names none of ours."""
    suffix = path.suffix.lower()
    return "jsonl" if suffix == ".ndjson" else next((f for f, s in SUFFIXES.items() if s == suffix), None)


def render(records: Sequence[dict[str, Any]], fmt: str) -> str:
    return {"jsonl": dumps_jsonl, "csv": to_csv, "geojson": to_geojson}[fmt](records)
