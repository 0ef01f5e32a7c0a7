"""One event of a response object, with every field normalised: the unit that merging works on."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from incidents.actors import Actor, ActorTable
from incidents.arabic import fold
from incidents.casualties import Toll, parse_casualties, toll_told
from incidents.dates import When, day_told, resolve_time
from incidents.inputs import Article
from incidents.numbers import COUNT_WORD, number_words
from incidents.places import Gazetteer, Place, resolve_place
from incidents.weapons import WeaponTable
from model.text_units import Sentence, split_sentences


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
    explicit_time: bool  # a TIME span of the event gives a day (else ``when`` comes from context, or nothing)
    place: Place
    actor1: Actor | None
    actor2: Actor | None
    target: str | None
    weapon: str | None
    fatalities: int | None
    injuries: int | None
    aggregate: bool  # "55 attacks in a month": a count of incidents, not one
    answers: tuple[str, int, int] | None = None  # (article, start, end) of the attack a retaliation answers
    context_place: Place | None = None  # no place of its own: the place told before it (for the record, not for merging)
    another: bool = False  # the text calls it another act: ``ضربة ثانية``، ``هجوم آخر``
    day_from: str | None = None  # "time" (its own TIME), "sentence", "earlier" (context), "publication", or None
    toll: Toll = Toll()  # figures of victims told after it in a sentence with no act of its own (for the record)
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.article_id, self.start, self.end)

    @property
    def bare(self) -> bool:
        """Tells no day or known place of its own (its TIME, or a day its sentence tells): a later
        ``الهجوم`` that refers back, or ``استهدفت السوق الشعبي`` retelling a strike (a target or an
        attacker alone is no new incident)."""
        return not (self.explicit_time or self.day_from == "sentence" or self.place.known)

    @property
    def has_day(self) -> bool:
        """A day read from the text (its own TIME or its context), not the publication date."""
        return self.when.date is not None and self.day_from in ("time", "sentence", "earlier")

    def json(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "sentence": self.sentence, "start": self.start, "end": self.end,
                "text": self.text}


# "a second strike", "another attack": the text says this is not the act told before
ANOTHER = {"ثانيه", "الثانيه", "ثاني", "الثاني", "ثان", "ثالثه", "الثالثه", "اخري", "الاخري", "اخر", "الاخر", "جديده", "جديد"}
# a sentence recounting earlier events (``سبق أن هاجمت``): it is not about the day told before it
_HISTORY = re.compile(r"(?:^|\s)و?سبق(?:\s|$)")
# a sentence that counts over a period: "منذ 17 تشرين الأول"، "خلال شهر"، "بين 17 و30 أكتوبر"
_OVER_TIME = r"منذ|خلال (?:\d+ )?(?:ال)?(?:ساعات|ساعه|ايام|يومين|اسبوع|اسبوعين|اسابيع|شهر|شهرين|اشهر|سنه|عام)"
_PERIOD = re.compile(rf"(?:^|\s)و?(?:بين|{_OVER_TIME})(?:\s|$)")
# a toll over time ("منذ بداية الحرب"), not of one act; "ما بين 29 و35" is a range of figures, so no بين here
_TOLL_OVER_TIME = re.compile(rf"(?:^|\s)و?(?:{_OVER_TIME})(?:\s|$)")


def _is_count(text: str, sentence: tuple[int, int], start: int) -> bool:
    """Whether the trigger at ``start`` is counted over a period: a count of incidents, not one.

    The word before it in its sentence is a number (``خمسة وخمسين هجوماً``، ``لـ 23 هجوماً``), and the
    sentence names a period (``خلال شهر``، ``منذ``، ``بين … و…``). A number ending the sentence before
    (``التاريخ: 13 نوفمبر 2017`` above ``الضربة الجوية الأولى``) counts nothing, nor does a count of
    strikes without a period (``3 ضربات جوية مزعومة``: the strikes of one attack, ACLED's one event).
    """
    before = fold(text[max(sentence[0], start - 40) : start]).split()
    if not before:
        return False
    last = before[-1]
    counted = bool(COUNT_WORD.match(last)) or last in number_words() or last.removeprefix("و") in number_words()
    return counted and _PERIOD.search(fold(text[sentence[0] : sentence[1]])) is not None


def _says_another(text: str, end: int) -> bool:
    """Whether one of the two words after a trigger calls it another act (``ضربة ثانية``، ``هجوم آخر``)."""
    return bool(ANOTHER & set(fold(text[end : end + 30]).split()[:2]))


def _first_day(times: list[str], reference) -> When:
    """The first TIME span that names a day (``خلال أوقات مختلفة، الاثنين``: Monday); else what the first says."""
    resolved = [resolve_time(t, reference) for t in times]
    return next((w for w in resolved if w.date is not None), resolved[0])


def mentions_of(result: dict[str, Any], article: Article, gazetteer: Gazetteer, actors: ActorTable,
                weapons: WeaponTable) -> list[Mention]:
    """The mentions of one response object, in text order; events without a trigger are left out."""
    mentions: list[Mention] = []
    sentences = split_sentences(article.text)
    events = sorted((e for e in result["events"] if e["trigger"]), key=lambda e: e["trigger"]["start"])
    for event in events:
        trigger = event["trigger"]
        roles: dict[str, list[str]] = {}
        for argument in event["arguments"]:
            roles.setdefault(argument["role"], []).append(argument["text"])
        times = roles.get("TIME", [])
        when = _first_day(times, article.date) if times else resolve_time(None, article.date)
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
            float(event.get("score") or 0.0), when, bool(times) and when.date is not None,
            resolve_place(roles.get("LOCATION", []), roles.get("TARGET", []), gazetteer),
            attacker, target_actor, (roles.get("TARGET") or [None])[0],
            # failing a weapon, the arm the attacker names: ``مدفعية التحالف``، ``طيران التحالف``
            weapons.category(*roles.get("WEAPON", []), trigger["text"]) or weapons.category(*roles.get("ATTACKER", [])),
            min(fatalities) if fatalities else None, min(injuries) if injuries else None,
            _is_count(article.text, _sentence_of(sentences, trigger["start"]), trigger["start"]),
            another=_says_another(article.text, trigger["end"]),
            day_from=("time" if times else "publication") if when.date else None,
        )
        if when.note:
            mention.notes.append(when.note)
        mentions.append(mention)
    _link_answers(mentions)
    _fill_from_context(mentions, article, sentences)
    return mentions


def _sentence_of(sentences: list[Sentence], offset: int) -> tuple[int, int]:
    """(start, end) of the sentence holding ``offset``."""
    return next(((s.start, s.end) for s in sentences if s.start <= offset < s.end), (0, offset))


def _fill_from_context(mentions: list[Mention], article: Article, sentences: list[Sentence]) -> None:
    """What a coder reads from the context, where a mention says nothing itself.

    * No day of its own (no TIME, or one that names no day): the day of another mention of its
      sentence, else the day its sentence tells outside any TIME (``والخميس 9 تشرين الثاني،
      أعلنت … أن الضربة``: ``dates.day_told``), else the latest day told before it in the article,
      by a mention or a sentence (news tells a day once, then goes on about it), except in a
      sentence recounting earlier events (``سبق أن هاجمت``). ``explicit_time``
      stays False, so merging across articles does not rely on it; ``day_from`` says which.
    * A place not found (``قرية حطلة شمال شرق المدينة``): near the place another mention of the same
      sentence resolves, at precision 2.
    * No place at all (``ردت … على مصدر إطلاق الصواريخ``): ``context_place``, near the place of the latest
      mention before it that has coordinates, at precision 2; the record takes it only when none
      of its mentions has a place, and merging never uses it.
    * The toll told apart (``وجاءت أرقام الضحايا … ما بين 29 … إلى 35``): a sentence with no mention
      of its own gives its figures of victims (``casualties.toll_told``) to the latest mention
      before it, unless that mention counts attacks, or the sentence recounts earlier events or
      counts over time (``منذ``، ``خلال شهر``); its record weighs them with its own (lowest figure).
    """
    dated = [m for m in mentions if m.explicit_time and not m.aggregate]  # counts date no incident
    last = max((m.start for m in mentions), default=-1)
    told = [(s.start, day) for s in sentences if s.start <= last
            for day in [day_told(article.text[s.start : s.end], article.date)] if day is not None]
    for mention in mentions:
        if mention.explicit_time or mention.aggregate:
            continue
        here = next((s for s in sentences if s.start <= mention.start < s.end), None)
        same_sentence = [m for m in dated if m.sentence == mention.sentence]
        own_day = [day for start, day in told if here is not None and start == here.start]
        history = here is not None and _HISTORY.search(fold(article.text[here.start : here.end])) is not None
        earlier = [] if history else sorted(
            [(m.start, m.when) for m in dated if m.start < mention.start]
            + [(start, day) for start, day in told if here is not None and start < here.start], key=lambda pair: pair[0])
        if same_sentence:
            when, day_from, where = same_sentence[0].when, "sentence", "the date of its sentence"
        elif own_day:
            when, day_from, where = own_day[0], "sentence", "the day its sentence tells"
        elif earlier:
            when, day_from, where = earlier[-1][1], "earlier", "the date told earlier in the article"
        else:
            continue
        mention.when = When(when.date, when.precision, f"no time of its own: {where}")
        mention.day_from = day_from
        mention.notes = [n for n in mention.notes if "publication date" not in n] + [mention.when.note]
    for mention in mentions:
        if mention.place.known or not mention.place.location:
            continue
        near = [m.place for m in mentions if m.sentence == mention.sentence and m.place.known and m.place.latitude]
        if near:
            unknown = mention.place.location
            mention.place = replace(near[0], geo_precision=max(near[0].geo_precision or 2, 2))
            mention.notes.append(f"place not in the gazetteer: {unknown}; near {mention.place.location}, named in the same sentence")
    _give_tolls(mentions, article, sentences)
    for mention in mentions:
        told = [m.place for m in mentions if m.start < mention.start and m.place.latitude is not None and not m.aggregate]
        if not mention.place.known and told:
            mention.context_place = replace(told[-1], geo_precision=max(told[-1].geo_precision or 2, 2))


def _give_tolls(mentions: list[Mention], article: Article, sentences: list[Sentence]) -> None:
    """The toll of each sentence with no mention of its own, to the latest mention before it (``_fill_from_context``)."""
    for sentence in sentences:
        if any(sentence.start <= m.start < sentence.end for m in mentions):
            continue
        before = [m for m in mentions if m.start < sentence.start]
        text = fold(article.text[sentence.start : sentence.end])
        if not before or before[-1].aggregate or _HISTORY.search(text) or _TOLL_OVER_TIME.search(text):
            continue
        toll = toll_told(article.text[sentence.start : sentence.end])
        if toll.fatalities or toll.injuries:
            mention = before[-1]
            mention.toll = Toll(mention.toll.fatalities + toll.fatalities, mention.toll.injuries + toll.injuries)
            figures = ", ".join(map(str, toll.fatalities + toll.injuries))
            mention.notes.append(f"{'fatalities' if toll.fatalities else 'injuries'} {figures} from a later sentence on the victims")


def _link_answers(mentions: list[Mention]) -> None:
    """A retaliation answers the first attack named after it in its sentence (``ردت … على استهداف طال قاعدة``)."""
    for mention in mentions:
        if mention.type != "retaliation":
            continue
        answered = next((m for m in mentions if m.type == "attack" and m.sentence == mention.sentence
                         and m.start > mention.start), None)
        if answered is not None:
            mention.answers = answered.key
