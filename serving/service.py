"""The BentoML service: ``POST /extract``, ``POST /extract_batch``, ``GET /metadata`` and the page.

Two services, so BentoML's adaptive batching sits between request handling and
the model: ``EventService`` validates articles, splits them into sentences and
assembles responses; ``SentenceTagger`` owns the model and receives sentences
from all concurrent requests in batches.

Run with ``bentoml serve serving.service:EventService`` (``make serve`` does).
"""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

os.environ.setdefault("BENTOML_DO_NOT_TRACK", "true")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import aiohttp  # noqa: E402
import bentoml  # noqa: E402
from transformers.utils import logging as hf_logging  # noqa: E402
from bentoml.exceptions import ServiceUnavailable  # noqa: E402
from pydantic import BaseModel  # noqa: E402

from model.labels import EVENT_TYPES, LABEL_COLOURS, SPAN_LABELS  # noqa: E402
from model.predictor import EventExtractor, SentenceTagging, build_results, resolve_precision, split_articles  # noqa: E402
from serving.middleware import BodyLimit, SpecificValidationErrors, install_log_filter  # noqa: E402
from serving.page import make_page_app  # noqa: E402
from serving.pending import append_pending  # noqa: E402
from serving.settings import load_settings  # noqa: E402
from training.recipe_reports import crossvalidation_for  # noqa: E402
from training.store import resolve_tag  # noqa: E402

SETTINGS = load_settings()
PRECISION = resolve_precision(SETTINGS.precision)  # what "auto" means on this machine
MODEL_TAG = resolve_tag(SETTINGS.model_tag)
MODEL = bentoml.models.BentoModel(MODEL_TAG)
logger = logging.getLogger("arabic_events.service")
install_log_filter()
hf_logging.set_verbosity_error()  # keep the server log to one line per request: no progress bars
hf_logging.disable_progress_bar()


TAGGER_ATTEMPTS = 3


class ModelUnavailable(Exception):
    """The model worker could not be reached after retries."""


class Article(BaseModel):
    text: str
    id: str | None = None


class AnnotatedSpan(BaseModel):
    start: int
    end: int
    label: str


def model_metadata() -> dict[str, Any]:
    """What ``GET /metadata`` reports about the served model."""
    info = MODEL.stored.info
    meta = info.metadata
    return {
        "model": {"tag": str(info.tag), "backbone": meta.get("backbone"), "created": meta.get("created"),
                  "precision": PRECISION},
        "labels": {"spans": list(SPAN_LABELS), "events": list(EVENT_TYPES), "colours": LABEL_COLOURS},
        "training_data": {k: meta.get(f"data_{k}") for k in ("documents", "sentences", "spans", "sha256")},
        "metrics": meta.get("metrics", {}),
        "cross_validation": crossvalidation_for(meta),
        "limits": {"max_article_chars": SETTINGS.max_article_chars, "max_batch_articles": SETTINGS.max_batch_articles},
    }


@bentoml.service(name="sentence-tagger", workers=1, traffic={"timeout": 600})
class SentenceTagger:
    """Holds the model; tags sentences arriving from all requests in adaptive batches.

    Every torch call, loading included, runs on one thread of its own. libgomp gives each
    thread that starts parallel work its own team of OpenMP threads, so a second such thread
    (BentoML runs a sync API on a pool thread, after the model was loaded on the main one)
    leaves more OpenMP threads than cores; the forward pass then ran about 25% slower, with
    1.6 of 2 cores busy (measured in-process and in this worker).
    """

    model = MODEL

    def __init__(self) -> None:
        self.torch_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="torch")
        self.extractor = self.torch_thread.submit(self._load_extractor).result()
        logger.info("serving model %s (setting %r, backbone %s, %s)", self.extractor.tag, SETTINGS.model_tag,
                    self.extractor.model_info["backbone"], self.extractor.precision)

    def _load_extractor(self) -> EventExtractor:
        import torch

        torch.set_num_threads(SETTINGS.threads or os.cpu_count() or 1)  # per thread under OpenMP: set it on this one
        settings = self.model.info.metadata.get("inference", {})
        return EventExtractor.from_directory(self.model.path, tag=str(self.model.tag), precision=PRECISION, **settings)

    @bentoml.api(batchable=True, max_batch_size=SETTINGS.sentence_batch_size, max_latency_ms=SETTINGS.sentence_batch_latency_ms)
    async def tag_sentences(self, sentences: list[str]) -> list[dict]:
        taggings = await asyncio.get_running_loop().run_in_executor(self.torch_thread, self.extractor.tag_sentences, sentences)
        return [t.to_json() for t in taggings]


