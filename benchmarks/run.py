"""`make bench`: how fast the product is, measured against what this machine can do, in one run.

Every figure is a median of several timed runs after a warm-up, and every speed is also given as
a ratio to the raw encoder forward pass measured in the same run, because the machine is shared
and absolute numbers drift: each timed run of the service or of ``tag`` follows a raw pass of its
own, and the ratio is the median of those pairs. Writes BENCHMARKS.md and BENCHMARKS.json at the
project root.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
COMMAND = "make bench"
CLIENTS = 16  # concurrent clients of the throughput test: enough queued sentences for full model calls
ROUND_REPEATS = 2  # each timed round posts every article this many times, so ramp-up and tail are a small share
PAIRED_RUNS = 5  # timed runs of the service and of `tag`, each right after a raw forward pass
console = Console(stderr=True)


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median_time(fn, runs: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    return statistics.median(timed(fn) for _ in range(runs))


def paired_runs(raw, measured, runs: int = PAIRED_RUNS) -> tuple[float, float, list[list[float]]]:
    """Median seconds of ``measured()`` and median ratio raw/measured, each run right after a raw pass.

    ``raw()`` and ``measured()`` return seconds; pairing them makes the ratio hold on a machine whose
    speed drifts between the start and the end of the benchmark. Also returns the pairs.
    """
    pairs = [[raw(), measured()] for _ in range(runs)]
    return statistics.median(m for _, m in pairs), statistics.median(r / m for r, m in pairs), pairs


def matmul_gflops(n: int = 2048, runs: int = 7, dtype: torch.dtype = torch.float32) -> float:
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    return 2 * n**3 / median_time(lambda: torch.mm(a, b), runs, warmup=2) / 1e9


def encoder_flops_per_token(model, mean_length: float) -> float:
    """2 FLOPs per weight of the encoder layers and heads (embedding lookups are free), plus attention scores."""
    config = model.config.encoder
    weights = sum(p.numel() for n, p in model.named_parameters() if "embeddings" not in n)
    attention = 4 * config.num_hidden_layers * mean_length * config.hidden_size
    return 2 * weights + attention


def corpus_articles() -> list[tuple[str, str]]:
    from model.corpus_io import read_corpus

    files = [ROOT / "annotations" / "corpus.jsonl", ROOT / "annotations" / "standoff" / "syrian-archive.jsonl"]
    return [(d.id, d.text) for d in read_corpus(files, say=lambda m: console.print(m))]


def windows_of(extractor, articles: list[tuple[str, str]]) -> list[list[int]]:
    from model.encoding import encode_sentence
    from model.predictor import split_articles
    from model.text_units import tokenize

    _, texts = split_articles([text for _, text in articles])
    encoded = extractor.tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True)
    windows = []
    for ids, offsets, text in zip(encoded["input_ids"], encoded["offset_mapping"], texts):
        sentence = encode_sentence(ids, offsets, tokenize(text), 0, extractor.tokenizer, extractor.max_length, extractor.stride)
        windows += [w.input_ids for w in sentence.windows]
    return windows


def article_of_words(articles: list[tuple[str, str]], words: int) -> str:
    """About ``words`` words of real corpus text, cut at a sentence end."""
    from model.text_units import split_sentences

    out, count = [], 0
    for _, text in articles:
        for sentence in split_sentences(text):
            out.append(text[sentence.start : sentence.end])
            count += len(out[-1].split())
            if count >= words:
                return "\n".join(out)
    return "\n".join(out)


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    import httpx

    process = subprocess.Popen(
        [sys.executable, "-m", "bentoml", "serve", "serving.service:EventService", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("the service did not become ready in 180 s")


def process_tree_rss(pid: int) -> int:
    import psutil

    root = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Poster:
    """POSTs ``(id, text)`` articles to ``/extract`` over one connection pool; returns seconds taken."""

    def __init__(self, url: str, server_pid: int):
        import httpx

        self.url, self.server_pid = url, server_pid
        self.client = httpx.Client(timeout=600, limits=httpx.Limits(max_connections=CLIENTS))

    def __call__(self, article: tuple[str, str]) -> float:
        started = time.perf_counter()
        self.client.post(self.url, json={"id": article[0], "text": article[1]}).raise_for_status()
        return time.perf_counter() - started


@contextmanager
def paused(server_pid: int) -> Iterator[None]:
    """The service's processes stopped (SIGSTOP) meanwhile, so a raw pass beside it runs on a quiet machine."""
    os.killpg(server_pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(server_pid, signal.SIGCONT)


@contextmanager
def running_service(settings: dict[str, str]) -> Iterator[Poster]:
    """``bentoml serve`` with the served model on a free loopback port, stopped by process id."""
    port = free_port()
    server = start_server({**os.environ, "BENTOML_DO_NOT_TRACK": "true", **settings}, port)
    poster = Poster(f"http://127.0.0.1:{port}/extract", server.pid)
    try:
        yield poster
    finally:
        poster.client.close()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def latencies(post: Poster, article: str) -> dict[str, float]:
    """p50/p95/p99 of one article on the idle service."""
    for _ in range(12):  # warm-up
        post(("latency", article))
    times = sorted(post(("latency", article)) * 1000 for _ in range(30))
    return {"p50_ms_600_words": statistics.median(times), "p95_ms_600_words": times[int(0.95 * len(times)) - 1],
            "p99_ms_600_words": times[-1]}


def run(train_epoch: bool = True) -> dict[str, Any]:
    from model.articles import read_articles
    from model.predictor import EventExtractor, native_bf16, resolve_precision
    from serving.settings import load_settings
    from training.store import get_stored, load_extractor

    torch.set_num_threads(os.cpu_count() or 1)
    stored = get_stored(None)
    extractor = load_extractor(str(stored.tag))
    articles = corpus_articles()
    windows = windows_of(extractor, articles)
    tokens = sum(len(w) for w in windows)
    results: dict[str, Any] = {"model": str(stored.tag), "backbone": extractor.model_info["backbone"],
                               "articles": len(articles), "windows": len(windows), "tokens": tokens}

    console.print("1/5 machine limit and raw forward pass")
    # Without bf16 in hardware oneDNN emulates it, many times slower than fp32 and never served
    # (`precision: auto` is fp32 there): its rows say so instead of timing the emulation.
    bf16 = native_bf16()
    results["bf16_in_hardware"] = bf16
    results["matmul_gflops"] = matmul_gflops()
    flops = encoder_flops_per_token(extractor.model, tokens / len(windows))
    results["flops_per_token"] = flops
    results["limit_tokens_per_s"] = results["matmul_gflops"] * 1e9 / flops
    precisions = ("fp32", "bf16", "int8") if bf16 else ("fp32", "int8")
    variants = {precision: EventExtractor(extractor.model, extractor.tokenizer, precision=precision, max_length=extractor.max_length,
                                          stride=extractor.stride) for precision in precisions}
    raw = {precision: tokens / median_time(lambda v=variant: v._forward(windows), runs=3) for precision, variant in variants.items()}
    results["raw_forward_tokens_per_s"] = raw["fp32"]
    results["raw_fraction_of_limit"] = raw["fp32"] / results["limit_tokens_per_s"]
    if bf16:
        results["matmul_gflops_bf16"] = matmul_gflops(dtype=torch.bfloat16)
        results["limit_tokens_per_s_bf16"] = results["matmul_gflops_bf16"] * 1e9 / flops
        results["raw_forward_bf16_tokens_per_s"] = raw["bf16"]
        results["raw_bf16_fraction_of_bf16_limit"] = raw["bf16"] / results["limit_tokens_per_s_bf16"]
        results["bf16_speedup"] = raw["bf16"] / raw["fp32"]
    results["raw_forward_int8_tokens_per_s"] = raw["int8"]
    results["int8_speedup"] = raw["int8"] / raw["fp32"]
    served = resolve_precision(load_settings().precision)
    results["serving_precision"] = served

    console.print(f"2/5 batch tagging (the path of `arabic-events tag`, {served})")
    tagger = variants[served]

    def served_pass() -> float:
        """The raw forward pass at the serving precision, which each timed run below is paired with."""
        return timed(lambda: tagger._forward(windows))

    with tempfile.TemporaryDirectory() as folder:
        for doc_id, text in articles:
            (Path(folder) / f"{doc_id}.txt").write_text(text, encoding="utf-8", newline="")

        def tag_folder() -> None:
            inputs = read_articles(Path(folder))
            for begin in range(0, len(inputs), 8):
                tagger.extract_many(inputs[begin : begin + 8])

        tag_folder()  # warm-up
        tag_seconds, results["tag_to_raw_ratio"], results["tag_pairs_seconds"] = paired_runs(served_pass, lambda: timed(tag_folder))
    results["tag_articles_per_s"] = len(articles) / tag_seconds
    results["tag_tokens_per_s"] = tokens / tag_seconds

    if importlib.util.find_spec("ray") is not None:
        console.print(f"2b/5 the Ray path (`tag --engine ray`) at 1 to {os.cpu_count()} actors, paired with `tag`")
        from benchmarks.ray_path import ray_scaling

        def local_pass(inputs: list[tuple[str, str]]) -> float:
            return timed(lambda: [tagger.extract_many(inputs[b : b + 8]) for b in range(0, len(inputs), 8)])

        per_article = sum(len(w) for w in windows_of(extractor, [("600", article_of_words(articles, 600))]))
        results.update(ray_scaling(articles, tokens, str(stored.tag), served, local_pass, per_article))

    console.print(f"3/5 the service over loopback ({served})")
    article = article_of_words(articles, 600)
    results["latency_article_words"] = len(article.split())
    results["latency_article_tokens"] = sum(len(w) for w in windows_of(extractor, [("600", article)]))
    # no answer can come sooner than the article's forward pass at the matrix-multiply limit
    results["latency_floor_ms_600_words"] = 1000 * results["latency_article_tokens"] / results["limit_tokens_per_s"]
    with running_service({}) as post:
        results.update(latencies(post, article))
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            list(pool.map(post, articles))  # warm-up

            def quiet_pass() -> float:
                with paused(post.server_pid):
                    return served_pass()

            def one_round() -> float:
                return timed(lambda: list(pool.map(post, articles * ROUND_REPEATS))) / ROUND_REPEATS

            service_seconds, results["service_to_raw_ratio"], results["service_pairs_seconds"] = paired_runs(quiet_pass, one_round)
        results["service_articles_per_s"] = len(articles) / service_seconds
        results["service_tokens_per_s"] = tokens / service_seconds
        results["service_rss_mb"] = process_tree_rss(post.server_pid) / 2**20

    for precision in sorted({"fp32", "int8"} - {served}):
        console.print(f"3b/5 latency of the service with ARABIC_EVENTS_PRECISION={precision}")
        with running_service({"ARABIC_EVENTS_PRECISION": precision}) as post:
            results.update({f"{key}_{precision}": value for key, value in latencies(post, article).items() if key != "p99_ms_600_words"})

    console.print("4/5 footprint")
    results["model_size_mb"] = sum(f.stat().st_size for f in Path(stored.path).rglob("*") if f.is_file()) / 2**20
    results["default_training_seconds"] = stored.info.metadata.get("train_seconds")
    results["default_training_data"] = {k: stored.info.metadata.get(f"data_{k}") for k in ("documents", "sentences")}

    if train_epoch:
        console.print("5/5 one training epoch on the default config's data")
        from model.corpus_io import read_corpus
        from training.config import TrainConfig
        from training.trainer import train

        config = TrainConfig.from_yaml(ROOT / "configs" / "default.yaml").replace(epochs=1)
        documents = read_corpus([ROOT / p for p in config.data], say=lambda m: console.print(m))
        trained = train(config, documents, show_progress=False)
        results["train_seconds_per_epoch"] = trained.seconds
        results["train_epoch_sentences"] = sum(len(d.sentences) for d in documents)
    return results


ROWS = [
    ("matmul_gflops", "fp32 matrix multiply, all cores", "{:.1f} GFLOP/s"),
    ("limit_tokens_per_s", "encoder limit at that speed", "{:,.0f} tokens/s"),
    ("raw_forward_tokens_per_s", "raw forward pass, fp32 (batched, packed rows)", "{:,.0f} tokens/s"),
    ("raw_fraction_of_limit", "raw fp32 forward / fp32 limit", "{:.2f}"),
    ("matmul_gflops_bf16", "bf16 matrix multiply, all cores", "{:.1f} GFLOP/s"),
    ("raw_forward_bf16_tokens_per_s", "raw forward pass, bf16 linear layers", "{:,.0f} tokens/s"),
    ("raw_bf16_fraction_of_bf16_limit", "raw bf16 forward / bf16 limit", "{:.2f}"),
    ("bf16_speedup", "bf16 / fp32 forward", "{:.2f}x"),
    ("raw_forward_int8_tokens_per_s", "raw forward pass, int8 linear layers", "{:,.0f} tokens/s"),
    ("int8_speedup", "int8 / fp32 forward", "{:.2f}x"),
    ("serving_precision", "precision of the default service (`precision: auto`)", "{}"),
    ("service_articles_per_s", f"/extract, {CLIENTS} concurrent clients", "{:.2f} articles/s"),
    ("service_tokens_per_s", f"/extract, {CLIENTS} concurrent clients", "{:,.0f} tokens/s"),
    ("service_to_raw_ratio", "service / raw forward at the serving precision, paired runs", "{:.2f}"),
    ("latency_floor_ms_600_words", "least time for that article's forward pass, at the fp32 limit", "{:.0f} ms"),
    ("p50_ms_600_words", "/extract p50, one ~600-word article, idle service", "{:.0f} ms"),
    ("p95_ms_600_words", "/extract p95", "{:.0f} ms"),
    ("p99_ms_600_words", "/extract p99", "{:.0f} ms"),
    ("p50_ms_600_words_fp32", "/extract p50, same article, fp32 service", "{:.0f} ms"),
    ("p95_ms_600_words_fp32", "/extract p95, fp32 service", "{:.0f} ms"),
    ("p50_ms_600_words_int8", "/extract p50, same article, int8 service", "{:.0f} ms"),
    ("p95_ms_600_words_int8", "/extract p95, int8 service", "{:.0f} ms"),
    ("tag_tokens_per_s", "arabic-events tag (in-process path, serving precision)", "{:,.0f} tokens/s"),
    ("tag_to_raw_ratio", "tag / raw forward at the serving precision, paired runs", "{:.2f}"),
    ("ray_1_actors_tokens_per_s", "tag --engine ray, 1 actor (local Ray)", "{:,.0f} tokens/s"),
    ("ray_1_actors_to_tag_ratio", "Ray, 1 actor / local tag, paired runs", "{:.2f}"),
    ("ray_2_actors_tokens_per_s", "tag --engine ray, 2 actors (local Ray)", "{:,.0f} tokens/s"),
    ("ray_2_actors_to_tag_ratio", "Ray, 2 actors / local tag, paired runs", "{:.2f}"),
    ("ray_tokens_per_s_per_core", "Ray, per core at one actor per core", "{:,.0f} tokens/s"),
    ("ray_core_hours_per_million_600_word_articles", "Ray, projected: 1,000,000 articles of ~600 words", "{:,.0f} core-hours"),
    ("train_seconds_per_epoch", "one training epoch, default data", "{:.0f} s"),
    ("default_training_seconds", "full training of the served model", "{:.0f} s"),
    ("model_size_mb", "one saved model version", "{:.0f} MiB"),
    ("service_rss_mb", "service resident memory (all processes)", "{:.0f} MiB"),
]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, torch {torch.__version__}"


def main(train_epoch: bool = True) -> None:
    results = run(train_epoch)
    results["machine"] = machine()
    results["date"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    table = Table(title=f"benchmark of {results['model']} ({results['backbone']})", title_justify="left")
    table.add_column("measure")
    table.add_column("what")
    table.add_column("value", justify="right")
    lines = ["| measure | what | value |", "|---|---|---|"]
    for key, what, fmt in ROWS:
        value = results.get(key)
        shown = fmt.format(value) if isinstance(value, (int, float, str)) else (
            "n/a (no bf16 in this CPU)" if "bf16" in key and not results["bf16_in_hardware"] else "n/a")
        table.add_row(key, what, shown)
        lines.append(f"| `{key}` | {what} | {shown} |")
    Console().print(table)
    (ROOT / "BENCHMARKS.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    body = "\n".join(lines)
    (ROOT / "BENCHMARKS.md").write_text(
        f"# Benchmarks\n\nLatest output of `{COMMAND}` ({results['date']}) on {results['machine']}; "
        f"model {results['model']}, backbone `{results['backbone']}`, {results['articles']} corpus articles "
        f"({results['windows']} model windows, {results['tokens']:,} tokens).\n\n{body}\n\n"
        "Every time is the median of several runs after a warm-up. Ratios compare speeds measured in the same run, "
        "so they hold better than the absolute figures on a shared machine. The limit assumes every weight of the "
        "encoder costs 2 FLOPs per token (plus attention scores) at the measured matrix-multiply speed. The raw forward "
        "pass is the extractor's own (`EventExtractor._forward`: windows packed into rows, rows grouped into calls) "
        "on every window of the corpus at once, the most favourable batching there is. The service and `tag` ratios "
        f"compare against it at the same precision: each of their {PAIRED_RUNS} timed runs follows a raw pass of its "
        "own (with the service's processes stopped meanwhile), and the ratio is the median of these pairs (all in "
        "`BENCHMARKS.json`), so a drift of the shared machine's speed during the benchmark does not enter it.\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
