"""Where a span becomes a word-level BIO tag, and where tags become spans again.

Tags are IOB2 over the tokens of one sentence (``model.text_units.tokenize``):
the first token of a span gets ``B-LABEL``, every later token of it, words and
inner punctuation alike, ``I-LABEL``.

Decoding repairs invalid sequences the way seqeval's default (lenient) mode
reads them: an ``I-X`` that does not continue an ``X`` span opens a new ``X``
span, so a label is never lost for a missing ``B``. Punctuation tokens at the
edges of a decoded span are trimmed, so every decoded span is word-aligned.
"""

from __future__ import annotations

from collections.abc import Sequence

from model.document import Span
from model.text_units import Token


class AlignmentError(ValueError):
    """A span does not start and end on token boundaries."""


def spans_to_tags(tokens: Sequence[Token], spans: Sequence[Span]) -> list[str]:
    """IOB2 tags for ``tokens``; each span must cover whole tokens."""
    tags = ["O"] * len(tokens)
    starts = {t.start: i for i, t in enumerate(tokens)}
    ends = {t.end: i for i, t in enumerate(tokens)}
    for span in spans:
        first, last = starts.get(span.start), ends.get(span.end)
        if first is None or last is None or last < first:
            raise AlignmentError(f"span {span.start}-{span.end} {span.label} is not token-aligned")
        tags[first] = f"B-{span.label}"
        for i in range(first + 1, last + 1):
            tags[i] = f"I-{span.label}"
    return tags


def tags_to_spans(
    tokens: Sequence[Token],
    tags: Sequence[str],
    scores: Sequence[float] | None = None,
) -> list[Span]:
    """Spans for IOB2 ``tags`` over ``tokens``, repairing stray ``I-`` tags.

    With ``scores`` (one probability per token), a span's score is the mean of
    its tokens' scores.
    """
    if len(tags) != len(tokens):
        raise ValueError(f"{len(tags)} tags for {len(tokens)} tokens")
    runs: list[tuple[str, int, int]] = []  # (label, first token, last token)
    for i, tag in enumerate(tags):
        prefix, _, label = tag.partition("-")
        continues = prefix == "I" and runs and runs[-1][0] == label and runs[-1][2] == i - 1
        if continues:
            runs[-1] = (label, runs[-1][1], i)
        elif prefix in ("B", "I"):
            runs.append((label, i, i))
    spans = []
    for label, first, last in runs:
        while first <= last and tokens[first].is_punct:
            first += 1
        while last >= first and tokens[last].is_punct:
            last -= 1
        if first > last:
            continue
        score = None
        if scores is not None:
            score = float(sum(scores[first : last + 1]) / (last - first + 1))
        spans.append(Span(tokens[first].start, tokens[last].end, label, score))
    return spans
