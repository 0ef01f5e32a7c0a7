"""What ``arabic-events errors`` shows and writes: counts by category, the list, JSON and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any

from rich.table import Table

from error_analysis.triggers import FALSE, MISSED, TriggerError


def category_counts(errors: Sequence[TriggerError], names: Sequence[str]) -> dict[str, dict[str, int]]:
    """False and missed triggers per category, every category of ``names`` included (in that order)."""
    counts = {name: {FALSE: 0, MISSED: 0} for name in names}
    for error in errors:
        counts[error.category][error.kind] += 1
    return counts


def counts_table(counts: dict[str, dict[str, int]], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("category")
    for column in (FALSE, MISSED, "all"):
        table.add_column(column, justify="right")
    for name, row in counts.items():
        table.add_row(name, str(row[FALSE]), str(row[MISSED]), str(row[FALSE] + row[MISSED]))
    total_false = sum(row[FALSE] for row in counts.values())
    total_missed = sum(row[MISSED] for row in counts.values())
    table.add_row("all", str(total_false), str(total_missed), str(total_false + total_missed), style="bold")
    return table


def errors_table(errors: Sequence[TriggerError], names: Sequence[str]) -> Table:
    """Every error, grouped by category in the rules' order, with its sentence."""
    table = Table(title="false and missed triggers", title_justify="left", show_lines=True)
    numbers = ("offsets", "score", "sentence p")
    for column in ("category", "kind", "document", "type", "trigger", *numbers, "sentence"):
        table.add_column(column, justify="right" if column in numbers else "left")
    order = {name: i for i, name in enumerate(names)}
    for error in sorted(errors, key=lambda e: order[e.category]):
        table.add_row(
            error.category, error.kind, f"{error.document} #{error.sentence}" if error.sentence is not None else error.document,
            error.type, error.trigger or "(no trigger)", f"{error.start}-{error.end}" if error.start is not None else "",
            _number(error.score), _number(error.sentence_score), error.sentence_text or "",
        )
    return table


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def report_json(errors: Sequence[TriggerError], names: Sequence[str], sources: dict[str, Any]) -> dict[str, Any]:
    """The counts and every error; ``sources`` says what was analysed (files, documents, rules)."""
    counts = category_counts(errors, names)
    return {
        **sources,
        "categories": list(names),
        "counts": counts,
        "total": {FALSE: sum(r[FALSE] for r in counts.values()), MISSED: sum(r[MISSED] for r in counts.values())},
        "errors": [asdict(error) for error in errors],
    }


def report_csv(errors: Sequence[TriggerError]) -> str:
    """One row per error, every field of ``TriggerError`` a column (empty for None)."""
    out = io.StringIO()
    columns = [f.name for f in fields(TriggerError)]
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for error in errors:
        writer.writerow({k: "" if v is None else v for k, v in asdict(error).items()})
    return out.getvalue()
