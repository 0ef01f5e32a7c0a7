"""Viterbi decoding under IOB2 constraints."""

import numpy as np

from model.decoding import viterbi
from model.labels import BIO_TAGS

I = {tag: i for i, tag in enumerate(BIO_TAGS)}


def log_probs(*rows: dict[str, float]) -> np.ndarray:
    matrix = np.full((len(rows), len(BIO_TAGS)), 1e-6)
    for r, row in enumerate(rows):
        for tag, p in row.items():
            matrix[r, I[tag]] = p
    return np.log(matrix)


def tags(path):
    return [BIO_TAGS[i] for i in path]


def test_a_span_keeps_one_label_where_argmax_would_switch():
    # سفينة إسرائيلية: argmax reads B-WEAPON I-TARGET, which is not a valid sequence
    lp = log_probs({"B-WEAPON": 0.6, "B-TARGET": 0.4}, {"I-TARGET": 0.55, "I-WEAPON": 0.45})
    assert tags(viterbi(lp)) == ["B-WEAPON", "I-WEAPON"]


def test_never_starts_with_inside():
    lp = log_probs({"I-TIME": 0.7, "B-TIME": 0.3})
    assert tags(viterbi(lp)) == ["B-TIME"]


def test_valid_argmax_is_kept():
    lp = log_probs({"B-ATTACK": 0.9}, {"O": 0.9}, {"B-TARGET": 0.8}, {"I-TARGET": 0.8})
    assert tags(viterbi(lp)) == ["B-ATTACK", "O", "B-TARGET", "I-TARGET"]


def test_empty_sentence():
    assert viterbi(np.zeros((0, len(BIO_TAGS)))) == []
