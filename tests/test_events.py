"""Assembling events from a sentence's spans and type probabilities."""

from model.document import Span
from model.events import assemble

TEXT = "ردت قوات التحالف على استهداف طال قاعدة حقل كونيكو"
#       0   4              17  21     28  32


def test_arguments_attach_to_the_nearest_trigger():
    spans = [
        Span(0, 3, "RETALIATION", 0.9),
        Span(4, 16, "ATTACKER", 0.8),
        Span(21, 28, "ATTACK", 0.7),
        Span(33, 50, "TARGET", 0.6),
    ]
    result = assemble(TEXT, spans, {"attack": 0.8, "retaliation": 0.9}, 0.5, 0)
    by_trigger = {e["trigger"]["text"]: [a["text"] for a in e["arguments"]] for e in result.events}
    assert by_trigger == {"ردت": ["قوات التحالف"], "استهداف": ["قاعدة حقل كونيكو"]}
    assert result.types == ["attack", "retaliation"]


def test_arguments_without_a_trigger_are_dropped():
    result = assemble(TEXT, [Span(4, 16, "ATTACKER", 0.8)], {"attack": 0.1, "retaliation": 0.1}, 0.5, 0)
    assert result.spans == [] and result.events == [] and result.types == []


def test_sentence_type_without_trigger_yields_an_event_with_null_trigger():
    result = assemble(TEXT, [], {"attack": 0.93, "retaliation": 0.1}, 0.5, 3)
    assert result.events == [{"type": "attack", "sentence": 3, "score": 0.93, "trigger": None, "arguments": []}]


def test_trigger_adds_its_type_even_when_the_sentence_head_missed_it():
    result = assemble(TEXT, [Span(21, 28, "ATTACK", 0.7)], {"attack": 0.2, "retaliation": 0.1}, 0.5, 0)
    assert result.types == ["attack"]
    assert [e["trigger"]["text"] for e in result.events] == ["استهداف"]
