"""Label Studio and doccano imports, on files in those tools' export formats, and exports.

``label-studio-midway.json`` is a project exported midway through annotation, one task per case,
each text a sentence of the corpus: 21 annotated; 22 not annotated; 23 skipped (cancelled);
24 a draft only; 25 only the pre-annotations ``arabic-events export`` wrote; 26 two annotations,
the older one marked ground truth; 27 three annotations, the latest cancelled; 28 submitted
without any region (a negative).
"""

import json

import pytest

from model.document import Span
from model.errors import AnnotationProblems, UserError
from model.interchange import (
    Skipped,
    export_doccano,
    export_label_studio,
    import_annotations,
    import_doccano,
    import_label_studio,
)

from tests.conftest import FIXTURES

MIDWAY = FIXTURES / "label-studio-midway.json"


def labelled(document):
    return [(s.label, document.span_text(s)) for s in document.spans]


def test_label_studio_import_takes_the_latest_non_cancelled_annotation():
    first, _ = import_label_studio(FIXTURES / "label-studio-export.json").documents
    assert first.id == "ls-doc-1"
    assert labelled(first) == [
        ("ATTACK", "استهدفت"),
        ("WEAPON", "ثمانية صواريخ"),
        ("TARGET", "محيط قاعدة التحالف الدولي"),
        ("TIME", "صباح اليوم"),
    ]


def test_label_studio_utf16_offsets_after_an_emoji_become_code_points():
    _, second = import_label_studio(FIXTURES / "label-studio-export.json").documents
    assert second.id == "label-studio-12"
    assert second.spans == [Span(2, 6, "ATTACK"), Span(7, 28, "ATTACKER")]
    assert labelled(second) == [("ATTACK", "قصفت"), ("ATTACKER", "طائرات التحالف الدولي")]


def test_doccano_import():
    [retaliation] = import_doccano(FIXTURES / "doccano-export.jsonl").documents
    assert retaliation.id == "7"
    assert labelled(retaliation) == [
        ("RETALIATION", "ردت"),
        ("ATTACKER", "مدفعية التحالف الدولي"),
        ("TARGET", "مواقع سيطرة النظام"),
        ("LOCATION", "شرقي محافظة دير الزور"),
    ]


def test_label_studio_export_then_import_gives_back_the_spans(corpus, tmp_path):
    path = tmp_path / "tasks.json"
    tasks = export_label_studio(corpus)
    # Label Studio exports what it imported with the reviewer's annotation in place of the prediction.
    for task in tasks:
        task["annotations"] = [{"result": task.pop("predictions")[0]["result"], "was_cancelled": False}]
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    back = import_label_studio(path).documents
    assert [(d.id, d.text, d.spans) for d in back] == [(d.id, d.text, d.spans) for d in corpus]


def test_doccano_export_then_import_gives_back_the_spans(corpus, tmp_path):
    path = tmp_path / "doccano.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in export_doccano(corpus)), encoding="utf-8")
    back = import_doccano(path).documents
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


# ---------------------------------------------------------------- what becomes a document


def midway_documents(**options):
    return {d.meta["label_studio"]["task"]: d for d in import_label_studio(MIDWAY, **options).documents}


def test_label_studio_a_completed_annotation_becomes_a_document_that_says_which_annotation():
    document = midway_documents()[21]
    assert document.id == "label-studio-21"
    assert labelled(document) == [
        ("TIME", "ومساء الإثنين"),
        ("ATTACKER", "طائرات التحالف الدولي"),
        ("TARGET", "مواقع للميليشيات الإيرانية"),
        ("LOCATION", "بلدتي مراط وطابية جزيرة بريف دير الزور الشرقي"),
        ("ATTACK", "غارات جوية"),
    ]
    assert document.meta["label_studio"] == {"task": 21, "annotation": 21, "annotator": 2,
                                             "updated_at": "2026-11-21T09:00:00.000000Z", "ground_truth": False}


@pytest.mark.parametrize(
    ("task", "reason"),
    [(22, "not annotated"), (23, "skipped by its annotator"), (24, "draft only"), (25, "predictions only")],
)
def test_label_studio_a_task_without_a_completed_annotation_is_skipped_and_listed(task, reason):
    summary = import_label_studio(MIDWAY)
    assert task not in {d.meta["label_studio"]["task"] for d in summary.documents}
    assert Skipped(str(task), reason) in summary.skipped


def test_label_studio_the_ground_truth_annotation_wins_over_a_later_one():
    document = midway_documents()[26]
    assert len(document.spans) == 5  # annotation 31 (ground truth), not 32 (later, 3 regions)
    assert document.meta["label_studio"] == {"task": 26, "annotation": 31, "annotator": 2,
                                             "updated_at": "2026-11-21T11:00:00.000000Z", "ground_truth": True}


