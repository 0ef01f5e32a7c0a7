"""Trivial baselines the model must beat: a keyword rule for sentences, most-frequent-tag for spans."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from model.bio import spans_to_tags, tags_to_spans
from model.document import Document
from training.metrics import DocumentPrediction, prediction_from_spans

#: The guidelines' typical triggers, by stem (with optional proclitics).
ATTACK_KEYWORDS = re.compile(r"(?<!\w)[وفبل]?(?:ال)?(?:استهدف|قصف|هجوم|هجمات|هجمة|ضربات|ضربة|غارة|غارات|أطلق|هاجم)\w*")
RETALIATION_KEYWORDS = re.compile(r"(?<!\w)[وفبل]?(?:ال)?(?:رد|ردت|رداً|ردًا|ردا)(?!\w)")


class KeywordSentenceBaseline:
    """A sentence reports an attack when it contains a typical trigger word; likewise retaliation."""

    def predict(self, document: Document) -> list[set[str]]:
        types = []
        for sentence in document.sentences:
            text = document.text[sentence.start : sentence.end]
            found = set()
            if ATTACK_KEYWORDS.search(text):
                found.add("attack")
            if RETALIATION_KEYWORDS.search(text):
                found.add("retaliation")
            types.append(found)
        return types


class MostFrequentTagBaseline:
    """Each word gets the tag it carried most often in training (O for unseen words)."""

    def __init__(self) -> None:
        self.tag_of: dict[str, str] = {}

    def fit(self, documents: Sequence[Document]) -> MostFrequentTagBaseline:
        counts: dict[str, Counter] = defaultdict(Counter)
        for document in documents:
            for sentence in document.sentences:
                tokens = document.tokens(sentence)
                for token, tag in zip(tokens, spans_to_tags(tokens, document.spans_in(sentence))):
                    counts[document.text[token.start : token.end]][tag] += 1
        self.tag_of = {word: c.most_common(1)[0][0] for word, c in counts.items()}
        return self

    def predict_spans(self, document: Document):
        spans = []
        for sentence in document.sentences:
            tokens = document.tokens(sentence)
            tags = [self.tag_of.get(document.text[t.start : t.end], "O") for t in tokens]
            spans += tags_to_spans(tokens, tags)
        return spans


def baseline_predictions(train: Sequence[Document], test: Sequence[Document]) -> list[DocumentPrediction]:
    spans = MostFrequentTagBaseline().fit(train)
    keywords = KeywordSentenceBaseline()
    return [prediction_from_spans(d, spans.predict_spans(d), keywords.predict(d)) for d in test]
