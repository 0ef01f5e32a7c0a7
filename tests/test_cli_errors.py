"""Every command as a user meets it with bad input: click's short usage message and exit status 2
for a usage error, one specific line and exit status 1 for anything else, never a traceback;
outputs that would destroy an input or a device are refused before any work."""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.conftest import CORPUS, FIXTURES, ROOT

LABEL_STUDIO = FIXTURES / "label-studio-export.json"
GOLD = FIXTURES / "evaluation" / "gold.jsonl"
PREDICTIONS = FIXTURES / "evaluation" / "predictions.jsonl"
RECORDS_GOLD = ROOT / "annotations" / "records-gold.jsonl"


@pytest.fixture(scope="module")
def empty_home(tmp_path_factory) -> dict[str, str]:
    """A BentoML home with no model: nothing a test runs can reach the user's own store."""
    home = tmp_path_factory.mktemp("empty-bentoml-home")
    return {**os.environ, "BENTOML_HOME": str(home), "ARABIC_EVENTS_CACHE": str(home / "cache"), "BENTOML_DO_NOT_TRACK": "true"}


def run(env: dict[str, str], *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``arabic-events`` of this checkout, run from ``cwd``."""
    return subprocess.run([sys.executable, "-m", "arabic_events", *args], cwd=cwd, env={**env, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=300)


def assert_usage_error(result: subprocess.CompletedProcess, command: str, message: str) -> None:
    """click's short usage block: the usage line, the hint to --help, a blank line, the error (for a
    missing choice option, then its choices, one per line)."""
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"Usage: arabic-events {command}".rstrip()), lines
    assert lines[1] == f"Try 'arabic-events {command + ' ' if command else ''}--help' for help.", lines
    assert lines[2] == "", lines
    assert lines[3].startswith(f"Error: {message}"), lines[3]
    assert all(line.startswith("\t") for line in lines[4:]), lines  # the choices of a missing choice option


def assert_one_line_error(result: subprocess.CompletedProcess, message: str) -> None:
    """Exit status 1 and exactly one error line (notes before it are allowed); ``message`` is its start."""
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("note: ")]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"error: {message}"), errors[0]


USAGE_ERRORS = [
    (("tagg",), "", "No such command 'tagg'. Did you mean 'tag'?"),
    (("tag", str(CORPUS)), "tag", "Missing option '-o' / '--output'."),
    (("tag", str(CORPUS), "-o", "out.jsonl", "--batch", "abc"), "tag", "Invalid value for '--batch'"),
    (("tag", str(CORPUS), "-o", "out.jsonl", "--batch", "0"), "tag", "Invalid value for '--batch'"),
    (("tag", str(CORPUS), "-o", "out.jsonl", "--precision", "fp16"), "tag", "Invalid value for '--precision'"),
    (("import", "--from", "foo", str(LABEL_STUDIO), "-o", "out.jsonl"), "import", "Invalid value for '--from'"),
    (("select", "--pool", str(CORPUS), "-n", "2", "--strategy", "margin", "-o", "next.json"), "select",
     "Invalid value for '--strategy': Value error, 'margin' is not one of 'entropy', 'least-confidence', 'random'."),
    (("simulate", "--strategy", "entropy", "--strategy", "margin"), "simulate",
     "Invalid value for '--strategy': Value error, 'margin' is not one of 'entropy', 'least-confidence', 'random'."),
    (("export", str(CORPUS), "-o", "out.json"), "export", "Missing option '--to'."),
    (("records", str(CORPUS), "--format", "csv", "-o", "records.jsonl"), "records",
     "Invalid value for '--format': csv, but the output records.jsonl is named as a jsonl file; "
     "name it records.csv or leave --format out."),
    (("validate",), "validate", "Missing argument 'FILE'."),
    (("crossval", "--folds", "1"), "crossval", "Invalid value for '--folds': 1 fold: give 0 (leave one article out) or at least 2."),
    (("ablation", "--folds", "1"), "ablation", "Invalid value for '--folds': 1 fold: give at least 2."),
    (("evaluate", str(GOLD)), "evaluate", "Missing option '-o' / '--output'."),
    (("evaluate", "-o", "report"), "evaluate", "Missing argument 'GOLD'."),
    (("evaluate", str(GOLD), "--data", str(GOLD), "-o", "report"), "evaluate", "Argument 'GOLD' given twice"),
    (("retrain",), "retrain", "Missing argument 'FILE'."),
    (("train", "--holdout", "-1"), "train", "Invalid value for '--holdout'"),
    (("serve", "--port", "80"), "serve", "No such option: --port"),
    (("bench", "--bogus"), "bench", "No such option: --bogus"),
    (("corpus", "stats", "--bogus"), "corpus stats", "No such option: --bogus"),
]


@pytest.mark.parametrize(("args", "command", "message"), USAGE_ERRORS, ids=[" ".join(a[:2]) for a, _, _ in USAGE_ERRORS])
def test_usage_errors_get_the_short_usage_message_and_status_2(empty_home, tmp_path, args, command, message):
    assert_usage_error(run(empty_home, *args, cwd=tmp_path), command, message)


def test_version_prints_the_package_version(empty_home):
    result = run(empty_home, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"arabic-events {version('arabic-events')}\n"


def bad_inputs(tmp: Path) -> list[tuple[tuple[str, ...], str]]:
    """(arguments, the start of the one error line) for every command; files made in ``tmp``."""
    (tmp / "empty.jsonl").write_text("", encoding="utf-8")
    (tmp / "unannotated.jsonl").write_text('{"id": "a", "text": "قصفت طائرات حربية سوقاً.", "spans": []}\n', encoding="utf-8")
    (tmp / "not-json.jsonl").write_text("id,text\n", encoding="utf-8")
    (tmp / "no-spans.jsonl").write_text('{"id": "g1", "sentences": [], "events": []}\n', encoding="utf-8")
    (tmp / "notes.txt").write_text("not an export\n", encoding="utf-8")
    (tmp / "broken-ls.json").write_text('[\n {\n  "data": {"text": "قصف"}\n  "annotations": []\n }\n]\n', encoding="utf-8")
    (tmp / "broken-doccano.jsonl").write_text('{"text": "قصف", "label": []\n{"text": "قصف", "label": []}\n', encoding="utf-8")
    (tmp / "other.json").write_text('{"rows": []}\n', encoding="utf-8")
    (tmp / "a-file").write_text("x\n", encoding="utf-8")
    (tmp / "no-jsonl").mkdir()
    report, tiny = str(tmp / "report"), str(ROOT / "configs" / "tiny.yaml")
    return [
        (("validate", str(tmp / "missing.jsonl")), f"{tmp / 'missing.jsonl'}: no such file"),
        (("import", str(LABEL_STUDIO), "-o", "/proc/x.jsonl"), "/proc/x.jsonl: cannot write in /proc ("),
        (("import", str(LABEL_STUDIO), "-o", str(tmp / "no-such-dir" / "x.jsonl")), f"{tmp / 'no-such-dir'}: no such directory"),
        (("import", str(LABEL_STUDIO), "-o", str(tmp)), f"{tmp}: is a directory, expected a file name"),
        (("import", "--from", "doccano", str(LABEL_STUDIO), "-o", str(tmp / "x.jsonl")),
         f"{LABEL_STUDIO}: this is a Label Studio JSON export, not a doccano JSONL export; use --from label-studio"),
        (("import", str(tmp / "notes.txt"), "-o", str(tmp / "x.jsonl")), f"{tmp / 'notes.txt'}:1: malformed JSON: Expecting value at column 1"),
        (("import", str(tmp / "broken-ls.json"), "-o", str(tmp / "x.jsonl")),
         f"{tmp / 'broken-ls.json'}:4: malformed JSON: Expecting ',' delimiter at column 3"),
        (("import", str(tmp / "broken-doccano.jsonl"), "-o", str(tmp / "x.jsonl")),
         f"{tmp / 'broken-doccano.jsonl'}:1: malformed JSON: Expecting ',' delimiter at column 28"),
        (("import", str(tmp / "empty.jsonl"), "-o", str(tmp / "x.jsonl")),
         f"{tmp / 'empty.jsonl'}: the file is empty: no Label Studio tasks or doccano records to import"),
        (("import", str(tmp / "other.json"), "-o", str(tmp / "x.jsonl")),
         f"{tmp / 'other.json'}: neither a Label Studio JSON export nor a doccano JSONL export (say which with --from)"),
        (("export", str(CORPUS), "--to", "doccano", "-o", "/dev/full"), "/dev/full: not a regular file; refusing to replace it"),
        (("corpus", "fetch", "--from", str(tmp / "missing")), f"{tmp / 'missing'}: no such folder"),
        (("corpus", "fetch", "--from", str(tmp), "--origins", str(tmp)),
         "give either --from (ready texts) or --origins (origin files), not both"),
        (("corpus", "fetch", "--from", str(tmp), "-o", str(tmp / "a-file")), f"{tmp / 'a-file'}: exists and is not a folder"),
        (("corpus", "export", "-o", str(CORPUS)), f"{CORPUS}: is also an input; write the output to another file"),
        (("train", "--config", str(tmp / "missing.yaml")), f"{tmp / 'missing.yaml'}: no such config file"),
        (("train", "--config", tiny, "-o", str(tmp / "a-file")), f"{tmp / 'a-file'}: exists and is not a folder"),
        (("crossval", "--config", tiny, "-o", "/dev/full"), "/dev/full: not a regular file"),
        (("crossval", "--config", tiny, "--folds", "9", "-o", str(tmp / "cv.json")),
         "--folds 9: more folds than the 5 documents to test on"),
        (("ablation", "-o", str(tmp / "a-file" / "x.json")), f"{tmp / 'a-file'}: no such directory"),
        (("tag", str(tmp / "missing.jsonl"), "-o", str(tmp / "out.jsonl")), f"{tmp / 'missing.jsonl'}: no such file"),
        (("tag", str(CORPUS), "-o", str(tmp / "out.jsonl")), "no model 'arabic-event-tagger:latest' in the BentoML store"),
        (("evaluate", str(tmp / "empty.jsonl"), "-o", report), f"{tmp / 'empty.jsonl'}: no articles to evaluate"),
        (("evaluate", str(tmp / "unannotated.jsonl"), "-o", report),
         f"{tmp / 'unannotated.jsonl'}: none of its 1 article has an annotated span; evaluate scores annotated articles"),
        (("evaluate", str(GOLD), "--predictions", str(tmp / "not-json.jsonl"), "-o", report),
         f"{tmp / 'not-json.jsonl'}:1: malformed JSON: "),
        (("evaluate", str(GOLD), "--predictions", str(tmp / "no-spans.jsonl"), "-o", report),
         f"{tmp / 'no-spans.jsonl'}:1: not a response object of 'tag' or the service: no 'spans' list"),
        (("evaluate", str(GOLD), "--predictions", str(PREDICTIONS), "-o", str(tmp / "a-file")),
         f"{tmp / 'a-file'}: exists and is not a folder"),
        (("evaluate", "--records", str(RECORDS_GOLD), "--gold-mentions", "-o", str(tmp / "a-file")),
         f"{tmp / 'a-file'}: exists and is not a folder"),
        (("evaluate", "--records", str(RECORDS_GOLD), "--gold-mentions", "--predictions", str(RECORDS_GOLD), "-o", report),
         "--gold-mentions and --predictions: give one (records from the gold spans, or from saved answers)"),
        (("errors", str(PREDICTIONS), str(tmp / "no-jsonl")), f"{tmp / 'no-jsonl'}: no .jsonl files in this folder"),
        (("retrain", str(tmp / "missing.jsonl")), f"{tmp / 'missing.jsonl'}: no such file"),
    ]


def test_every_command_says_what_is_wrong_in_one_line(empty_home, tmp_path):
    for args, message in bad_inputs(tmp_path):
        result = run(empty_home, *args, cwd=tmp_path)
        assert_one_line_error(result, message)
    assert not (tmp_path / "report").exists()  # nothing half-made


def test_serve_names_the_busy_port_before_starting(empty_home):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run({**empty_home, "ARABIC_EVENTS_PORT": str(port), "ARABIC_EVENTS_HOST": "127.0.0.1"}, "serve")
    assert_one_line_error(result, f"port {port} on 127.0.0.1 is already in use (another server?); "
                                  f"choose another port with ARABIC_EVENTS_PORT, e.g. ARABIC_EVENTS_PORT={port + 1} arabic-events serve")


def test_an_output_that_is_the_input_is_refused_and_the_input_kept(empty_home, tmp_path):
    articles = tmp_path / "articles.jsonl"
    articles.write_bytes(CORPUS.read_bytes())
    result = run(empty_home, "tag", str(articles), "-o", str(tmp_path / "." / "articles.jsonl"))
    assert_one_line_error(result, f"{tmp_path / 'articles.jsonl'}: is also an input; write the output to another file")
    assert articles.read_bytes() == CORPUS.read_bytes()


def test_a_device_is_never_replaced_by_a_file(empty_home, tmp_path):
    result = run(empty_home, "import", str(LABEL_STUDIO), "-o", "/dev/full")
    assert_one_line_error(result, "/dev/full: not a regular file; refusing to replace it (use '-o -' for standard output)")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_dash_writes_to_standard_output_and_the_summary_to_stderr(empty_home, tmp_path):
    result = run(empty_home, "import", str(LABEL_STUDIO), "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["ls-doc-1", "label-studio-12"]
    assert result.stderr.strip() == "wrote 2 documents, 6 spans, 0 negatives to -"
    assert list(tmp_path.iterdir()) == []  # no file named '-'


def test_import_recognises_the_format_when_from_is_left_out(empty_home, tmp_path):
    out = tmp_path / "out.jsonl"
    result = run(empty_home, "import", str(FIXTURES / "doccano-export.jsonl"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert run(empty_home, "validate", str(out)).returncode == 0


def test_a_byte_order_mark_is_read_as_an_encoding_mark(empty_home, tmp_path):
    marked = tmp_path / "corpus.jsonl"
    marked.write_bytes(b"\xef\xbb\xbf" + CORPUS.read_bytes())
    result = run(empty_home, "validate", str(marked))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 5 documents, 94 sentences, 287 spans")


def test_tag_refuses_articles_over_the_service_limit_before_loading_a_model(empty_home, tmp_path):
    result = run({**empty_home, "ARABIC_EVENTS_MAX_CHARS": "2000"}, "tag", str(CORPUS), "-o", str(tmp_path / "out.jsonl"))
    first = json.loads(CORPUS.read_text(encoding="utf-8").splitlines()[0])
    longer = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    longer = [a for a in longer if len(a["text"]) > 2000]
    more = f" (and {len(longer) - 1} more)" if len(longer) > 1 else ""
    assert longer[0]["id"] == first["id"]
    assert_one_line_error(result, f"article '{first['id']}' has {len(first['text']):,} characters, over the limit of 2,000{more}; "
                                  "split it, or raise the limit with --max-chars N")


def test_old_spellings_still_work(empty_home, tmp_path):
    """README examples of earlier versions: evaluate --data/--out."""
    out = tmp_path / "report"
    result = run(empty_home, "evaluate", "--data", str(GOLD), "--predictions", str(PREDICTIONS), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["data"]["documents"] == 1


def jsonl(text: str) -> list:
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("args, parse, summary", [
    (("records", str(CORPUS), "-o", "-"), jsonl, " -> -"),
    (("records", str(CORPUS), "--format", "geojson", "-o", "-"), json.loads, " -> -"),
    (("select", "--pool", str(CORPUS), "-n", "2", "-o", "-"), json.loads, " -> -"),
    (("gate-split", "--config", "configs/seeds.yaml", "-o", "-"), json.loads, "wrote -: "),
], ids=["records", "records-geojson", "select", "gate-split"])
def test_an_output_on_standard_output_is_all_that_standard_output_holds(tiny_env, args, parse, summary):
    result = run(tiny_env, *args)
    assert result.returncode == 0, result.stderr
    assert parse(result.stdout)
    assert summary in result.stderr


def test_two_outputs_of_one_command_may_not_be_one_file(tmp_path):
    (tmp_path / "sub").mkdir()
    again = tmp_path / "sub" / ".." / "e.txt"
    result = run(dict(os.environ), "errors", str(FIXTURES / "errors" / "predictions.jsonl"), str(FIXTURES / "errors" / "gold.jsonl"),
                 "-o", str(tmp_path / "e.txt"), "--csv", str(again))
    assert_one_line_error(result, f"{again}: given to both -o and --csv; give each its own file")
    assert not (tmp_path / "e.txt").exists()


def test_tag_reads_a_folder_of_txt_files_in_any_case_and_with_a_byte_order_mark(tiny_env, tmp_path):
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    text = "قصفت طائرات حربية سوقاً شعبياً في مدينة أريحا."
    (folder / "a.TXT").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (folder / "sub" / "b.txt").write_text(text, encoding="utf-8")
    (folder / "notes.md").write_text("x", encoding="utf-8")

    flat = run(tiny_env, "tag", str(folder), "-o", str(tmp_path / "flat.jsonl"))
    assert flat.returncode == 0, flat.stderr
    assert "Traceback" not in flat.stderr
    assert [json.loads(line)["id"] for line in (tmp_path / "flat.jsonl").read_text(encoding="utf-8").splitlines()] == ["a"]
    assert f"note: 1 subfolder of {folder} not read (add --recursive to read them)" in flat.stderr
    assert f"note: 1 file of {folder} not read: not .txt" in flat.stderr

    deep = run(tiny_env, "tag", str(folder), "--recursive", "-o", "-")
    assert deep.returncode == 0, deep.stderr
    results = [json.loads(line) for line in deep.stdout.splitlines()]
    assert [r["id"] for r in results] == ["a", "sub/b"]
    for result in results:  # offsets refer to the text without its byte-order mark
        assert all(text[s["start"] : s["end"]] == s["text"] for s in result["spans"])
    assert results[0]["spans"] == results[1]["spans"]


def test_evaluate_warns_when_articles_are_in_the_training_data(tiny_env, tmp_path):
    """The tiny model is trained on the five seed articles (configs/tiny.yaml)."""
    out = tmp_path / "report"
    result = run(tiny_env, "evaluate", str(CORPUS), "-o", str(out))
    assert result.returncode == 0, result.stderr
    tag = json.loads((out / "report.json").read_text(encoding="utf-8"))["model"]
    warning = (f"5 of the 5 evaluated articles are in the training data of {tag} (seed-000, seed-001, seed-002, seed-003, "
               "seed-004): its scores on them overstate how it does on new articles")
    assert f"warning: {warning}" in result.stderr
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["warnings"] == [warning]
    assert "Warning:" in (out / "report.html").read_text(encoding="utf-8")


def test_evaluate_warns_of_a_training_article_under_another_id(tiny_env, tmp_path):
    """The same text is the same article to the model, whatever its id: seen by its text's sha256."""
    seed = json.loads(CORPUS.read_text(encoding="utf-8").splitlines()[1])
    copy = tmp_path / "copy.jsonl"
    copy.write_text(json.dumps({**seed, "id": "copy-of-" + seed["id"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "report"
    result = run(tiny_env, "evaluate", str(copy), "-o", str(out))
    assert result.returncode == 0, result.stderr
    tag = json.loads((out / "report.json").read_text(encoding="utf-8"))["model"]
    assert (f"warning: 1 of the 1 evaluated article is in the training data of {tag} (copy-of-seed-001): "
            "its scores on it overstate how it does on new articles") in result.stderr


def test_evaluate_on_held_out_articles_warns_of_nothing(tiny_env, tmp_path):
    out = tmp_path / "report"
    result = run(tiny_env, "evaluate", str(GOLD), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["warnings"] == []


def commands_in_help(env: dict[str, str], *group: str) -> list[str]:
    block = run(env, *group, "--help").stdout.split("Commands:\n", 1)[1]
    return [line.split()[0] for line in block.splitlines() if re.match(r"  \w", line)]


def test_readme_commands_table_matches_the_help(empty_home):
    """One row per command, and every option a row spells is in that command's help."""
    table = (ROOT / "README.md").read_text(encoding="utf-8").split("## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `arabic-events ([^`]*)` \|", table, flags=re.M)
    names = [" ".join(row.split()[:2]) if row.startswith("corpus ") else row.split()[0] for row in rows]
    commands = [c for c in commands_in_help(empty_home) if c != "corpus"]
    commands += [f"corpus {c}" for c in commands_in_help(empty_home, "corpus")]
    assert sorted(names) == sorted(commands)
    for name, row in zip(names, rows):
        help_text = run(empty_home, *name.split(), "--help").stdout
        for option in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", row):
            assert re.search(rf"(?<![\w-]){re.escape(option)}\b", help_text), f"{name}: {option} is not in its help"
