"""Scores against hand-computed values on a two-sentence document."""

import pytest

from model.document import Document, Span
from training.metrics import DocumentPrediction, score

TEXT = "قصفت طائرات التحالف مواقع للمليشيات. وقال المتحدث إن الوضع هادئ."
GOLD = Document("d", TEXT, [Span(0, 4, "ATTACK"), Span(5, 19, "ATTACKER"), Span(20, 35, "TARGET")])
# right trigger, wrong role and extent for the attacker, right target, a spurious trigger in sentence 2
PRED = DocumentPrediction(
    [Span(0, 4, "ATTACK"), Span(5, 11, "WEAPON"), Span(20, 35, "TARGET"), Span(53, 58, "ATTACK")],
    [{"attack"}, {"attack"}],
)


@pytest.fixture(scope="module")
def scores():
    return score([GOLD], [PRED])


def prf(row):
    return round(row["precision"], 4), round(row["recall"], 4), round(row["f1"], 4)


def test_span_micro_scores(scores):
    assert prf(scores["spans"]["micro avg"]) == (0.5, 0.6667, 0.5714)  # 2 right of 4 predicted, 3 gold


def test_span_scores_per_label(scores):
    spans = scores["spans"]
    assert prf(spans["ATTACK"]) == (0.5, 1.0, 0.6667)
    assert prf(spans["ATTACKER"]) == (0.0, 0.0, 0.0)
    assert prf(spans["TARGET"]) == (1.0, 1.0, 1.0)


def test_trigger_and_argument_scores(scores):
    assert prf(scores["spans"]["triggers (micro)"]) == (0.5, 1.0, 0.6667)
    assert prf(scores["spans"]["arguments (micro)"]) == (0.5, 0.5, 0.5)


def test_sentence_scores(scores):
    sentences = scores["sentences"]
    assert prf(sentences["attack"]) == (0.5, 1.0, 0.6667)
    assert prf(sentences["retaliation"]) == (0.0, 0.0, 0.0)
    assert sentences["attack"]["support"] == 1
