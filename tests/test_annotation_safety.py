"""The commands never take an article for an annotation: `import` writes only finished annotations
and says what it left out; `validate` refuses a record without `spans`."""

import json
import os
import subprocess
import sys

from tests.conftest import CORPUS, FIXTURES, ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "arabic_events", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "COLUMNS": "300"},  # help on one line per option
    )


def test_import_writes_the_completed_annotations_and_prints_what_it_skipped(tmp_path):
    out = tmp_path / "new.jsonl"
    result = run("import", "--from", "label-studio", str(FIXTURES / "label-studio-midway.json"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"wrote 4 documents, 17 spans, 1 negative to {out}; skipped 4 tasks without a completed annotation: "
        "22 (not annotated), 23 (skipped by its annotator), 24 (draft only), 25 (predictions only)"
    )
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], len(r["spans"])) for r in written] == [
        ("label-studio-21", 5), ("label-studio-26", 5), ("label-studio-27", 7), ("label-studio-28", 0)]


def test_import_of_an_export_without_a_completed_annotation_writes_nothing(tmp_path):
    tasks = [t for t in json.loads((FIXTURES / "label-studio-midway.json").read_text(encoding="utf-8")) if t["id"] == 22]
    export, out = tmp_path / "export.json", tmp_path / "new.jsonl"
    export.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    result = run("import", "--from", "label-studio", str(export), "-o", str(out))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: nothing to import from {export}: skipped 1 task without a completed annotation: "
        f"22 (not annotated); {out} not written"
    )
    assert not out.exists()


def test_import_help_says_what_keep_empty_does():
    result = run("import", "--help")
    [line] = [line for line in result.stdout.splitlines() if "│    --keep-empty" in line]
    assert "doccano: import documents without labels as negatives (its export cannot tell them from unlabelled ones)." in line


def test_validate_refuses_an_article_without_spans(tmp_path):
    seed = json.loads(CORPUS.read_text(encoding="utf-8").splitlines()[0])
    articles = tmp_path / "articles.jsonl"
    articles.write_text(json.dumps({"id": seed["id"], "text": seed["text"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run("validate", str(articles))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{articles}:1: no 'spans': an article, not an annotation "
        "(an article that was read and reports no event carries \"spans\": [])"
    ]
