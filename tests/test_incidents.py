"""Event records: the normalisers on hand-computed cases, merging, retaliation links, ids, bad input.

Response objects are built from the gold spans of the seed articles (``gold_events``, the
assembly predictions go through) or written by hand; no model is needed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from incidents.actors import default_actors
from incidents.casualties import Casualties, Toll, parse_casualties, toll_told
from incidents.dates import When, day_told, resolve_time
from incidents.export import CSV_COLUMNS, format_named, render
from incidents.inputs import Article, parse_date, read_record_articles
from incidents.numbers import counts, parse_count
from incidents.places import Place, default_gazetteer, resolve_place
from incidents.records import FIELDS, build_records
from model.errors import UserError
from training.metrics import gold_events

TUESDAY = dt.date(2024, 1, 30)


# dates: publication date Tuesday 2024-01-30 unless said
@pytest.mark.parametrize("text, expected", [
    ("مساء السبت", dt.date(2024, 1, 27)),        # the Saturday before
    ("أمس", dt.date(2024, 1, 29)),
    ("الليلة الماضية", dt.date(2024, 1, 29)),
    ("فجر اليوم", dt.date(2024, 1, 30)),
    ("الثلاثاء", dt.date(2024, 1, 30)),          # the publication day's own weekday is that day
    ("الخميس الماضي", dt.date(2024, 1, 25)),
    ("قبل يومين", dt.date(2024, 1, 28)),
])
def test_relative_times_resolve_against_the_publication_date(text, expected):
    assert resolve_time(text, TUESDAY) == When(expected, 1)


def test_levantine_month_with_weekday_from_seed_000():
    # seed-000, published Friday 2022-01-07: "والخميس 6 كانون الثاني"
    assert resolve_time("والخميس 6 كانون الثاني", dt.date(2022, 1, 7)) == When(dt.date(2022, 1, 6), 1)


def test_ordinal_day_and_double_month_name_from_seed_001():
    assert resolve_time("الثالث من كانون الثاني/ يناير الجاري", dt.date(2022, 1, 5)).date == dt.date(2022, 1, 3)


def test_a_month_alone_has_month_precision():
    assert resolve_time("منتصف تشرين الأول 2023", TUESDAY) == When(dt.date(2023, 10, 1), 3)


def test_no_time_span_gives_the_publication_date_at_week_precision_and_says_so():
    when = resolve_time(None, TUESDAY)
    assert (when.date, when.precision) == (TUESDAY, 2) and "publication date" in when.note


def test_relative_time_without_publication_date_stays_unresolved():
    assert resolve_time("مساء السبت", None).date is None
    assert resolve_time("5 فبراير 2018", None) == When(dt.date(2018, 2, 5), 1)


def test_the_day_a_sentence_tells_outside_any_time_span():
    # seed-000, published Friday 2022-01-07: the day of the statement, "Wednesday 5 January"
    assert day_told("والأربعاء 5 كانون الثاني، قال المتحدث باسم البنتاغون إن الضربات", dt.date(2022, 1, 7)) == \
        When(dt.date(2022, 1, 5), 1)


def test_the_day_a_sentence_tells_may_be_yesterday():
    # seed-001, published Wednesday 2022-01-05: "أمس الثلاثاء" is Tuesday 4 January
    assert day_told("وصرح المتحدث للصحفيين أمس الثلاثاء أن قوات التحالف قامت بضربات", dt.date(2022, 1, 5)) == \
        When(dt.date(2022, 1, 4), 1)


def test_the_ends_of_a_period_are_no_day():
    assert day_told("منذ السابع عشر من تشرين الأول الماضي وحتى الرابع عشر من تشرين الثاني", dt.date(2023, 11, 16)) is None


def test_one_of_is_not_sunday():
    # "أحد المساجد" (one of the mosques) has the letters of Sunday without its article
    assert day_told("وأصابت أحد المساجد بأضرار مادية", dt.date(2022, 1, 5)) is None


# numbers and casualties
@pytest.mark.parametrize("text, expected", [
    ("خمسة عشر", 15), ("إصابة تسعة وخمسين أميركياً", 59), ("مقتل ٣ امريكيين", 3), ("ثمانية صواريخ", 8),
    ("لخمسة وخمسين هجوماً", 55), ("ثلاث شاحنات", 3), ("عشرات الجنود", 12), ("عدة قذائف", 3), ("صواريخ", None),
])
def test_counts(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("دون وقوع ضحايا", Casualties(0, 0)),
    ("مقتل 5 أفراد", Casualties(5, None)),
    ("إصابة تسعة وخمسين أميركياً", Casualties(None, 59)),
    ("مقتل سبعة مدنيين", Casualties(7, None)),
    ("بأضرار مادية", Casualties(None, None)),       # damage is not a casualty
    ("تدمير 3 من الشاحنات", Casualties(None, None)),
])
def test_casualties(text, expected):
    assert parse_casualties(text) == expected


def test_every_figure_of_a_sentence_is_counted_with_its_word_index():
    assert counts("تراوحت ما بين 29 إلى 35 وتجاوزت الـ 50") == [(3, 29), (5, 35), (8, 50)]
    assert counts("بين 29 و35") == [(1, 29), (2, 35)]
    assert counts("قتل خمسة عشر شخصاً وأصيب تسعة وخمسين") == [(1, 15), (5, 59)]


@pytest.mark.parametrize("text, expected", [
    # the sa-05 passage's toll sentence: every figure, for ACLED's lowest-figure rule to choose from
    ("وجاءت أرقام الضحايا المدنيين مرتفعة، حيث تراوحت ما بين 29 (حسب الشبكة السورية لحقوق الإنسان) إلى 35 "
     "(حسب الدفاع المدني السوري)، ورجّحت مصادرٌ أخرى أن أعداد الضحايا من المدنيين تجاوزت الـ 50.", Toll((29, 35, 50), ())),
    ("الجرحى الذين تم الإبلاغ عنهم: 100 جريح", Toll((), (100,))),
    ("وسقط ثلاثة قتلى في 16 آذار 2017", Toll((3,), ())),       # a date's day and year are no figures
    ("ولا يزال عدد الضحايا غير معروف", Toll()),               # a negation is no zero
    ("قتل 3 وأصيب 5", Toll()),                               # both kinds: which figure is which is not read
    ("وتضررت ثلاثة مبان", Toll()),                           # no victims
    ("وبلغ عدد الضحايا 29 شخصاً بينهم 10 أطفال", Toll((29,), ())),  # a share of the toll is no lower figure
    ("وبلغ عدد الضحايا 29 شخصاً، 10% منهم أطفال", Toll((29,), ())),
    ("وفي سياق آخر، قتل 40 شخصاً في زلزال ضرب تركيا", Toll()),  # a verb of killing may tell another death
    ("وسقط 12 قتيلاً في 16/3/2017", Toll((12,), ())),           # a date written in digits
    ("ولم يتجاوز عدد الضحايا 29 شخصاً", Toll()),               # a negation behind its conjunction
    ("ويتوقع أن يرتفع عدد القتلى إلى 50", Toll()),             # not reached
    ("وبلغ إجمالي عدد القتلى حتى الآن 1200 شخص", Toll()),      # a toll over time
])
def test_the_toll_of_a_sentence_about_victims(text, expected):
    assert toll_told(text) == expected


MOSQUE = ("استهدفت غارة جوية مسجداً في ريف حلب الغربي مساء الخميس 16 آذار 2017 ما أسفر عن مقتل أكثر من 50 شخصاً. "
          "وحمّلت منشورات كثيرة مسؤولية الهجوم للطيران الروسي. "
          "وتراوحت أرقام الضحايا بين 29 و35 بحسب مصادر مختلفة.")


def test_a_toll_told_apart_from_the_act_gives_the_lowest_figure():
    records, _ = build_records([Article("m", MOSQUE, dt.date(2017, 3, 17))], [response("m", MOSQUE, [
        ("attack", "غارة جوية", {"TARGET": "مسجداً", "LOCATION": "ريف حلب الغربي", "TIME": "مساء الخميس 16 آذار 2017",
                                 "CASUALTIES": "مقتل أكثر من 50 شخصاً"}),
        ("attack", "الهجوم", {}),
    ])])
    assert len(records) == 1
    assert (records[0]["fatalities"], records[0]["fatalities_high"]) == (29, 50)
    assert "fatalities 29, 35 from a later sentence on the victims" in records[0]["normalisation_notes"]


def test_a_toll_over_time_is_no_toll_of_the_act():
    text = "استهدفت غارة جوية مسجداً في ريف حلب الغربي ما أسفر عن مقتل 5 أشخاص. وبلغ عدد الضحايا منذ بداية الحرب 3000."
    records, _ = build_records([Article("m", text, dt.date(2017, 3, 17))], [response("m", text, [
        ("attack", "غارة جوية", {"TARGET": "مسجداً", "CASUALTIES": "مقتل 5 أشخاص"})])])
    assert (records[0]["fatalities"], records[0]["fatalities_high"]) == (5, 5)


# places
def test_countryside_with_proclitic_is_part_of_deir_ez_zor():
    place = default_gazetteer().resolve("بريف دير الزور الشرقي")
    assert (place.location, place.country, place.admin1, place.geonameid, place.geo_precision) == \
        ("Deir ez-Zor", "SY", "Deir-ez-Zor", 170794, 2)


def test_a_base_comes_from_the_config_table():
    place = default_gazetteer().resolve("بحقل العمر النفطي")
    assert (place.location, place.country, place.geo_precision) == ("Al-Omar oil field", "SY", 1)


def test_ambiguous_town_takes_the_country_of_its_region():
    # أريحا is Jericho (PS) and Ariha (SY); بريف إدلب says which
    place = default_gazetteer().resolve("مدينة أريحا بريف إدلب")
    assert (place.location, place.country, place.admin1, place.geo_precision) == ("Arīḩā", "SY", "Idleb", 1)


def test_gazetteer_name_written_as_one_word():
    assert default_gazetteer().resolve("بمدينتي البوكمال والميادين").geonameid == 174448  # GeoNames: البو كمال


@pytest.mark.parametrize("target", ["قوات التحالف الدولي", "للفصائل المدعومة من إيران", "مقر الحشد الشعبي"])
def test_a_common_noun_that_geonames_lists_as_a_town_is_no_place(target):
    # seed targets: التحالف is a village in Yemen to GeoNames, الفصائل one in Palestine, مقر one in Afghanistan
    assert resolve_place([], [target]) == Place(None)


def test_unknown_place_keeps_its_text_and_has_no_coordinates():
    assert resolve_place(["قرية حطلة شمال شرق المدينة"], []) == Place("قرية حطلة شمال شرق المدينة")


def test_a_base_named_by_the_target_comes_before_the_town_of_the_location():
    # seed-000: "قاعدة حقل العمر التابعة للتحالف الدولي في دير الزور" is the base, inside Deir ez-Zor
    place = resolve_place(["دير الزور"], ["قاعدة حقل العمر التابعة للتحالف الدولي"])
    assert (place.location, place.geo_precision) == ("Al-Omar oil field", 1)


def test_a_country_has_no_coordinates():
    place = default_gazetteer().resolve("شرقي سوريا")
    assert (place.country, place.latitude, place.geo_precision) == ("SY", None, 3)


# actors
def test_actor_spelling_variants_are_one_actor():
    actors = default_actors()
    assert actors.match("المليشيات الإيرانية") == actors.match("الميليشيات الإيرانية") == actors.match("جماعات مدعومة إيرانياً")
    assert actors.match("طائرات التحالف الدولي").name == "US-led coalition (Operation Inherent Resolve)"


def test_unknown_actor_stays_as_text():
    assert not default_actors().match("الجيش").known
    assert default_actors().match("الجيش").name == "الجيش"


# records from the seeds' gold spans
PUBLISHED = {"seed-000": "2022-01-07", "seed-001": "2022-01-05", "seed-002": "2023-11-16", "seed-003": "2023-11-01",
             "seed-004": "2024-01-23"}


def seed_records(corpus, ids):
    documents = [d for d in corpus if d.id in ids]
    articles = [Article(d.id, d.text, dt.date.fromisoformat(PUBLISHED[d.id])) for d in documents]
    return build_records(articles, [{"id": d.id, "events": gold_events(d)} for d in documents])


def record_of(records, trigger_text):
    return next(r for r in records if trigger_text in [m["text"] for m in r["mentions"]])


def test_headline_and_body_of_one_attack_are_one_record(corpus):
    records, _ = seed_records(corpus, {"seed-001"})
    record = record_of(records, "استهداف")  # the headline
    assert [m["text"] for m in record["mentions"]][:2] == ["استهداف", "استهدفت"]
    assert (record["location"], record["event_date"], record["fatalities"]) == ("Al-Omar oil field", "2022-01-05", 0)
    assert record["weapon"] == "rocket/missile" and record["sub_event_type"] == "Shelling/artillery/missile attack"


def test_an_attack_and_the_retaliation_answering_it_stay_apart_and_linked(corpus):
    records, _ = seed_records(corpus, {"seed-004"})
    retaliation = record_of(records, "ردت")
    attack = record_of(records, "استهداف")
    assert retaliation["event_id"] != attack["event_id"]
    assert retaliation["event_type"] == "retaliation" and retaliation["retaliation_for"] == attack["event_id"]
    assert attack["location"] == "Conoco gas field"


def test_two_days_are_two_incidents(corpus):
    records, _ = seed_records(corpus, {"seed-002"})
    days = {record_of(records, "ضرباتها الجوية")["event_date"], record_of(records, "ضربات")["event_date"]}
    assert days == {"2023-11-12", "2023-11-13"}


def test_notes_are_the_sentence_of_the_first_mention_as_written(corpus):
    records, _ = seed_records(corpus, {"seed-004"})
    seed = next(d for d in corpus if d.id == "seed-004")
    retaliation = record_of(records, "ردت")
    first = retaliation["mentions"][0]
    sentence = next(s for s in seed.sentences if s.start <= first["start"] < s.end)
    assert retaliation["notes"] == seed.text[sentence.start : sentence.end]
    assert "\n" not in retaliation["notes"] and retaliation["notes"].endswith(".")


def test_counts_of_attacks_make_no_record_and_are_reported(corpus):
    records, warnings = seed_records(corpus, {"seed-002"})
    assert all(m["text"] != "هجوماً" for r in records for m in r["mentions"])
    assert any(w.startswith("seed-002: 3 counts of attacks") for w in warnings)


def test_mentions_keep_offsets_into_the_original_text(corpus):
    records, _ = seed_records(corpus, set(PUBLISHED))
    texts = {d.id: d.text for d in corpus}
    for record in records:
        assert set(record) == set(FIELDS)
        for m in record["mentions"]:
            assert texts[m["article_id"]][m["start"] : m["end"]] == m["text"]


# across articles: three outlets on one rocket attack, and another attack on another day
def response(article_id, text, events):
    """A response object with the events given as (type, trigger, {role: text}); offsets found in ``text``."""
    out = []
    for event_type, trigger, arguments in events:
        start = text.index(trigger)
        out.append({"type": event_type, "sentence": 0, "score": 0.9,
                    "trigger": {"start": start, "end": start + len(trigger), "text": trigger},
                    "arguments": [{"role": role, "start": text.index(value), "end": text.index(value) + len(value),
                                   "text": value, "score": 0.9} for role, value in arguments.items()]})
    return {"id": article_id, "events": out}


OUTLETS = [
    (Article("a", "استهدفت المقاومة الإسلامية في العراق مساء الاثنين قاعدة كونيكو بثلاثة صواريخ.", dt.date(2024, 1, 23), "A"),
     [("attack", "استهدفت", {"ATTACKER": "المقاومة الإسلامية في العراق", "TIME": "مساء الاثنين",
                             "TARGET": "قاعدة كونيكو", "WEAPON": "بثلاثة صواريخ"})]),
    (Article("b", "سقطت صواريخ على حقل كونيكو الليلة الماضية في هجوم تبنته فصائل عراقية دون وقوع إصابات.", dt.date(2024, 1, 23), "B"),
     [("attack", "هجوم", {"LOCATION": "حقل كونيكو", "TIME": "الليلة الماضية", "CASUALTIES": "دون وقوع إصابات"})]),
    (Article("c", "تعرضت القاعدة الأمريكية في حقل كونيكو لقصف صاروخي يوم الاثنين 22 كانون الثاني.", dt.date(2024, 1, 24), "C"),
     [("attack", "لقصف صاروخي", {"TARGET": "القاعدة الأمريكية", "LOCATION": "حقل كونيكو",
                                  "TIME": "يوم الاثنين 22 كانون الثاني"})]),
    (Article("d", "استهدفت المقاومة الإسلامية في العراق قاعدة كونيكو مساء الأربعاء.", dt.date(2024, 1, 25), "D"),
     [("attack", "استهدفت", {"ATTACKER": "المقاومة الإسلامية في العراق", "TARGET": "قاعدة كونيكو",
                             "TIME": "مساء الأربعاء"})]),
]


def outlet_records(order=(0, 1, 2, 3)):
    chosen = [OUTLETS[i] for i in order]
    return build_records([a for a, _ in chosen], [response(a.id, a.text, e) for a, e in chosen])[0]


def test_three_outlets_on_one_attack_are_one_record_and_another_day_stays_apart():
    records = outlet_records()
    assert len(records) == 2
    monday, wednesday = records
    assert [s["article_id"] for s in monday["sources"]] == ["a", "b", "c"]
    assert (monday["event_date"], monday["location"], monday["actor1"]) == \
        ("2024-01-22", "Conoco gas field", "Islamic Resistance in Iraq")
    assert (monday["fatalities"], monday["injuries"], monday["weapon"]) == (0, 0, "rocket/missile")
    assert wednesday["event_date"] == "2024-01-24" and [s["article_id"] for s in wednesday["sources"]] == ["d"]


def test_a_report_dated_within_a_week_joins_the_first_incident_of_its_window():
    # "a few days ago", published Friday 26 January: week precision, so within 7 days of Monday's attack and of Wednesday's
    text = "استهدفت المقاومة الإسلامية في العراق قاعدة كونيكو بصواريخ قبل أيام."
    late = (Article("e", text, dt.date(2024, 1, 26), "E"),
            [("attack", "استهدفت", {"ATTACKER": "المقاومة الإسلامية في العراق", "TARGET": "قاعدة كونيكو",
                                    "WEAPON": "بصواريخ", "TIME": "قبل أيام"})])
    chosen = [*OUTLETS, late]
    monday, wednesday = build_records([a for a, _ in chosen], [response(a.id, a.text, e) for a, e in chosen])[0]
    assert [s["article_id"] for s in monday["sources"]] == ["a", "b", "c", "e"]
    assert [s["article_id"] for s in wednesday["sources"]] == ["d"]


def test_event_ids_are_stable_and_independent_of_article_order():
    assert [r["event_id"] for r in outlet_records()] == [r["event_id"] for r in outlet_records()]
    assert {r["event_id"] for r in outlet_records()} == {r["event_id"] for r in outlet_records((3, 2, 1, 0))}


def test_exports():
    records = outlet_records()
    rows = list(csv.DictReader(io.StringIO(render(records, "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS and rows[0]["source"] == "A; B; C" and rows[0]["fatalities"] == "0"
    geo = json.loads(render(records, "geojson"))
    assert geo["features"][0]["geometry"] == {"type": "Point", "coordinates": [40.30, 35.33]}


def test_an_output_name_says_its_format():
    names = ("r.csv", "r.JSONL", "r.ndjson", "out/r.geojson", "r.json", "-")
    assert [format_named(Path(name)) for name in names] == ["csv", "jsonl", "jsonl", "geojson", None, None]


# bad input
def test_a_date_that_is_not_iso_is_an_error_naming_it():
    with pytest.raises(UserError, match=r"articles\[2\]: date '30/01/2024' is not an ISO date"):
        parse_date("30/01/2024", "articles[2]")
    assert parse_date("2024-01-30T08:00:00Z", "x") == TUESDAY


def test_repeated_article_ids_are_refused():
    from incidents.inputs import unique_ids

    with pytest.raises(UserError, match=r"articles\[1\]: duplicate id 'a'"):
        unique_ids([Article("a", "نص"), Article("a", "نص آخر")])


def test_input_file_with_a_bad_date_names_its_line(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text('{"id": "a", "text": "نص", "date": "2024-01-30"}\n{"id": "b", "text": "نص", "date": "أمس"}\n',
                    encoding="utf-8")
    with pytest.raises(UserError, match=r"articles.jsonl:2: date 'أمس' is not an ISO date"):
        read_record_articles(path)


# end to end, with the tiny model
@pytest.mark.slow
def test_records_command_writes_records_for_a_jsonl_of_articles(tiny_env, tmp_path):
    from tests.conftest import run_cli

    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(json.dumps({"id": a.id, "text": a.text, "date": a.date.isoformat(), "source": a.source},
                                           ensure_ascii=False) + "\n" for a, _ in OUTLETS), encoding="utf-8")
    out = tmp_path / "records.jsonl"
    run_cli(tiny_env, "records", str(articles), "-o", str(out))
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    texts = {a.id: a.text for a, _ in OUTLETS}
    for record in records:
        assert list(record) == list(FIELDS)
        for m in record["mentions"]:
            assert texts[m["article_id"]][m["start"] : m["end"]] == m["text"]
    run_cli(tiny_env, "records", str(articles), "-o", str(tmp_path / "records.csv"), "--format", "csv")
    assert (tmp_path / "records.csv").read_text(encoding="utf-8").startswith(",".join(CSV_COLUMNS[:4]))


@pytest.mark.slow
def test_records_command_takes_the_format_from_the_output_suffix(tiny_env, tmp_path):
    from tests.conftest import run_cli

    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(json.dumps({"id": a.id, "text": a.text}, ensure_ascii=False) + "\n" for a, _ in OUTLETS),
                        encoding="utf-8")
    run_cli(tiny_env, "records", str(articles), "-o", str(tmp_path / "records.GeoJSON"))
    assert json.loads((tmp_path / "records.GeoJSON").read_text(encoding="utf-8"))["type"] == "FeatureCollection"


@pytest.mark.slow
def test_records_command_refuses_a_bad_date_and_writes_nothing(tiny_env, tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    articles = tmp_path / "articles.jsonl"
    articles.write_text('{"id": "a", "text": "قصفت طائرات حربية مدينة أريحا.", "date": "السبت"}\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "arabic_events", "records", str(articles), "-o", str(tmp_path / "r.jsonl")],
                            cwd=ROOT, env=tiny_env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "articles.jsonl:1: date 'السبت' is not an ISO date" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "r.jsonl").exists()


# context
def test_a_mention_without_time_takes_the_date_told_earlier_in_the_article(corpus):
    # seed-003, published Wednesday 2023-11-01: "طائرات مجهولة استهدفت …، الإثنين، شاحنات", then
    # "الغارات جاءت رداً على إطلاق …" with no TIME: Monday 2023-10-30
    records, _ = seed_records(corpus, {"seed-003"})
    record = record_of(records, "رداً")
    assert (record["event_date"], record["time_precision"]) == ("2023-10-30", 1)
    assert "no time of its own" in " ".join(record["normalisation_notes"])


def test_an_unknown_place_is_placed_near_the_place_named_in_its_sentence(corpus):
    # seed-000: "قرية حطلة شمال شرق المدينة" (not in GeoNames) in the sentence that names دير الزور
    records, _ = seed_records(corpus, {"seed-000"})
    record = record_of(records, "قصف مدفعي")
    assert (record["location"], record["geo_precision"]) == ("Deir ez-Zor", 2)


def test_a_mention_without_time_takes_the_day_its_sentence_tells(corpus):
    # seed-002: "والخميس 9 تشرين الثاني، أعلنت الولايات المتحدة أن الضربة الجوية …" (published 2023-11-16)
    records, _ = seed_records(corpus, {"seed-002"})
    record = record_of(records, "الضربة الجوية")
    assert (record["event_date"], record["time_precision"]) == ("2023-11-09", 1)
    assert "no time of its own: the day its sentence tells" in record["normalisation_notes"]


def test_a_time_span_that_names_no_day_gives_way_to_one_that_does(corpus):
    # seed-004, published Tuesday 2024-01-23: "خلال أوقات مختلفة، الاثنين، قاعدة كونيكو": Monday the 22nd
    records, _ = seed_records(corpus, {"seed-004"})
    record = record_of(records, "استهداف")
    assert (record["location"], record["event_date"], record["time_precision"]) == ("Conoco gas field", "2024-01-22", 1)


def test_days_read_from_context_keep_two_incidents_of_one_article_apart(corpus):
    # seed-002: the strikes told under "والجمعة 27 تشرين الأول، أعلنت" are not those of Sunday 12 November
    records, _ = seed_records(corpus, {"seed-002"})
    october, november = record_of(records, "غارات"), record_of(records, "ضرباتها الجوية")
    assert october["event_id"] != november["event_id"]
    assert (october["event_date"], november["event_date"]) == ("2023-10-27", "2023-11-12")


def test_a_strike_the_text_calls_second_is_another_incident(corpus):
    # seed-002: "… في سوريا يوم الأحد، مضيفاً أن شخصاً آخر ربما قتل في ضربة ثانية … بالقرب من مدينة الميادين"
    records, _ = seed_records(corpus, {"seed-002"})
    first, second = record_of(records, "ضرباتها الجوية"), record_of(records, "ضربة")
    assert first["event_id"] != second["event_id"]
    assert (first["location"], second["location"]) == ("Syria", "Al Mayādīn")


def test_a_sentence_recounting_earlier_attacks_takes_no_day_told_before_it(corpus):
    # seed-002: "سبق أن هاجمت … كما تعرضت قاعدة التنف في الجنوب لهجمات مماثلة" is not about 27 October
    records, _ = seed_records(corpus, {"seed-002"})
    record = record_of(records, "لهجمات")
    assert (record["location"], record["event_date"], record["time_precision"]) == ("Al-Tanf", "2023-11-16", 2)


def test_the_arm_the_attacker_names_is_the_weapon(corpus):
    # seed-004: "ردت مدفعية التحالف الدولي" is artillery; the war plane of "طائرة حربية استهدفت" another act
    records, _ = seed_records(corpus, {"seed-004"})
    artillery = record_of(records, "ردت")
    plane = next(r for r in records if any(m["start"] == 806 for m in r["mentions"]))
    assert (artillery["weapon"], plane["weapon"]) == ("artillery/mortar", "aircraft")
    assert artillery["event_id"] != plane["event_id"]


def test_a_record_with_no_place_of_its_own_is_near_the_place_told_before_it(corpus):
    # seed-003: "الغارات جاءت رداً على …" with no LOCATION, after the strikes on "قريتي طابية شامية ومراط بريف دير الزور"
    records, _ = seed_records(corpus, {"seed-003"})
    record = record_of(records, "رداً")
    assert (record["country"], record["location"], record["geo_precision"]) == ("SY", "Deir ez-Zor", 2)
    assert "no place of its own: near Deir ez-Zor, the place told before it in the article" in record["normalisation_notes"]


def test_a_number_closing_the_sentence_before_counts_no_attack():
    text = "التاريخ: 13 نوفمبر 2017\nالضربة الجوية الأولى: ~14:07 بالتوقيت المحلي"
    article = Article("x", text)
    records, warnings = build_records([article], [response("x", text, [("attack", "الضربة الجوية", {})])])
    assert [m["text"] for r in records for m in r["mentions"]] == ["الضربة الجوية"]
    assert not any("count" in w for w in warnings)


def test_strikes_counted_without_a_period_are_one_attack_and_over_a_period_are_a_count():
    one = "الهجمات: 3 ضربات جوية مزعومة على سوق الأتارب."
    many = "تعرضت القوات الأمريكية لـ 23 هجوماً خلال أسبوعين."
    articles = [Article("one", one, dt.date(2017, 11, 14)), Article("many", many, dt.date(2023, 11, 1))]
    records, warnings = build_records(articles, [response("one", one, [("attack", "ضربات جوية", {})]),
                                                 response("many", many, [("attack", "هجوماً", {})])])
    assert [m["text"] for r in records for m in r["mentions"]] == ["ضربات جوية"]
    assert any(w.startswith("many: 1 count of attacks") for w in warnings)


# evaluation
def test_b_cubed_on_a_hand_computed_clustering():
    # gold {a b c} {d}; predicted {a b} {c d}: precision (1+1+1/2+1/2)/4 = 0.75, recall (2/3+2/3+1/3+1)/4 = 2/3
    from incidents.evaluation import b_cubed

    scores = b_cubed({"a": 1, "b": 1, "c": 1, "d": 2}, {"a": "x", "b": "x", "c": "y", "d": "y"})
    assert (scores["precision"], scores["recall"], scores["f1"]) == (0.75, 0.6667, 0.7059)


def test_records_scored_against_themselves_are_perfect():
    from incidents.evaluation import evaluate_records

    records = outlet_records()
    report = evaluate_records(records, records)
    assert all(row["accuracy"] == 1.0 for row in report["fields"].values() if row["support"])
    assert report["mentions into records (B-cubed)"]["f1"] == report["articles into incidents (B-cubed)"]["f1"] == 1.0


def test_splitting_one_incident_costs_recall_only():
    from incidents.evaluation import evaluate_records

    gold = outlet_records()
    split = [dict(gold[0], mentions=gold[0]["mentions"][:1]), dict(gold[0], mentions=gold[0]["mentions"][1:]), gold[1]]
    report = evaluate_records(gold, split)["mentions into records (B-cubed)"]
    # gold {a b c} {d}; predicted {a} {b c} {d}: precision 1, recall (1/3 + 2/3 + 2/3 + 1)/4 = 2/3
    assert (report["precision"], report["recall"]) == (1.0, 0.6667)


@pytest.mark.slow
def test_evaluate_records_from_gold_mentions_writes_its_report(tmp_path):
    import os

    from tests.conftest import ROOT, run_cli

    gold = [line for line in (ROOT / "annotations" / "records-gold.jsonl").read_text(encoding="utf-8").splitlines()
            if '"seed-004"' in line]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(gold) + "\n", encoding="utf-8")
    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "bentoml")}
    result = run_cli(env, "evaluate", "--records", str(path), "--gold-mentions", "--out", str(tmp_path / "report"))
    report = json.loads((tmp_path / "report" / "records-report.json").read_text(encoding="utf-8"))
    assert report["gold records"] == len(gold) == 5 and report["mentions from"] == "gold spans"
    assert set(report["fields"]) == {"date exact", "date within a day", "country", "admin1", "location within 25 km",
                                     "fatalities exact"}
    assert "mentions into records (B-cubed)" in result.stdout


@pytest.mark.slow
def test_records_from_saved_responses_are_scored_on_the_gold_records_of_their_articles(tmp_path, corpus):
    """Responses holding the gold spans of seed-004 score as --gold-mentions does on seed-004's own gold records."""
    import os

    from training.metrics import gold_events
    from tests.conftest import ROOT, run_cli

    seed = next(d for d in corpus if d.id == "seed-004")
    spans = [{"start": s.start, "end": s.end, "label": s.label, "text": seed.text[s.start:s.end]} for s in seed.spans]
    responses = tmp_path / "responses.jsonl"
    sentences = [{"index": s.index, "start": s.start, "end": s.end, "types": sorted(seed.event_types(s)),
                  "scores": {"attack": 1.0, "retaliation": 0.0}} for s in seed.sentences]
    responses.write_text(json.dumps({"id": seed.id, "sentences": sentences, "spans": spans, "events": gold_events(seed)},
                                    ensure_ascii=False) + "\n", encoding="utf-8")
    every = (ROOT / "annotations" / "records-gold.jsonl").read_text(encoding="utf-8").splitlines()
    own = [line for line in every if {s["article_id"] for s in json.loads(line)["sources"]} == {"seed-004"}]
    (tmp_path / "own.jsonl").write_text("\n".join(own) + "\n", encoding="utf-8")
    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "bentoml")}
    done = run_cli(env, "evaluate", "--records", str(ROOT / "annotations" / "records-gold.jsonl"),
                   "--predictions", str(responses), "-o", str(tmp_path / "saved"))
    run_cli(env, "evaluate", "--records", str(tmp_path / "own.jsonl"), "--gold-mentions", "-o", str(tmp_path / "gold"))
    saved, gold = (json.loads((tmp_path / name / "records-report.json").read_text(encoding="utf-8")) for name in ("saved", "gold"))
    assert saved["mentions from"] == "responses in responses.jsonl"
    assert {k: v for k, v in saved.items() if k not in ("gold", "mentions from")} == \
        {k: v for k, v in gold.items() if k not in ("gold", "mentions from")}
    assert f"{len(every) - len(own)} of the {len(every)} gold records are left out" in done.stderr


