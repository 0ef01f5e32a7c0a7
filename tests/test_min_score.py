"""``min_score``: the operating point a user chooses, the same rule on every path (``model.operating_point``).

On the seed articles with the tiny model: the service (``/extract``, ``/extract_batch``, ``/records``) and
the CLI (``tag``, ``records``). Which event a threshold drops is computed from the unfiltered response.
"""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from model.operating_point import EVENT_TO_TRIGGER, apply_min_score
from tests.conftest import CORPUS, ROOT, run_cli

pytestmark = pytest.mark.slow

ARTICLES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


def lowest_event_and_threshold(result):
    """The event with the lowest score, and a threshold halfway between its score and the next higher one."""
    ranked = sorted(result["events"], key=lambda e: e["score"])
    lowest, above = ranked[0], next(e for e in ranked if e["score"] > ranked[0]["score"])
    assert sum(e["score"] == lowest["score"] for e in ranked) == 1, "the test needs one lowest event"
    return lowest, (lowest["score"] + above["score"]) / 2


def without_event(result, dropped):
    """What the README's rule says ``result`` becomes when ``dropped`` (the only event dropped) goes."""
    parts = {(a["start"], a["end"], a["role"]) for a in dropped["arguments"]}
    parts.add((dropped["trigger"]["start"], dropped["trigger"]["end"], EVENT_TO_TRIGGER[dropped["type"]]))
    events = [e for e in result["events"] if e is not dropped]
    sentence_types = {(e["sentence"], e["type"]) for e in events}
    return {
        **result,
        "sentences": [{**s, "types": [t for t in s["types"] if (s["index"], t) in sentence_types]}
                      for s in result["sentences"]],
        "spans": [s for s in result["spans"] if (s["start"], s["end"], s["label"]) not in parts],
        "events": events,
    }


def assert_self_consistent(result):
    """Every event's trigger and arguments are in ``spans``, every span belongs to an event, types agree."""
    spans = {(s["start"], s["end"], s["label"]) for s in result["spans"]}
    belonging = set()
    for event in result["events"]:
        if event["trigger"]:
            belonging.add((event["trigger"]["start"], event["trigger"]["end"], EVENT_TO_TRIGGER[event["type"]]))
        belonging |= {(a["start"], a["end"], a["role"]) for a in event["arguments"]}
    assert belonging == spans
    for sentence in result["sentences"]:
        assert set(sentence["types"]) == {e["type"] for e in result["events"] if e["sentence"] == sentence["index"]}


# ------------------------------------------------------------------ the CLI: tag and records


@pytest.fixture(scope="module")
def tagged(tiny_env, tmp_path_factory):
    """``tag`` of the seed articles without ``--min-score``: the file's bytes and its responses."""
    out = tmp_path_factory.mktemp("tag") / "none.jsonl"
    run_cli(tiny_env, "tag", str(CORPUS), "-o", str(out), "--precision", "fp32")
    text = out.read_text(encoding="utf-8")
    return text, [json.loads(line) for line in text.splitlines()]


def tag_at(env, tmp_path, min_score: str) -> str:
    out = tmp_path / f"at-{min_score}.jsonl"
    run_cli(env, "tag", str(CORPUS), "-o", str(out), "--precision", "fp32", "--min-score", min_score)
    return out.read_text(encoding="utf-8")


def test_tag_at_min_score_0_writes_exactly_what_tag_writes_without_it(tiny_env, tagged, tmp_path):
    assert tag_at(tiny_env, tmp_path, "0") == tagged[0]


def test_tag_between_two_event_scores_drops_exactly_the_lower_event(tiny_env, tagged, tmp_path):
    unfiltered = tagged[1][1]  # seed-001
    lowest, threshold = lowest_event_and_threshold(unfiltered)
    results = [json.loads(line) for line in tag_at(tiny_env, tmp_path, repr(threshold)).splitlines()]
    assert results[1] == without_event(unfiltered, lowest)
    assert len(results[1]["events"]) == len(unfiltered["events"]) - 1
    assert_self_consistent(results[1])


def test_every_threshold_leaves_each_seed_response_self_consistent(tagged):
    for result in tagged[1]:
        assert_self_consistent(result)
        for threshold in sorted({e["score"] for e in result["events"]}) + [1.0]:
            filtered = apply_min_score(result, threshold)
            assert_self_consistent(filtered)
            assert [e for e in result["events"] if e["score"] >= threshold] == filtered["events"]


