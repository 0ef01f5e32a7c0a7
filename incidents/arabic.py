"""Folding Arabic text for lookups: spelling variants, diacritics, clitics.

Folded strings are only ever keys for matching; nothing folded is returned to a user.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640]")  # harakat, dagger alef, tatweel
_NOT_WORD = re.compile(r"[^\w\s]")
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_INDIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def fold_letters(text: str) -> str:
    """``text`` without marks, with one alef, ya and ha and ASCII digits; punctuation kept (regular expressions fold too)."""
    return _MARKS.sub("", text).translate(_LETTERS).translate(_INDIC_DIGITS)


def fold(text: str) -> str:
    """Lower-information form for matching: no marks or punctuation, one alef, ya and ha, ASCII digits."""
    return " ".join(_NOT_WORD.sub(" ", fold_letters(text)).split()).lower()


def folded_words(text: str) -> list[str]:
    return fold(text).split()


def without_clitics(word: str) -> Iterator[str]:
    """The folded word, then the same word without a leading conjunction (و ف) and preposition (ب ل ك).

    ``لل`` is ``ل`` + ``ال`` with the alef dropped: ``للتحالف`` -> ``التحالف``. Stems shorter
    than three letters are not offered (``بر`` is not ``ب`` + ``ر``).
    """
    seen = {word}
    yield word
    stems = [word]
    if word[:1] in "وف" and len(word) > 3:
        stems.append(word[1:])
    for stem in list(stems):
        if stem.startswith("لل") and len(stem) > 3:
            stems.append("ال" + stem[2:])
        elif stem[:1] in "بلك" and len(stem) > 3:
            stems.append(stem[1:])
    for stem in stems:
        if stem not in seen:
            seen.add(stem)
            yield stem


def strip_clitics(word: str) -> str:
    """The shortest clitic-free form ``without_clitics`` offers."""
    return list(without_clitics(word))[-1]
