"""`arabic-events evaluate` on a small gold file with a known prediction file: hand-computed numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from model.corpus_io import read_documents
from model.errors import UserError
from tests.conftest import FIXTURES, ROOT, run_cli

GOLD = FIXTURES / "evaluation" / "gold.jsonl"
PREDICTIONS = FIXTURES / "evaluation" / "predictions.jsonl"
# gold: ATTACK قصفت, ATTACKER طائرات التحالف, TARGET مواقع للمليشيات (one event, two arguments)
# predicted: ATTACK قصفت, WEAPON طائرات, TARGET مواقع للمليشيات, and a spurious ATTACK الوضع in sentence 2


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    import os

    run_cli(dict(os.environ), "evaluate", "--data", str(GOLD), "--predictions", str(PREDICTIONS), "--out", str(out))
    return out


def prf(row):
    return round(row["precision"], 4), round(row["recall"], 4), round(row["f1"], 4)


def test_event_scores(report):
    scores = json.loads((report / "report.json").read_text(encoding="utf-8"))["scores"]["model"]["events"]
    assert prf(scores["events"]) == (0.5, 1.0, 0.6667)  # 1 of 2 predicted events matches the 1 gold event
    assert prf(scores["arguments in matched events"]) == (0.5, 0.5, 0.5)  # TARGET right, ATTACKER read as WEAPON


def test_strict_and_lenient_span_scores(report):
    scores = json.loads((report / "report.json").read_text(encoding="utf-8"))["scores"]["model"]
    assert prf(scores["spans"]["micro avg"]) == (0.5, 0.6667, 0.5714)
    assert prf(scores["spans (lenient)"]["micro avg"]) == (0.5, 0.6667, 0.5714)
    assert prf(scores["spans (lenient)"]["ATTACK"]) == (0.5, 1.0, 0.6667)
    assert prf(scores["sentences"]["attack"]) == (0.5, 1.0, 0.6667)


def test_report_records_the_data_and_counts(report):
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))["data"]
    assert (data["documents"], data["sentences"], data["event_sentences"], data["spans"]) == (1, 2, 1, 3)
    assert len(data["sha256"]) == 64


def test_html_report_opens_in_chromium(report):
    from tests.test_page import browser_session

    with browser_session() as browser:
        browser.get((report / "report.html").as_uri())
        assert browser.title == "Evaluation of predictions from predictions.jsonl"
        assert browser.find_element("css selector", "img[alt='confusion matrix']").size["width"] > 300
        assert "g1" in browser.find_element("css selector", "h3").text


def test_bad_gold_file_gets_the_validator_messages(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "قصف", "spans": [{"start": 0, "end": 2, "label": "ATTACK"}]}\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "arabic_events", "evaluate", "--data", str(bad), "--predictions",
                             str(PREDICTIONS), "--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{bad}:1: span ATTACK 0-2 «قص»: starts or ends inside a word" in result.stderr
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ saved responses that cannot be scored


def saved(tmp_path, *responses) -> Path:
    path = tmp_path / "saved.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in responses), encoding="utf-8")
    return path


def fixture_response() -> dict:
    return json.loads((FIXTURES / "evaluation" / "predictions.jsonl").read_text(encoding="utf-8").splitlines()[0])


def test_two_responses_for_one_article_are_refused(tmp_path):
    from training.evaluation import read_predictions

    with pytest.raises(UserError, match=r"saved.jsonl: more than one response for article g1: keep one per article$"):
        read_predictions(saved(tmp_path, fixture_response(), fixture_response()))


def test_an_event_without_a_score_is_not_a_response(tmp_path):
    from training.evaluation import read_predictions

    response = fixture_response()
    del response["events"][0]["score"]
    with pytest.raises(UserError, match=r"saved.jsonl:1: 'events' entry 0 is not like the service's"):
        read_predictions(saved(tmp_path, response))


def test_an_event_in_a_sentence_the_response_lacks_is_refused(tmp_path):
    from training.evaluation import read_predictions

    response = fixture_response()
    response["events"][0]["sentence"] = 999
    with pytest.raises(UserError, match=r"'events' entry 0 names sentence 999, which 'sentences' does not hold"):
        read_predictions(saved(tmp_path, response))


def test_an_event_whose_trigger_is_not_among_the_spans_does_not_fit(tmp_path):
    from training.evaluation import align_results, read_predictions

    response = fixture_response()
    trigger = response["events"][0]["trigger"]
    trigger["start"], trigger["end"] = trigger["start"] + 1, trigger["end"] + 1
    gold = read_documents(FIXTURES / "evaluation" / "gold.jsonl")
    with pytest.raises(UserError, match=r"^prediction for 'g1': an event's part \d+-\d+ is not in its spans$"):
        align_results(gold, read_predictions(saved(tmp_path, response)))
