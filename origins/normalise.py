"""Normalisation steps applied to an origin file before a recipe's offsets refer to it.

Each step is named in the manifest (``normalise``) and must stay exactly as it
is: every recipe made over its output depends on it character for character.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from model.errors import UserError

#: Arabic diacritics (harakat, tanwin, shadda, sukun, maddah, hamza marks,
#: superscript alef, Quranic marks) and the tatweel, as removed from Farasa's WikiNews.
ARABIC_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
#: Whitespace other than the line break, including no-break spaces.
SPACES_WITHIN_LINE = re.compile(r"[^\S\n]+")


def wikinews(text: str) -> str:
    """Farasa's diacritised ``WikiNewsTruth.txt`` as the Wikinews texts were cut from it.

    Diacritics and tatweel removed; within each line runs of whitespace become
    one space and the line is trimmed; empty lines are dropped; the remaining
    lines are joined with ``\\n``.
    """
    lines = (SPACES_WITHIN_LINE.sub(" ", line).strip() for line in ARABIC_DIACRITICS.sub("", text).split("\n"))
    return "\n".join(line for line in lines if line)


NORMALISERS: dict[str, Callable[[str], str]] = {"wikinews": wikinews}


def normalised(data: bytes, step: str | None, name: str) -> str:
    """The origin file ``name`` (UTF-8 bytes) as the recipes' offsets see it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{name}: not UTF-8 ({exc})") from None
    if step is None:
        return text
    if step not in NORMALISERS:
        raise UserError(f"{name}: unknown normalisation '{step}' (known: {', '.join(NORMALISERS)})")
    return NORMALISERS[step](text)
