"""ATTACKER and TARGET spans to canonical actors (``configs/actors.yaml``), matched with rapidfuzz.

Both sides are folded (``incidents.arabic``) and every word loses its clitics; the score is
``rapidfuzz.fuzz.token_set_ratio``, so an alias whose words all appear in the span scores 100
(``طائرات التحالف الدولي`` is the coalition) and spelling variants score just under
(``المليشيات``/``الميليشيات``); an alias longer than the span does not count. Below ``CUTOFF`` the actor stays as its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from incidents.arabic import folded_words, strip_clitics

CONFIG = Path(__file__).resolve().parent.parent / "configs" / "actors.yaml"
CUTOFF = 88


@dataclass(frozen=True)
class Actor:
    name: str  # canonical name, or the span's text when unknown
    side: str | None = None  # None: not in the table

    @property
    def known(self) -> bool:
        return self.side is not None


def _key(text: str) -> str:
    return " ".join(strip_clitics(w) for w in folded_words(text))


class ActorTable:
    def __init__(self, actors: list[dict]):
        self.aliases: list[str] = []
        self.owners: list[Actor] = []
        for actor in actors:
            for alias in actor["aliases"]:
                self.aliases.append(_key(alias))
                self.owners.append(Actor(actor["name"], actor["side"]))

    def match(self, text: str) -> Actor:
        """The canonical actor ``text`` names; the longest alias wins among equal scores."""
        key = _key(text)
        hits = process.extract(key, self.aliases, scorer=fuzz.token_set_ratio, score_cutoff=CUTOFF, limit=None)
        # the alias must fit in the span: "الجيش" alone is not "الجيش السوري الحر"
        hits = [hit for hit in hits if len(hit[0].split()) <= len(key.split())]
        if not hits:
            return Actor(text)
        _, _, index = max(hits, key=lambda hit: (hit[1], len(hit[0])))
        return self.owners[index]


@lru_cache(maxsize=1)
def default_actors() -> ActorTable:
    return ActorTable(yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["actors"])
