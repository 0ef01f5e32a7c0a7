"""How the service gathers the sentences of concurrent requests into model calls (serving.batcher)."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from model.document import Document
from serving.batcher import Overloaded, SentenceBatcher


class WordCounter:
    """A stand-in model with the tagger's shape: sentence texts in, one result (its word count) each out.

    Records every call; while ``hold`` is clear, calls wait, so a test can keep the model busy.
    """

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.hold = threading.Event()
        self.hold.set()
        self.started = threading.Event()

    def __call__(self, texts: list[str]) -> list[int]:
        self.calls.append(list(texts))
        self.started.set()
        self.hold.wait(10)
        if any(not text for text in texts):
            raise ValueError("empty sentence")
        return [len(text.split()) for text in texts]


@pytest.fixture
def sentences(seed_004: Document) -> list[str]:
    return [seed_004.text[s.start : s.end] for s in seed_004.sentences]


def run(coroutine):
    return asyncio.run(coroutine)


async def keep_busy(model: WordCounter, batcher: SentenceBatcher, sentences: list[str]) -> asyncio.Task:
    """A request whose model call has started and waits for ``model.hold``."""
    model.hold.clear()
    task = asyncio.create_task(batcher(sentences))
    await asyncio.get_running_loop().run_in_executor(None, model.started.wait)
    return task


def test_a_lone_request_is_one_call_with_its_own_sentences(sentences):
    model = WordCounter()
    batcher = SentenceBatcher(model, ThreadPoolExecutor(1), max_sentences=256, max_queued=1000)
    results = run(batcher(sentences[:3]))
    assert model.calls == [sentences[:3]]
    assert results == [len(s.split()) for s in sentences[:3]]


def test_requests_arriving_while_the_model_is_busy_share_the_next_call(sentences):
    model = WordCounter()
    batcher = SentenceBatcher(model, ThreadPoolExecutor(1), max_sentences=256, max_queued=1000)

    async def scenario():
        first = await keep_busy(model, batcher, sentences[:1])
        second, third = asyncio.create_task(batcher(sentences[1:3])), asyncio.create_task(batcher(sentences[3:4]))
        await asyncio.sleep(0.05)
        model.hold.set()
        return await first, await second, await third

    first, second, third = run(scenario())
    assert model.calls == [sentences[:1], sentences[1:4]]
    assert (first, second, third) == ([len(sentences[0].split())], [len(s.split()) for s in sentences[1:3]], [len(sentences[3].split())])


def test_a_request_longer_than_a_call_is_cut_into_calls_and_comes_back_in_order(sentences):
    model = WordCounter()
    batcher = SentenceBatcher(model, ThreadPoolExecutor(1), max_sentences=2, max_queued=1000)
    results = run(batcher(sentences[:5]))
    assert model.calls == [sentences[0:2], sentences[2:4], sentences[4:5]]
    assert results == [len(s.split()) for s in sentences[:5]]


def test_a_failing_call_fails_its_requests_and_the_next_call_still_runs(sentences):
    model = WordCounter()
    batcher = SentenceBatcher(model, ThreadPoolExecutor(1), max_sentences=256, max_queued=1000)

    async def scenario():
        failed = await asyncio.gather(batcher(["", sentences[0]]), return_exceptions=True)
        return failed[0], await batcher(sentences[:1])

    error, later = run(scenario())
    assert isinstance(error, ValueError) and str(error) == "empty sentence"
    assert later == [len(sentences[0].split())]


def test_beyond_the_queue_limit_a_request_is_refused_as_overloaded(sentences):
    model = WordCounter()
    batcher = SentenceBatcher(model, ThreadPoolExecutor(1), max_sentences=256, max_queued=3)

    async def scenario():
        busy = await keep_busy(model, batcher, sentences[:1])
        waiting = asyncio.create_task(batcher(sentences[1:4]))  # 3 sentences queued: at the limit
        await asyncio.sleep(0)
        with pytest.raises(Overloaded, match="^3 sentences are waiting for the model; try again$"):
            await batcher(sentences[4:5])
        model.hold.set()
        return await busy, await waiting

    busy, waiting = run(scenario())
    assert len(busy) == 1 and len(waiting) == 3
