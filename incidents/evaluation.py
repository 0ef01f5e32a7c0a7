"""Scoring records against gold records: normalised fields, and clustering with B-cubed.

Predicted and gold records are aligned through their mentions: a predicted trigger stands
for a gold trigger when they overlap in the same article. Each gold record is compared
with the predicted record that holds most of its mentions (none: every field counts as wrong).

* Fields, over the gold records that have the field: date exact and within a day, country,
  admin1, location within 25 km (by coordinates; by name when the gold place has none),
  fatalities exact.
* Clustering, B-cubed (Bagga and Baldwin 1998) over the gold mentions: a gold mention's
  predicted cluster is the gold mentions whose stand-ins share its predicted record (a mention
  with no stand-in is alone). Articles into incidents the same way, over (article, gold
  incident) pairs, each pair standing in the predicted record that holds most of its mentions.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any

from incidents.merge import SAME_PLACE_KM, distance_km
from incidents.places import Place

Key = tuple[str, int, int]


def _mention_keys(record: dict[str, Any]) -> list[Key]:
    return [(m["article_id"], m["start"], m["end"]) for m in record["mentions"]]


def stand_ins(gold: Sequence[dict[str, Any]], predicted: Sequence[dict[str, Any]]) -> dict[Key, int]:
    """Gold mention -> index of the predicted record whose trigger overlaps it (the first such)."""
    by_article: dict[str, list[tuple[int, int, int]]] = {}
    for index, record in enumerate(predicted):
        for article, start, end in _mention_keys(record):
            by_article.setdefault(article, []).append((start, end, index))
    found = {}
    for record in gold:
        for key in _mention_keys(record):
            article, start, end = key
            hit = next((i for s, e, i in by_article.get(article, []) if s < end and start < e), None)
            if hit is not None:
                found[key] = hit
    return found


def b_cubed(gold_of: dict[Hashable, Hashable], predicted_of: dict[Hashable, Hashable]) -> dict[str, float]:
    """B-cubed precision, recall and F1 of a clustering of the items of ``gold_of`` (item -> cluster)."""
    gold_members: dict[Hashable, set] = {}
    predicted_members: dict[Hashable, set] = {}
    for item, cluster in gold_of.items():
        gold_members.setdefault(cluster, set()).add(item)
        predicted_members.setdefault(predicted_of[item], set()).add(item)
    precision = recall = 0.0
    for item in gold_of:
        mine, theirs = predicted_members[predicted_of[item]], gold_members[gold_of[item]]
        overlap = len(mine & theirs)
        precision += overlap / len(mine)
        recall += overlap / len(theirs)
    n = len(gold_of) or 1
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "items": len(gold_of)}


def _place(record: dict[str, Any]) -> Place:
    return Place(record["location"], record["country"], record["admin1"], record["latitude"], record["longitude"])


def _same_location(gold: dict[str, Any], predicted: dict[str, Any]) -> bool:
    if gold["latitude"] is not None:
        return predicted["latitude"] is not None and distance_km(_place(gold), _place(predicted)) <= SAME_PLACE_KM
    return gold["location"] == predicted["location"]


def _within_a_day(gold: str, predicted: str | None) -> bool:
    return predicted is not None and abs((dt.date.fromisoformat(gold) - dt.date.fromisoformat(predicted)).days) <= 1


def evaluate_records(gold: Sequence[dict[str, Any]], predicted: Sequence[dict[str, Any]]) -> dict[str, Any]:
    found = stand_ins(gold, predicted)
    fields: dict[str, list[bool]] = {name: [] for name in
                                     ("date exact", "date within a day", "country", "admin1", "location within 25 km",
                                      "fatalities exact")}
    mention_gold, mention_predicted, article_gold, article_predicted = {}, {}, {}, {}
    for number, record in enumerate(gold):
        keys = _mention_keys(record)
        for key in keys:
            mention_gold[key] = number
            mention_predicted[key] = ("predicted", found[key]) if key in found else ("alone", key)
        for article in dict.fromkeys(k[0] for k in keys):
            mine = [found[k] for k in keys if k[0] == article and k in found]
            article_gold[(article, number)] = number
            article_predicted[(article, number)] = ("predicted", Counter(mine).most_common(1)[0][0]) if mine \
                else ("alone", article, number)
        aligned = Counter(found[k] for k in keys if k in found).most_common(1)
        match = predicted[aligned[0][0]] if aligned else None
        if record["event_date"] is not None:
            fields["date exact"].append(bool(match) and match["event_date"] == record["event_date"])
            fields["date within a day"].append(bool(match) and _within_a_day(record["event_date"], match["event_date"]))
        for name in ("country", "admin1"):
            if record[name] is not None:
                fields[name].append(bool(match) and match[name] == record[name])
        if record["location"] is not None:
            fields["location within 25 km"].append(bool(match) and _same_location(record, match))
        if record["fatalities"] is not None:
            fields["fatalities exact"].append(bool(match) and match["fatalities"] == record["fatalities"])
    return {
        "fields": {name: {"accuracy": round(sum(v) / len(v), 4) if v else None, "support": len(v)}
                   for name, v in fields.items()},
        "mentions into records (B-cubed)": b_cubed(mention_gold, mention_predicted),
        "articles into incidents (B-cubed)": b_cubed(article_gold, article_predicted),
        "gold records": len(gold),
        "predicted records": len(predicted),
        "gold mentions found": f"{len(found)}/{len(mention_gold)}",
    }
