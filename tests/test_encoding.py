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
