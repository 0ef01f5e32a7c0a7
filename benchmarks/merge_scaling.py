"""How long the merge across articles takes on one core as records grow (the step ``records --engine ray`` runs on the driver).

The records are those of the seed articles' gold spans, copied under new article ids with their
dates shifted by a multiple of 37 days within a span of days: the same places, actors and weapons
over and over, so many records share a country and a day (a dense archive).

    python -m benchmarks.merge_scaling --copies 1000 10000 --days 3650 365
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from dataclasses import replace
from pathlib import Path

from incidents.actors import default_actors
from incidents.dates import When
from incidents.inputs import Article
from incidents.mentions import mentions_of
from incidents.merge import Cluster, merge_across, merge_article
from incidents.places import default_gazetteer
from incidents.weapons import default_weapons
from model.corpus_io import read_documents
from training.metrics import gold_events

CORPUS = Path(__file__).resolve().parent.parent / "annotations" / "corpus.jsonl"
PUBLISHED = {"seed-000": "2022-01-07", "seed-001": "2022-01-05", "seed-002": "2023-11-16", "seed-003": "2023-11-01",
             "seed-004": "2024-01-23"}  # as in annotations/records-gold.jsonl


def seed_clusters() -> list[list[Cluster]]:
    """Each seed article's records (``merge_article``) from its gold spans."""
    gazetteer, actors, weapons = default_gazetteer(), default_actors(), default_weapons()
    per_article = []
    for document in read_documents(CORPUS):
        article = Article(document.id, document.text, dt.date.fromisoformat(PUBLISHED[document.id]))
        result = {"id": document.id, "events": gold_events(document)}
        per_article.append(merge_article(mentions_of(result, article, gazetteer, actors, weapons)))
    return per_article


def shifted(clusters: list[Cluster], copy: int, days: int) -> list[Cluster]:
    shift = dt.timedelta(days=(copy * 37) % days)
    return [Cluster([replace(m, article_id=f"{m.article_id}-{copy}",
                             when=When(m.when.date and m.when.date + shift, m.when.precision, m.when.note))
                     for m in cluster.mentions]) for cluster in clusters]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--days", type=int, nargs="+", default=[3650, 365])
    args = parser.parse_args()
    seeds = seed_clusters()
    for copies in args.copies:
        for days in args.days:
            per_article = [shifted(clusters, k, days) for k in range(copies) for clusters in seeds]
            started = time.perf_counter()
            incidents = merge_across(per_article)
            seconds = time.perf_counter() - started
            print(f"{sum(map(len, per_article))} records over {days} days -> {len(incidents)} incidents: {seconds:.2f} s",
                  flush=True)


if __name__ == "__main__":
    main()
