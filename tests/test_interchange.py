"""Label Studio and doccano imports, on files in those tools' export formats, and exports."""

import json

import pytest

from model.document import Span
from model.errors import AnnotationProblems
from model.interchange import export_doccano, export_label_studio, import_doccano, import_label_studio

from tests.conftest import FIXTURES


def labelled(document):
    return [(s.label, document.span_text(s)) for s in document.spans]


def test_label_studio_import_takes_the_latest_non_cancelled_annotation():
    first, _ = import_label_studio(FIXTURES / "label-studio-export.json")
    assert first.id == "ls-doc-1"
    assert labelled(first) == [
        ("ATTACK", "استهدفت"),
        ("WEAPON", "ثمانية صواريخ"),
        ("TARGET", "محيط قاعدة التحالف الدولي"),
        ("TIME", "صباح اليوم"),
    ]


def test_label_studio_utf16_offsets_after_an_emoji_become_code_points():
    _, second = import_label_studio(FIXTURES / "label-studio-export.json")
    assert second.id == "label-studio-12"
    assert second.spans == [Span(2, 6, "ATTACK"), Span(7, 28, "ATTACKER")]
    assert labelled(second) == [("ATTACK", "قصفت"), ("ATTACKER", "طائرات التحالف الدولي")]


def test_doccano_import():
    retaliation, sports = import_doccano(FIXTURES / "doccano-export.jsonl")
    assert retaliation.id == "7"
    assert labelled(retaliation) == [
        ("RETALIATION", "ردت"),
        ("ATTACKER", "مدفعية التحالف الدولي"),
        ("TARGET", "مواقع سيطرة النظام"),
        ("LOCATION", "شرقي محافظة دير الزور"),
    ]
    assert sports.spans == []


def test_label_studio_export_then_import_gives_back_the_spans(corpus, tmp_path):
    path = tmp_path / "tasks.json"
    tasks = export_label_studio(corpus)
    # Label Studio exports what it imported with the reviewer's annotation in place of the prediction.
    for task in tasks:
        task["annotations"] = [{"result": task.pop("predictions")[0]["result"], "was_cancelled": False}]
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    back = import_label_studio(path)
    assert [(d.id, d.text, d.spans) for d in back] == [(d.id, d.text, d.spans) for d in corpus]


def test_doccano_export_then_import_gives_back_the_spans(corpus, tmp_path):
    path = tmp_path / "doccano.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in export_doccano(corpus)), encoding="utf-8")
    back = import_doccano(path)
    assert [(d.id, d.spans) for d in back] == [(d.id, d.spans) for d in corpus]


def test_import_refuses_invalid_annotations_with_every_problem(tmp_path):
    path = tmp_path / "bad.jsonl"
    lines = [
        {"text": "قصفت طائرات الموقع.", "label": [[1, 4, "ATTACK"]]},
        {"text": "قصفت طائرات الموقع.", "label": [[0, 4, "BOMBING"]]},
    ]
    path.write_text("\n".join(json.dumps(l, ensure_ascii=False) for l in lines), encoding="utf-8")
    with pytest.raises(AnnotationProblems) as caught:
        import_doccano(path)
    assert [p.split(": ", 1)[1] for p in caught.value.problems] == [
        "span ATTACK 1-4 «صفت»: starts or ends inside a word",
        "unknown label 'BOMBING' (labels: ATTACK, RETALIATION, ATTACKER, TARGET, WEAPON, LOCATION, ORIGIN, TIME, CASUALTIES)",
    ]
