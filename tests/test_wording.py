"""Counts in messages take the noun's number: "1 document", never "1 documents"."""

from model.wording import counted


def test_one_is_singular_and_every_other_count_plural():
    assert [counted(n, "document") for n in (0, 1, 2)] == ["0 documents", "1 document", "2 documents"]


def test_a_noun_without_an_s_plural_gives_its_own():
    assert [counted(n, "entry", "entries") for n in (1, 3)] == ["1 entry", "3 entries"]
