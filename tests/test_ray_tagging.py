"""`arabic-events tag --engine ray`: Ray Data gives the local path's results, ids and problems.

Each test runs on a local Ray (2 CPUs, loopback only, no dashboard) started once for the module and
stopped after it, with the tiny model of ``tiny_env``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from batch.ray_tagging import ERRORS_FILE, RaySettings, ray_session, tag_with_ray  # noqa: E402
from model.corpus_io import read_documents  # noqa: E402
from tests.conftest import ROOT, comparable, run_cli  # noqa: E402
from training.store import load_extractor  # noqa: E402

pytestmark = pytest.mark.ray

ACTORS = 2


@pytest.fixture(scope="module")
def served_tag(tiny_env) -> str:
    return (Path(tiny_env["BENTOML_HOME"]) / "arabic-event-tagger.served").read_text().strip()


@pytest.fixture(scope="module")
def model_folder(tiny_env, served_tag) -> str:
    """The tiny model's version folder in its store: what a cluster would mount."""
    return str(Path(tiny_env["BENTOML_HOME"]) / "models" / Path(*served_tag.split(":")))


@pytest.fixture(scope="module")
def local_ray():
    """``ray.init(num_cpus=2, include_dashboard=False)`` on loopback, as the CLI starts it; shut down after the module."""
    with ray_session(None, num_cpus=ACTORS):
        yield
    assert not ray.is_initialized()


@pytest.fixture(scope="module")
def articles() -> list[tuple[str, str]]:
    """The seed articles and the contrast set: real corpus articles, long and short."""
    documents = read_documents(ROOT / "annotations" / "corpus.jsonl") + read_documents(ROOT / "annotations" / "contrast.jsonl")
    return [(d.id, d.text) for d in documents]