def test_label_studio_without_ground_truth_the_latest_completed_annotation_wins():
    document = midway_documents()[27]
    assert len(document.spans) == 7  # annotation 34; 33 is older, 35 later but cancelled
    assert document.meta["label_studio"]["annotation"] == 34


def test_label_studio_a_submitted_annotation_without_regions_is_kept_as_a_negative():
    summary = import_label_studio(MIDWAY)
    negative = midway_documents()[28]
    assert negative.spans == []
    assert negative.meta["label_studio"]["annotation"] == 36
    assert summary.negatives == ["label-studio-28"]


def test_label_studio_an_annotation_flagged_as_a_draft_does_not_count(tmp_path):
    [task] = [t for t in json.loads(MIDWAY.read_text(encoding="utf-8")) if t["id"] == 21]
    task["annotations"][0]["is_draft"] = True
    path = tmp_path / "export.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    summary = import_label_studio(path)
    assert summary.documents == [] and summary.skipped == [Skipped("21", "draft only")]


def test_label_studio_predictions_are_taken_only_when_accepted_and_then_marked():
    accepted = midway_documents(accept_predictions=True)[25]
    assert accepted.id == "seed-003-s16"
    assert labelled(accepted) == [("ATTACKER", "المقاومة الإسلامية في العراق"), ("ATTACK", "أطلقت"),
                                  ("WEAPON", "صواريخ"), ("TARGET", "قاعدة الاحتلال الأمريكي")]
    assert accepted.meta == {"source": "003_dda62b9ba4865efa.txt", "label_studio": {
        "task": 25, "prediction": 9, "model_version": "annotations", "unreviewed_prediction": True}}


def test_label_studio_accepting_predictions_never_overrides_an_annotator():
    summary = import_label_studio(MIDWAY, accept_predictions=True)
    assert summary.from_predictions == ["seed-003-s16"]
    assert summary.skipped == [Skipped("22", "not annotated"), Skipped("23", "skipped by its annotator"),
                               Skipped("24", "draft only")]


def test_label_studio_summary_line():
    assert import_label_studio(MIDWAY).describe("new.jsonl") == (
        "wrote 4 documents, 17 spans, 1 negative to new.jsonl; skipped 4 tasks without a completed annotation: "
        "22 (not annotated), 23 (skipped by its annotator), 24 (draft only), 25 (predictions only)"
    )


def test_doccano_a_record_without_labels_is_skipped_unless_kept_and_the_summary_says_so():
    path = FIXTURES / "doccano-export.jsonl"
    skipped = import_doccano(path)
    assert skipped.describe("new.jsonl") == (
        "wrote 1 document, 4 spans, 0 negatives to new.jsonl; skipped 1 record without labels "
        "(doccano does not tell them from negatives; --keep-empty imports them): 8 (line 2)"
    )
    kept = import_doccano(path, keep_empty=True)
    assert [(d.id, len(d.spans)) for d in kept.documents] == [("7", 4), ("8", 0)]
    assert kept.describe("new.jsonl") == (
        "wrote 2 documents, 4 spans, 1 negative (kept with --keep-empty: doccano cannot tell them from "
        "unlabelled documents) to new.jsonl"
    )


@pytest.mark.parametrize(
    ("tool", "option", "message"),
    [("label-studio", {"keep_empty": True}, "--keep-empty is for doccano"),
     ("doccano", {"accept_predictions": True}, "--accept-predictions is for Label Studio")],
)
def test_an_option_of_the_other_tool_is_refused(tool, option, message):
    with pytest.raises(UserError, match=message):
        import_annotations(tool, MIDWAY, **option)


def test_label_studio_an_annotation_whose_regions_are_no_text_labels_is_refused_not_taken_as_negative(tmp_path):
    [task] = [t for t in json.loads(MIDWAY.read_text(encoding="utf-8")) if t["id"] == 21]
    for region in task["annotations"][0]["result"]:
        region["type"] = "hypertextlabels"
    path = tmp_path / "export.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(AnnotationProblems) as caught:
        import_label_studio(path)
    assert caught.value.problems == [f"{path}:1: none of its 5 regions is a text label (type 'labels')"]


def test_an_export_with_a_task_without_data_is_recognised_and_the_task_named(tmp_path):
    path = tmp_path / "export.json"
    task = json.loads((FIXTURES / "label-studio-export.json").read_text(encoding="utf-8"))[0]
    path.write_text(json.dumps([task, {"id": 7, "annotations": []}], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(AnnotationProblems) as raised:
        import_annotations(None, path)
    assert raised.value.problems == [f"{path}:2: task has no data.text"]
