"""Sentences and words, as the guidelines define them."""

from model.text_units import is_word_aligned, split_sentences, tokenize


def test_sentences_end_at_newline_and_terminators():
    text = "قصفت الطائرات الموقع. هل ردت القوات؟ نعم!\nسطر جديد"
    pieces = [text[s.start : s.end] for s in split_sentences(text)]
    assert pieces == ["قصفت الطائرات الموقع.", "هل ردت القوات؟", "نعم!", "سطر جديد"]


def test_sentence_offsets_exclude_surrounding_whitespace():
    text = "  أولى.   ثانية  \n\n ثالثة "
    assert [(s.start, s.end) for s in split_sentences(text)] == [(2, 7), (10, 15), (20, 25)]


def test_run_of_terminators_stays_with_its_sentence():
    text = "ماذا حدث؟!... لا شيء."
    assert [text[s.start : s.end] for s in split_sentences(text)] == ["ماذا حدث؟!...", "لا شيء."]


def test_decimal_point_is_not_a_sentence_end():
    text = "ألقيت قنابل ZAB-2.5S/M على الحي."
    assert len(split_sentences(text)) == 1


def test_seed_004_has_thirteen_sentences(seed_004):
    assert len(seed_004.sentences) == 13
    first = seed_004.sentences[0]
    assert seed_004.text[first.start : first.end].startswith("ردت قوات التحالف الدولي")
    assert seed_004.text[first.end - 1] == "."


def test_words_keep_their_proclitics_and_punctuation_is_a_token():
    text = "بريف “دير الزور”، 2كانون"
    tokens = [(text[t.start : t.end], t.is_punct) for t in tokenize(text)]
    assert tokens == [
        ("بريف", False), ("“", True), ("دير", False), ("الزور", False),
        ("”", True), ("،", True), ("2كانون", False),
    ]


def test_word_alignment():
    text = "استهدفت ثمانية صواريخ"
    assert is_word_aligned(text, 8, 21)  # ثمانية صواريخ
    assert not is_word_aligned(text, 9, 21)  # cuts ثمانية
    assert not is_word_aligned(text, 7, 21)  # starts on a space


def test_invisible_marks_at_a_words_edges_are_not_part_of_it():
    text = "قصف \u200fقاعدة \u200fالتحالف\u200f و\u200dجوار \u200f"  # right-to-left marks; a joiner inside a word
    assert [(t.start, t.end) for t in tokenize(text)] == [(0, 3), (5, 10), (12, 19), (21, 27)]
    assert text[21:27] == "و\u200dجوار"


def test_a_span_starts_and_ends_where_words_do_so_never_on_an_invisible_mark():
    text = "قصف \u200fقاعدة \u200fالتحالف\u200f و\u200dجوار \u200f"
    assert is_word_aligned(text, 5, 19)  # قاعدة ‏التحالف, as the model returns it
    assert not is_word_aligned(text, 4, 19)  # the mark before قاعدة
    assert not is_word_aligned(text, 23, 27)  # after the joiner, inside و‍جوار
    assert not is_word_aligned(text, 28, 29)  # the last mark alone