@pytest.mark.parametrize("lines, message", [
    ([], ": no predictions in this file"),
    (["", "{\"id\": \"seed-000\"}"], ":2: neither an event record nor a response object"),
])
def test_records_predictions_that_are_neither_records_nor_responses_are_one_error(tmp_path, lines, message):
    import subprocess
    import sys

    from tests.conftest import ROOT

    predictions = tmp_path / "p.jsonl"
    predictions.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "arabic_events", "evaluate", "--records", str(ROOT / "annotations" / "records-gold.jsonl"),
                           "--predictions", str(predictions), "-o", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert (done.returncode, done.stderr.strip()) == (1, f"error: {predictions}{message}")
    assert not (tmp_path / "out").exists()


def test_a_response_among_records_is_one_error(tmp_path):
    import subprocess
    import sys

    from tests.conftest import FIXTURES, ROOT

    gold = ROOT / "annotations" / "records-gold.jsonl"
    response = (FIXTURES / "evaluation" / "predictions.jsonl").read_text(encoding="utf-8").splitlines()[0]
    predictions = tmp_path / "p.jsonl"
    predictions.write_text(gold.read_text(encoding="utf-8").splitlines()[0] + "\n" + response + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "arabic_events", "evaluate", "--records", str(gold), "--predictions", str(predictions),
                           "-o", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert (done.returncode, done.stderr.strip()) == (1, f"error: {predictions}:2: a response object among event records")


def test_a_records_report_that_would_replace_its_gold_file_is_refused(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    gold = tmp_path / "records-report.json"
    gold.write_bytes((ROOT / "annotations" / "records-gold.jsonl").read_bytes())
    done = subprocess.run([sys.executable, "-m", "arabic_events", "evaluate", "--records", str(gold), "--gold-mentions",
                           "-o", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert (done.returncode, done.stderr.strip()) == (1, f"error: {gold}: is also an input; write the output to another file")
    assert gold.read_bytes() == (ROOT / "annotations" / "records-gold.jsonl").read_bytes()
