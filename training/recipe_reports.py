"""Cross-validation reports that describe a stored model's recipe (same config, same data).

A model trained on all the data has no held-out score of its own; the cross-validation of
the same config on the same documents (``reports/*.json``) is the honest estimate of it. A
report is attached only when its data fingerprint and config match the model's metadata.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPORTS = Path(__file__).resolve().parent.parent / "reports"


def _headline(scores: dict[str, Any]) -> dict[str, float]:
    return {
        "event_f1": round(scores["events"]["events"]["f1"], 4),
        "trigger_span_f1": round(scores["spans"]["triggers (micro)"]["f1"], 4),
        "argument_span_f1": round(scores["spans"]["arguments (micro)"]["f1"], 4),
        "attack_sentence_f1": round(scores["sentences"]["attack"]["f1"], 4),
        "retaliation_sentence_f1": round(scores["sentences"]["retaliation"]["f1"], 4),
    }


def crossvalidation_for(metadata: dict[str, Any], reports: Path = REPORTS) -> dict[str, Any]:
    """Headline pooled scores of every report whose data and config match ``metadata``."""
    found: dict[str, Any] = {}
    for path in sorted(reports.glob("*.json")):
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        candidates = [(path.name, report)] if "pooled" in report else [
            (f"{path.name}: {label}", {"data_sha256": s.get("data_sha256"), "config": s["config"], "pooled": {"model": s["scores"]["pooled"]}})
            for label, s in report.get("settings", {}).items()
        ]
        for name, entry in candidates:
            if entry.get("data_sha256") == metadata.get("data_sha256") and entry.get("config") == metadata.get("config"):
                found[name] = _headline(entry["pooled"]["model"])
    return found
