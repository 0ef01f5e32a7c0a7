"""Viterbi decoding under IOB2 constraints."""

import numpy as np
import pytest

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


def test_a_word_inside_a_piece_continues_the_span_of_the_word_before():
    from model.decoding import decode_words

    # "11" ":" "00": only "11" has a sub-token; the rows of ":" and "00" are ignored, even a confident B-WEAPON
    lp = log_probs({"B-TIME": 0.9}, {"I-TIME": 0.8}, {"B-WEAPON": 0.9}, {"B-WEAPON": 0.9}, {"I-TIME": 0.9})
    assert tags(decode_words(lp, [False, False, True, True, False])) == ["B-TIME", "I-TIME", "I-TIME", "I-TIME", "I-TIME"]


def test_a_word_inside_a_piece_outside_any_span_stays_outside():
    from model.decoding import decode_words

    lp = log_probs({"O": 0.9}, {"B-TIME": 0.9}, {"O": 0.9})
    assert tags(decode_words(lp, [False, True, False])) == ["O", "O", "O"]


def window_probs(rows: list[dict[str, float]]) -> np.ndarray:
    """Tag probabilities of one window, one row per position ([CLS] and [SEP] included)."""
    matrix = np.full((len(rows), len(BIO_TAGS)), 1e-6)
    for r, row in enumerate(rows):
        for tag, p in row.items():
            matrix[r, I[tag]] = p
    return matrix


def test_a_clock_time_read_as_one_piece_stays_one_span():
    from model.encoding import encode_sentence
    from model.predictor import decode_spans
    from model.text_units import tokenize
    from tests.test_encoding import CLOCK, CLOCK_PIECES, FakeTokenizer

    words = tokenize(CLOCK)
    encoded = encode_sentence(list(range(10)), CLOCK_PIECES, words, 0, FakeTokenizer(), max_length=128, stride=32)
    O, B, In = {"O": 0.9}, {"B-TIME": 0.9}, {"I-TIME": 0.9}
    # [CLS] وقع الان ف جار في الساعة 11:00 صباح اليوم . [SEP]
    probs = window_probs([O, O, O, O, O, O, B, {"I-TIME": 0.6}, In, In, O, O])
    spans = decode_spans(words, encoded, [probs])
    assert [(s.start, s.end, s.label, CLOCK[s.start : s.end]) for s in spans] == [(16, 39, "TIME", "الساعة 11:00 صباح اليوم")]
    # الساعة 0.9, then 11 : 00 each 0.6 (the piece's I-TIME), صباح 0.9, اليوم 0.9; no made-up 1.0
    assert spans[0].score == pytest.approx((0.9 + 3 * 0.6 + 0.9 + 0.9) / 6)


def test_two_clock_times_joined_by_wa_stay_one_span():
    from model.encoding import encode_sentence
    from model.predictor import decode_spans
    from model.text_units import tokenize
    from tests.test_encoding import TWO_TIMES, TWO_TIMES_PIECES, FakeTokenizer

    words = tokenize(TWO_TIMES)
    encoded = encode_sentence(list(range(8)), TWO_TIMES_PIECES, words, 0, FakeTokenizer(), max_length=128, stride=32)
    In = {"I-TIME": 0.9}
    # [CLS] الساعة 14 :07 و 14 :11 من يوم [SEP]; the "14" after "و" is not a word's first piece
    probs = window_probs([{"O": 0.9}, {"B-TIME": 0.9}, In, In, In, {"O": 0.9}, In, In, In, {"O": 0.9}])
    spans = decode_spans(words, encoded, [probs])
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 26, "TIME")]
    assert TWO_TIMES[spans[0].start : spans[0].end] == "الساعة 14:07 و14:11 من يوم"