def jsonl(articles: list[tuple[str, str]]) -> str:
    return "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in articles)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, articles) -> Path:
    """The articles in two JSONL files of one folder; the second has a malformed line 3 and a line 5 without text."""
    folder = tmp_path_factory.mktemp("ray-in")
    (folder / "part-1.jsonl").write_text(jsonl(articles[:40]), encoding="utf-8")
    lines = jsonl(articles[40:]).splitlines(keepends=True)
    lines.insert(2, '{"id": "broken", "text": "قصف\n')
    lines.insert(4, '{"id": "no-text"}\n')
    (folder / "part-2.jsonl").write_text("".join(lines), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def ray_run(local_ray, inputs, model_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("ray-out") / "tagged"
    summary = tag_with_ray(str(inputs), str(out), model_folder, "fp32", RaySettings(actors=ACTORS, batch_size=4))
    results = [json.loads(line) for part in sorted(out.glob("*.jsonl")) if part.name != ERRORS_FILE
               for line in part.read_text(encoding="utf-8").splitlines()]
    return summary, out, results


def test_output_ids_equal_input_ids(ray_run, articles):
    summary, _, results = ray_run
    assert sorted(r["id"] for r in results) == sorted(i for i, _ in articles)
    assert summary.articles == len(articles)


def test_spans_and_events_equal_the_local_path_at_fp32(ray_run, articles, model_folder):
    extractor = load_extractor(model_folder, precision="fp32")
    local = [r for begin in range(0, len(articles), 8) for r in extractor.extract_many(articles[begin : begin + 8])]
    by_id = {r["id"]: r for r in ray_run[2]}
    assert sum(len(r["events"]) for r in local) > 0  # the comparison covers events, not only empty results
    for expected in local:
        got = by_id[expected["id"]]
        assert comparable(got) == comparable(expected), expected["id"]
        assert got["model"] == expected["model"]


def test_malformed_lines_are_listed_with_file_and_line_and_the_rest_is_tagged(ray_run, inputs):
    summary, out, results = ray_run
    second = inputs / "part-2.jsonl"
    expected = [
        f"{second}:3: malformed JSON: Unterminated string starting at at column 26",
        f"{second}:5: expected an object with a 'text' string",
    ]
    assert sorted(summary.problems) == expected
    listed = [json.loads(line)["error"] for line in (out / ERRORS_FILE).read_text(encoding="utf-8").splitlines()]
    assert sorted(listed) == expected
    assert {"broken", "no-text"}.isdisjoint(r["id"] for r in results)


def test_each_actor_loads_the_model_once(ray_run, served_tag, articles):
    summary = ray_run[0]
    assert summary.batches >= -(-len(articles) // 4) > ACTORS  # batches of 4 articles
    # an actor still loading when the last batch is done never reports, so at most one load per actor
    assert 1 <= len(summary.loads) <= ACTORS == summary.actors
    assert len({(load["host"], load["pid"]) for load in summary.loads}) == len(summary.loads)
    assert {load["model"] for load in summary.loads} == {served_tag}


def test_parquet_in_and_out_keep_ids_and_results(local_ray, articles, model_folder, tmp_path, ray_run):
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path / "articles.parquet"
    pq.write_table(pa.table({"id": [i for i, _ in articles], "text": [t for _, t in articles]}), source)
    out = tmp_path / "tagged.parquet"
    tag_with_ray(str(source), str(out), model_folder, "fp32", RaySettings(actors=ACTORS, batch_size=4))
    table = pq.read_table(out)  # the reader skips _errors.jsonl
    assert sorted(table.column("id").to_pylist()) == sorted(i for i, _ in articles)
    from_jsonl = {r["id"]: comparable(r) for r in ray_run[2]}
    for doc_id, events, result in zip(*(table.column(c).to_pylist() for c in ("id", "events", "result"))):
        assert comparable(json.loads(result)) == from_jsonl[doc_id]
        assert events == len(json.loads(result)["events"])


def test_an_existing_output_is_refused_before_anything_runs(local_ray, inputs, model_folder, tmp_path):
    out = tmp_path / "tagged"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(Exception, match="already exists"):
        tag_with_ray(str(inputs), str(out), model_folder, "fp32", RaySettings(actors=ACTORS))
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_cli_tags_on_a_local_ray_with_the_model_from_the_store(tiny_env, articles, tmp_path):
    source = tmp_path / "articles.jsonl"
    source.write_text(jsonl(articles[:10]), encoding="utf-8")
    out = tmp_path / "tagged"
    result = run_cli(tiny_env, "tag", str(source), "-o", str(out), "--engine", "ray", "--actors", "2",
                     "--batch-size", "4", "--precision", "fp32")
    assert "tagged 10 articles" in result.stdout and "on 2 Ray actors" in result.stdout, result.stdout
    lines = [line for part in sorted(out.glob("*.jsonl")) if part.name != ERRORS_FILE
             for line in part.read_text(encoding="utf-8").splitlines()]
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(i for i, _ in articles[:10])
    assert (out / ERRORS_FILE).read_text() == ""


def test_the_local_ray_listens_on_loopback_only(ray_run):
    import psutil

    ray_processes = {p.pid for p in psutil.Process().children(recursive=True)} | {psutil.Process().pid}
    listening = {c.laddr.ip for c in psutil.net_connections("tcp") if c.status == psutil.CONN_LISTEN and c.pid in ray_processes}
    assert listening  # the GCS, the raylet and the workers are among them
    assert listening <= {"127.0.0.1", "::ffff:127.0.0.1", "::1"}


def test_min_score_drops_on_ray_what_it_drops_locally(local_ray, articles, model_folder, tmp_path):
    from model.operating_point import apply_min_score

    seeds = articles[:5]
    source = tmp_path / "seeds.jsonl"
    source.write_text(jsonl(seeds), encoding="utf-8")
    extractor = load_extractor(model_folder, precision="fp32")
    local = extractor.extract_many(seeds)
    scores = sorted(e["score"] for r in local for e in r["events"])
    middle = scores[len(scores) // 4 : 3 * len(scores) // 4 + 1]
    low, high = max(zip(middle, middle[1:]), key=lambda pair: pair[1] - pair[0])
    threshold = (low + high) / 2  # far from any score: batching moves fp32 scores in the last digits only
    out = tmp_path / "tagged"
    summary = tag_with_ray(str(source), str(out), model_folder, "fp32", RaySettings(actors=ACTORS, batch_size=4), threshold)
    by_id = {json.loads(line)["id"]: json.loads(line) for part in sorted(out.glob("*.jsonl")) if part.name != ERRORS_FILE
             for line in part.read_text(encoding="utf-8").splitlines()}
    expected = [apply_min_score(r, threshold) for r in local]
    assert 0 < summary.events == sum(len(r["events"]) for r in expected) < sum(len(r["events"]) for r in local)
    for result in expected:
        assert comparable(by_id[result["id"]]) == comparable(result)
