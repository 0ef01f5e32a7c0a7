"""WEAPON spans and triggers to a weapon category and ACLED's sub_event_type (``configs/weapons.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from incidents.arabic import fold

CONFIG = Path(__file__).resolve().parent.parent / "configs" / "weapons.yaml"


@dataclass(frozen=True)
class WeaponTable:
    categories: list[dict]
    default_sub_event_type: str

    def category(self, *texts: str) -> str | None:
        """The first category (in the config's order) any of ``texts`` names, or None."""
        folded = " ".join(fold(t) for t in texts if t)
        for category in self.categories:
            if any(fold(stem) in folded for stem in category["stems"]):
                return category["name"]
        return None

    def sub_event_type(self, category: str | None) -> str:
        for entry in self.categories:
            if entry["name"] == category:
                return entry["sub_event_type"]
        return self.default_sub_event_type


@lru_cache(maxsize=1)
def default_weapons() -> WeaponTable:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return WeaponTable(config["categories"], config["default_sub_event_type"])
