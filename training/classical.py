"""The classical baseline of the evaluation reports (scikit-learn).

* Sentences: TF-IDF over character n-grams (2-5, within word boundaries) and one
  logistic regression per event type.
* Spans: a logistic regression per word over features of the word and its
  neighbours (form, prefixes/suffixes with clitics, shape), decoded with the
  same IOB2 constraints as the model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from model.bio import spans_to_tags, tags_to_spans
from model.decoding import viterbi
from model.document import Document
from model.labels import BIO_TAGS, EVENT_TYPES
from model.text_units import Token
from training.metrics import DocumentPrediction, prediction_from_spans


def word_features(text: str, tokens: Sequence[Token], i: int) -> dict[str, float]:
    def form(k: int) -> str:
        return text[tokens[k].start : tokens[k].end] if 0 <= k < len(tokens) else ("<s>" if k < 0 else "</s>")

    word = form(i)
    features = {
        "w=" + word: 1.0, "p2=" + word[:2]: 1.0, "p3=" + word[:3]: 1.0, "s2=" + word[-2:]: 1.0, "s3=" + word[-3:]: 1.0,
        "w-1=" + form(i - 1): 1.0, "w+1=" + form(i + 1): 1.0, "w-2=" + form(i - 2): 1.0, "w+2=" + form(i + 2): 1.0,
        "punct": float(tokens[i].is_punct), "digit": float(any(c.isdigit() for c in word)), "bias": 1.0,
    }
    if word[:1] in "وفبل" and len(word) > 3:
        features["stem=" + word[1:]] = 1.0
    if word.startswith("ال") or word[1:3] == "ال":
        features["definite"] = 1.0
    return features


class ClassicalBaseline:
    def fit(self, documents: Sequence[Document]) -> ClassicalBaseline:
        sentences = [(d, s) for d in documents for s in d.sentences]
        texts = [d.text[s.start : s.end] for d, s in sentences]
        self.tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=1, sublinear_tf=True)
        features = self.tfidf.fit_transform(texts)
        self.sentence_models = {}
        for event_type in EVENT_TYPES:
            labels = np.array([event_type in d.event_types(s) for d, s in sentences], dtype=int)
            if labels.min() != labels.max():
                self.sentence_models[event_type] = LogisticRegression(max_iter=2000, class_weight="balanced").fit(features, labels)
        rows, tags = [], []
        for document, sentence in sentences:
            tokens = document.tokens(sentence)
            rows += [word_features(document.text, tokens, i) for i in range(len(tokens))]
            tags += spans_to_tags(tokens, document.spans_in(sentence))
        self.vectorizer = DictVectorizer()
        self.span_model = LogisticRegression(max_iter=3000, C=5.0).fit(self.vectorizer.fit_transform(rows), tags)
        return self

    def predict(self, document: Document) -> DocumentPrediction:
        texts = [document.text[s.start : s.end] for s in document.sentences]
        features = self.tfidf.transform(texts) if texts else None
        types: list[set[str]] = [set() for _ in texts]
        for event_type, model in self.sentence_models.items():
            for k, p in enumerate(model.predict_proba(features)[:, 1] if texts else []):
                if p >= 0.5:
                    types[k].add(event_type)
        spans = []
        columns = [BIO_TAGS.index(c) for c in self.span_model.classes_]
        for sentence in document.sentences:
            tokens = document.tokens(sentence)
            if not tokens:
                continue
            probs = self.span_model.predict_proba(
                self.vectorizer.transform([word_features(document.text, tokens, i) for i in range(len(tokens))])
            )
            emissions = np.full((len(tokens), len(BIO_TAGS)), np.log(1e-9))
            emissions[:, columns] = np.log(np.clip(probs, 1e-9, 1.0))
            path = viterbi(emissions)
            spans += tags_to_spans(tokens, [BIO_TAGS[t] for t in path], [float(np.exp(emissions[w, t])) for w, t in enumerate(path)])
        return prediction_from_spans(document, spans, types)
