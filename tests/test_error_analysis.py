"""`arabic-events errors`: every false and missed trigger, categorised by the rules of configs/error-categories.yaml.

The category rules are tried on real sentences of the corpus (annotations/contrast.jsonl, the
seeds) whose category was decided by hand from the rules as written; the counts are those of a
small hand-made predictions file over five contrast records (tests/fixtures/errors):

- contrast-001: ATTACK on the football «هاجم» (false: sport) and on the armed «هاجم» (matches gold)
- contrast-093: ATTACK «هجوم» of «هجوم منظم» (false: sport), and an attack event without a trigger
  in sentence 1, «ضربة حرة» (false: sport)
- contrast-148: nothing; the gold «الهجوم الصاروخي» after «بعد أسبوعين من» is missed (background mention)
- contrast-218: ATTACK «قصف» where the gold has «قصف مدفعي» (false and missed: boundary)
- contrast-045: ATTACK on the gold RETALIATION «ردت» (false and missed: wrong type), «القصف» (matches),
  and «باستهداف», the strike word of the retaliation, which the scheme does not tag again (false: other)

so 8 predicted and 5 gold events, 2 matched: 6 false, 3 missed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from error_analysis.categories import load_categories
from error_analysis.triggers import find_errors
from model.corpus_io import read_documents
from model.document import Document
from model.errors import UserError
from training.evaluation import read_predictions
from training.metrics import event_scores, prediction_from_result
from tests.conftest import FIXTURES, ROOT, run_cli

CONTRAST = ROOT / "annotations" / "contrast.jsonl"
GOLD = FIXTURES / "errors" / "gold.jsonl"
PREDICTIONS = FIXTURES / "errors" / "predictions.jsonl"


@pytest.fixture(scope="module")
def rules():
    return load_categories()


@pytest.fixture(scope="module")
def documents(corpus) -> dict[str, Document]:
    return {d.id: d for d in [*corpus, *read_documents(CONTRAST)]}


def category_of(rules, document: Document, trigger: str, occurrence: int = 1) -> str:
    """The category the rules give a trigger: the ``occurrence``-th ``trigger`` of ``document``'s text."""
    start = -1
    for _ in range(occurrence):
        start = document.text.index(trigger, start + 1)
    sentence = next(s for s in document.sentences if s.start <= start < s.end)
    local = (start - sentence.start, start - sentence.start + len(trigger))
    return rules.classify(document.text[sentence.start : sentence.end], local)[0]


@pytest.mark.parametrize(("document", "trigger", "occurrence", "category"), [
    ("contrast-088", "لهجوم", 1, "cyber"),  # تعرضت المواقع الإلكترونية لوزارات … لهجوم إلكتروني
    ("contrast-096", "هجوماً", 1, "sport"),  # شن لاعبو الأهلي هجوماً كاسحاً على مرمى الزمالك
    ("contrast-121", "قصفاً", 1, "exercise"),  # وشمل التمرين قصفاً مدفعياً لأهداف وهمية
    ("contrast-141", "هجمات", 1, "legal/trial"),  # قضت محكمة عراقية بسجن ثلاثة متهمين بالتخطيط لتنفيذ هجمات
    ("contrast-116", "ضربة", 1, "negated/denied"),  # نفى الجيش الأمريكي تنفيذ أي ضربة جوية
    ("contrast-117", "هجوم", 1, "negated/denied"),  # لم تتعرض قاعدة التنف لأي هجوم: «لم» four words before
    ("contrast-107", "بقصف", 1, "future/threat/conditional"),  # هددت جماعة الحوثي بقصف المنشآت النفطية
    ("contrast-109", "هاجمت", 1, "future/threat/conditional"),  # في حال هاجمت الفصائل المسلحة السفارة
    ("contrast-100", "ردت", 1, "verbal/diplomatic"),  # ردت وزارة الخارجية العراقية على انتقادات نظيرتها
    ("contrast-127", "ضرب", 1, "figurative"),  # ضرب زلزال بقوة ست درجات
    ("contrast-133", "ضرب", 1, "figurative"),  # ضرب الحركة الاحتجاجية في مقتل: a cue near the trigger
    ("seed-002", "هجوماً", 1, "aggregate count"),  # تعرض قواتها … لخمسة وخمسين هجوماً خلال شهر
    ("contrast-139", "الهجمات", 1, "aggregate count"),  # نصف الهجمات بالعبوات الناسفة في العالم
    ("seed-000", "هجمات", 5, "background mention"),  # وسبق أن نفذت مليشيات مرتبطة بإيران هجمات
    ("contrast-149", "تفجيراً انتحارياً", 1, "background mention"),  # وكانت مدينة الحلة قد شهدت في آذار الماضي
    ("contrast-001", "هاجم", 2, "other"),  # وفي مدينة سرت، هاجم مسلحون مجهولون نقطة تفتيش: no cue
])
def test_each_category_on_a_corpus_sentence(rules, documents, document, trigger, occurrence, category):
    assert category_of(rules, documents[document], trigger, occurrence) == category


