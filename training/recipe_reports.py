"""Cross-validation reports that describe a stored model's recipe (same training settings, same data).

A model trained on all the data has no held-out score of its own; the cross-validation of
the same config on the same documents (``reports/*.json``) is the honest estimate of it. A
report is attached only when its data fingerprint and training settings match the model's
metadata. The fold models answer with every event (``training.fold_cache``), so for a model
with an operating point a cross-validation report says ``scored: every event``, and the
``operating-point`` report of that cross-validation, when it chose the model's own point, gives
the score at the point chosen on the other folds of each fold (nested).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from training.config import training_settings

REPORTS = Path(__file__).resolve().parent.parent / "reports"
EVERY_EVENT = "every event (the model's operating_point not applied)"
NESTED = "at the operating point chosen on the other folds (nested)"


def _headline(scores: dict[str, Any]) -> dict[str, float]:
    return {
        "event_f1": round(scores["events"]["events"]["f1"], 4),
        "trigger_span_f1": round(scores["spans"]["triggers (micro)"]["f1"], 4),
        "argument_span_f1": round(scores["spans"]["arguments (micro)"]["f1"], 4),
        "attack_sentence_f1": round(scores["sentences"]["attack"]["f1"], 4),
        "retaliation_sentence_f1": round(scores["sentences"]["retaliation"]["f1"], 4),
    }


def _read_reports(reports: Path) -> dict[Path, dict[str, Any]]:
    found = {}
    for path in sorted(reports.glob("*.json")):
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(report, dict):
            found[path] = report
    return found


def crossvalidation_for(metadata: dict[str, Any], reports: Path = REPORTS) -> dict[str, Any]:
    """Headline pooled scores of every report whose data and training settings match ``metadata``."""
    config = metadata.get("config") or {}
    point = config.get("operating_point") or None
    found: dict[str, Any] = {}
    matched: set[str] = set()
    every = _read_reports(reports)
    for path, report in every.items():
        candidates = [(path.name, report)] if "pooled" in report else [
            (f"{path.name}: {label}", {"data_sha256": s.get("data_sha256"), "config": s["config"], "pooled": {"model": s["scores"]["pooled"]}})
            for label, s in report.get("settings", {}).items()
        ]
        for name, entry in candidates:
            if entry.get("data_sha256") == metadata.get("data_sha256") and \
                    training_settings(entry.get("config") or {}) == training_settings(config):
                matched.add(path.name)
                found[name] = {**_headline(entry["pooled"]["model"]), **({"scored": EVERY_EVENT} if point else {})}
    for path, report in every.items():
        of = Path(str(report.get("report", ""))).name
        if point and report.get("chosen") == point and of in matched and "nested operating point" in report.get("scores", {}):
            found[path.name] = {**_headline(report["scores"]["nested operating point"]), "scored": NESTED}
    return found