@bentoml.asgi_app(make_page_app(model_metadata()), path="/")
@bentoml.service(name="arabic-event-tagger", traffic={"timeout": 600}, http={"port": SETTINGS.port})
class EventService:
    """Find attacks and retaliations, their triggers and arguments, in Arabic news articles."""

    model = MODEL
    tagger = bentoml.depends(SentenceTagger)

    def __init__(self) -> None:
        meta = self.model.info.metadata
        self.threshold = float(meta.get("inference", {}).get("threshold", 0.5))
        self.model_info = {"tag": str(self.model.tag), "backbone": meta.get("backbone", ""), "precision": PRECISION}

    def _problem(self, article: Article, where: str = "") -> tuple[int, str] | None:
        if not article.text.strip():
            return 400, f"{where}text is empty"
        if len(article.text) > SETTINGS.max_article_chars:
            return 413, f"{where}text has {len(article.text)} characters; the limit is {SETTINGS.max_article_chars}"
        return None

    async def _tag(self, texts: list[str]) -> list[SentenceTagging]:
        """Sentences through the batched model worker, retrying a dropped connection.

        Under load the worker's keep-alive connections are sometimes closed just as they
        are reused (aiohttp's ServerDisconnectedError); tagging is idempotent, so retry.
        """
        for attempt in range(TAGGER_ATTEMPTS):
            try:
                return [SentenceTagging.from_json(t) for t in await self.tagger.to_async.tag_sentences(texts)]
            except aiohttp.ClientConnectionError as exc:
                logger.warning("model worker connection dropped (%s); attempt %d of %d", type(exc).__name__, attempt + 1, TAGGER_ATTEMPTS)
                await asyncio.sleep(0.05 * (attempt + 1))
        raise ModelUnavailable("the model worker is not answering; try again")

    async def _extract(self, articles: list[Article]) -> list[dict[str, Any]]:
        per_article, sentences = split_articles([a.text for a in articles])
        taggings = await self._tag(sentences) if sentences else []
        pairs = [(a.id, a.text) for a in articles]
        return build_results(pairs, per_article, taggings, self.threshold, self.model_info)

    @bentoml.api(route="/extract")
    async def extract(self, text: str, ctx: bentoml.Context, id: str | None = None) -> dict:
        """Tag one article: sentences with event types, spans, and events with their arguments."""
        article = Article(text=text, id=id)
        problem = self._problem(article)
        if problem:
            ctx.response.status_code = problem[0]
            return {"error": problem[1]}
        try:
            return (await self._extract([article]))[0]
        except (ModelUnavailable, ServiceUnavailable) as exc:
            ctx.response.status_code = 503
            return {"error": str(exc) if isinstance(exc, ModelUnavailable) else "the model worker is overloaded; try again"}

    @bentoml.api(route="/extract_batch")
    async def extract_batch(self, articles: list[Article], ctx: bentoml.Context) -> dict:
        """Tag several articles; results come back in the same order."""
        if not articles:
            ctx.response.status_code = 400
            return {"error": "articles is empty"}
        if len(articles) > SETTINGS.max_batch_articles:
            ctx.response.status_code = 413
            return {"error": f"{len(articles)} articles; the limit is {SETTINGS.max_batch_articles} per request"}
        for index, article in enumerate(articles):
            problem = self._problem(article, f"articles[{index}]: ")
            if problem:
                ctx.response.status_code = problem[0]
                return {"error": problem[1]}
        try:
            return {"results": await self._extract(articles)}
        except (ModelUnavailable, ServiceUnavailable) as exc:
            ctx.response.status_code = 503
            return {"error": str(exc) if isinstance(exc, ModelUnavailable) else "the model worker is overloaded; try again"}


    @bentoml.api(route="/annotations")
    def annotations(
        self, id: str, text: str, spans: list[AnnotatedSpan], ctx: bentoml.Context, meta: dict[str, Any] | None = None
    ) -> dict:
        """Keep a corrected article (corpus format) for the next ``arabic-events retrain --add``."""
        record = {"id": id, "text": text, "spans": [s.model_dump() for s in spans], "meta": meta or {"source": "page"}}
        pending, problems = append_pending(SETTINGS.pending_path, record)
        if problems:
            ctx.response.status_code = 400
            return {"error": problems[0], "problems": problems}
        ctx.response.status_code = 201
        return {"id": id, "pending": pending}


EventService.add_asgi_middleware(SpecificValidationErrors)
EventService.add_asgi_middleware(
    BodyLimit,
    limits={"/extract": SETTINGS.max_extract_bytes, "/extract_batch": SETTINGS.max_batch_bytes},
    default=SETTINGS.max_extract_bytes,
)
