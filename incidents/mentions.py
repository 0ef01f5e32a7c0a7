"""One event of a response object, with every field normalised: the unit that merging works on."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from incidents.actors import Actor, ActorTable
from incidents.arabic import fold
from incidents.casualties import parse_casualties
from incidents.dates import When, resolve_time
from incidents.inputs import Article
from incidents.numbers import number_words
from incidents.places import Gazetteer, Place, resolve_place
from incidents.weapons import WeaponTable

_COUNT_WORD = re.compile(r"^(ل|لـ|ب)?\d+$")


@dataclass
class Mention:
    article_id: str
    sentence: int
    start: int
    end: int
    text: str
    type: str  # "attack" or "retaliation"
    score: float
    when: When
    explicit_time: bool  # the event has a TIME span (else ``when`` is the publication date, or nothing)
    place: Place
    actor1: Actor | None
    actor2: Actor | None
    target: str | None
    weapon: str | None
    fatalities: int | None
    injuries: int | None
    aggregate: bool  # "55 attacks in a month": a count of incidents, not one
    answers: tuple[str, int, int] | None = None  # (article, start, end) of the attack a retaliation answers
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.article_id, self.start, self.end)

    @property
    def bare(self) -> bool:
        """Tells no day or known place of its own: a later ``الهجوم`` that refers back, or
        ``استهدفت السوق الشعبي`` retelling a strike (a target or an attacker alone is no new incident)."""
        return not (self.explicit_time or self.place.known)

    def json(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "sentence": self.sentence, "start": self.start, "end": self.end,
                "text": self.text}


def _is_count(text: str, start: int) -> bool:
    """Whether the word before ``start`` is a number: ``خمسة وخمسين هجوماً``، ``لـ 23 هجوماً``."""
    before = fold(text[max(0, start - 40) : start]).split()
    if not before:
        return False
    last = before[-1]
    return bool(_COUNT_WORD.match(last)) or last in number_words() or last.removeprefix("و") in number_words()


def mentions_of(result: dict[str, Any], article: Article, gazetteer: Gazetteer, actors: ActorTable,
                weapons: WeaponTable) -> list[Mention]:
    """The mentions of one response object, in text order; events without a trigger are left out."""
    mentions: list[Mention] = []
    events = sorted((e for e in result["events"] if e["trigger"]), key=lambda e: e["trigger"]["start"])
    for event in events:
        trigger = event["trigger"]
        roles: dict[str, list[str]] = {}
        for argument in event["arguments"]:
            roles.setdefault(argument["role"], []).append(argument["text"])
        times = roles.get("TIME", [])
        when = resolve_time(times[0] if times else None, article.date)
        attacker = next((a for a in map(actors.match, roles.get("ATTACKER", []))), None)
        if attacker is None or not attacker.known:  # "طائرات حربية روسية": the weapon's owner
            owner = next((a for a in map(actors.match, roles.get("WEAPON", [])) if a.known), None)
            attacker = owner or attacker
        target_actor = next((a for a in map(actors.match, roles.get("TARGET", [])) if a.known), None)
        casualties = [parse_casualties(t) for t in roles.get("CASUALTIES", [])]
        fatalities = [c.fatalities for c in casualties if c.fatalities is not None]
        injuries = [c.injuries for c in casualties if c.injuries is not None]
        mention = Mention(
            article.id, event["sentence"], trigger["start"], trigger["end"], trigger["text"], event["type"],
            float(event.get("score") or 0.0), when, bool(times),
            resolve_place(roles.get("LOCATION", []), roles.get("TARGET", []), gazetteer),
            attacker, target_actor, (roles.get("TARGET") or [None])[0],
            weapons.category(*roles.get("WEAPON", []), trigger["text"]),
            min(fatalities) if fatalities else None, min(injuries) if injuries else None,
            _is_count(article.text, trigger["start"]),
        )
        if when.note:
            mention.notes.append(when.note)
        mentions.append(mention)
    _link_answers(mentions)
    _fill_from_context(mentions)
    return mentions


def _fill_from_context(mentions: list[Mention]) -> None:
    """What a coder reads from the context, where a mention says nothing itself.

    * No TIME: the date of another mention of its sentence, else of the latest earlier mention
      that has one (news tells a day once, then goes on about it); ``explicit_time`` stays False,
      so merging does not rely on it.
    * A place not found (``قرية حطلة شمال شرق المدينة``): near the place another mention of the same
      sentence resolves, at precision 2.
    """
    dated = [m for m in mentions if m.explicit_time and m.when.date and not m.aggregate]  # counts date no incident
    for mention in mentions:
        if mention.explicit_time or mention.aggregate:
            continue
        same_sentence = [m for m in dated if m.sentence == mention.sentence]
        earlier = [m for m in dated if m.start < mention.start]
        if same_sentence:
            source, where = same_sentence[0], "the date of its sentence"
        elif earlier:
            source, where = earlier[-1], "the date told earlier in the article"
        else:
            continue
        mention.when = When(source.when.date, source.when.precision, f"no time of its own: {where}")
        mention.notes = [n for n in mention.notes if "publication date" not in n] + [mention.when.note]
    for mention in mentions:
        if mention.place.known or not mention.place.location:
            continue
        near = [m.place for m in mentions if m.sentence == mention.sentence and m.place.known and m.place.latitude]
        if near:
            unknown = mention.place.location
            mention.place = replace(near[0], geo_precision=max(near[0].geo_precision or 2, 2))
            mention.notes.append(f"place not in the gazetteer: {unknown}; near {mention.place.location}, named in the same sentence")


def _link_answers(mentions: list[Mention]) -> None:
    """A retaliation answers the first attack named after it in its sentence (``ردت … على استهداف طال قاعدة``)."""
    for mention in mentions:
        if mention.type != "retaliation":
            continue
        answered = next((m for m in mentions if m.type == "attack" and m.sentence == mention.sentence
                         and m.start > mention.start), None)
        if answered is not None:
            mention.answers = answered.key