def test_the_first_category_in_the_file_wins(rules, documents):
    # ارتفع عدد الهجمات الإلكترونية على المصارف العربية بنسبة الثلث: cyber, and «بنسبة» of aggregate count
    assert category_of(rules, documents["contrast-136"], "الهجمات") == "cyber"


def test_a_negation_counts_only_before_the_trigger(rules, documents):
    # وقالت الخارجية التركية إن الرد العراقي لا يعكس روح العلاقات بين البلدين: «لا» follows «الرد»
    assert category_of(rules, documents["contrast-100"], "الرد") == "verbal/diplomatic"


def test_not_the_first_time_is_no_negation(rules, documents):
    # وهذه ليست المرة الأولى التي تستهدف فيها المسيرات مطار أربيل، إذ تعرض المطار لهجوم مماثل في أيلول الماضي
    assert category_of(rules, documents["contrast-152"], "تستهدف") == "background mention"


def test_a_near_trigger_cue_beyond_the_window_does_not_fire(rules, documents):
    # ولم يتخذ البيت الأبيض قراراً نهائياً بشأن توجيه ضربة: «ولم» is eight words before «ضربة», the window six
    assert rules.window == 6
    assert category_of(rules, documents["contrast-113"], "ضربة") == "other"


def test_the_matched_cue_is_reported_folded(rules, documents):
    document = documents["contrast-116"]
    sentence = document.sentences[0]
    text = document.text[sentence.start : sentence.end]
    start = text.index("ضربة")
    assert rules.classify(text, (start, start + 4)) == ("negated/denied", "نفي")  # نفى, its ى folded to ي


@pytest.fixture(scope="module")
def fixture_errors(rules):
    gold = read_documents(GOLD)
    return find_errors(gold, read_predictions(PREDICTIONS), rules)[0]


def test_a_trigger_with_other_boundaries_is_boundary_on_both_sides(fixture_errors):
    found = [(e.kind, e.trigger, e.start, e.end) for e in fixture_errors if e.category == "boundary"]
    assert found == [("false", "قصف", 76, 79), ("missed", "قصف مدفعي", 76, 85)]


def test_a_trigger_of_the_other_type_is_wrong_type_on_both_sides(fixture_errors):
    found = [(e.kind, e.type, e.trigger) for e in fixture_errors if e.category == "wrong type"]
    assert found == [("false", "attack", "ردت"), ("missed", "retaliation", "ردت")]


def test_an_event_without_a_trigger_is_a_false_trigger_of_its_sentence(fixture_errors):
    [error] = [e for e in fixture_errors if e.trigger is None]
    assert (error.document, error.sentence, error.category, error.score) == ("contrast-093", 1, "sport", 0.52)
    assert error.sentence_text == "ونفذ لاعب الوسط ضربة حرة مباشرة ارتطمت بالعارضة."


def test_a_missed_trigger_carries_its_sentence_and_the_sentence_heads_score(fixture_errors):
    [error] = [e for e in fixture_errors if e.category == "background mention"]
    assert (error.kind, error.document, error.trigger, error.start, error.end) == ("missed", "contrast-148", "الهجوم الصاروخي", 30, 45)
    assert (error.score, error.sentence_score, error.sentence) == (None, 0.31, 0)


def test_errors_are_the_complement_of_the_event_scores(fixture_errors):
    gold = read_documents(GOLD)
    results = {r["id"]: r for r in read_predictions(PREDICTIONS)}
    events = [prediction_from_result(d, results[d.id]).events for d in gold]
    scores = event_scores(gold, events)["events"]
    predicted, gold_count = sum(map(len, events)), scores["support"]
    matched = round(scores["recall"] * gold_count)
    assert (predicted, gold_count, matched) == (8, 5, 2)
    assert sum(e.kind == "false" for e in fixture_errors) == predicted - matched == 6
    assert sum(e.kind == "missed" for e in fixture_errors) == gold_count - matched == 3


def test_gold_articles_without_a_prediction_are_left_out(rules, documents):
    gold = [*read_documents(GOLD), documents["contrast-002"]]
    _, analysed = find_errors(gold, read_predictions(PREDICTIONS), rules)
    assert [d.id for d in analysed] == ["contrast-001", "contrast-093", "contrast-148", "contrast-218", "contrast-045"]


def test_a_prediction_of_an_article_missing_from_the_gold_is_refused(rules):
    gold = [d for d in read_documents(GOLD) if d.id != "contrast-148"]
    with pytest.raises(UserError, match=r"^1 predicted articles are in none of the gold files \(contrast-148\)"):
        find_errors(gold, read_predictions(PREDICTIONS), rules)


def test_a_prediction_made_on_another_text_is_refused(rules):
    results = read_predictions(PREDICTIONS)
    results[0]["spans"][0]["start"] += 1
    with pytest.raises(UserError, match="prediction for 'contrast-001' does not fit its text"):
        find_errors(read_documents(GOLD), results, rules)


def test_an_event_trigger_outside_the_text_is_refused(rules):
    results = read_predictions(PREDICTIONS)
    results[2]["events"].append({"type": "attack", "score": 0.9, "trigger": {"start": 120, "end": 200}, "arguments": []})
    with pytest.raises(UserError, match=r"prediction for 'contrast-148'(: an event's part| does not fit its text) .*120-200"):
        find_errors(read_documents(GOLD), results, rules)


