"""The BentoML service: ``POST /extract``, ``POST /extract_batch``, ``GET /metadata``, the page,
and the Label Studio ML backend (``serving.label_studio``) with its training jobs (``serving.jobs``).

One process: the event loop validates articles, splits them into sentences and
assembles responses; the model runs on a thread of its own and takes the sentences
of all concurrent requests in batches (``serving.batcher``).

Why not a second BentoML service with adaptive batching in front of the model (the
earlier design): the second process and the hop to it (sentences and taggings as JSON
over a socket, a dispatcher polling every millisecond while a batch runs) share the
cores with the forward pass, which then ran 15-30% slower than alone. With the
benchmark's 16 clients, each round paired with a raw forward pass, throughput was
0.65 of raw that way and 0.81-0.87 in one process.

Run with ``bentoml serve serving.service:EventService`` (``make serve`` does).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

os.environ.setdefault("BENTOML_DO_NOT_TRACK", "true")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import bentoml  # noqa: E402
from transformers.utils import logging as hf_logging  # noqa: E402
from pydantic import BaseModel, Field  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402

from active.uncertainty import confidence  # noqa: E402
from model.errors import UserError  # noqa: E402
from model.labels import EVENT_TYPES, LABEL_COLOURS, SPAN_LABELS  # noqa: E402
from model.operating_point import apply_min_score  # noqa: E402
from model.predictor import (  # noqa: E402
    EventExtractor, SentenceTagging, build_results, resolve_precision, split_articles, taggings_by_article,
)
from serving import label_studio  # noqa: E402
from serving.auth import TOKEN_VARIABLE, TokenRequired  # noqa: E402
from serving.batcher import Overloaded, SentenceBatcher  # noqa: E402
from serving.jobs import TrainingJobs, TrainingRunning, job_routes  # noqa: E402
from serving.middleware import BodyLimit, JsonErrors, ServeDocument, SpecificValidationErrors, install_log_filter  # noqa: E402
from serving.openapi import finish_document  # noqa: E402
from serving.page import make_page_app  # noqa: E402
from serving.pending import append_pending, keep_pending  # noqa: E402
from serving.record_schemas import RecordsResult  # noqa: E402
from serving.schemas import API_VERSION, BatchResult, ErrorBody, ExtractResult, MinScore  # noqa: E402
from serving.settings import load_settings  # noqa: E402
from training.recipe_reports import crossvalidation_for  # noqa: E402
from training.store import resolve_tag  # noqa: E402

SETTINGS = load_settings()
PRECISION = resolve_precision(SETTINGS.precision)  # what "auto" means on this machine
MODEL_TAG = resolve_tag(SETTINGS.model_tag)
MODEL = bentoml.models.BentoModel(MODEL_TAG)
JOBS = TrainingJobs(SETTINGS.jobs_path, SETTINGS.pending_path, SETTINGS.retrain_arguments)
STATE_CHANGING_ROUTES = ("/annotations", "/webhook", "/train")
logger = logging.getLogger("arabic_events.service")
logging.getLogger("arabic_events").setLevel(logging.INFO)  # our lines (model served, training jobs) in the server log
install_log_filter()
hf_logging.set_verbosity_error()  # keep the server log to one line per request: no progress bars
hf_logging.disable_progress_bar()


class Article(BaseModel):
    text: str
    id: str | None = None


class RecordArticle(Article):
    """An article for ``/records``: its publication date (ISO) is the reference of relative times."""

    date: str | None = None
    source: str | None = None
    url: str | None = None


class AnnotatedSpan(BaseModel):
    start: int
    end: int
    label: str


def model_metadata() -> dict[str, Any]:
    """What ``GET /metadata`` reports about the served model."""
    info = MODEL.stored.info
    meta = info.metadata
    return {
        "api_version": API_VERSION,
        "model": {"tag": str(info.tag), "backbone": meta.get("backbone"), "created": meta.get("created"),
                  "precision": PRECISION},
        "labels": {"spans": list(SPAN_LABELS), "events": list(EVENT_TYPES), "colours": LABEL_COLOURS},
        "training_data": {k: meta.get(f"data_{k}") for k in ("documents", "sentences", "spans", "sha256")},
        "metrics": meta.get("metrics", {}),
        "cross_validation": crossvalidation_for(meta),
        "limits": {"max_article_chars": SETTINGS.max_article_chars, "max_batch_articles": SETTINGS.max_batch_articles},
    }


def rejection(status: int, message: str) -> Any:
    """A 4xx/5xx answer with the contract's error body (``serving.schemas.ErrorBody``)."""
    return JSONResponse(ErrorBody(error=message).model_dump(exclude_none=True), status_code=status)


