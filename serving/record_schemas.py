"""The response of ``POST /records`` as pydantic models: one record per incident (``incidents.records``).

The fields of ``Record`` are ``incidents.records.FIELDS``, in that order (pydantic serializes in
declaration order). ``RecordsResult`` is sent as the route sent its plain ``dict`` before it was
typed (see ``DictEncoded``), so the bytes a client receives did not change.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import Field

from serving.schemas import Contract, EventType

START = "Offset of the trigger's first character in its article's `text` as sent (a Python string index, from 0)."
END = "Offset just past the trigger's last character: `text[start:end]` is the trigger's text."


class DictEncoded(Contract):
    """A response encoded as BentoML encodes a returned ``dict`` (``json.dumps``: ``", "`` and ``": "``
    separators, non-ASCII characters as ``\\u`` escapes) rather than pydantic's compact UTF-8, for a
    route that returned a plain dict before it had a model: its clients get the very same bytes."""

    def model_dump_json(self, **kwargs: Any) -> str:
        return json.dumps(self.model_dump(mode="json", **kwargs))


class RecordSource(Contract):
    """An article that reports the incident, with the metadata sent with it."""

    article_id: str = Field(description="The article's `id` (`article-<n>` for the n-th article sent without one).")
    source: str | None = Field(description="The outlet sent as the article's `source`, or `null`.")
    url: str | None = Field(description="The article's `url` as sent, or `null`.")
    date: dt.date | None = Field(description="The article's publication date (ISO `YYYY-MM-DD`), or `null`.")


class RecordMention(Contract):
    """One trigger that reports the incident: where it is in which article."""

    article_id: str = Field(description="`id` of the article the trigger is in.")
    sentence: int = Field(ge=0, description="`index` of the sentence of that article (as `POST /extract` splits it).")
    start: int = Field(ge=0, description=START)
    end: int = Field(ge=0, description=END)
    text: str = Field(description="`text[start:end]` of that article, exactly as sent.")


class Record(Contract):
    """One incident, merged from every mention of it across the articles: ACLED's column names where
    ACLED has the field. A field the articles do not tell is `null`."""

    event_id: str = Field(description="Stable id of the incident, `ev-` and 16 hex digits: a hash of its type and "
                          "its triggers' (article, start, end), the same whatever order the articles come in.")
    event_type: EventType = Field(description="`attack` or `retaliation`.")
    sub_event_type: str = Field(description="ACLED's sub-event type of the weapon's category (`configs/weapons.yaml`), "
                                "e.g. `Air/drone strike`; `Attack` when no weapon is named.")
    event_date: dt.date | None = Field(description="The day of the incident (ISO `YYYY-MM-DD`): from the TIME spans, "
                                       "resolved against the publication date; else from the article's context.")
    year: int | None = Field(description="The year of `event_date`.")
    time_precision: int | None = Field(ge=1, le=3, description="ACLED's time precision of `event_date`: 1 the day, "
                                       "2 the week, 3 the month.")
    actor1: str | None = Field(description="The attacker: its canonical name when `configs/actors.yaml` knows it "
                               "(e.g. `Islamic Resistance in Iraq`), else the text of the ATTACKER span.")
    actor2: str | None = Field(description="The actor attacked, when the TARGET names one `configs/actors.yaml` knows.")
    target: str | None = Field(description="The TARGET span's text, as written in the article.")
    weapon: str | None = Field(description="The weapon's category in `configs/weapons.yaml` (e.g. `rocket/missile`, "
                               "`drone`), from the WEAPON spans and the trigger.")
    country: str | None = Field(description="ISO 3166-1 alpha-2 code of the country of the place, e.g. `SY`.")
    admin1: str | None = Field(description="The place's first-level region (governorate), e.g. `Deir-ez-Zor`.")
    location: str | None = Field(description="The place's gazetteer name (GeoNames, `configs/places.yaml`), or the "
                                 "LOCATION span's text when the gazetteer does not know it.")
    latitude: float | None = Field(description="WGS84 latitude of the place; `null` for a country or an unknown place.")
    longitude: float | None = Field(description="WGS84 longitude of the place.")
    geonameid: int | None = Field(description="The place's GeoNames id, for a GeoNames city.")
    geo_precision: int | None = Field(ge=1, le=3, description="ACLED's geo precision: 1 the town or site itself, "
                                      "2 near it or part of its region, 3 a governorate or a country.")
    fatalities: int | None = Field(ge=0, description="The lowest death toll the articles give.")
    fatalities_high: int | None = Field(ge=0, description="The highest death toll the articles give.")
    injuries: int | None = Field(ge=0, description="The lowest number of injured the articles give.")
    retaliation_for: str | None = Field(description="For a retaliation: `event_id` of the record of the attack it "
                                        "answers, in whichever article that attack was reported.")
    sources: list[RecordSource] = Field(description="The articles that report the incident, in the order first seen.")
    mentions: list[RecordMention] = Field(description="Every trigger of the incident, article by article, in text order.")
    confidence: float = Field(ge=0, le=1, description="The highest trigger score among the mentions, rounded to 4 decimals.")
    notes: str = Field(description="The first mention's passage as written, from the start of its paragraph to the end "
                       "of the trigger's sentence (ACLED's `notes` describe the event).")
    normalisation_notes: list[str] = Field(description="How fields were filled where the text was not plain, e.g. "
                                           "`place not in the gazetteer: …` or `no time of its own: …`.")


class RecordsResult(DictEncoded):
    """The incidents of the articles sent, one record each, in the order first reported."""

    records: list[Record]
    warnings: list[str] = Field(description="What the run could not use, e.g. articles without a publication date "
                                "(relative times stay unresolved) or counts of attacks (`55 هجوماً`) that make no record.")
