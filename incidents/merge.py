"""Mentions into incidents: within an article, across articles, and retaliation links.

Rules (ACLED's: one event per type, day and place, with compatible actors):

Compatible (nothing known on both sides contradicts):
  same event type; explicit dates the same day, or within the window of the coarser
  precision (7 days for a week, 31 for a month); within an article, days read from context
  within one day, unless one of the two mentions is bare; places in the same country and, when both
  have coordinates, within ``SAME_PLACE_KM`` (a country-level place is compatible with any place
  in it); attackers and targets on the same side (``configs/actors.yaml``); the same weapon category
  (aircraft and rocket/missile may be one act: air-launched missiles).

Within an article (mentions in text order), a mention joins the latest compatible record of
its article when it tells no day or known place of its own (a ``الهجوم`` that refers back, a
retelling that only adds a target or an attacker), or when the two
share something positive: the same day (explicit or read from context, unless the text calls one
"another" act: ``ضربة ثانية``), the same place, the same target text, or the
same attacker when one of the two has no place (one attacker strikes many places). Otherwise it opens a record. A retaliation never joins the record of the
attack it answers. Counts of attacks (``55 هجوماً``) are not incidents and make no record.

Across articles, a record joins an incident when it is compatible with every record
already in it and shares with them an explicit date and a place with coordinates: records
that cannot be told apart on day and place are not merged on weaker evidence, so records
of different incidents never merge.

A retaliation record points (``retaliation_for``) to the record that holds the attack its
text answers, in whichever article that attack was reported.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from incidents.dates import MONTH, WEEK
from incidents.mentions import Mention
from incidents.places import Place

SAME_PLACE_KM = 25.0
WINDOW_DAYS = {WEEK: 7, MONTH: 31}
CONTEXT_DAY_SLACK = 1  # a day read from context is the day of the act or of its report


@dataclass
class Cluster:
    """Mentions of one incident; ``articles`` in the order first seen."""

    mentions: list[Mention] = field(default_factory=list)

    @property
    def type(self) -> str:
        return self.mentions[0].type

    @property
    def keys(self) -> set[tuple[str, int, int]]:
        return {m.key for m in self.mentions}


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _dates_agree(a: Mention, b: Mention) -> bool:
    """Explicit days within the window of the coarser precision; within an article, a day read
    from context (``Mention.has_day``) is compared too, one day either way (a statement of
    Wednesday on a strike of Tuesday), unless one of the two is bare: a later ``الهجوم`` has no
    day of its own to compare."""
    if a.explicit_time and b.explicit_time and a.when.date and b.when.date:
        window = WINDOW_DAYS.get(max(a.when.precision or 1, b.when.precision or 1), 0)
    elif a.has_day and b.has_day and not (a.bare or b.bare) and a.article_id == b.article_id:
        window = max(WINDOW_DAYS.get(max(a.when.precision or 1, b.when.precision or 1), 0), CONTEXT_DAY_SLACK)
    else:
        return True
    return abs((a.when.date - b.when.date).days) <= window


def _places_agree(a: Place, b: Place) -> bool:
    if not (a.known and b.known):
        return True
    if a.country != b.country:
        return False
    if a.latitude is None or b.latitude is None:
        return True
    return distance_km(a, b) <= SAME_PLACE_KM


def _same_side(a, b) -> bool:
    return not (a and b and a.known and b.known) or a.side == b.side


# aircraft fire missiles (``6 صواريخ فراغية`` of an air strike): the one weapon pair that may be one act
SAME_ACT_WEAPONS = {frozenset({"aircraft", "rocket/missile"})}


def _weapons_agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b or frozenset({a, b}) in SAME_ACT_WEAPONS


def compatible(a: Mention, b: Mention) -> bool:
    return (a.type == b.type and _dates_agree(a, b) and _places_agree(a.place, b.place)
            and _same_side(a.actor1, b.actor1) and _same_side(a.actor2, b.actor2) and _weapons_agree(a.weapon, b.weapon))


def _share_evidence(a: Mention, b: Mention) -> bool:
    return ((a.has_day and b.has_day and a.when.date == b.when.date and not (a.another or b.another))
            or (a.place.known and b.place.known and a.place.location == b.place.location)
            or (a.target is not None and a.target == b.target)
            or (a.actor1 is not None and a.actor1.known and a.actor1 == b.actor1
                and not (a.place.known and b.place.known)))


def _answers_between(mention: Mention, cluster: Cluster) -> bool:
    """Whether ``mention`` and the cluster are a retaliation and the attack it answers."""
    return mention.answers in cluster.keys or any(m.answers == mention.key for m in cluster.mentions)


def merge_article(mentions: list[Mention]) -> list[Cluster]:
    """One cluster per incident of one article (rule above); aggregate counts are left out."""
    clusters: list[Cluster] = []
    for mention in mentions:
        if mention.aggregate:
            continue
        home = None
        for cluster in reversed(clusters):  # the latest record first: news refers back to what it just told
            if _answers_between(mention, cluster) or not all(compatible(mention, m) for m in cluster.mentions):
                continue
            if mention.bare or any(_share_evidence(mention, m) for m in cluster.mentions):
                home = cluster
                break
        if home is None:
            clusters.append(Cluster([mention]))
        else:
            home.mentions.append(mention)
    return clusters


def _dated_and_placed(cluster: Cluster) -> list[Mention]:
    return [m for m in cluster.mentions if m.explicit_time and m.when.date and m.place.latitude is not None]


def _joins(cluster: Cluster, evidence: list[Mention], incident: Cluster) -> bool:
    """Whether an article's record joins an incident of other articles (rule above)."""
    if {m.article_id for m in incident.mentions} & {m.article_id for m in cluster.mentions}:
        return False  # an article's own records were already kept apart on purpose
    theirs = _dated_and_placed(incident)
    if not (evidence and theirs):
        return False
    return all(compatible(a, b) for a in cluster.mentions for b in incident.mentions) and any(
        a.when.date == b.when.date or a.when.precision != 1 or b.when.precision != 1
        for a in evidence for b in theirs
    )


