"""The label scheme of ../shared/annotation-guidelines.md, in one place.

Every other module takes its label names from here: span labels, the BIO tag
set built from them, and the event types that trigger labels stand for.
"""

from __future__ import annotations

TRIGGER_LABELS: tuple[str, ...] = ("ATTACK", "RETALIATION")
ARGUMENT_LABELS: tuple[str, ...] = (
    "ATTACKER",
    "TARGET",
    "WEAPON",
    "LOCATION",
    "ORIGIN",
    "TIME",
    "CASUALTIES",
)
SPAN_LABELS: tuple[str, ...] = TRIGGER_LABELS + ARGUMENT_LABELS

#: Sentence-level event types, in the order of the sentence head's outputs.
EVENT_TYPES: tuple[str, ...] = ("attack", "retaliation")
TRIGGER_TO_EVENT: dict[str, str] = dict(zip(TRIGGER_LABELS, EVENT_TYPES))

#: IOB2 tags in the order of the token head's outputs: O, then B-/I- per label.
BIO_TAGS: tuple[str, ...] = ("O",) + tuple(
    f"{prefix}-{label}" for label in SPAN_LABELS for prefix in ("B", "I")
)

#: One colour per span label, shared by the Label Studio config, the page and reports.
LABEL_COLOURS: dict[str, str] = {
    "ATTACK": "#d62728",
    "RETALIATION": "#9467bd",
    "ATTACKER": "#ff7f0e",
    "TARGET": "#1f77b4",
    "WEAPON": "#8c564b",
    "LOCATION": "#2ca02c",
    "ORIGIN": "#17becf",
    "TIME": "#bcbd22",
    "CASUALTIES": "#e377c2",
}


def is_trigger(label: str) -> bool:
    return label in TRIGGER_LABELS
