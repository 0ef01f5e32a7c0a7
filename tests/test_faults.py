"""Killing `arabic-events retrain` at several points never leaves a broken corpus or served model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from model.corpus_io import read_documents
from tests.conftest import ROOT, run_cli
from tests.conftest import CORPUS
from tests.test_retrain import make_workspace, new_article, write

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return make_workspace(tmp_path_factory.mktemp("faults"))


@pytest.fixture
def workspace(base):
    """The module's workspace with the original corpus and served model back in place."""
    base.corpus.write_bytes(CORPUS.read_bytes())
    (base.home / "arabic-event-tagger.served").write_text(base.served + "\n")
    return base


def start_retrain(ws, batch):
    config = write(ws.path / "retrain.yaml", ws.base + "promotion_tolerance: 1.0\n")
    return subprocess.Popen(
        [sys.executable, "-m", "arabic_events", "retrain", "--config", str(config), "--add", str(batch),
         "--corpus", str(ws.corpus), "--history", str(ws.path / "history.jsonl")],
        cwd=ROOT, env=ws.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )


def kill(process):
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def assert_consistent(ws, old_corpus: bytes):
    corpus = ws.corpus.read_bytes()
    ids = [d.id for d in read_documents(ws.corpus)]  # valid, whichever version it is
    if corpus != old_corpus:
        assert ids == ["seed-000", "seed-001", "seed-002", "seed-003", "seed-004", "new-001"]
    out = ws.path / "tagged.jsonl"
    run_cli(ws.env, "tag", str(ws.corpus), "-o", str(out))  # the served model still loads and tags
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(ids)


@pytest.mark.parametrize("moment", ["after the merge", "during training", "1 s", "9 s", "13 s"])
def test_killed_retrain_leaves_corpus_and_served_model_usable(workspace, moment):
    batch = write(workspace.path / "batch.jsonl", json.dumps(new_article(), ensure_ascii=False) + "\n")
    old_corpus = workspace.corpus.read_bytes()
    process = start_retrain(workspace, batch)
    if moment.endswith(" s"):
        time.sleep(float(moment[:-2]))
    else:
        marker = "merged:" if moment == "after the merge" else "training a candidate"
        for line in process.stdout:
            if marker in line:
                break
        if moment == "during training":
            time.sleep(1.0)
    if process.poll() is None:
        kill(process)
    assert_consistent(workspace, old_corpus)
