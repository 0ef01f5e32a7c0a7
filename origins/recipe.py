"""A recipe: the edit operations that turn a normalised origin file into one stand-off text.

A recipe holds offsets into its origin and at most a few inserted characters,
never copied text: ``edits`` is a list of ``[start, end]`` (copy
``origin[start:end]``) and short strings (insert them), applied in order. The
builder refuses a text that would need more inserted characters than
``MAX_INSERTION`` per insertion or ``MAX_INSERTED`` in all, so that a recipe
can never carry a sentence of its source.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.atomic import write_jsonl
from model.errors import UserError
from model.standoff import read_records, sha256_text

#: Most characters one insertion may hold (a space restored after a link, a ligature spelt out).
MAX_INSERTION = 3
#: Most inserted characters one recipe may hold in all.
MAX_INSERTED = 8

Edit = tuple[int, int] | str


@dataclass(frozen=True)
class Recipe:
    """How to derive the text ``id`` (whose sha256 is ``sha256``) from the origin ``file``."""

    id: str
    file: str
    sha256: str
    edits: tuple[Edit, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "file": self.file, "sha256": self.sha256,
                "edits": [list(e) if isinstance(e, tuple) else e for e in self.edits]}


def check_edits(text_id: str, edits: Iterable[object]) -> tuple[Edit, ...]:
    """The edits as tuples and strings, or a UserError when they are malformed or insert too much."""
    checked: list[Edit] = []
    for edit in edits:
        if isinstance(edit, str) and edit:
            checked.append(edit)
        elif (isinstance(edit, (list, tuple)) and len(edit) == 2 and all(type(x) is int for x in edit)
              and 0 <= edit[0] < edit[1]):
            checked.append((edit[0], edit[1]))
        else:
            raise UserError(f"recipe of '{text_id}': {edit!r} is neither [start, end] nor an inserted string")
    inserted = [e for e in checked if isinstance(e, str)]
    longest = max(map(len, inserted), default=0)
    if longest > MAX_INSERTION or sum(map(len, inserted)) > MAX_INSERTED:
        _refuse(text_id, f"would insert {sum(map(len, inserted))} characters (longest run {longest})")
    return tuple(checked)


def _refuse(text_id: str, why: str) -> None:
    raise UserError(
        f"recipe of '{text_id}' {why}; a recipe inserts at most {MAX_INSERTED} characters, "
        f"{MAX_INSERTION} at a time, and never copies text"
    )


def build_recipe(text_id: str, text: str, origin: str, file: str) -> Recipe:
    """The recipe deriving ``text`` from the normalised ``origin`` (named ``file``).

    A text found whole in the origin is one range. Otherwise the text is aligned
    with the origin in order (difflib's longest matching blocks): matched
    stretches become copied ranges, the characters between them insertions.
    Raises UserError when the text needs more inserted characters than a
    recipe may hold.
    """
    start = origin.find(text)
    if start >= 0:
        return Recipe(text_id, file, sha256_text(text), ((start, start + len(text)),))
    in_origin = set(origin)
    absent = sum(1 for char in text if char not in in_origin)
    if absent > MAX_INSERTED:  # refuse at once a text that is plainly not from this origin
        _refuse(text_id, f"would insert the {absent} characters of the text that {file} does not hold")
    edits: list[Edit] = []
    done = 0
    matcher = difflib.SequenceMatcher(None, origin, text, autojunk=False)
    for block in matcher.get_matching_blocks():
        if block.b > done:
            edits.append(text[done:block.b])
        if block.size:
            edits.append((block.a, block.a + block.size))
        done = block.b + block.size
    return Recipe(text_id, file, sha256_text(text), check_edits(text_id, edits))


def apply_recipe(recipe: Recipe, origin: str) -> str:
    """The text ``recipe`` derives from the normalised ``origin``."""
    if any(isinstance(e, tuple) and e[1] > len(origin) for e in recipe.edits):
        raise UserError(f"recipe of '{recipe.id}' copies past the end of {recipe.file} ({len(origin)} characters)")
    return "".join(origin[e[0]:e[1]] if isinstance(e, tuple) else e for e in recipe.edits)


def read_recipes(path: Path) -> dict[str, Recipe]:
    """id -> Recipe from a recipes JSONL file; every recipe's edits are checked."""
    recipes = {}
    for record in read_records(path):
        try:
            recipe = Recipe(record["id"], record["file"], record["sha256"], check_edits(record["id"], record["edits"]))
        except (KeyError, TypeError):
            raise UserError(f"{path}: a line is not a recipe {{id, file, sha256, edits}}: {str(record)[:80]}") from None
        recipes[recipe.id] = recipe
    return recipes


def write_recipes(path: Path, recipes: Iterable[Recipe]) -> None:
    write_jsonl(path, (r.to_json() for r in recipes))