# Incidents by the precision, country and day (ordinal) of their dated and placed mentions.
DayIndex = dict[int, dict[tuple[str | None, int], list[int]]]


def _precision(mention: Mention) -> int:
    return mention.when.precision or 1  # as ``_dates_agree`` reads it


def _candidates(index: DayIndex, mention: Mention, count: int) -> list[int]:
    """The incidents (of ``count`` so far, in order) that may hold a mention compatible with ``mention`` on day and place.

    ``compatible`` needs explicit days within the window of the coarser precision and, for two known
    places, the same country; an incident without such a mention cannot take a record (rule above).
    """
    if mention.place.country is None:  # compatible with a place in any country
        return list(range(count))
    day, found = mention.when.date.toordinal(), set()
    for precision, days in index.items():
        window = WINDOW_DAYS.get(max(_precision(mention), precision), 0)
        for country in (mention.place.country, None):
            for other in range(day - window, day + window + 1):
                found.update(days.get((country, other), ()))
    return sorted(found)


def merge_across(per_article: list[list[Cluster]]) -> list[Cluster]:
    """Clusters of all articles merged into incidents (rule above), in the order first reported.

    Each record is compared only with the incidents ``_candidates`` finds for one of its dated and
    placed mentions (an index by precision, country and day), in their order: the same incidents
    as comparing it with every incident so far, without a time that grows with the square of the
    records.
    """
    incidents: list[Cluster] = []
    index: DayIndex = defaultdict(lambda: defaultdict(list))
    for clusters in per_article:
        for cluster in clusters:
            evidence = _dated_and_placed(cluster)
            candidates = _candidates(index, evidence[0], len(incidents)) if evidence else []
            home = next((i for i in candidates if _joins(cluster, evidence, incidents[i])), None)
            if home is None:
                home = len(incidents)
                incidents.append(Cluster([]))
            incidents[home].mentions.extend(cluster.mentions)
            for mention in evidence:
                index[_precision(mention)][(mention.place.country, mention.when.date.toordinal())].append(home)
    return incidents
