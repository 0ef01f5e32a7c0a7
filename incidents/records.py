"""The record schema and ``build_records``: response objects and their articles -> one record per incident."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from incidents.actors import ActorTable, default_actors
from incidents.inputs import Article
from incidents.merge import Cluster, merge_across, merge_article
from incidents.mentions import Mention, mentions_of
from incidents.places import Gazetteer, default_gazetteer
from incidents.weapons import WeaponTable, default_weapons
from model.text_units import split_sentences
from model.wording import counted

# Every record has these keys, in this order (ACLED's column names where ACLED has the field).
FIELDS = (
    "event_id", "event_type", "sub_event_type", "event_date", "year", "time_precision",
    "actor1", "actor2", "target", "weapon",
    "country", "admin1", "location", "latitude", "longitude", "geonameid", "geo_precision",
    "fatalities", "fatalities_high", "injuries", "retaliation_for",
    "sources", "mentions", "confidence", "notes", "normalisation_notes",
)
NO_DATE_WARNING = "no publication date: dates come from the text alone (relative times stay unresolved)"


def _event_id(cluster: Cluster) -> str:
    """A hash of the merged key: the type and every trigger's (article, start, end), sorted."""
    key = [cluster.type, sorted(cluster.keys)]
    return "ev-" + hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()[:16]


def _most_common(values: list[Any]) -> Any:
    values = [v for v in values if v is not None]
    return Counter(values).most_common(1)[0][0] if values else None


def _actor_name(mentions: list[Mention], attribute: str) -> str | None:
    actors = [getattr(m, attribute) for m in mentions if getattr(m, attribute) is not None]
    known = [a.name for a in actors if a.known]
    return _most_common(known) or (actors[0].name if actors else None)


def _record(cluster: Cluster, event_id: str, articles: dict[str, Article], weapons: WeaponTable) -> dict[str, Any]:
    mentions = cluster.mentions
    dated = [m for m in mentions if m.explicit_time and m.when.date]
    notes: list[str] = []
    if dated:
        when = min(dated, key=lambda m: (m.when.precision, m.when.date)).when
    else:  # from the article's context, else the publication date (week precision): their notes say which
        fallback = [m.when for m in mentions if m.when.date]
        when = min(fallback, key=lambda w: (w.precision, w.date)) if fallback else None
    placed = [m.place for m in mentions if m.place.known]
    told = [m.context_place for m in mentions if m.context_place is not None]
    place = min(placed, key=lambda p: (p.geo_precision, p.latitude is None)) if placed else mentions[0].place
    if not place.known and place.location:
        notes.append(f"place not in the gazetteer: {place.location}")
    if not placed and told:
        place = told[0]
        notes.append(f"no place of its own: near {place.location}, the place told before it in the article")
    weapon = _most_common([m.weapon for m in mentions])
    fatalities = [m.fatalities for m in mentions if m.fatalities is not None] + [n for m in mentions for n in m.toll.fatalities]
    injuries = [m.injuries for m in mentions if m.injuries is not None] + [n for m in mentions for n in m.toll.injuries]
    sources, seen = [], set()
    for m in mentions:
        if m.article_id not in seen:
            seen.add(m.article_id)
            article = articles[m.article_id]
            sources.append({"article_id": article.id, "source": article.source, "url": article.url,
                            "date": article.date.isoformat() if article.date else None})
    first = mentions[0]
    text = articles[first.article_id].text
    return {
        "event_id": event_id,
        "event_type": cluster.type,
        "sub_event_type": weapons.sub_event_type(weapon),
        "event_date": when.date.isoformat() if when and when.date else None,
        "year": when.date.year if when and when.date else None,
        "time_precision": when.precision if when and when.date else None,
        "actor1": _actor_name(mentions, "actor1"),
        "actor2": _actor_name(mentions, "actor2"),
        "target": _most_common([m.target for m in mentions]),
        "weapon": weapon,
        "country": place.country,
        "admin1": place.admin1,
        "location": place.location,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "geonameid": place.geonameid,
        "geo_precision": place.geo_precision,
        "fatalities": min(fatalities) if fatalities else None,
        "fatalities_high": max(fatalities) if fatalities else None,
        "injuries": min(injuries) if injuries else None,
        "retaliation_for": None,
        "sources": sources,
        "mentions": [m.json() for m in mentions],
        "confidence": round(max(m.score for m in mentions), 4),
        "notes": _sentence_text(text, first),
        "normalisation_notes": notes + sorted({n for m in mentions for n in m.notes} - set(notes)),
    }


def _sentence_text(text: str, first: Mention) -> str:
    """The sentence of the first mention, as written (ACLED's ``notes`` describe the event)."""
    sentence = next(s for s in split_sentences(text) if s.start <= first.start < s.end)
    return text[sentence.start : sentence.end]


def build_records(
    articles: Sequence[Article],
    results: Sequence[dict[str, Any]],
    gazetteer: Gazetteer | None = None,
    actors: ActorTable | None = None,
    weapons: WeaponTable | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Records (one per incident, in the order first reported) and run-level warnings.

    ``results`` are the response objects of ``EventExtractor.extract_many`` for ``articles``, in order.
    """
    gazetteer, actors, weapons = gazetteer or default_gazetteer(), actors or default_actors(), weapons or default_weapons()
    by_id = {a.id: a for a in articles}
    warnings: list[str] = []
    per_article = []
    for article, result in zip(articles, results, strict=True):
        mentions = mentions_of(result, article, gazetteer, actors, weapons)
        counts = sum(m.aggregate for m in mentions)
        if counts:
            warnings.append(f"{article.id}: {counted(counts, 'count')} of attacks (e.g. '55 attacks in a month') made no record")
        per_article.append(merge_article(mentions))
    if any(a.date is None for a in articles):
        warnings.append(NO_DATE_WARNING + ": " + ", ".join(a.id for a in articles if a.date is None))
    incidents = merge_across(per_article)
    ids = [_event_id(c) for c in incidents]
    records = [_record(c, i, by_id, weapons) for c, i in zip(incidents, ids)]
    holder = {key: event_id for cluster, event_id in zip(incidents, ids) for key in cluster.keys}
    for cluster, record in zip(incidents, records):
        if cluster.type == "retaliation":
            answered = [holder.get(m.answers) for m in cluster.mentions if m.answers]
            record["retaliation_for"] = next((a for a in answered if a and a != record["event_id"]), None)
    return records, warnings
