"""Counts in Arabic text: digits, Arabic-Indic digits, number words, vague quantities.

The number words come from ``num2words``' Arabic output (1-999), folded, with the
case and gender variants news text uses: the oblique ``-ين`` of the tens and of
``اثنان``, ``-ي`` for ``-ا`` endings, and the feminine counted form without ``ة``
(``ثلاث``). Vague quantities are coded as ACLED codes them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from num2words import num2words

from incidents.arabic import fold, strip_clitics, without_clitics

# ACLED: "several" and an unspecified plural are coded as 3 ... "dozens" as 12, "hundreds" as 100.
VAGUE = {"عده": 3, "عدد": 3, "بضعه": 3, "بضع": 3, "عشرات": 12, "مئات": 100, "ميات": 100}

_DIGITS = re.compile(r"\d+")


def _variants(words: str) -> set[str]:
    folded = fold(words)
    out = {folded}
    out |= {re.sub(r"ون\b", "ين", v) for v in list(out)}
    out |= {re.sub(r"\bاثنان\b", "اثنين", v) for v in list(out)}
    out |= {re.sub(r"\bاثنا\b", "اثني", v) for v in list(out)}
    out |= {re.sub(r"ه\b", "", v) for v in list(out) if not v.startswith("مائه")}
    out |= {v.replace("مائه", "مئه").replace("مائتان", "مئتان") for v in list(out)}
    return {" ".join(v.replace(" و ", " و").split()) for v in out}


@lru_cache(maxsize=1)
def number_words() -> dict[str, int]:
    """Folded Arabic number phrase -> value, for 1..999, built from num2words."""
    table: dict[str, int] = {}
    for value in range(999, 0, -1):  # smaller values win on a shared spelling
        for variant in _variants(num2words(value, lang="ar")):
            table[variant] = value
    return table


def _phrase_at(words: list[str], start: int, table: dict[str, int]) -> tuple[int, int] | None:
    """(length in words, value) of the longest number-word phrase opening at ``words[start]``, if any."""
    for length in range(min(6, len(words) - start), 0, -1):
        rest = words[start + 1 : start + length]
        for first in without_clitics(words[start]):  # a clitic only ever opens the phrase
            phrase = " ".join([first, *rest])
            if phrase in table:
                return length, table[phrase]
    return None


def parse_count(text: str) -> int | None:
    """The first count in ``text``: digits, the longest number-word phrase, or a vague quantity.

    ``مقتل ٣ امريكيين`` -> 3, ``خمسة عشر`` -> 15, ``تسعة وخمسين`` -> 59, ``عشرات`` -> 12.
    """
    folded = fold(text)
    digits = _DIGITS.search(folded)
    words = folded.split()
    table = number_words()
    best = next(((start, phrase[1]) for start in range(len(words)) for phrase in [_phrase_at(words, start, table)] if phrase), None)
    if digits and (best is None or folded.index(digits.group()) <= _word_offset(folded, best[0])):
        return int(digits.group())
    if best:
        return best[1]
    for word in words:
        if strip_clitics(word) in VAGUE:
            return VAGUE[strip_clitics(word)]
    return None


#: a folded word that is a number in digits, a clitic before it allowed: 29; و35; الـ 50 (folded: ال 50, or ال50); لـ23
COUNT_WORD = re.compile(r"^[وف]?(?:ال|[بلك])?(\d+)$")


def counts(text: str) -> list[tuple[int, int]]:
    """Every count of ``text`` as (word index, value), in order: a word of digits (a clitic before it
    allowed) or the longest number-word phrase. Vague quantities are not counted here.

    ``تراوحت ما بين 29 إلى 35 وتجاوزت الـ 50`` -> [(3, 29), (5, 35), (8, 50)].
    """
    words = fold(text).split()
    table = number_words()
    found: list[tuple[int, int]] = []
    start = 0
    while start < len(words):
        digits = COUNT_WORD.match(words[start])
        phrase = None if digits else _phrase_at(words, start, table)
        if digits:
            found.append((start, int(digits.group(1))))
        elif phrase:
            found.append((start, phrase[1]))
        start += phrase[0] if phrase else 1
    return found


def _word_offset(folded: str, index: int) -> int:
    """Character offset of the ``index``-th word of ``folded``."""
    offset = 0
    for number, word in enumerate(folded.split()):
        if number == index:
            return offset
        offset += len(word) + 1
    return offset
