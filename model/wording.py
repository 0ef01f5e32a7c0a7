"""Counts in the messages people read: "1 document", "2 documents", never "1 documents"."""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with any lone surrogate (from a ``"\\ud800"`` escape in a user's file) written as its
    escape, so that a message quoting a user's id can always be printed as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun`` in the number ``n`` takes; ``plural`` for a noun whose plural is not noun + "s"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
