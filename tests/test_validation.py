"""The validator catches each problem of the scheme, on small hand-made bad files."""

import hashlib
import json

import pytest

from model.validation import validate_files

TEXT = "قصفت طائرات التحالف مواقع للمليشيات. وقال المتحدث إن الوضع هادئ."
# offsets: قصفت 0-4, طائرات التحالف 5-19, مواقع للمليشيات 20-35, sentence 2 starts at 37


def record(spans, doc_id="d1", text=TEXT):
    return json.dumps({"id": doc_id, "text": text, "spans": spans}, ensure_ascii=False)


def problems_of(tmp_path, *lines: str | bytes) -> list[str]:
    path = tmp_path / "bad.jsonl"
    data = b"\n".join(line if isinstance(line, bytes) else line.encode("utf-8") for line in lines)
    path.write_bytes(data + b"\n")
    _, problems = validate_files([path])
    return [str(p).replace(str(path), "bad.jsonl") for p in problems]


def test_a_valid_record_has_no_problem(tmp_path):
    spans = [{"start": 0, "end": 4, "label": "ATTACK"}, {"start": 5, "end": 19, "label": "ATTACKER"}]
    assert problems_of(tmp_path, record(spans)) == []


def test_unknown_label(tmp_path):
    [problem] = problems_of(tmp_path, record([{"start": 0, "end": 4, "label": "ATACK"}]))
    assert problem.startswith("bad.jsonl:1: unknown label 'ATACK'")


def test_offsets_out_of_range(tmp_path):
    [problem] = problems_of(tmp_path, record([{"start": 60, "end": 90, "label": "ATTACK"}]))
    assert problem == f"bad.jsonl:1: span ATTACK 60-90: offsets out of range for a text of {len(TEXT)} characters"


def test_span_edge_on_whitespace(tmp_path):
    [problem] = problems_of(tmp_path, record([{"start": 0, "end": 5, "label": "ATTACK"}]))
    assert problem == "bad.jsonl:1: span ATTACK 0-5 «قصفت » : starts or ends on whitespace or punctuation".replace(" :", ":")


def test_span_edge_on_punctuation(tmp_path):
    spans = [{"start": 0, "end": 4, "label": "ATTACK"}, {"start": 20, "end": 36, "label": "TARGET"}]
    [problem] = problems_of(tmp_path, record(spans))
    assert problem == "bad.jsonl:1: span TARGET 20-36 «مواقع للمليشيات.»: starts or ends on whitespace or punctuation"


def test_span_inside_a_word(tmp_path):
    [problem] = problems_of(tmp_path, record([{"start": 1, "end": 4, "label": "ATTACK"}]))
    assert problem == "bad.jsonl:1: span ATTACK 1-4 «صفت»: starts or ends inside a word"


def test_span_edge_on_an_invisible_mark(tmp_path):
    text = "\u200fقصفت طائرات التحالف مواقع للمليشيات."  # a right-to-left mark before the first word
    [problem] = problems_of(tmp_path, record([{"start": 0, "end": 5, "label": "ATTACK"}], text=text))
    assert problem == ("bad.jsonl:1: span ATTACK 0-5 «\u200fقصفت»: starts or ends on an invisible mark (U+200F); "
                       "leave it out of the span")
    assert problems_of(tmp_path, record([{"start": 1, "end": 5, "label": "ATTACK"}], text=text)) == []


def test_overlapping_spans(tmp_path):
    spans = [
        {"start": 0, "end": 4, "label": "ATTACK"},
        {"start": 5, "end": 19, "label": "ATTACKER"},
        {"start": 12, "end": 19, "label": "TARGET"},
    ]
    [problem] = problems_of(tmp_path, record(spans))
    assert problem == "bad.jsonl:1: span TARGET 12-19 «التحالف» overlaps span ATTACKER 5-19 «طائرات التحالف»"


def test_span_crossing_a_sentence_end(tmp_path):
    spans = [{"start": 0, "end": 4, "label": "ATTACK"}, {"start": 20, "end": 41, "label": "TARGET"}]
    [problem] = problems_of(tmp_path, record(spans))
    assert problem == "bad.jsonl:1: span TARGET 20-41 «مواقع للمليشيات. وقال» crosses a sentence end"


def test_argument_in_a_sentence_without_trigger(tmp_path):
    [problem] = problems_of(tmp_path, record([{"start": 5, "end": 19, "label": "ATTACKER"}]))
    assert problem == "bad.jsonl:1: span ATTACKER 5-19 «طائرات التحالف» is an argument in sentence 0, which has no trigger"


def test_duplicate_ids(tmp_path):
    problems = problems_of(tmp_path, record([]), record([]))
    assert problems == ["bad.jsonl:2: duplicate id 'd1' (first at bad.jsonl:1)"]


def test_text_that_is_not_utf8(tmp_path):
    line = '{"id": "d1", "text": "'.encode() + "قصف".encode("cp1256") + b'", "spans": []}'
    assert problems_of(tmp_path, line) == ["bad.jsonl:1: not valid UTF-8 (byte 22 of the line)"]


