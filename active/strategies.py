"""The strategies that choose the next articles to annotate: a module of its own, light enough for
the command line to offer them as choices without importing the model."""

from __future__ import annotations

from enum import Enum


class Strategy(str, Enum):
    entropy = "entropy"
    least_confidence = "least-confidence"
    random = "random"
