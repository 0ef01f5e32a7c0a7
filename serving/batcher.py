"""Sentences from concurrent requests, gathered into model calls on the model's own thread.

Continuous batching: a request's sentences join a queue, and whenever the model thread
is free it takes everything queued (up to ``max_sentences``) in one call. Under load a
call holds whatever arrived during the previous one; a lone request goes straight
through without waiting for company. A request longer than ``max_sentences`` joins
as several pieces, so one huge article cannot hold the model for all the others.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Generic, TypeVar

Result = TypeVar("Result")


class Overloaded(Exception):
    """More sentences are queued than the service takes on; the request should be retried later."""


class SentenceBatcher(Generic[Result]):
    """Runs ``tag`` (sentence texts in, one result per sentence out) on ``executor``, batching callers."""

    def __init__(self, tag: Callable[[list[str]], Sequence[Result]], executor: Executor, max_sentences: int, max_queued: int):
        self._tag = tag
        self._executor = executor
        self.max_sentences = max_sentences
        self.max_queued = max_queued
        self._queue: deque[tuple[list[str], asyncio.Future[list[Result]]]] = deque()
        self._queued = 0
        self._drainer: asyncio.Task | None = None

    async def __call__(self, sentences: list[str]) -> list[Result]:
        """The results for ``sentences``, in order, once model calls have taken them.

        Raises ``Overloaded`` when ``max_queued`` sentences are already waiting.
        """
        if self._queued and self._queued + len(sentences) > self.max_queued:
            raise Overloaded(f"{self._queued} sentences are waiting for the model; try again")
        loop = asyncio.get_running_loop()
        futures = []
        for begin in range(0, len(sentences), self.max_sentences):
            piece = sentences[begin : begin + self.max_sentences]
            futures.append(loop.create_future())
            self._queue.append((piece, futures[-1]))
            self._queued += len(piece)
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return [result for piece in await asyncio.gather(*futures) for result in piece]

    def _next_batch(self) -> list[tuple[list[str], asyncio.Future[list[Result]]]]:
        """Queued pieces in arrival order, up to ``max_sentences`` in all, skipping abandoned ones."""
        jobs, count = [], 0
        while self._queue and count + len(self._queue[0][0]) <= self.max_sentences:
            sentences, future = self._queue.popleft()
            self._queued -= len(sentences)
            if not future.cancelled():  # the client went away while it waited
                jobs.append((sentences, future))
                count += len(sentences)
        return jobs

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue:
            jobs = self._next_batch()
            if not jobs:
                continue
            try:
                results = await loop.run_in_executor(self._executor, self._tag, [t for sentences, _ in jobs for t in sentences])
            except Exception as exc:  # every waiting request hears of it; the next batch still runs
                for _, future in jobs:
                    if not future.done():
                        future.set_exception(exc)
                continue
            cursor = 0
            for sentences, future in jobs:
                if not future.done():
                    future.set_result(list(results[cursor : cursor + len(sentences)]))
                cursor += len(sentences)
