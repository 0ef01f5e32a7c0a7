"""Retraining as a background job of the service: one at a time, its state readable, its outcome logged.

A job takes the pending annotations (moves the file into the job's folder, so annotations that
arrive meanwhile start a new batch) and runs ``arabic-events retrain --add <batch> <retrain_args>``
in a subprocess, its output in the job's ``log.txt``. If the job fails, its batch goes back in
front of the pending annotations, so nothing an annotator sent is lost.

"One at a time" holds across processes too: a running job holds an exclusive lock on
``<jobs folder>/training.lock``.
"""

from __future__ import annotations

import fcntl
import logging
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from model.errors import UserError
from serving.pending import restore_pending, take_pending

PROJECT_ROOT = Path(__file__).resolve().parent.parent
logger = logging.getLogger("arabic_events.jobs")


class TrainingRunning(Exception):
    """A training job is already running; ``job`` is its description."""

    def __init__(self, job: dict[str, Any] | None):
        self.job = job
        which = f"job {job['id']}, started {job['started']}" if job else "in another process"
        super().__init__(f"a training job is already running ({which}); wait for it to finish")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class Job:
    id: str
    command: list[str]
    articles: int
    folder: str
    state: str = "running"  # running, succeeded, failed
    started: str = field(default_factory=_now)
    finished: str | None = None
    exit_code: int | None = None
    outcome: str | None = None  # the last line retrain printed: PROMOTED ..., NOT PROMOTED ..., or the error

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class TrainingJobs:
    """The service's training jobs, newest last; at most one running."""

    def __init__(self, folder: Path, pending: Path, retrain_args: Sequence[str]):
        self.folder = folder
        self.pending = pending
        self.retrain_args = list(retrain_args)
        self._jobs: dict[str, Job] = {}
        self._guard = threading.Lock()

    def list(self) -> list[dict[str, Any]]:
        with self._guard:
            return [job.to_json() for job in self._jobs.values()]

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self._guard:
            job = self._jobs.get(job_id)
            return job.to_json() if job else None

    def running(self) -> dict[str, Any] | None:
        with self._guard:
            return next((j.to_json() for j in self._jobs.values() if j.state == "running"), None)

    def start(self) -> dict[str, Any]:
        """Start retraining on the pending annotations; ``TrainingRunning`` if a job runs, UserError if none are pending."""
        with self._guard:
            if any(j.state == "running" for j in self._jobs.values()):
                raise TrainingRunning(next(j.to_json() for j in self._jobs.values() if j.state == "running"))
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = open(self.folder / "training.lock", "w")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.close()
                raise TrainingRunning(None) from None
            try:
                job = self._launch(lock)
            except BaseException:
                lock.close()
                raise
            self._jobs[job.id] = job
            return job.to_json()

    def _launch(self, lock: IO[str]) -> Job:
        job_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + f"-{len(self._jobs) + 1}"
        folder = self.folder / job_id
        folder.mkdir()
        batch = folder / "batch.jsonl"
        articles = take_pending(self.pending, batch)
        if not articles:
            folder.rmdir()
            raise UserError(f"no pending annotations to train on ({self.pending} is empty)")
        command = [sys.executable, "-m", "arabic_events", "retrain", "--add", str(batch), *self.retrain_args]
        log = (folder / "log.txt").open("w", encoding="utf-8")
        try:
            process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        except OSError:
            log.close()
            restore_pending(self.pending, batch)
            raise
        job = Job(job_id, command, articles, str(folder))
        logger.info("training job %s started on %d pending article(s): %s", job_id, articles, " ".join(command))
        threading.Thread(target=self._wait, args=(job, process, log, lock), name=f"training-{job_id}", daemon=True).start()
        return job

    def _wait(self, job: Job, process: subprocess.Popen, log: IO[str], lock: IO[str]) -> None:
        try:
            code = process.wait()
        finally:
            log.close()
        lines = [line.strip() for line in Path(job.folder, "log.txt").read_text(encoding="utf-8", errors="replace").splitlines()]
        outcome = next((line for line in reversed(lines) if line), "no output")
        if code != 0:
            restore_pending(self.pending, Path(job.folder) / "batch.jsonl")
        with self._guard:
            job.exit_code, job.outcome, job.finished = code, outcome, _now()
            job.state = "succeeded" if code == 0 else "failed"
        lock.close()  # releases the training lock
        if code == 0:
            logger.info("training job %s succeeded: %s", job.id, outcome)
        else:
            logger.error("training job %s failed (exit %d): %s; its %d article(s) are pending again; log: %s",
                         job.id, code, outcome, job.articles, Path(job.folder) / "log.txt")


def job_routes(jobs: TrainingJobs) -> list[Route]:
    """``GET /jobs`` (every job since the service started, the running one marked) and ``GET /jobs/{id}``."""

    async def list_jobs(_: Request) -> JSONResponse:
        return JSONResponse({"jobs": jobs.list(), "running": jobs.running()})

    async def one_job(request: Request) -> JSONResponse:
        job = jobs.get(request.path_params["job_id"])
        if job is None:
            return JSONResponse({"error": f"no training job {request.path_params['job_id']!r}"}, status_code=404)
        return JSONResponse(job)

    return [Route("/jobs", list_jobs), Route("/jobs/{job_id}", one_job)]