@bentoml.asgi_app(make_page_app(model_metadata(), [label_studio.health_route(MODEL_TAG), *job_routes(JOBS)]), path="/")
@bentoml.service(name="arabic-event-tagger", workers=1, traffic={"timeout": 600}, http={"port": SETTINGS.port})
class EventService:
    """Find attacks and retaliations, their triggers and arguments, in Arabic news articles.

    Every torch call, loading included, runs on one thread of its own (``torch_thread``).
    libgomp gives each thread that starts parallel work its own team of OpenMP threads, so
    a second such thread leaves more OpenMP threads than cores; the forward pass then ran
    about 25% slower, with 1.6 of 2 cores busy (measured).
    """

    model = MODEL

    def __init__(self) -> None:
        self.torch_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="torch")
        extractor = self.torch_thread.submit(self._load_extractor).result()
        self.threshold, self.operating_point, self.model_info = extractor.threshold, extractor.operating_point, extractor.model_info
        self.tag_sentences = SentenceBatcher(extractor.tag_sentences, self.torch_thread,
                                             SETTINGS.sentence_batch_size, SETTINGS.max_queued_sentences)
        logger.info("serving model %s (setting %r, backbone %s, %s)", extractor.tag, SETTINGS.model_tag,
                    extractor.model_info["backbone"], extractor.precision)

    def _load_extractor(self) -> EventExtractor:
        import torch

        torch.set_num_threads(SETTINGS.threads or os.cpu_count() or 1)  # per thread under OpenMP: set it on this one
        settings = self.model.info.metadata.get("inference", {})
        return EventExtractor.from_directory(self.model.path, tag=str(self.model.tag), precision=PRECISION, **settings)

    def _problem(self, article: Article, where: str = "") -> tuple[int, str] | None:
        if not article.text.strip():
            return 400, f"{where}text is empty"
        if len(article.text) > SETTINGS.max_article_chars:
            return 413, f"{where}text has {len(article.text)} characters; the limit is {SETTINGS.max_article_chars}"
        return None

    def _batch_problem(self, articles: list[Article]) -> tuple[int, str] | None:
        """The limits of ``/extract_batch`` and ``/records``: a non-empty batch of valid articles, not too many."""
        if not articles:
            return 400, "articles is empty"
        if len(articles) > SETTINGS.max_batch_articles:
            return 413, f"{len(articles)} articles; the limit is {SETTINGS.max_batch_articles} per request"
        for index, article in enumerate(articles):
            problem = self._problem(article, f"articles[{index}]: ")
            if problem:
                return problem
        return None

    async def _results(self, articles: list[Article], min_score: float | None = None) -> list[dict[str, Any]]:
        """The response objects (``build_result``) of ``articles`` at ``min_score``, their sentences batched with other requests'."""
        return [apply_min_score(result, min_score) for result in (await self._tagged(articles))[0]]

    async def _tagged(self, articles: list[Article]) -> tuple[list[dict[str, Any]], list[Sequence[SentenceTagging]]]:
        """The response object of each article, and the sentence taggings it was built from."""
        per_article, sentences = split_articles([a.text for a in articles])
        taggings = await self.tag_sentences(sentences) if sentences else []
        pairs = [(a.id, a.text) for a in articles]
        return build_results(pairs, per_article, taggings, self.threshold, self.model_info, self.operating_point), \
            taggings_by_article(per_article, taggings)

    async def _extract(self, articles: list[Article], min_score: float | None) -> list[ExtractResult]:
        return [ExtractResult.model_validate(result) for result in await self._results(articles, min_score)]

    # Rejections are returned as ready responses, which BentoML sends as they are; the
    # return annotations are what a request that is not rejected gets (and what /docs.json shows).

    @bentoml.api(route="/extract")
    async def extract(self, text: str, id: str | None = None, min_score: MinScore = None) -> ExtractResult:
        """Tag one article: sentences with event types, spans, and events with their arguments."""
        article = Article(text=text, id=id)
        problem = self._problem(article)
        if problem:
            return rejection(*problem)
        try:
            return (await self._extract([article], min_score))[0]
        except Overloaded as exc:
            return rejection(503, str(exc))

    @bentoml.api(route="/extract_batch")
    async def extract_batch(self, articles: list[Article], min_score: MinScore = None) -> BatchResult:
        """Tag several articles; results come back in the same order."""
        problem = self._batch_problem(articles)
        if problem:
            return rejection(*problem)
        try:
            return BatchResult(results=await self._extract(articles, min_score))
        except Overloaded as exc:
            return rejection(503, str(exc))


    @bentoml.api(route="/records")
    async def records(self, articles: list[RecordArticle], min_score: MinScore = None) -> RecordsResult:
        """One record per incident (date, place, actors, weapon, casualties), merged across the articles."""
        import asyncio

        from incidents.inputs import article_from, unique_ids
        from incidents.records import build_records
        from model.errors import UserError

        problem = self._batch_problem(articles)
        if problem is None:
            try:
                inputs = unique_ids([article_from(a.model_dump(), f"articles[{i}]", f"article-{i}")
                                     for i, a in enumerate(articles)])
            except UserError as exc:
                problem = 400, str(exc)
        if problem:
            return rejection(*problem)
        try:
            results = await self._results([Article(text=a.text, id=a.id) for a in inputs], min_score)
        except Overloaded as exc:
            return rejection(503, str(exc))
        made, warnings = await asyncio.to_thread(build_records, inputs, results)  # the gazetteer loads once, off the loop
        return RecordsResult(records=made, warnings=warnings)

    @bentoml.api(route="/annotations")
    def annotations(
        self, id: str, text: str, spans: list[AnnotatedSpan], ctx: bentoml.Context, meta: dict[str, Any] | None = None,
        allow_emptying: bool = False,
    ) -> dict:
        """Keep a corrected article (corpus format) for the next ``arabic-events retrain --add``.

        An article without spans that would replace a version with spans (in the corpus or among
        the pending corrections) gets 409 unless ``allow_emptying`` is true.
        """
        from model.merging import EmptyingRefused

        record = {"id": id, "text": text, "spans": [s.model_dump() for s in spans], "meta": meta or {"source": "page"}}
        try:
            pending, problems = append_pending(SETTINGS.pending_path, record, SETTINGS.corpus_path, allow_emptying)
        except EmptyingRefused as exc:
            ctx.response.status_code = 409
            return {"error": exc.problems[0], "problems": exc.problems}
        if problems:
            ctx.response.status_code = 400
            return {"error": problems[0], "problems": problems}
        ctx.response.status_code = 201
        return {"id": id, "pending": pending}

    # ------------------------------------------------------------ Label Studio ML backend (serving.label_studio)

    @bentoml.api(route="/setup")
    def setup(
        self, ctx: bentoml.Context, project: str | None = None,
        label_config: Annotated[str | None, Field(alias="schema")] = None,
    ) -> dict:
        """Label Studio connects this service as an ML backend: check the project's labelling config (``schema``)."""
        try:
            label_studio.read_label_config(label_config)
        except UserError as exc:
            ctx.response.status_code = 400
            return {"error": str(exc)}
        return {"model_version": MODEL_TAG}

    @bentoml.api(route="/predict")
    async def predict(
        self, tasks: list[Any], ctx: bentoml.Context, model_version: str | None = None, project: str | None = None,
        label_config: str | None = None, params: dict[str, Any] | None = None,
    ) -> dict:
        """Label Studio pre-annotations: one prediction per task, in order, scored by the model's confidence."""
        try:
            target = label_studio.read_label_config(label_config)
            articles = [Article(text=label_studio.task_text(task, target, i)) for i, task in enumerate(tasks)]
        except UserError as exc:
            ctx.response.status_code = 400
            return {"error": str(exc)}
        for index, article in enumerate(articles):
            problem = self._problem(article, f"tasks[{index}]: ")
            if problem and problem[0] != 400:  # an empty text is a task with nothing to pre-annotate
                ctx.response.status_code = problem[0]
                return {"error": problem[1]}
        try:
            results, taggings = await self._tagged(articles)
        except Overloaded as exc:
            ctx.response.status_code = 503
            return {"error": str(exc)}
        return {"results": [label_studio.prediction(r, target, MODEL_TAG, confidence(t)) for r, t in zip(results, taggings)],
                "model_version": MODEL_TAG}

    @bentoml.api(route="/webhook")
    def webhook(
        self, action: str, ctx: bentoml.Context, project: dict[str, Any] | None = None,
        task: dict[str, Any] | None = None, annotation: dict[str, Any] | None = None,
    ) -> dict:
        """Label Studio's events: a new or updated annotation is kept for retraining; START_TRAINING retrains."""
        if action == label_studio.TRAINING_EVENT:
            return self._start_training(ctx)
        if action not in label_studio.ANNOTATION_EVENTS:
            return {"status": "ignored", "action": action}
        try:
            target = label_studio.read_label_config((project or {}).get("label_config"))
            tasks = [label_studio.annotated_task({"action": action, "task": task, "annotation": annotation})]
        except UserError as exc:
            ctx.response.status_code = 400
            return {"error": str(exc)}
        return self._keep(tasks, target, ctx)

    @bentoml.api(route="/train")
    def train(
        self, ctx: bentoml.Context, annotations: list[Any] | None = None, label_config: str | None = None,
        project: str | None = None,
    ) -> dict:
        """Older Label Studio versions: every annotated task of the project, then "train now"."""
        try:
            target = label_studio.read_label_config(label_config)
        except UserError as exc:
            ctx.response.status_code = 400
            return {"error": str(exc)}
        if annotations:
            kept = self._keep(annotations, target, ctx)
            if "error" in kept:
                return kept
        return self._start_training(ctx)

    def _keep(self, tasks: list[Any], target: label_studio.LabellingTarget, ctx: bentoml.Context) -> dict:
        """Keep the completed annotations of ``tasks`` as pending; a skipped or draft one is acknowledged, not kept."""
        records, problems, skipped = label_studio.annotation_records(tasks, target)
        pending = None
        if not problems and records:
            pending, problems = keep_pending(SETTINGS.pending_path, records)
        if problems:
            logger.info("refused %d Label Studio annotation(s): %s", len(tasks), problems[0])
            ctx.response.status_code = 400
            return {"error": problems[0], "problems": problems}
        if skipped:
            logger.info("not kept (no completed annotation): %s", ", ".join(skipped))
        ctx.response.status_code = 201 if records else 200
        return {"kept": [r["id"] for r in records], "skipped": skipped, "pending": pending}

    def _start_training(self, ctx: bentoml.Context) -> dict:
        try:
            job = JOBS.start()
        except TrainingRunning as exc:
            ctx.response.status_code = 409
            return {"error": str(exc), "job": exc.job}
        except UserError as exc:
            ctx.response.status_code = 400
            return {"error": str(exc)}
        ctx.response.status_code = 201
        return {"job": job["id"], "status": job}  # Label Studio keeps "job" as the id of its training job


EventService.add_asgi_middleware(ServeDocument, path="/docs.json",
                                 document=lambda: finish_document(EventService.openapi_spec.asdict()))
EventService.add_asgi_middleware(JsonErrors)
EventService.add_asgi_middleware(SpecificValidationErrors)
EventService.add_asgi_middleware(
    BodyLimit,
    limits={"/extract": SETTINGS.max_extract_bytes, "/extract_batch": SETTINGS.max_batch_bytes,
            "/records": SETTINGS.max_batch_bytes, "/predict": SETTINGS.max_batch_bytes,
            "/webhook": SETTINGS.max_batch_bytes, "/train": SETTINGS.max_batch_bytes},
    default=SETTINGS.max_extract_bytes,
)
EventService.add_asgi_middleware(
    TokenRequired, paths=STATE_CHANGING_ROUTES, host=SETTINGS.host, token=os.environ.get(TOKEN_VARIABLE) or None
)
