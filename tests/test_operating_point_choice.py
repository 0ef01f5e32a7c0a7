"""The model's operating point: applied to responses, chosen on cross-validation, measured by nested cross-validation.

Two contrast records of the corpus, each a trap sentence then an attack, answered by hand-made
responses whose scores make every expected value below computable by hand:

* contrast-001: «هاجم لاعبو الرجاء مرمى الضيوف» (football; a false attack at 0-4, score 0.9, the
  sentence head gives attack 0.2), then «هاجم مسلحون» (the gold attack at 88-92, score 0.6, head 0.9);
* contrast-002: «الجنيه السوداني ضربة جديدة» (currency; a false attack at 21-25, score 0.5, head
  0.7), then «ضربة جوية» (the gold attack at 94-103, score 0.8, head 0.95).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from model.corpus_io import read_corpus
from model.errors import UserError
from model.operating_point import OperatingPoint, apply_operating_point
from training.config import TrainConfig
from training.fold_cache import fold_key
from training.operating_point_choice import (
    best_thresholds, choose, crossval_answers, kept_every_event, nested_answers, operating_point_report, type_scores,
)
from tests.conftest import ROOT, run_cli

CONTRAST = ROOT / "annotations" / "contrast.jsonl"
IDS = ("contrast-001", "contrast-002")
# (document, trigger start, end, event score, the sentence head's attack probability)
EVENTS = {
    "contrast-001": [(0, 4, 0.9, 0.2), (88, 92, 0.6, 0.9)],
    "contrast-002": [(21, 25, 0.5, 0.7), (94, 103, 0.8, 0.95)],
}


@pytest.fixture(scope="module")
def documents():
    by_id = {d.id: d for d in read_corpus([CONTRAST], say=lambda _: None)}
    return [by_id[i] for i in IDS]


def response(document):
    """A response object of ``document`` with the attack events of ``EVENTS``, one per sentence."""
    sentences, spans, events = [], [], []
    for sentence, (start, end, score, head) in zip(document.sentences, EVENTS[document.id], strict=True):
        text = document.text[start:end]
        sentences.append({"index": sentence.index, "start": sentence.start, "end": sentence.end, "types": ["attack"],
                          "scores": {"attack": head, "retaliation": 0.01}})
        spans.append({"start": start, "end": end, "label": "ATTACK", "text": text, "score": score, "sentence": sentence.index})
        events.append({"type": "attack", "sentence": sentence.index, "score": score,
                       "trigger": {"start": start, "end": end, "text": text}, "arguments": []})
    return {"id": document.id, "model": {"tag": "hand-made"}, "sentences": sentences, "spans": spans, "events": events,
            "warnings": []}


@pytest.fixture(scope="module")
def responses(documents):
    return [response(d) for d in documents]


def triggers(result):
    return [e["trigger"]["start"] for e in result["events"]]


# ------------------------------------------------------------------ applying a point


def test_an_event_under_the_sentence_gate_is_dropped_with_its_span_and_its_sentence_type(responses):
    point = OperatingPoint(min_sentence_score={"attack": 0.25})
    kept = apply_operating_point(responses[0], point)
    assert triggers(kept) == [88]
    assert [s["start"] for s in kept["spans"]] == [88]
    assert [s["types"] for s in kept["sentences"]] == [[], ["attack"]]
    assert kept["sentences"][0]["scores"] == responses[0]["sentences"][0]["scores"]


def test_an_event_under_the_score_threshold_of_its_type_is_dropped(responses):
    assert triggers(apply_operating_point(responses[1], OperatingPoint(min_score={"attack": 0.6}))) == [94]


def test_a_threshold_of_another_type_drops_nothing(responses):
    point = OperatingPoint(min_score={"retaliation": 0.99}, min_sentence_score={"retaliation": 0.99})
    assert apply_operating_point(responses[1], point) == responses[1]


def test_a_point_of_zeros_returns_the_response_unchanged(responses):
    assert apply_operating_point(responses[0], OperatingPoint.from_dict(OperatingPoint().to_dict(), "here")) is responses[0]


# ------------------------------------------------------------------ choosing one


def test_the_chosen_point_is_the_best_event_f1_with_the_lowest_gate_then_score(documents, responses):
    # gate 0.25 drops the football «هاجم» (head 0.2); score 0.6 then drops the currency «ضربة» (0.5): F1 1.0.
    # Gates up to 0.7 with score 0.6, and gate 0.75 with score 0, tie at 1.0: the lowest gate wins.
    assert best_thresholds(documents, responses, "attack", min_gold_events=1) == {
        "f1": 1.0, "min_score": 0.6, "min_sentence_score": 0.25}


def test_a_type_with_fewer_gold_events_than_the_minimum_keeps_every_event(documents, responses):
    # 2 gold attacks, fewer than 3: no threshold; every event scores 2 of 4 right, 2 of 2 found
    assert best_thresholds(documents, responses, "attack", min_gold_events=3) == pytest.approx(
        {"f1": 2 / 3, "min_score": 0.0, "min_sentence_score": 0.0})


def test_a_type_without_gold_or_events_keeps_everything(documents, responses):
    point = choose(documents, responses)
    assert point.min_score["retaliation"] == 0.0 and point.min_sentence_score["retaliation"] == 0.0


def test_nested_choice_answers_each_fold_at_the_point_chosen_on_the_other(documents, responses):
    nested, points = nested_answers(documents, responses, [[0], [1]], min_gold_events=1)
    # on contrast-002 alone: score 0.8 keeps only the air strike (F1 1.0); on contrast-001, it keeps the football «هاجم»
    assert (points[0].min_score["attack"], points[0].min_sentence_score["attack"]) == (0.8, 0.0)
    assert triggers(nested[0]) == [0]
    # on contrast-001 alone: gate 0.25 with score 0 (F1 1.0); on contrast-002 it keeps both events
    assert (points[1].min_score["attack"], points[1].min_sentence_score["attack"]) == (0.0, 0.25)
    assert triggers(nested[1]) == [21, 94]
    # 1 of 3 events right, 1 of 2 gold found: the nested figure is worse than keeping every event (2 of 4, 2 of 2)
    assert type_scores(documents, nested, "attack") == pytest.approx({"precision": 1 / 3, "recall": 0.5, "f1": 0.4, "support": 2})
    assert type_scores(documents, responses, "attack") == pytest.approx({"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 2})


# ------------------------------------------------------------------ the config and the fold cache


def test_the_config_refuses_an_unknown_event_type_in_one_line():
    with pytest.raises(UserError, match=r"^x.yaml: operating_point: 'attak' is not an event type \(attack, retaliation\)$"):
        TrainConfig.from_dict({"operating_point": {"attak": {"min_score": 0.5}}}, "x.yaml")


def test_the_config_refuses_a_threshold_outside_0_to_1():
    with pytest.raises(UserError, match=r"operating_point.attack.min_sentence_score must be a number in \[0, 1\], got 1.5"):
        TrainConfig.from_dict({"operating_point": {"attack": {"min_sentence_score": 1.5}}}, "x.yaml")


def test_a_fold_kept_by_cross_validation_does_not_depend_on_the_operating_point(documents):
    config = TrainConfig()
    chosen = config.replace(operating_point={"attack": {"min_score": 0.6, "min_sentence_score": 0.25}})
    assert fold_key(config, documents[:1], documents[1:], ["fp32"]) == fold_key(chosen, documents[:1], documents[1:], ["fp32"])


# ------------------------------------------------------------------ the command


def crossval_report(tmp_path: Path, responses, report=None) -> Path:
    path = tmp_path / "cv.json"
    path.write_text(json.dumps(report or {"per_fold": [{"test": ["contrast-001"]}, {"test": ["contrast-002"]}]}), encoding="utf-8")
    (tmp_path / "cv.predictions.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in responses),
                                                   encoding="utf-8")
    return path


def test_the_command_writes_the_nested_scores_and_the_point_for_the_config(responses, tmp_path):
    report = crossval_report(tmp_path, responses)
    done = run_cli(dict(os.environ), "operating-point", str(report), str(CONTRAST), "-o", str(tmp_path / "point.json"),
                   "--min-gold-events", "1")
    written = json.loads((tmp_path / "point.json").read_text(encoding="utf-8"))
    assert written["chosen"]["attack"] == {"min_score": 0.6, "min_sentence_score": 0.25}
    assert written["scores"]["nested operating point"]["events per type"]["attack"]["f1"] == pytest.approx(0.4)
    assert "min_sentence_score: 0.25" in done.stdout


def test_the_command_says_which_type_has_too_few_gold_events_and_keeps_its_every_event(responses, tmp_path):
    report = crossval_report(tmp_path, responses)
    done = run_cli(dict(os.environ), "operating-point", str(report), str(CONTRAST), "-o", str(tmp_path / "point.json"))
    written = json.loads((tmp_path / "point.json").read_text(encoding="utf-8"))
    assert written["gold_events"] == {"attack": 2, "retaliation": 0}
    assert written["chosen"]["attack"] == {"min_score": 0.0, "min_sentence_score": 0.0}
    assert "attack: every event kept: 2 gold events, fewer than 30 (--min-gold-events) to choose a point on" in done.stdout


def test_the_report_says_when_the_nested_figure_kept_every_event_where_the_config_point_did_not(documents, responses):
    # 2 gold attacks in all, at least 2: a point is chosen for the config; each fold's point is chosen
    # on the other fold alone, 1 gold attack, so the nested figure keeps every attack
    report, _ = operating_point_report(documents, responses, [[0], [1]], min_gold_events=2)
    assert report["chosen"]["attack"] == {"min_score": 0.6, "min_sentence_score": 0.25}
    assert [f["gold_events_chosen_on"]["attack"] for f in report["per_fold"]] == [1, 1]
    assert kept_every_event(report) == [
        "attack: every event kept in 2 of 2 folds of the nested figure (the answers each such fold's point is chosen on "
        "hold 1 gold event, fewer than 2); the point below, chosen on all 2, is not what that figure scores",
        "retaliation: every event kept: 0 gold events, fewer than 2 (--min-gold-events) to choose a point on"]


def test_the_command_writes_the_nested_answers_for_errors(responses, tmp_path):
    report = crossval_report(tmp_path, responses)
    run_cli(dict(os.environ), "operating-point", str(report), str(CONTRAST), "--answers", str(tmp_path / "nested.jsonl"),
            "--min-gold-events", "1")
    nested = [json.loads(line) for line in (tmp_path / "nested.jsonl").read_text(encoding="utf-8").splitlines()]
    # as in the nested choice above: contrast-001 at the point of contrast-002, and the other way round
    assert [(r["id"], triggers(r)) for r in nested] == [("contrast-001", [0]), ("contrast-002", [21, 94])]


def test_the_report_and_the_answers_may_not_be_one_file_under_two_names(responses, tmp_path):
    report = crossval_report(tmp_path, responses)
    (tmp_path / "sub").mkdir()
    done = subprocess.run([sys.executable, "-m", "arabic_events", "operating-point", str(report), str(CONTRAST),
                           "-o", str(tmp_path / "op.json"), "--answers", str(tmp_path / "sub" / ".." / "op.json")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert (done.returncode, done.stderr.strip()) == (
        1, f"error: {tmp_path / 'sub' / '..' / 'op.json'}: given to both -o and --answers; give each its own file")
    assert not (tmp_path / "op.json").exists()


def test_a_report_without_its_answers_says_where_they_come_from(tmp_path):
    report = tmp_path / "cv.json"
    report.write_text(json.dumps({"per_fold": [{"test": ["contrast-001"]}, {"test": ["contrast-002"]}]}), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "arabic_events", "operating-point", str(report), str(CONTRAST)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1
    assert done.stderr.strip().startswith(f"error: {tmp_path / 'cv.predictions.jsonl'}: no such file; `crossval` writes")


def test_the_command_refuses_a_report_without_folds(responses, tmp_path):
    report = crossval_report(tmp_path, responses, {"settings": []})
    done = subprocess.run([sys.executable, "-m", "arabic_events", "operating-point", str(report), str(CONTRAST)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: {report}: not a crossval report (no per_fold test articles)"


def test_a_held_out_article_without_a_response_is_named(documents, responses):
    with pytest.raises(UserError, match="^held-out article 'contrast-002' of cv.json has no response in the predictions$"):
        crossval_answers({"per_fold": [{"test": ["contrast-001"]}, {"test": ["contrast-002"]}]}, responses[:1], documents, "cv.json")


def test_one_fold_is_refused_as_nothing_is_left_to_choose_on(documents, responses):
    with pytest.raises(UserError, match=r"^cv.json: 1 fold; choosing a point on the other folds needs at least 2$"):
        crossval_answers({"per_fold": [{"test": list(IDS)}]}, responses, documents, "cv.json")


def test_an_article_held_out_twice_is_refused(documents, responses):
    with pytest.raises(UserError, match=r"^cv.json: article contrast-001 is held out more than once$"):
        crossval_answers({"per_fold": [{"test": ["contrast-001"]}, {"test": ["contrast-002", "contrast-001"]}]},
                         responses, documents, "cv.json")


@pytest.mark.parametrize("folds", [[], [{"test": []}, {"test": ["contrast-001"]}], [{"test": [["contrast-001"]]}, {"test": ["x"]}]])
def test_folds_without_article_ids_are_not_a_crossval_report(documents, responses, folds):
    with pytest.raises(UserError, match=r"^cv.json: not a crossval report \(no per_fold test articles\)$"):
        crossval_answers({"per_fold": folds}, responses, documents, "cv.json")


def test_an_unknown_threshold_is_named():
    with pytest.raises(UserError, match=r"operating_point.attack: unknown setting\(s\) min_scor \(known: min_score, min_sentence_score\)$"):
        TrainConfig.from_dict({"operating_point": {"attack": {"min_scor": 0.5}}}, "x.yaml")
