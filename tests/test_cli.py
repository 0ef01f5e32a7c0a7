"""The command line: specific one-line errors, exit codes, and files never half-written."""

import json
import subprocess
import sys

import pytest

from tests.conftest import CORPUS, FIXTURES, ROOT


def run(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "arabic_events", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_validate_reports_the_corpus_clean():
    result = run("validate", str(CORPUS))
    assert result.returncode == 0
    assert result.stdout.startswith("ok: 5 documents")


def test_validate_counts_one_document_in_the_singular(tmp_path):
    one = tmp_path / "one.jsonl"
    one.write_text(CORPUS.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = run("validate", str(one))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok: 1 document, 16 sentences, 37 spans\n"


def test_validate_lists_every_problem_as_file_line_message(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "قصف", "spans": [{"start": 0, "end": 3, "label": "X"}]}\nnot json\n', encoding="utf-8")
    result = run("validate", str(bad))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{bad}:1: unknown label 'X' (labels: ATTACK, RETALIATION, ATTACKER, TARGET, WEAPON, LOCATION, ORIGIN, TIME, CASUALTIES)",
        f"{bad}:2: malformed JSON: Expecting value at column 1",
    ]


@pytest.mark.parametrize("export, tool", [("label-studio-export.json", "a Label Studio JSON export"),
                                          ("doccano-export.jsonl", "a doccano JSONL export")])
def test_validate_names_a_tool_export_once_and_points_to_import(export, tool):
    export = FIXTURES / export
    result = run("validate", str(export))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (f"error: {export}: {tool}, not annotated JSONL; "
                                     f"convert it first: arabic-events import {export} -o FILE.jsonl")


def test_validate_an_empty_file_is_an_error_not_ok(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    result = run("validate", str(empty))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == f"error: {empty}: the file is empty: no documents to validate"


def test_validate_names_event_records_once_and_points_to_evaluate():
    records = ROOT / "annotations" / "records-gold.jsonl"
    result = run("validate", str(records))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.strip() == (f"error: {records}: event records, not annotated JSONL; "
                                     f"score them with: arabic-events evaluate --records {records}")


def test_validate_refuses_a_file_given_twice_naming_both_spellings():
    corpus = ROOT / "annotations" / "corpus.jsonl"
    result = run("validate", str(corpus), "annotations/../annotations/corpus.jsonl")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.strip() == f"error: annotations/../annotations/corpus.jsonl: the same file as {corpus}, given twice"


def test_validate_names_a_missing_file_before_a_file_given_twice(tmp_path):
    corpus = str(ROOT / "annotations" / "corpus.jsonl")
    result = run("validate", str(tmp_path / "nope.jsonl"), corpus, corpus)
    assert result.stderr.strip() == f"error: {tmp_path / 'nope.jsonl'}: no such file"


def test_validate_names_each_event_record_in_a_file_that_mixes_them_with_annotations(tmp_path):
    record = (ROOT / "annotations" / "records-gold.jsonl").read_text(encoding="utf-8").splitlines()[0]
    annotation = (ROOT / "annotations" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()[0]
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(f"{annotation}\n{record}\n", encoding="utf-8")
    result = run("validate", str(mixed))
    assert (result.returncode, result.stdout.strip()) == (1, f"{mixed}:2: an event record, not an annotation "
                                                             "(score event records with: arabic-events evaluate --records FILE)")


def test_validate_names_a_json_array_once_and_says_how_to_make_lines(tmp_path):
    articles = [json.loads(line) for line in (ROOT / "annotations" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()[:2]]
    array = tmp_path / "my articles.json"
    array.write_text(json.dumps(articles, ensure_ascii=False, indent=2), encoding="utf-8")
    result = run("validate", str(array))
    assert (result.returncode, result.stdout.strip()) == (1, f"{array}:1: one JSON array of 2 objects, not JSON lines "
                                                             f"(one article per line); write it as lines with: "
                                                             f"jq -c '.[]' '{array}' > FILE.jsonl")


def test_validate_calls_a_file_of_invisible_blanks_empty_not_event_records(tmp_path):
    blanks = tmp_path / "blanks.jsonl"
    blanks.write_text("\u00a0\n", encoding="utf-8")  # a no-break space: blank to a reader, not to bytes.strip()
    result = run("validate", str(blanks))
    assert (result.returncode, result.stderr.strip()) == (1, f"error: {blanks}: the file is empty: no documents to validate")


def test_missing_file_is_one_line_without_traceback(tmp_path):
    result = run("validate", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'nope.jsonl'}: no such file"


def test_failed_import_leaves_an_existing_output_untouched(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "قصفت الطائرات.", "label": [[0, 3, "ATTACK"]]}\n', encoding="utf-8")
    result = run("import", "--from", "doccano", str(bad), "-o", str(out))
    assert result.returncode == 1
    assert "starts or ends inside a word" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_text(encoding="utf-8") == "precious\n"
    assert set(tmp_path.iterdir()) == {bad, out}  # no temporary file left behind


def test_import_label_studio_writes_corpus_records(tmp_path):
    out = tmp_path / "imported.jsonl"
    result = run("import", "--from", "label-studio", str(FIXTURES / "label-studio-export.json"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert run("validate", str(out)).returncode == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_import_names_a_skipped_task_whose_id_is_a_lone_surrogate_by_its_escape(tmp_path):
    tasks = json.loads((FIXTURES / "label-studio-export.json").read_text(encoding="utf-8"))
    export = tmp_path / "export.json"
    unannotated = '{"id": "\\ud800", "data": {"text": "قصف"}, "annotations": []}'
    export.write_text("[" + unannotated + ", " + ", ".join(json.dumps(t, ensure_ascii=False) for t in tasks) + "]",
                      encoding="utf-8")
    result = run("import", "--from", "label-studio", str(export), "-o", str(tmp_path / "imported.jsonl"))
    assert result.returncode == 0, result.stderr
    assert "skipped 1 task without a completed annotation: \\ud800 (not annotated)" in result.stdout


def test_export_of_a_file_without_documents_writes_nothing(tmp_path):
    blank, out = tmp_path / "blank.jsonl", tmp_path / "tasks.json"
    blank.write_text("\n", encoding="utf-8")
    result = run("export", "--to", "label-studio", str(blank), "-o", str(out))
    assert (result.returncode, result.stderr.strip()) == (
        1, f"error: {blank}: the file is empty: no documents to export; nothing was written")
    assert not out.exists()


def test_export_to_label_studio_writes_tasks_with_predictions(tmp_path):
    out = tmp_path / "tasks.json"
    result = run("export", "--to", "label-studio", str(CORPUS), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert '"predictions"' in out.read_text(encoding="utf-8")


def test_every_subcommand_has_help():
    for command in ("validate", "import", "export"):
        result = run(command, "--help")
        assert result.returncode == 0 and "Usage" in result.stdout, command
