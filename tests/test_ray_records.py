"""`arabic-events records --engine ray`: the tagging on Ray Data gives the local path's records, sources and problems.

The Ray runs share a local Ray (2 CPUs, loopback only, no dashboard) started once for the module
and stopped after it (``local_ray`` of the tagging tests); the local runs are the ``records``
command with its default engine. Both use the tiny model of ``tiny_env`` at fp32.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from batch.ray_records import errors_path, records_with_ray  # noqa: E402
from batch.ray_tagging import RaySettings  # noqa: E402
from tests.conftest import ROOT, run_cli  # noqa: E402
from tests.test_ray_tagging import ACTORS, local_ray, model_folder, served_tag  # noqa: E402,F401

pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def dated_articles() -> list[dict]:
    """The seed articles with the publication date and outlet of the gold records, then the contrast set (no date)."""
    gold = [json.loads(line) for line in (ROOT / "annotations" / "records-gold.jsonl").read_text(encoding="utf-8").splitlines()]
    published = {s["article_id"]: s for record in gold for s in record["sources"]}
    lines = (ROOT / "annotations" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    seeds = [json.loads(line) for line in lines]
    contrast = [json.loads(line) for line in (ROOT / "annotations" / "contrast.jsonl").read_text(encoding="utf-8").splitlines()]
    return ([{"id": d["id"], "text": d["text"], "date": published[d["id"]]["date"], "source": published[d["id"]]["source"],
              "url": published[d["id"]]["url"]} for d in seeds]
            + [{"id": d["id"], "text": d["text"]} for d in contrast])


def jsonl(articles: list[dict]) -> str:
    return "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles)


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def without_confidence(records: list[dict]) -> list[dict]:
    """Records but their ``confidence``, the highest trigger score: its last digits change with the articles batched together."""
    return [{k: v for k, v in r.items() if k != "confidence"} for r in records]


@pytest.fixture(scope="module")
def local_records(tiny_env, dated_articles, tmp_path_factory) -> list[dict]:
    folder = tmp_path_factory.mktemp("records-local")
    (folder / "articles.jsonl").write_text(jsonl(dated_articles), encoding="utf-8")
    run_cli(tiny_env, "records", str(folder / "articles.jsonl"), "-o", str(folder / "records.jsonl"), "--precision", "fp32")
    return read_records(folder / "records.jsonl")


@pytest.fixture(scope="module")
def ray_records(local_ray, dated_articles, model_folder, tmp_path_factory):
    folder = tmp_path_factory.mktemp("records-ray")
    (folder / "articles.jsonl").write_text(jsonl(dated_articles), encoding="utf-8")
    out = folder / "records.jsonl"
    summary = records_with_ray(str(folder / "articles.jsonl"), out, "jsonl", model_folder, "fp32",
                               RaySettings(actors=ACTORS, batch_size=8))
    return summary, out


def test_records_equal_those_of_the_local_path(ray_records, local_records):
    summary, out = ray_records
    assert len(local_records) > 0  # the comparison covers records, not only empty files
    got = read_records(out)
    assert without_confidence(got) == without_confidence(local_records)
    assert [r["confidence"] for r in got] == pytest.approx([r["confidence"] for r in local_records], abs=1e-3)
    assert errors_path(out).read_text(encoding="utf-8") == ""


def test_every_source_keeps_its_articles_id_date_outlet_and_url(ray_records, dated_articles):
    published = {a["id"]: {"article_id": a["id"], "source": a.get("source"), "url": a.get("url"), "date": a.get("date")}
                 for a in dated_articles}
    sources = [s for record in read_records(ray_records[1]) for s in record["sources"]]
    assert sources and all(s == published[s["article_id"]] for s in sources)
    assert {"2022-01-07", "2024-01-23"} <= {s["date"] for s in sources}  # seed-000 (Watan FM), seed-004 (Enab Baladi)


@pytest.fixture(scope="module")
def with_bad_lines(local_ray, dated_articles, model_folder, tmp_path_factory):
    """The articles in two files of one folder; the second has a malformed line 2 and a date that is not ISO on line 4."""
    folder = tmp_path_factory.mktemp("records-ray-bad")
    inputs = folder / "articles"
    inputs.mkdir()
    (inputs / "part-1.jsonl").write_text(jsonl(dated_articles[:3]), encoding="utf-8")
    lines = jsonl(dated_articles[3:]).splitlines(keepends=True)
    lines.insert(1, '{"id": "broken", "text": "قصف\n')
    lines.insert(3, json.dumps({"id": "bad-date", "text": "قصفت طائرات حربية مدينة أريحا.", "date": "السبت"}, ensure_ascii=False) + "\n")
    (inputs / "part-2.jsonl").write_text("".join(lines), encoding="utf-8")
    out = folder / "records.jsonl"
    summary = records_with_ray(str(inputs), out, "jsonl", model_folder, "fp32", RaySettings(actors=ACTORS, batch_size=8))
    return summary, inputs, out


def test_malformed_lines_go_to_the_errors_file_with_file_and_line(with_bad_lines):
    summary, inputs, out = with_bad_lines
    second = inputs / "part-2.jsonl"
    expected = [f"{second}:2: malformed JSON: Unterminated string starting at at column 26",
                f"{second}:4: date 'السبت' is not an ISO date (YYYY-MM-DD)"]
    assert sorted(summary.problems) == expected
    assert sorted(json.loads(line)["error"] for line in errors_path(out).read_text(encoding="utf-8").splitlines()) == expected


def test_the_other_articles_make_the_records_of_the_local_path(with_bad_lines, local_records, dated_articles):
    summary, _, out = with_bad_lines
    assert summary.articles == len(dated_articles)
    assert without_confidence(read_records(out)) == without_confidence(local_records)


def test_cli_writes_the_records_and_exits_1_naming_the_errors_file(tiny_env, dated_articles, tmp_path):
    import subprocess
    import sys

    source = tmp_path / "articles.jsonl"
    source.write_text(jsonl(dated_articles[:5]) + "not json\n", encoding="utf-8")
    out = tmp_path / "records.jsonl"
    result = subprocess.run([sys.executable, "-m", "arabic_events", "records", str(source), "-o", str(out), "--engine", "ray",
                             "--actors", "2", "--batch-size", "4", "--precision", "fp32"],
                            cwd=ROOT, env=tiny_env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "in 5 articles (tagged with" in result.stdout and "on 2 Ray actors)" in result.stdout, result.stdout
    assert f"{source}:6: malformed JSON" in result.stderr and f"listed in {out}.errors.jsonl" in result.stderr
    assert "Traceback" not in result.stderr
    assert {s["article_id"] for r in read_records(out) for s in r["sources"]} <= {a["id"] for a in dated_articles[:5]}
