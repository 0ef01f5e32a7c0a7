"""Sentences into model inputs: sub-tokens, windows, and which word each position labels.

Shared by training and inference so both see the same inputs. The tokenizer
runs on the original sentence text (with offsets), so no normalisation can move
a label: each word of ``model.text_units.tokenize`` is labelled on its first
sub-token, and a sentence longer than the model's window is cut into
overlapping windows, each word being read from the window where it sits
furthest from an edge.

One sub-token can cover several words: the e5 tokenizer reads ``11:00`` as the
single piece ``▁11:00`` where ``model.text_units.tokenize`` sees the three words
``11``, ``:``, ``00``. Only the first of them has a sub-token of its own. The
others are read from the piece that covers them and *continue* the first one:
they can neither start nor end a span inside a piece, so they take the tag
that continues the word before them (``I-X`` inside a span ``X``, ``O``
outside), in training as at inference (``model.decoding.decode_words``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from transformers import PreTrainedTokenizerBase

from model.text_units import Token


@dataclass(frozen=True, slots=True)
class Window:
    """One model input: ``input_ids`` with specials, and per position the word it labels (or -1)."""

    input_ids: list[int]
    word_at: list[int]


@dataclass(frozen=True, slots=True)
class EncodedSentence:
    windows: list[Window]
    #: for each word, (window index, position) to read its prediction from: its first sub-token,
    #: or the piece covering it when it has none of its own; None if no sub-token covers it at all
    reader: list[tuple[int, int] | None]
    #: for each word, whether it has no sub-token of its own and so continues the word before it
    continues: list[bool]


def special_ids(tokenizer: PreTrainedTokenizerBase) -> tuple[int, int]:
    first = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    last = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    return first, last


def first_subtokens(offsets: Sequence[tuple[int, int]], words: Sequence[Token], base: int) -> list[int]:
    """For each sub-token, the index of the word it starts, or -1 (continuation or no word).

    ``offsets`` are relative to the sentence text that begins at ``base`` in the article.
    """
    owner: dict[int, int] = {}
    for index, word in enumerate(words):
        for char in range(word.start - base, word.end - base):
            owner[char] = index
    starts, seen = [], set()
    for k, (start, end) in enumerate(offsets):
        # A bare word-start marker ("▁" before "طائرات") shares its character with the
        # next sub-token: label the sub-token that carries the word's letters instead.
        if k + 1 < len(offsets) and offsets[k + 1][0] < end:
            starts.append(-1)
            continue
        word = next((owner[c] for c in range(start, end) if c in owner), -1)
        if word >= 0 and word not in seen:
            seen.add(word)
            starts.append(word)
        else:
            starts.append(-1)
    return starts


def covering_subtokens(
    offsets: Sequence[tuple[int, int]], words: Sequence[Token], base: int, word_at: Sequence[int]
) -> list[int]:
    """For each word, the index of the sub-token it is read from, or -1 when no sub-token covers it.

    A word's own first sub-token (``word_at``, from ``first_subtokens``) if it has one;
    otherwise the sub-token covering its first character, which begins in an earlier word.
    """
    read_from = [-1] * len(words)
    for k, word in enumerate(word_at):
        if word >= 0:
            read_from[word] = k
    for index, word in enumerate(words):
        if read_from[index] < 0:
            first = word.start - base
            read_from[index] = next((k for k, (start, end) in enumerate(offsets) if start <= first < end), -1)
    return read_from


def encode_sentence(
    input_ids: Sequence[int],
    offsets: Sequence[tuple[int, int]],
    words: Sequence[Token],
    base: int,
    tokenizer: PreTrainedTokenizerBase,
    max_length: int,
    stride: int,
) -> EncodedSentence:
    """Windows of at most ``max_length`` positions (specials included), overlapping by ``stride``."""
    cls_id, sep_id = special_ids(tokenizer)
    word_at = first_subtokens(offsets, words, base)
    continues = [True] * len(words)
    for word in word_at:
        if word >= 0:
            continues[word] = False
    read_from = covering_subtokens(offsets, words, base, word_at)
    room = max_length - 2
    step = max(1, room - stride)
    starts = [0]
    while starts[-1] + room < len(input_ids):
        starts.append(starts[-1] + step)
    windows, reader, best = [], [None] * len(words), [-1] * len(words)
    for w, begin in enumerate(starts):
        end = min(begin + room, len(input_ids))
        ids = [cls_id, *input_ids[begin:end], sep_id]
        windows.append(Window(ids, [-1, *word_at[begin:end], -1]))
        for word, k in enumerate(read_from):
            if begin <= k < end:
                position = k - begin + 1
                margin = min(position, len(ids) - 1 - position)
                if margin > best[word]:
                    best[word], reader[word] = margin, (w, position)
    return EncodedSentence(windows, reader, continues)
