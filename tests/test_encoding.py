"""Model inputs: each word labelled on its first sub-token; long sentences in overlapping windows."""

from model.encoding import encode_sentence, first_subtokens
from model.text_units import tokenize


class FakeTokenizer:
    cls_token_id, sep_token_id, bos_token_id, eos_token_id = 101, 102, None, None


def test_first_subtoken_of_each_word():
    text = "قصفت الطائرات"
    words = tokenize(text)
    # "قصف" "ت" "الطائر" "ات" as a sub-word tokenizer would split them
    offsets = [(0, 3), (3, 4), (5, 11), (11, 13)]
    assert first_subtokens(offsets, words, base=0) == [0, -1, 1, -1]


def test_a_bare_word_start_marker_is_not_the_labelled_subtoken():
    text = "إن طائرات"
    words = tokenize(text)
    # XLM-R pieces: "▁إن", "▁" (offsets of the next letter), "طائرات"
    assert first_subtokens([(0, 2), (3, 4), (3, 9)], words, base=0) == [0, -1, 1]


def test_offsets_are_relative_to_the_sentence():
    text = "مقدمة. قصفت الطائرات"
    words = tokenize(text, 7, len(text))
    assert first_subtokens([(0, 4), (5, 13)], words, base=7) == [0, 1]


def test_long_sentence_is_windowed_and_every_word_read_once():
    words = tokenize(" ".join(["كلمة"] * 30))
    offsets = [(w.start, w.end) for w in words]
    encoded = encode_sentence(list(range(30)), offsets, words, 0, FakeTokenizer(), max_length=12, stride=4)
    assert len(encoded.windows) == 5  # 10 positions each, starting at 0, 6, 12, 18, 24
    assert all(len(w.input_ids) <= 12 for w in encoded.windows)
    assert all(r is not None for r in encoded.reader)
    # word 8 is at position 9 of window 0 (margin 2) and position 3 of window 1 (margin 3): window 1 wins
    assert encoded.reader[8] == (1, 3)
    for word, (window, position) in enumerate(encoded.reader):
        assert encoded.windows[window].word_at[position] == word


# Offsets of the bundled multilingual-e5 tokenizer (XLM-R pieces), measured with
# AutoTokenizer.from_pretrained(<converted bundled backbone>)(text, return_offsets_mapping=True).
CLOCK = "وقع الانفجار في الساعة 11:00 صباح اليوم."
CLOCK_PIECES = [(0, 3), (4, 8), (8, 9), (9, 12), (13, 15), (16, 22), (23, 28), (29, 33), (34, 39), (39, 40)]
#                وقع    الان    ف       جار     في        الساعة    11:00     صباح      اليوم     .
TWO_TIMES = "الساعة 14:07 و14:11 من يوم"
TWO_TIMES_PIECES = [(0, 6), (7, 9), (9, 12), (13, 14), (14, 16), (16, 19), (20, 22), (23, 26)]
#                    الساعة  14      :07      و         14        :11       من        يوم


def test_words_inside_one_piece_are_read_from_it_and_continue_the_first():
    words = tokenize(CLOCK)  # وقع الانفجار في الساعة(3) 11(4) :(5) 00(6) صباح(7) اليوم(8) .(9)
    encoded = encode_sentence(list(range(10)), CLOCK_PIECES, words, 0, FakeTokenizer(), max_length=128, stride=32)
    # position 7 is the piece "▁11:00" (position 0 is the [CLS] token)
    assert [encoded.reader[w] for w in (3, 4, 5, 6, 7)] == [(0, 6), (0, 7), (0, 7), (0, 7), (0, 8)]
    assert [w for w, flag in enumerate(encoded.continues) if flag] == [5, 6]
    assert encoded.windows[0].word_at[7] == 4  # the piece is labelled with the tag of "11" in training


def test_a_piece_that_starts_with_punctuation_is_read_by_the_word_after_it():
    words = tokenize(TWO_TIMES)  # الساعة 14 : 07 و14 : 11 من يوم
    encoded = encode_sentence(list(range(8)), TWO_TIMES_PIECES, words, 0, FakeTokenizer(), max_length=128, stride=32)
    # ":07" is the first sub-token of ":" and covers "07"; ":11" likewise covers "11"
    assert encoded.reader == [(0, 1), (0, 2), (0, 3), (0, 3), (0, 4), (0, 6), (0, 6), (0, 7), (0, 8)]
    assert [w for w, flag in enumerate(encoded.continues) if flag] == [3, 6]
