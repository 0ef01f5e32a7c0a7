"""The categories of trigger errors and their cue rules (``configs/error-categories.yaml``).

A category fires when one of its cues, a regular expression, matches the folded text of the
error's sentence (``sentence``), of the trigger with the ``window`` words either side of it
(``near_trigger``), or of the trigger with the ``window`` words before it (``before_trigger``).
Cues match at the start of a word, after any proclitics, so a cue is written once for ``هجوم``,
``والهجوم`` and ``للهجوم``. The file's comments say what each category means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from incidents.arabic import fold, fold_letters
from model.errors import UserError

DEFAULT_CATEGORIES = Path(__file__).resolve().parent.parent / "configs" / "error-categories.yaml"
#: the categories decided by the other side's triggers, before any cue, in this order
BOUNDARY, WRONG_TYPE = "boundary", "wrong type"
#: the category of an error no rule classifies
OTHER = "other"
#: a cue starts a word, after any of the conjunctions و ف, the prepositions ب ل ك and the article
_WORD_START = r"(?<!\w)(?:[وف])?(?:[بلك])?(?:ال|ل)?"
_SCOPES = ("sentence", "near_trigger", "before_trigger")


@dataclass(frozen=True)
class Category:
    name: str
    sentence: tuple[re.Pattern[str], ...]
    near_trigger: tuple[re.Pattern[str], ...]
    before_trigger: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class CategoryRules:
    """The cue categories in the order they are tried, and the width of the trigger's neighbourhood."""

    window: int
    categories: tuple[Category, ...]

    @property
    def names(self) -> list[str]:
        """Every category an error can get, in the order they are tried, ``other`` last."""
        return [BOUNDARY, WRONG_TYPE, *(c.name for c in self.categories), OTHER]

    def classify(self, sentence: str, trigger: tuple[int, int] | None) -> tuple[str, str | None]:
        """The first category with a cue in ``sentence`` or around ``trigger`` (offsets into ``sentence``), and the
        folded text its cue matched; ``other`` and None when no cue matches.

        Without a trigger (an event the sentence head predicted alone) the whole sentence is its neighbourhood.
        """
        whole = fold(sentence)
        texts = {
            "sentence": whole,
            "near_trigger": fold(neighbourhood(sentence, trigger, self.window, self.window)) if trigger else whole,
            "before_trigger": fold(neighbourhood(sentence, trigger, self.window, 0)) if trigger else whole,
        }
        for category in self.categories:
            for scope in _SCOPES:
                for cue in getattr(category, scope):
                    found = cue.search(texts[scope])
                    if found:
                        return category.name, found.group(0)
        return OTHER, None


def neighbourhood(sentence: str, trigger: tuple[int, int], before: int, after: int) -> str:
    """The words of ``sentence`` that the trigger touches, with ``before`` words before them and ``after`` after."""
    words = list(re.finditer(r"\S+", sentence))
    touched = [i for i, w in enumerate(words) if w.start() < trigger[1] and trigger[0] < w.end()]
    if not touched:
        return sentence[trigger[0] : trigger[1]]
    first, last = max(0, touched[0] - before), min(len(words) - 1, touched[-1] + after)
    return sentence[words[first].start() : words[last].end()]


def compile_cue(cue: str) -> re.Pattern[str]:
    """A cue as matched: folded like the text, anchored at a word start after any proclitics."""
    return re.compile(_WORD_START + "(?:" + fold_letters(cue) + ")")


def load_categories(path: Path = DEFAULT_CATEGORIES) -> CategoryRules:
    """The rules of a categories file; any problem is one ``UserError`` naming the file and the category."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such categories file") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict) or set(raw) != {"window", "categories"}:
        raise UserError(f"{path}: a categories file holds 'window' and 'categories', nothing else")
    window = raw["window"]
    if not isinstance(window, int) or isinstance(window, bool) or window < 0:
        raise UserError(f"{path}: 'window' is a number of words (0 or more), not {window!r}")
    if not isinstance(raw["categories"], list) or not raw["categories"]:
        raise UserError(f"{path}: 'categories' is a list of categories")
    categories = [_category(entry, f"{path}: category {number}") for number, entry in enumerate(raw["categories"], 1)]
    names = [c.name for c in categories]
    taken = {BOUNDARY, WRONG_TYPE, OTHER} | {n for i, n in enumerate(names) if n in names[:i]}
    clash = next((n for n in names if n in taken), None)
    if clash:
        raise UserError(f"{path}: category '{clash}' is named twice or is one of the fixed ones ({BOUNDARY}, {WRONG_TYPE}, {OTHER})")
    return CategoryRules(window, tuple(categories))


def _category(entry: Any, where: str) -> Category:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise UserError(f"{where}: a category is a mapping with a 'name'")
    where = f"{where} ('{entry['name']}')"
    unknown = sorted(set(entry) - {"name", *_SCOPES})
    if unknown:
        raise UserError(f"{where}: unknown key '{unknown[0]}' (a category has name, {', '.join(_SCOPES)})")
    cues: dict[str, tuple[re.Pattern[str], ...]] = {}
    for scope in _SCOPES:
        listed = entry.get(scope) or []
        if not isinstance(listed, list) or not all(isinstance(cue, str) and cue for cue in listed):
            raise UserError(f"{where}: '{scope}' is a list of cues (regular expressions)")
        cues[scope] = tuple(_compiled(cue, where) for cue in listed)
    if not any(cues.values()):
        raise UserError(f"{where}: no cues")
    return Category(entry["name"], **cues)


def _compiled(cue: str, where: str) -> re.Pattern[str]:
    try:
        return compile_cue(cue)
    except re.error as exc:
        raise UserError(f"{where}: cue '{cue}' is not a regular expression ({exc})") from None
