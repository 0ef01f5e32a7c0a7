"""Invisible marks in a text (right-to-left marks, as some sites put before every word) change
only the offsets of what the model returns: the same spans, none starting or ending on a mark."""

RLM = "\u200f"


def test_a_mark_before_every_word_gives_the_same_spans_without_the_marks(tiny_extractor, seed_004):
    marked = " ".join(RLM + word for word in seed_004.text.split(" "))
    plain, with_marks = tiny_extractor.extract(seed_004.text), tiny_extractor.extract(marked)
    assert with_marks["spans"]  # the comparison covers spans, not an empty result
    assert [(s["label"], s["text"].replace(RLM, "")) for s in with_marks["spans"]] == [(s["label"], s["text"]) for s in plain["spans"]]
    for span in with_marks["spans"]:
        assert marked[span["start"] : span["end"]] == span["text"]
        assert RLM not in (span["text"][0], span["text"][-1])