@pytest.mark.parametrize(("content", "message"), [
    ("window: 6\ncategories:\n  - name: cyber\n    sentence: ['(هجوم']\n", r"category 1 \('cyber'\): cue '\(هجوم' is not a regular expression"),
    ("window: 6\ncategories:\n  - name: cyber\n    words: [هجوم]\n", r"category 1 \('cyber'\): unknown key 'words'"),
    ("window: 6\ncategories:\n  - name: other\n    sentence: [هجوم]\n", r"category 'other' is named twice or is one of the fixed ones"),
    ("window: -1\ncategories: []\n", r"'window' is a number of words"),
])
def test_a_bad_categories_file_is_one_error_naming_the_problem(tmp_path, content, message):
    path = tmp_path / "categories.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError, match=message):
        load_categories(path)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("errors")
    result = run_cli(dict(os.environ), "errors", str(PREDICTIONS), str(GOLD), "-o", str(out / "errors.json"), "--csv", str(out / "errors.csv"))
    return result, out


def test_the_command_prints_and_writes_the_counts_by_category(cli_run):
    result, out = cli_run
    report = json.loads((out / "errors.json").read_text(encoding="utf-8"))
    nonzero = {name: row for name, row in report["counts"].items() if row["false"] or row["missed"]}
    assert nonzero == {
        "boundary": {"false": 1, "missed": 1},
        "wrong type": {"false": 1, "missed": 1},
        "sport": {"false": 3, "missed": 0},
        "background mention": {"false": 0, "missed": 1},
        "other": {"false": 1, "missed": 0},
    }
    assert report["total"] == {"false": 6, "missed": 3}
    assert report["categories"][:2] == ["boundary", "wrong type"] and report["categories"][-1] == "other"
    assert (report["documents"], len(report["errors"])) == (5, 9)
    assert "trigger errors in 5 articles (predictions.jsonl)" in result.stdout
    assert "│ sport                     │     3 │      0 │   3 │" in result.stdout


def test_the_csv_has_one_row_per_error_with_its_sentence(cli_run):
    _, out = cli_run
    rows = list(csv.DictReader(io.StringIO((out / "errors.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 9
    first = rows[0]
    assert (first["kind"], first["category"], first["document"], first["trigger"], first["start"], first["end"], first["score"]) == (
        "false", "sport", "contrast-001", "هاجم", "0", "4", "0.61")
    assert first["sentence_text"] == "هاجم لاعبو الرجاء مرمى الضيوف طوال الشوط الثاني لكنهم أخفقوا في التسجيل."


def test_the_command_refuses_predictions_of_articles_it_was_not_given(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(line + "\n" for line in GOLD.read_text(encoding="utf-8").splitlines()[:4]), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "arabic_events", "errors", str(PREDICTIONS), str(gold), "-o", str(tmp_path / "e.json")],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: 1 predicted articles are in none of the gold files (contrast-045): give the annotated files that hold them"]
    assert not (tmp_path / "e.json").exists()


@pytest.mark.slow
def test_errors_of_a_tagged_corpus_are_the_complement_of_its_event_scores(tiny_env, tmp_path, corpus):
    tagged, report = tmp_path / "tagged.jsonl", tmp_path / "errors.json"
    run_cli(tiny_env, "tag", str(ROOT / "annotations" / "corpus.jsonl"), "-o", str(tagged))
    run_cli(tiny_env, "errors", str(tagged), str(ROOT / "annotations" / "corpus.jsonl"), "-o", str(report))
    results = {r["id"]: r for r in read_predictions(tagged)}
    events = [results[d.id]["events"] for d in corpus]
    scores = event_scores(corpus, events)["events"]
    assert scores["support"] == 71  # the seeds' 62 ATTACK and 9 RETALIATION triggers
    matched = round(scores["recall"] * 71)
    total = json.loads(report.read_text(encoding="utf-8"))["total"]
    assert total == {"false": sum(map(len, events)) - matched, "missed": 71 - matched}


def test_a_reader_that_stops_reading_the_tables_does_not_cost_the_report(tmp_path):
    """`errors ... -o FILE | head -1`: the pipe closes before the tables are printed; the file is written all the same."""
    command = [sys.executable, "-m", "arabic_events", "errors", str(PREDICTIONS), str(GOLD), "-o", str(tmp_path / "e.json")]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    process.stdout.close()  # nothing is read: the first table meets a closed pipe
    process.wait(timeout=600)
    assert json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))["total"] == {"false": 6, "missed": 3}


def test_a_report_on_standard_output_is_all_that_standard_output_holds(tmp_path):
    result = run_cli(dict(os.environ), "errors", str(PREDICTIONS), str(GOLD), "-o", "-", "--csv", str(tmp_path / "e.csv"))
    assert json.loads(result.stdout)["total"] == {"false": 6, "missed": 3}
    assert f"wrote {tmp_path / 'e.csv'}" in result.stderr and "wrote -" not in result.stderr
