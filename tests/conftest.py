"""Shared fixtures: the real corpus, and paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("BENTOML_DO_NOT_TRACK", "true")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from model.corpus_io import read_documents  # noqa: E402
from model.document import Document  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "annotations" / "corpus.jsonl"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def corpus() -> list[Document]:
    return read_documents(CORPUS)


@pytest.fixture(scope="session")
def seed_004(corpus: list[Document]) -> Document:
    return next(d for d in corpus if d.id == "seed-004")