def test_malformed_json(tmp_path):
    assert problems_of(tmp_path, '{"id": "d1", "text": "قصف"') == [
        "bad.jsonl:1: malformed JSON: Expecting ',' delimiter at column 27"
    ]


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ("قصف", "not a JSON object"),
        ({"text": TEXT, "spans": []}, "'id' must be a non-empty string"),
        ({"id": "d1", "spans": []}, "no 'text' (a stand-off record carries its text's 'sha256' instead)"),
        ({"id": "d1", "text": 7, "spans": []}, "'text' must be a string"),
        ({"id": "d1", "text": None, "spans": []}, "'text' must be a string"),
        ({"id": "d1", "text": TEXT, "spans": {}}, "'spans' must be a list"),
        ({"id": "d1", "text": TEXT},
         "no 'spans': an article, not an annotation (an article that was read and reports no event carries \"spans\": [])"),
        ({"id": "d1", "text": TEXT, "spans": [{"start": "0", "end": 4, "label": "ATTACK"}]},
         "span 0: 'start' and 'end' must be integers"),
    ],
)
def test_record_shape(tmp_path, obj, message):
    assert problems_of(tmp_path, json.dumps(obj, ensure_ascii=False)) == [f"bad.jsonl:1: {message}"]


def test_a_lone_surrogate_in_the_text_is_named_with_its_place(tmp_path):
    line = record([]).replace("الوضع", "الوضع\\ud83d")  # half of an emoji's surrogate pair, as JSON escapes it
    assert problems_of(tmp_path, line) == [
        f"bad.jsonl:1: 'text' holds a lone surrogate U+D83D at character {TEXT.index('الوضع') + 5}, not valid Unicode"]


def test_an_inline_text_must_have_the_sha256_its_record_gives(tmp_path):
    wrong = json.dumps({"id": "d1", "text": TEXT, "sha256": "0" * 64, "spans": []}, ensure_ascii=False)
    right = json.dumps({"id": "d2", "text": TEXT, "sha256": hashlib.sha256(TEXT.encode()).hexdigest(), "spans": []},
                       ensure_ascii=False)
    assert problems_of(tmp_path, wrong, right) == [
        f"bad.jsonl:1: 'sha256' is not the text's: the text's is {hashlib.sha256(TEXT.encode()).hexdigest()}"]


@pytest.mark.parametrize("given", [None, 7, ["x"], "ABC", hashlib.sha256(TEXT.encode()).hexdigest().upper()])
def test_an_inline_sha256_that_is_no_lower_case_hex_digest_says_what_it_must_be(tmp_path, given):
    line = json.dumps({"id": "d1", "text": TEXT, "sha256": given, "spans": []}, ensure_ascii=False)
    assert problems_of(tmp_path, line) == [
        f"bad.jsonl:1: 'sha256' must be 64 lower-case hex digits: the text's is {hashlib.sha256(TEXT.encode()).hexdigest()}"]


def test_a_lone_surrogate_anywhere_in_a_record_is_its_one_problem(tmp_path):
    in_meta = '{"id": "d1", "text": "قصف", "spans": [], "meta": {"source": "x\\udc00"}}'
    in_label = '{"id": "d2", "text": "قصف", "spans": [{"start": 0, "end": 3, "label": "ATTACK\\ud800"}]}'
    assert problems_of(tmp_path, in_meta, in_label) == [
        "bad.jsonl:1: 'meta.source' holds a lone surrogate U+DC00 at character 1, not valid Unicode",
        "bad.jsonl:2: 'spans[0].label' holds a lone surrogate U+D800 at character 6, not valid Unicode"]


def test_an_id_with_a_lone_surrogate_given_twice_is_not_repeated_in_a_duplicate_message(tmp_path):
    line = '{"id": "a\\ud800", "text": "قصف", "spans": []}'
    assert problems_of(tmp_path, line, line) == [
        f"bad.jsonl:{n}: 'id' holds a lone surrogate U+D800 at character 1, not valid Unicode" for n in (1, 2)]


def test_a_file_that_is_one_json_array_of_articles_is_one_problem_with_the_jq_that_makes_it_lines(tmp_path):
    array = "[" + ", ".join([record([]), record([], doc_id="d2")]) + "]"
    assert problems_of(tmp_path, array) == [
        "bad.jsonl:1: one JSON array of 2 objects, not JSON lines (one article per line); "
        "write it as lines with: jq -c '.[]' bad.jsonl > FILE.jsonl"]


def test_an_empty_json_array_is_no_documents(tmp_path):
    assert problems_of(tmp_path, "[]") == ["bad.jsonl:1: an empty JSON array: no documents"]


def test_json_nested_too_deeply_is_a_problem_not_a_traceback(tmp_path):
    assert problems_of(tmp_path, "[" * 100_000 + "]" * 100_000) == ["bad.jsonl:1: JSON nested too deeply to read"]


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    problems = problems_of(
        tmp_path,
        "not json",
        record([{"start": 0, "end": 4, "label": "BOMBING"}], doc_id="a"),
        record([{"start": 1, "end": 4, "label": "ATTACK"}], doc_id="b"),
    )
    assert [p.split(":")[1] for p in problems] == ["1", "2", "3"]
