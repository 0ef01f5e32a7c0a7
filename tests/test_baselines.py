"""The trivial baselines of the cross-validation."""

from model.document import Document, Span
from training.baselines import KeywordSentenceBaseline, MostFrequentTagBaseline


def test_keyword_rule_reads_triggers_with_proclitics():
    doc = Document("d", "وقصفت الطائرات الموقع. ردت القوات. فاز الفريق.")
    assert KeywordSentenceBaseline().predict(doc) == [{"attack"}, {"retaliation"}, set()]


def test_most_frequent_tag_of_a_word_seen_in_training():
    train = [Document("t", "قصفت الطائرات الموقع.", [Span(0, 4, "ATTACK"), Span(14, 20, "TARGET")])]
    model = MostFrequentTagBaseline().fit(train)
    test = Document("u", "الموقع قصفت أمس.")
    assert [(s.label, test.text[s.start:s.end]) for s in model.predict_spans(test)] == [
        ("TARGET", "الموقع"), ("ATTACK", "قصفت"),
    ]
