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


# Three gold targets in one sentence: مواقع للمليشيات (14-29), ومخازن الأسلحة (30-44), وثكنة الجيش (45-56)
TARGETS_TEXT = "قصفت الطائرات مواقع للمليشيات ومخازن الأسلحة وثكنة الجيش."
THREE_TARGETS = Document("t", TARGETS_TEXT, [Span(0, 4, "ATTACK"), Span(14, 29, "TARGET"), Span(30, 44, "TARGET"), Span(45, 56, "TARGET")])


def lenient_target(gold: Document, spans: list[Span]):
    return prf(score([gold], [DocumentPrediction(spans, [{"attack"}])])["spans (lenient)"]["TARGET"])


def test_lenient_one_span_over_the_whole_sentence_finds_one_gold_span_not_all():
    # one prediction matches one of the three gold spans: P 1/1, R 1/3, F1 2*(1*1/3)/(1+1/3) = 0.5
    assert lenient_target(THREE_TARGETS, [Span(0, 56, "TARGET")]) == (1.0, 0.3333, 0.5)


def test_lenient_a_gold_span_predicted_in_four_pieces_counts_once():
    gold = Document("t", TARGETS_TEXT, [Span(0, 4, "ATTACK"), Span(14, 56, "TARGET")])
    pieces = [Span(14, 19, "TARGET"), Span(20, 29, "TARGET"), Span(30, 44, "TARGET"), Span(45, 56, "TARGET")]
    # one of four predictions matches: P 1/4, R 1/1, F1 2*(0.25*1)/(1.25) = 0.4
    assert lenient_target(gold, pieces) == (0.25, 1.0, 0.4)


def test_lenient_matching_pairs_as_many_spans_as_it_can():
    # (14-44) overlaps the first two gold spans, (20-29) only the first: pairing (20-29) with the first
    # and (14-44) with the second matches both; P 2/2, R 2/3, F1 0.8
    assert lenient_target(THREE_TARGETS, [Span(14, 44, "TARGET"), Span(20, 29, "TARGET")]) == (1.0, 0.6667, 0.8)
