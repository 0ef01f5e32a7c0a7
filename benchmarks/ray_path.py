"""The Ray path of ``make bench``: ``tag --engine ray`` against the local ``tag`` in the same run.

For 1 up to this machine's cores actors: each timed Ray run follows a local ``tag`` pass over the same
articles, and the ratio is the median of these pairs, as for the service. A Ray run is timed from the
moment the first actor has its model loaded to the last result, so the per-run model load (reported
apart) does not enter the throughput: on a cluster it is paid once per actor per job, not per article.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

RUNS = 3  # timed Ray runs (each paired with a local pass) per actor count
REPEATS = 3  # the corpus articles this many times per run, so a run lasts several seconds


def ray_tag_seconds(articles: list[tuple[str, str]], model: str, precision: str, actors: int, batch: int) -> tuple[float, float]:
    """Seconds from the first loaded model to the last tagged article, and the slowest model load."""
    import ray

    from batch.ray_tagging import JobReport, RaySettings, tagged_dataset

    report = JobReport.remote()
    rows = ray.data.from_items([{"id": f"{i}", "text": text, "error": None} for i, (_, text) in enumerate(articles)])
    tagged = tagged_dataset(rows, model, precision, RaySettings(actors=actors, batch_size=batch), report)
    count = sum(block.num_rows for block in tagged.iter_batches(batch_format="pyarrow", batch_size=None))
    finished = time.time()
    loads = ray.get(report.summary.remote())["loads"]
    assert count == len(articles), f"the Ray run tagged {count} of {len(articles)} articles"
    return finished - min(load["ready"] for load in loads), max(load["seconds"] for load in loads)


def ray_scaling(articles: list[tuple[str, str]], tokens: int, model: str, precision: str, local_pass,
                tokens_per_600_words: int, runs: int = RUNS, repeats: int = REPEATS, batch: int = 8) -> dict[str, Any]:
    """tokens/s of the Ray path at 1..cores actors, its ratio to the paired local ``tag``, and the projected cost.

    ``local_pass(articles)`` returns the seconds the local ``tag`` path takes on ``articles``.
    """
    from batch.ray_tagging import ray_session

    cores = os.cpu_count() or 1
    articles, tokens = articles * repeats, tokens * repeats
    results: dict[str, Any] = {"ray_cores": cores, "ray_articles_per_run": len(articles)}
    with ray_session(None, num_cpus=cores):
        for actors in range(1, cores + 1):
            ray_tag_seconds(articles[:batch * actors], model, precision, actors, batch)  # warm-up: worker start, imports
            pairs, loads = [], []
            for _ in range(runs):
                local = local_pass(articles)
                seconds, load = ray_tag_seconds(articles, model, precision, actors, batch)
                pairs.append([local, seconds])
                loads.append(load)
            results[f"ray_{actors}_actors_tokens_per_s"] = tokens / statistics.median(s for _, s in pairs)
            results[f"ray_{actors}_actors_to_tag_ratio"] = statistics.median(local / s for local, s in pairs)
            results[f"ray_{actors}_actors_pairs_seconds"] = pairs
            results[f"ray_{actors}_actors_model_load_s"] = statistics.median(loads)
    per_core = results[f"ray_{cores}_actors_tokens_per_s"] / cores
    results["ray_tokens_per_s_per_core"] = per_core
    results["ray_tokens_per_600_word_article"] = tokens_per_600_words
    results["ray_core_hours_per_million_600_word_articles"] = 1e6 * tokens_per_600_words / per_core / 3600
    return results
