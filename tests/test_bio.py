"""Character spans to word-level IOB2 tags and back."""

import pytest

from model.bio import AlignmentError, spans_to_tags, tags_to_spans
from model.document import Span
from model.text_units import tokenize

TEXT = "ردت مدفعية التحالف الدولي باستهداف مواقع سيطرة النظام"


def test_spans_become_iob2_tags():
    tokens = tokenize(TEXT)
    spans = [Span(0, 3, "RETALIATION"), Span(4, 25, "ATTACKER")]
    assert spans_to_tags(tokens, spans) == [
        "B-RETALIATION", "B-ATTACKER", "I-ATTACKER", "I-ATTACKER", "O", "O", "O", "O",
    ]


def test_a_span_that_cuts_a_word_cannot_be_tagged():
    with pytest.raises(AlignmentError):
        spans_to_tags(tokenize(TEXT), [Span(1, 3, "RETALIATION")])


def test_round_trip_is_exact_on_every_corpus_sentence(corpus):
    for document in corpus:
        for sentence in document.sentences:
            tokens = document.tokens(sentence)
            gold = document.spans_in(sentence)
            assert tags_to_spans(tokens, spans_to_tags(tokens, gold)) == gold, document.id


def test_stray_inside_tag_opens_a_span():
    tokens = tokenize(TEXT)
    tags = ["O", "I-ATTACKER", "I-ATTACKER", "I-ATTACKER", "O", "O", "O", "O"]
    assert tags_to_spans(tokens, tags) == [Span(4, 25, "ATTACKER")]


def test_label_change_inside_a_run_splits_the_span():
    tokens = tokenize(TEXT)
    tags = ["O", "B-ATTACKER", "I-ATTACKER", "I-TARGET", "O", "O", "O", "O"]
    assert tags_to_spans(tokens, tags) == [Span(4, 18, "ATTACKER"), Span(19, 25, "TARGET")]


def test_punctuation_at_a_decoded_edge_is_trimmed():
    text = "أطلقت “المقاومة الإسلامية” صواريخ"
    tokens = tokenize(text)
    tags = ["O", "B-ATTACKER", "I-ATTACKER", "I-ATTACKER", "I-ATTACKER", "O"]
    assert tags_to_spans(tokens, tags) == [Span(7, 25, "ATTACKER")]
    assert text[7:25] == "المقاومة الإسلامية"


def test_span_score_is_the_mean_of_its_token_scores():
    tokens = tokenize(TEXT)
    tags = ["B-RETALIATION", "B-ATTACKER", "I-ATTACKER", "O", "O", "O", "O", "O"]
    spans = tags_to_spans(tokens, tags, scores=[0.9, 0.6, 0.8, 1, 1, 1, 1, 1])
    assert [round(s.score, 6) for s in spans] == [0.9, 0.7]