def test_records_between_two_event_scores_loses_exactly_the_lower_trigger(tiny_env, tagged, tmp_path):
    lowest, threshold = lowest_event_and_threshold(tagged[1][1])
    seed = tmp_path / "seed-001.jsonl"
    seed.write_text(json.dumps({**ARTICLES[1], "date": "2024-01-23"}, ensure_ascii=False) + "\n", encoding="utf-8")

    def mentions(*options: str) -> set[tuple[int, int]]:
        out = tmp_path / "records.jsonl"
        run_cli(tiny_env, "records", str(seed), "-o", str(out), *options)
        return {(m["start"], m["end"]) for line in out.read_text(encoding="utf-8").splitlines()
                for m in json.loads(line)["mentions"]}

    everything, kept = mentions(), mentions("--min-score", repr(threshold))
    assert everything - kept == {(lowest["trigger"]["start"], lowest["trigger"]["end"])}
    assert kept < everything


@pytest.mark.parametrize("command", ["tag", "records"])
@pytest.mark.parametrize("value", ["1.5", "-0.1", "high", "nan"])
def test_a_min_score_that_is_not_a_number_in_0_1_is_a_usage_error(command, value, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "arabic_events", command, str(CORPUS), "-o", str(tmp_path / "out.jsonl"), "--min-score", value],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "Invalid value for '--min-score'" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


# ------------------------------------------------------------------ the service


def post(server, path, payload):
    return httpx.post(f"{server.url}{path}", json=payload, timeout=120)


def extract(server, article, **options):
    response = post(server, "/extract", {"text": article["text"], "id": article["id"], **options})
    assert response.status_code == 200, response.text
    return response.json()


def test_extract_at_min_score_0_is_exactly_the_response_without_it(server):
    assert extract(server, ARTICLES[1], min_score=0) == extract(server, ARTICLES[1])
    assert extract(server, ARTICLES[1], min_score=None) == extract(server, ARTICLES[1])


def test_extract_between_two_event_scores_drops_exactly_the_lower_event(server):
    unfiltered = extract(server, ARTICLES[1])
    lowest, threshold = lowest_event_and_threshold(unfiltered)
    assert extract(server, ARTICLES[1], min_score=threshold) == without_event(unfiltered, lowest)


def test_extract_batch_applies_min_score_to_every_article(server):
    articles = [{"id": a["id"], "text": a["text"]} for a in ARTICLES[:2]]
    unfiltered = post(server, "/extract_batch", {"articles": articles}).json()["results"]
    lowest, threshold = lowest_event_and_threshold(unfiltered[1])
    response = post(server, "/extract_batch", {"articles": articles, "min_score": threshold})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert results[1] == without_event(unfiltered[1], lowest)
    assert [e for e in unfiltered[0]["events"] if e["score"] >= threshold] == results[0]["events"]


def test_records_between_two_event_scores_leaves_out_exactly_the_lower_trigger(server):
    article = {**ARTICLES[1], "date": "2024-01-23"}
    lowest, threshold = lowest_event_and_threshold(extract(server, ARTICLES[1]))

    def mentions(**options):
        response = post(server, "/records", {"articles": [article], **options})
        assert response.status_code == 200, response.text
        return {(m["start"], m["end"]) for r in response.json()["records"] for m in r["mentions"]}

    assert mentions() - mentions(min_score=threshold) == {(lowest["trigger"]["start"], lowest["trigger"]["end"])}


@pytest.mark.parametrize("path", ["/extract", "/extract_batch", "/records"])
@pytest.mark.parametrize(("value", "reason"), [
    (1.5, "less than or equal to 1"),
    (-0.1, "greater than or equal to 0"),
    ("0.5", "valid number"),
    (True, "valid number"),
])
def test_a_min_score_that_is_not_a_number_in_0_1_gets_400_naming_the_field(server, path, value, reason):
    article = {"id": "a", "text": ARTICLES[0]["text"]}
    payload = {**article, "min_score": value} if path == "/extract" else {"articles": [article], "min_score": value}
    response = post(server, path, payload)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error.startswith("min_score: ") and reason in error and "\n" not in error
