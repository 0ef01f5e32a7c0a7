"""Shared fixtures: the real corpus, and paths."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

os.environ.setdefault("BENTOML_DO_NOT_TRACK", "true")
# One thread per process: the tests' models are tiny, and `make test` runs two workers on two cores;
# OpenMP threads that spin beside another process's slow everything down (servers and CLI runs inherit it).
os.environ.setdefault("OMP_NUM_THREADS", "1")
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


def run_cli(env: dict[str, str], *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``arabic-events`` in a subprocess; fail the test with its stderr if it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "arabic_events", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="session")
def tiny_env(tmp_path_factory) -> dict[str, str]:
    """A temporary BentoML home holding one model trained for a few steps on the tiny backbone."""
    home = tmp_path_factory.mktemp("bentoml-home")
    env = {**os.environ, "BENTOML_HOME": str(home), "ARABIC_EVENTS_CACHE": str(home / "cache"), "BENTOML_DO_NOT_TRACK": "true"}
    run_cli(env, "train", "--config", "configs/tiny.yaml")
    return env


@pytest.fixture(scope="session")
def tiny_extractor(corpus: list[Document]):
    """An ``EventExtractor`` in this process, fp32, on a tiny model trained on the seeds (configs/tiny.yaml)."""
    from model.predictor import EventExtractor
    from training.config import TrainConfig
    from training.store import inference_settings
    from training.trainer import train

    config = TrainConfig.from_yaml(ROOT / "configs" / "tiny.yaml")
    trained = train(config, corpus, show_progress=False)
    return EventExtractor(trained.model, trained.tokenizer, **inference_settings(config), precision="fp32")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_service(env: dict[str, str], folder: Path):
    """``bentoml serve`` on a free loopback port with ``env``; stopped by its process id on exit."""
    port = free_port()
    log = folder / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bentoml", "serve", "serving.service:EventService", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, f"{url}/readyz", log, "server", 120)
        yield SimpleNamespace(url=url, pid=process.pid, log=log, process=process)
    finally:
        stop_group(process)


def wait_until_up(process: subprocess.Popen, health_url: str, log: Path, name: str, timeout: float) -> None:
    """Return once ``health_url`` answers 200; fail with the log's tail if ``process`` exits or time runs out."""
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(health_url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} not up in {timeout} s: {log.read_text()[-3000:]}")
        time.sleep(0.5)


def stop_group(process: subprocess.Popen) -> None:
    """Stop a server started in a session of its own, by its process group id: TERM, then KILL."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(tiny_env, tmp_path_factory):
    """``bentoml serve`` on a free loopback port with the tiny model; stopped by its process id."""
    folder = tmp_path_factory.mktemp("server")
    pending = folder / "pending.jsonl"
    env = {**tiny_env, "ARABIC_EVENTS_PENDING": str(pending), "ARABIC_EVENTS_JOBS": str(folder / "jobs")}
    with running_service(env, folder) as running:
        running.pending = pending
        yield running


def comparable(result):
    """A result without its scores: they differ in the last digits when an article is batched with
    others (the packed rows and matrix shapes change; in bf16 by up to about 0.01)."""
    return {
        "sentences": [(s["start"], s["end"], s["types"]) for s in result["sentences"]],
        "spans": [(s["start"], s["end"], s["label"]) for s in result["spans"]],
        "events": [(e["type"], e["trigger"] and (e["trigger"]["start"], e["trigger"]["end"]),
                    [(a["role"], a["start"], a["end"]) for a in e["arguments"]]) for e in result["events"]],
    }
