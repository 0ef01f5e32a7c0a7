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


def per_source_table(per_source: dict[str, dict[str, Any]]) -> Table:
    """Cross-validation pooled per source: the headline scores of the model beside the trivial baselines."""
    table = Table(title="pooled per source (model / baseline)", title_justify="left")
    for column in ("source", "documents", "event F1", "trigger F1", "argument F1", "attack sent. F1", "retaliation sent. F1",
                   "events / negative doc"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for source, systems in per_source.items():
        model, baseline = systems["model"], systems["baseline"]

        def pair(get) -> str:
            return f"{get(model):.3f} / {get(baseline):.3f}"

        negatives = model["negatives"]
        table.add_row(
            source, str(model["documents"]),
            pair(lambda s: s["events"]["events"]["f1"]), pair(lambda s: s["spans"]["triggers (micro)"]["f1"]),
            pair(lambda s: s["spans"]["arguments (micro)"]["f1"]), pair(lambda s: s["sentences"]["attack"]["f1"]),
            pair(lambda s: s["sentences"]["retaliation"]["f1"]),
            f"{negatives['events_per_negative_document']:.2f} / {baseline['negatives']['events_per_negative_document']:.2f}"
            if negatives["negative_documents"] else "—",
        )
    return table


def predictions_beside(report: Path, folder: bool = False) -> Path:
    """Where a cross-validation report's fold-model responses go: ``NAME.predictions.jsonl`` beside
    ``NAME.json``, or the folder ``NAME-predictions/`` (one file per setting). They quote the texts,
    so they are kept out of the repository (``.gitignore``) while the report is kept."""
    return report.with_name(f"{report.stem}-predictions") if folder else report.with_suffix(".predictions.jsonl")


OPERATING_POINT_ROWS: tuple[tuple[str, Any], ...] = (
    ("events (type + trigger)", lambda s: s["events"]["events"]),
    ("attack events", lambda s: s["events per type"]["attack"]),
    ("retaliation events", lambda s: s["events per type"]["retaliation"]),
    ("arguments of matched events", lambda s: s["events"]["arguments in matched events"]),
    ("trigger spans (strict)", lambda s: s["spans"]["triggers (micro)"]),
    ("argument spans (strict)", lambda s: s["spans"]["arguments (micro)"]),
    ("attack sentences", lambda s: s["sentences"]["attack"]),
    ("retaliation sentences", lambda s: s["sentences"]["retaliation"]),
)


def operating_point_table(title: str, scores: dict[str, dict[str, Any]]) -> Table:
    """``operating-point``'s comparison: P / R / F1 of each system (every event; at the nested point), per measure."""
    table = Table(title=title, title_justify="left")
    table.add_column("measure")
    for name in scores:
        table.add_column(f"{name}: P / R / F1", justify="right")
    table.add_column("support", justify="right")
    for label, get in OPERATING_POINT_ROWS:
        cells = [f"{get(s)['precision']:.3f} / {get(s)['recall']:.3f} / [bold]{get(s)['f1']:.3f}[/bold]" for s in scores.values()]
        table.add_row(label, *cells, str(get(next(iter(scores.values())))["support"]))
    negatives = [s["negatives"] for s in scores.values()]
    if negatives[0]["negative_documents"]:
        table.add_row("events per negative document", *(f"{n['events_per_negative_document']:.2f}" for n in negatives),
                      str(negatives[0]["negative_documents"]))
    return table


def ablation_table(result: dict[str, Any], folds: int) -> Table:
    """One row per setting and tested source: the model's scores beside the trivial baselines trained on the same data."""
    table = Table(title=f"ablation, {folds} folds by document", title_justify="left")
    for column in ("trained on", "tested on", "event F1", "trigger F1", "argument F1", "spans lenient F1", "attack sent. F1",
                   "retaliation sent. F1", "events / negative doc", "baseline event F1", "baseline attack sent. F1",
                   "baseline events / neg. doc"):
        table.add_column(column, justify="left" if column in ("trained on", "tested on") else "right")
    for label, setting in result["settings"].items():
        for name, s in setting["scores"].items():
            base = s["baseline"]
            table.add_row(label, name, f"{s['events']['events']['f1']:.3f}", f"{s['spans']['triggers (micro)']['f1']:.3f}",
                          f"{s['spans']['arguments (micro)']['f1']:.3f}", f"{s['spans (lenient)']['micro avg']['f1']:.3f}",
                          f"{s['sentences']['attack']['f1']:.3f}", f"{s['sentences']['retaliation']['f1']:.3f}",
                          f"{s['negatives']['events_per_negative_document']:.2f}", f"{base['events']['events']['f1']:.3f}",
                          f"{base['sentences']['attack']['f1']:.3f}", f"{base['negatives']['events_per_negative_document']:.2f}")
    return table
