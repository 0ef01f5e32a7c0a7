"""Rich tables of scores, for the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table


def scores_table(title: str, systems: dict[str, dict[str, Any]]) -> Table:
    """One row per score line, an F1 column per system (with P/R of the first system)."""
    table = Table(title=title, title_justify="left")
    table.add_column("level")
    table.add_column("label")
    names = list(systems)
    first = names[0]
    table.add_column(f"{first} P", justify="right")
    table.add_column(f"{first} R", justify="right")
    for name in names:
        table.add_column(f"{name} F1", justify="right")
    table.add_column("support", justify="right")
    for level in ("sentences", "spans"):
        for label, row in systems[first][level].items():
            cells = [f"{systems[n][level][label]['f1']:.3f}" for n in names]
            table.add_row(level, label, f"{row['precision']:.3f}", f"{row['recall']:.3f}", *cells, str(row["support"]))
    return table


def predictions_beside(report: Path, folder: bool = False) -> Path:
    """Where a cross-validation report's fold-model responses go: ``NAME.predictions.jsonl`` beside
    ``NAME.json``, or the folder ``NAME-predictions/`` (one file per setting). They quote the texts,
    so they are kept out of the repository (``.gitignore``) while the report is kept."""
    return report.with_name(f"{report.stem}-predictions") if folder else report.with_suffix(".predictions.jsonl")
