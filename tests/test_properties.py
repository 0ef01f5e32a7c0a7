"""Property-based tests of the span code (hypothesis): round trips and sentence coverage."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from model.bio import spans_to_tags, tags_to_spans
from model.document import Span
from model.labels import SPAN_LABELS
from model.text_units import is_word_aligned, split_sentences, tokenize

PIECES = ["قصف", "الطائرات", "ب", "وال", "دير", "الزور", "2", "١٥", "ZAB", "ـ", "ّ", "🚀", "“", "”", "،", ".", "؟", "!",
          " ", "  ", "\n", "\t", "(", ")", "-", "/", "\u200c", "\u00a0", "x"]
texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


@st.composite
def text_and_spans(draw):
    text = draw(texts)
    spans = []
    for sentence in split_sentences(text):
        words = [t for t in tokenize(text, sentence.start, sentence.end)]
        cursor = 0
        while cursor < len(words):
            start = draw(st.integers(cursor, len(words)))
            if start >= len(words) or words[start].is_punct:
                break
            end = draw(st.integers(start, len(words) - 1))
            while words[end].is_punct:
                end -= 1
            spans.append(Span(words[start].start, words[end].end, draw(st.sampled_from(SPAN_LABELS))))
            cursor = end + 1
    return text, spans


@settings(max_examples=300, deadline=None)
@given(text_and_spans())
def test_spans_round_trip_through_word_tags(case):
    text, spans = case
    for sentence in split_sentences(text):
        tokens = tokenize(text, sentence.start, sentence.end)
        inside = [s for s in spans if sentence.start <= s.start and s.end <= sentence.end]
        assert tags_to_spans(tokens, spans_to_tags(tokens, inside)) == inside
    assert all(is_word_aligned(text, s.start, s.end) for s in spans)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200) | texts)
def test_sentences_cover_every_visible_character_exactly_once(text):
    sentences = split_sentences(text)
    covered = [0] * len(text)
    for previous, sentence in zip(sentences, sentences[1:]):
        assert previous.end <= sentence.start
    for sentence in sentences:
        chunk = text[sentence.start : sentence.end]
        assert chunk and chunk == chunk.strip()
        for i in range(sentence.start, sentence.end):
            covered[i] += 1
    assert all(covered[i] == 1 or (covered[i] == 0 and text[i].isspace()) for i in range(len(text)))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | texts)
def test_tokens_are_ordered_and_never_hold_whitespace(text):
    tokens = tokenize(text)
    for previous, token in zip(tokens, tokens[1:]):
        assert previous.end <= token.start
    for token in tokens:
        assert not any(c.isspace() for c in text[token.start : token.end])
