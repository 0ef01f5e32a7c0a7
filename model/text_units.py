"""Sentences and words of an article, as character ranges of the original text.

This is where the guidelines' notion of a word boundary and of a sentence end is
defined; spans, BIO tags, the validator and the model all use these two
functions, so they cannot disagree.

* A *separator* is whitespace, a Unicode punctuation character (category P*) or
  a control character. A *word* is a maximal run of non-separators, so a word
  carries its proclitics (``بريف``) and a number glued to a word (``2كانون``)
  is one word. Each punctuation character is a token of its own: it can sit
  inside a span (a quote mark) but never at its edge.
* Invisible format characters (Unicode category Cf: the right-to-left and
  left-to-right marks, zero-width joiners, the byte-order mark) at a word's
  edges are not part of it, so no span starts or ends on one; inside a word
  they stay. Tokenizers drop them, so the word then starts where its first
  sub-token does.
* A sentence ends at a newline or after a run of ``. ! ؟ ?``. A ``.`` between
  two digits (``2.5``) is a decimal point, not a sentence end.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

SENTENCE_TERMINATORS = frozenset(".!؟?")


@dataclass(frozen=True, slots=True)
class Token:
    """A word or a punctuation mark: ``text[start:end]``."""

    start: int
    end: int
    is_punct: bool


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of an article: ``text[start:end]``, without surrounding whitespace."""

    index: int
    start: int
    end: int


def is_punct(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def is_format(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


def is_separator(char: str) -> bool:
    return char.isspace() or is_punct(char) or unicodedata.category(char) == "Cc"


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Words and punctuation marks of ``text[start:end]``, offsets into ``text``."""
    end = len(text) if end is None else end
    tokens: list[Token] = []
    i = start
    while i < end:
        char = text[i]
        if char.isspace() or unicodedata.category(char) == "Cc":
            i += 1
        elif is_punct(char):
            tokens.append(Token(i, i + 1, True))
            i += 1
        else:
            j = i + 1
            while j < end and not is_separator(text[j]):
                j += 1
            first, last = i, j
            while first < last and is_format(text[first]):
                first += 1
            while last > first and is_format(text[last - 1]):
                last -= 1
            if first < last:  # a run of format characters alone is no word
                tokens.append(Token(first, last, False))
            i = j
    return tokens


def _is_decimal_point(text: str, i: int) -> bool:
    return (
        text[i] == "."
        and 0 < i < len(text) - 1
        and text[i - 1].isdigit()
        and text[i + 1].isdigit()
    )


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences; every non-whitespace character is in exactly one."""
    sentences: list[Sentence] = []

    def close(start: int, end: int) -> None:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            sentences.append(Sentence(len(sentences), start, end))

    start = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\n":
            close(start, i)
            start = i + 1
        elif char in SENTENCE_TERMINATORS and not _is_decimal_point(text, i):
            while i + 1 < len(text) and text[i + 1] in SENTENCE_TERMINATORS:
                i += 1
            close(start, i + 1)
            start = i + 1
        i += 1
    close(start, len(text))
    return sentences


def is_word_aligned(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` starts where a word of ``tokenize`` starts and ends where one ends."""
    if not 0 <= start < end <= len(text):
        return False
    left, right = start, end
    while left > 0 and not is_separator(text[left - 1]):
        left -= 1
    while right < len(text) and not is_separator(text[right]):
        right += 1
    words = [t for t in tokenize(text, left, right) if not t.is_punct]
    return any(t.start == start for t in words) and any(t.end == end for t in words)
