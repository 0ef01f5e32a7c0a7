"""``arabic-events tag --engine ray``: the local tagger, run by Ray Data over files of any size.

The pipeline: read the input files (JSONL: each file whole, validated line by line exactly as the
local path does; Parquet: its ``id`` and ``text`` columns), split the rows into articles and
problems, tag the articles with ``map_batches`` on a pool of actors (each loads the model once),
and write one partition per block: JSONL lines identical to the local ``tag`` output, or Parquet
rows ``id, events, result`` (the same JSON in ``result``). Problems go to ``_errors.jsonl`` beside
the partitions and never stop the other articles.

``tagged_dataset`` is the reusable part: a lazy Ray Dataset of tagged articles, for any later step
(``records`` can merge it; a user may join it with their own metadata).
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import ray
from ray.data import ActorPoolStrategy, Dataset
from ray.data.block import BlockAccessor
from ray.data.datasource import BlockBasedFileDatasink

from model.articles import iter_jsonl_articles
from model.errors import UserError
from model.operating_point import apply_min_score
from model.validation import Problem

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ERRORS_FILE = "_errors.jsonl"  # leading underscore: Parquet and Spark readers skip it in the output folder
FORMAT_EXTENSIONS = {"jsonl": ["jsonl", "json"], "parquet": ["parquet"]}
# What the workers need from the driver's environment: where the model store is, and offline mode.
FORWARDED_ENV = ("BENTOML_HOME", "ARABIC_EVENTS_CACHE", "HF_HUB_OFFLINE", "BENTOML_DO_NOT_TRACK", "TOKENIZERS_PARALLELISM")
ARTICLES = pa.schema([("id", pa.string()), ("text", pa.string()), ("error", pa.string())])
TAGGED = pa.schema([("id", pa.string()), ("events", pa.int64()), ("result", pa.string())])
ROWS_PER_FILE = 10_000  # articles per output partition, at least (the last one of a task may hold fewer)
LOCAL_ONLY_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
IO_RESERVE = 1  # a logical CPU the actors leave free: Ray Data's repartition task needs one to split input blocks
IO_CPUS = 0  # reading, parsing and writing are light next to the model: they take no core from the actors


@dataclass
class RaySettings:
    """How the job runs: where, on how many actors, in which batches."""

    address: str | None = None  # None: a local Ray on this machine, loopback only, stopped afterwards
    actors: int | None = None  # None: one per CPU of the cluster but one (IO_RESERVE)
    batch_size: int = 8  # articles per model call, as on the local path
    cpus_per_actor: int = 1


@dataclass
class TagSummary:
    """What a run did, as counted by the actors themselves."""

    articles: int = 0
    events: int = 0
    batches: int = 0  # model calls
    problems: list[str] = field(default_factory=list)
    actors: int = 0  # the pool's size
    loads: list[dict[str, Any]] = field(default_factory=list)  # one per actor that started in time: host, pid, model, seconds, ready (epoch)
    model: str = ""


@ray.remote(num_cpus=0)
class JobReport:
    """Counts the actors report: one model load each, and the articles and events of each batch."""

    def __init__(self) -> None:
        self.loads: list[dict[str, Any]] = []
        self.articles = 0
        self.events = 0
        self.batches = 0

    def loaded(self, load: dict[str, Any]) -> None:
        self.loads.append(load)

    def tagged(self, articles: int, events: int) -> None:
        self.articles += articles
        self.events += events
        self.batches += 1

    def summary(self) -> dict[str, Any]:
        return {"loads": self.loads, "articles": self.articles, "events": self.events, "batches": self.batches}


class ArticleTagger:
    """The ``map_batches`` callable: loads the model once per actor, then tags batches of articles.

    The columns named in ``carry`` go from each input row to its output row unchanged (metadata a
    later step needs, such as ``records``' dates and sources).
    """

    def __init__(self, model: str, precision: str, threads: int, report: Any = None, carry: Sequence[str] = (),
                 min_score: float | None = None):
        import torch

        from training.store import load_extractor

        torch.set_num_threads(threads)
        started = time.perf_counter()
        self.extractor = load_extractor(model, precision=precision)
        self.report = report
        self.min_score = min_score
        self.carry = tuple(carry)
        if report is not None:
            load = {"host": socket.gethostname(), "pid": os.getpid(), "model": self.extractor.tag,
                    "seconds": round(time.perf_counter() - started, 2), "ready": time.time()}
            ray.get(report.loaded.remote(load))

    def __call__(self, batch: pa.Table) -> pa.Table:
        articles = list(zip(batch.column("id").to_pylist(), batch.column("text").to_pylist()))
        results = [apply_min_score(r, self.min_score) for r in self.extractor.extract_many(articles)]
        events = [len(r["events"]) for r in results]
        if self.report is not None:
            self.report.tagged.remote(len(results), sum(events))
        rows = {"id": [doc_id for doc_id, _ in articles], "events": events,
                "result": [json.dumps(r, ensure_ascii=False) for r in results]}
        tagged = pa.table(rows, schema=TAGGED)
        for name in self.carry:
            tagged = tagged.append_column(batch.schema.field(name), batch.column(name))
        return tagged


def parse_jsonl_files(files: pa.Table) -> pa.Table:
    """Rows ``id, text, error`` of whole JSONL files (``bytes``, ``path``), validated as ``read_articles`` does.

    An article without an id gets ``path:line``, unique across files.
    """
    rows: dict[str, list[str | None]] = {"id": [], "text": [], "error": []}
    for data, path in zip(files.column("bytes").to_pylist(), files.column("path").to_pylist()):
        for item in iter_jsonl_articles(data, path, default_id=lambda number, p=path: f"{p}:{number}"):
            problem = isinstance(item, Problem)
            rows["id"].append(None if problem else item[0])
            rows["text"].append(None if problem else item[1])
            rows["error"].append(str(item) if problem else None)
    return pa.table(rows, schema=ARTICLES)


def check_parquet_rows(table: pa.Table) -> pa.Table:
    """Rows ``id, text, error`` of Parquet rows; a row without a text string is a problem naming its file and id."""
    ids = [None if v is None else str(v) for v in table.column("id").to_pylist()]
    texts = table.column("text").to_pylist()
    paths = table.column("path").to_pylist()
    errors = [
        None if isinstance(text, str) and doc_id is not None
        else f"{path}: article {doc_id!r}: expected an 'id' and a 'text' string"
        for doc_id, text, path in zip(ids, texts, paths)
    ]
    return pa.table({"id": ids, "text": [t if isinstance(t, str) else None for t in texts], "error": errors}, schema=ARTICLES)


def input_format(path: str) -> str:
    """``parquet`` for a ``.parquet`` file or glob, or a local folder holding only Parquet files; else ``jsonl``."""
    if path.rstrip("/").endswith(".parquet"):
        return "parquet"
    local = Path(path)
    if local.is_dir():
        suffixes = {f.suffix for f in local.rglob("*") if f.is_file()}
        if ".parquet" in suffixes and not suffixes & {".jsonl", ".json"}:
            return "parquet"
    return "jsonl"


def expand(path: str) -> str | list[str]:
    """A glob (local or any fsspec URL) as the list of files it matches; anything else as given."""
    if not any(char in path for char in "*?["):
        return path
    import fsspec

    fs, pattern = fsspec.core.url_to_fs(path)
    matches = sorted(fs.glob(pattern))
    if not matches:
        raise UserError(f"{path}: no file matches this pattern")
    return [fs.unstrip_protocol(m) if "://" in path else m for m in matches]


def read_article_rows(path: str, parse_jsonl: Callable[[pa.Table], pa.Table] = parse_jsonl_files) -> Dataset:
    """Rows ``id, text, error`` of every input article (lazy): one JSONL file or Parquet fragment per task.

    ``parse_jsonl`` turns whole JSONL files (``bytes``, ``path``) into these rows; another parser may
    add columns (``records`` adds each article's date, source, url and place in its file).
    """
    fmt = input_format(path)
    paths, extensions = expand(path), FORMAT_EXTENSIONS[fmt]
    try:
        if fmt == "jsonl":
            files = ray.data.read_binary_files(paths, include_paths=True, file_extensions=extensions, num_cpus=IO_CPUS)
            return files.map_batches(parse_jsonl, batch_format="pyarrow", batch_size=1, num_cpus=IO_CPUS)
        table = ray.data.read_parquet(paths, include_paths=True, file_extensions=extensions, num_cpus=IO_CPUS)
    except (FileNotFoundError, ValueError) as exc:
        raise UserError(f"{path}: cannot read ({str(exc).splitlines()[0]})") from None
    missing = {"id", "text"} - set(table.schema().names)
    if missing:
        raise UserError(f"{path}: Parquet input needs the columns 'id' and 'text' (missing: {', '.join(sorted(missing))})")
    return table.select_columns(["id", "text", "path"]).map_batches(check_parquet_rows, batch_format="pyarrow", num_cpus=IO_CPUS)


def articles_only(rows: pa.Table, carry: Sequence[str] = ()) -> pa.Table:
    return rows.filter(pc.is_null(rows.column("error"))).select(list(dict.fromkeys(["id", "text", *carry])))


def problems_only(rows: pa.Table) -> pa.Table:
    return rows.filter(pc.is_valid(rows.column("error"))).select(["error"])


def pool_size(settings: RaySettings) -> int:
    """``settings.actors``, or as many as the cluster's CPUs allow, leaving ``IO_RESERVE``."""
    spare = int(ray.cluster_resources().get("CPU", 1)) - IO_RESERVE
    return settings.actors or max(1, spare // settings.cpus_per_actor)


def tagged_dataset(
    rows: Dataset, model: str, precision: str, settings: RaySettings, report: Any = None, *,
    carry: Sequence[str] = (), min_score: float | None = None,
) -> Dataset:
    """Rows ``id, events, result`` (the response object at ``min_score``, as JSON) of the valid articles of ``rows``,
    lazily, followed by the columns of ``rows`` named in ``carry``.

    ``model`` is a full tag or a stored model's folder, resolved by the caller, so that every actor
    loads the same version.
    """
    articles = rows.map_batches(articles_only, fn_kwargs={"carry": tuple(carry)}, batch_format="pyarrow", num_cpus=IO_CPUS)
    # One batch a block: a whole input file is one block, and a block goes to one actor.
    return articles.repartition(target_num_rows_per_block=settings.batch_size).map_batches(
        ArticleTagger,
        fn_constructor_kwargs={"model": model, "precision": precision, "threads": settings.cpus_per_actor, "report": report,
                               "carry": tuple(carry), "min_score": min_score},
        compute=ActorPoolStrategy(size=pool_size(settings)),
        batch_size=settings.batch_size,
        batch_format="pyarrow",
        num_cpus=settings.cpus_per_actor,
    )


def iter_results(dataset: Dataset) -> Iterator[dict[str, Any]]:
    """The response objects of a ``tagged_dataset``, streamed to the driver (for a merge on one machine)."""
    for row in dataset.iter_rows():
        yield json.loads(row["result"])


class JsonLinesDatasink(BlockBasedFileDatasink):
    """One ``.jsonl`` file per block: the ``result`` column, one line each, as the local ``tag`` writes them."""

    def __init__(self, path: str):
        super().__init__(path, file_format="jsonl", min_rows_per_file=ROWS_PER_FILE)

    def write_block_to_file(self, block: BlockAccessor, file: pa.NativeFile) -> None:
        lines = block.to_arrow().column("result").to_pylist()
        file.write("".join(line + "\n" for line in lines).encode("utf-8"))


def runtime_env(local: bool) -> dict[str, Any]:
    """Environment variables for the workers: the driver's model store; on a local Ray, this checkout's code too."""
    env_vars = {name: os.environ[name] for name in FORWARDED_ENV if name in os.environ}
    if local:
        env_vars["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    return {"env_vars": env_vars}


@contextmanager
def loopback_only() -> Iterator[None]:
    """A local Ray started meanwhile binds every server to 127.0.0.1 (by default they listen on all interfaces).

    Ray takes this machine's outward address as the node's even when given 127.0.0.1, unless it runs
    without cluster support (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``, read by the driver here and by
    every Ray process it starts); then its gRPC servers listen on loopback only.
    """
    from ray._private import ray_constants

    before = os.environ.get(LOCAL_ONLY_ENV), ray_constants.ENABLE_RAY_CLUSTER
    os.environ[LOCAL_ONLY_ENV] = "0"
    ray_constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = before[1]
        if before[0] is None:
            os.environ.pop(LOCAL_ONLY_ENV, None)
        else:
            os.environ[LOCAL_ONLY_ENV] = before[0]


@contextmanager
def ray_session(address: str | None, num_cpus: int | None = None) -> Iterator[None]:
    """Connected to the cluster at ``address``, or to a new local Ray (loopback only, no dashboard) stopped afterwards.

    A local Ray gets ``num_cpus`` (default: the cores) for the actors, plus ``IO_RESERVE`` logical
    CPU for Ray Data's own light tasks, so the default pool has one actor per core.

    A session already open in this process (a test's, a notebook's) is used as it is.
    """
    if ray.is_initialized():
        yield
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if address:
        ray.init(address=address, runtime_env=runtime_env(local=False), log_to_driver=False)
        try:
            yield
        finally:
            ray.shutdown()
        return
    with loopback_only():
        ray.init(address="local", num_cpus=(num_cpus or os.cpu_count() or 1) + IO_RESERVE, include_dashboard=False,
                 runtime_env=runtime_env(local=True), log_to_driver=False)
        try:
            yield
        finally:
            ray.shutdown()


def resolved_model(model: str | None) -> str:
    """A folder as given; a tag (default: the served model) as the exact version, so all actors load the same one."""
    if model and Path(model).is_dir():
        return str(Path(model).resolve())
    from training.store import get_stored

    return str(get_stored(model).tag)


def output_paths(output: str) -> tuple[Any, str, str]:
    """The output's filesystem, the output folder and a temporary sibling to write into first."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(output)
    if fs.exists(root):
        raise UserError(f"{output}: already exists; give a new folder (nothing was written)")
    partial = f"{root.rstrip('/')}.partial-{uuid.uuid4().hex[:8]}"
    return fs, root, partial


def error_lines(problems: Sequence[str]) -> str:
    """The errors file: ``{"error": "file:line: message"}`` a line."""
    return "".join(json.dumps({"error": p}, ensure_ascii=False) + "\n" for p in problems)


def job_failure(exc: ray.exceptions.RayError) -> UserError:
    """A failed Ray job (e.g. a worker that cannot load the model) as one line naming its cause."""
    cause = getattr(exc, "cause", None) or exc
    return UserError(f"the Ray job failed, nothing was written: {str(cause).strip().splitlines()[0]}")


def tag_with_ray(
    articles: str, output: str, model: str | None, precision: str, settings: RaySettings, min_score: float | None = None,
) -> TagSummary:
    """Tag every article under ``articles``; partitions (JSONL, or Parquet if ``output`` ends in .parquet) in ``output``.

    Written into a temporary sibling folder and renamed at the end, so ``output`` is complete or absent.
    """
    fs, root, partial = output_paths(output)
    target = fs.unstrip_protocol(partial) if "://" in output else partial
    tag = resolved_model(model)
    with ray_session(settings.address):
        report = JobReport.remote()
        rows = read_article_rows(articles)
        tagged = tagged_dataset(rows, tag, precision, settings, report, min_score=min_score)
        try:
            if output.rstrip("/").endswith(".parquet"):
                tagged.write_parquet(target, min_rows_per_file=ROWS_PER_FILE, ray_remote_args={"num_cpus": IO_CPUS})
            else:
                tagged.write_datasink(JsonLinesDatasink(target), ray_remote_args={"num_cpus": IO_CPUS})
            problems = [row["error"] for row in rows.map_batches(problems_only, batch_format="pyarrow", num_cpus=IO_CPUS).iter_rows()]
            fs.makedirs(partial, exist_ok=True)
            with fs.open(f"{partial}/{ERRORS_FILE}", "w", encoding="utf-8") as handle:
                handle.write(error_lines(problems))
            fs.mv(partial, root, recursive=True)
        except BaseException as exc:
            if fs.exists(partial):
                fs.rm(partial, recursive=True)
            if isinstance(exc, ray.exceptions.RayError):
                raise job_failure(exc) from None
            raise
        counted = ray.get(report.summary.remote())
        actors = pool_size(settings)
    return TagSummary(articles=counted["articles"], events=counted["events"], problems=problems, actors=actors,
                      batches=counted["batches"], loads=counted["loads"], model=tag)
