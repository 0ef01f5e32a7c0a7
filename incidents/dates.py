"""TIME spans to ACLED dates: an ISO day and a time precision (1 day, 2 week, 3 month).

The reference is the article's publication date. ``dateparser`` (Arabic, ``RELATIVE_BASE`` =
the publication date, dates preferred in the past) reads absolute and relative expressions;
before it, the text is brought to the forms it knows:

* Levantine and Maghrebi month names (``كانون الثاني``، ``شباط``) become the Egyptian ones
  (``يناير``) it reads, both lists from the CLDR data in ``babel``; ``كانون الثاني/ يناير`` is one month;
* ordinal day words (``الثالث من``، ``السابع عشر من``) become numbers (``num2words`` ordinals);
* parts of the day (``فجر``، ``صباح``، ``مساء``، ``ليلة``…) are dropped: they do not change the day;
* a weekday next to a day and month is dropped (the date says more).

News conventions resolved here rather than by ``dateparser``: ``اليوم`` is the publication
day; ``أمس``، ``البارحة``، ``الليلة الماضية`` the day before; a weekday on its own is the most
recent such day on or before the publication day (an article of Tuesday saying "Tuesday"
means that day), ``الماضي`` after it the one strictly before.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from dateparser.date import DateDataParser
from num2words import num2words

from incidents.arabic import fold, strip_clitics

DAY, WEEK, MONTH = 1, 2, 3  # ACLED time_precision
PERIOD_PRECISION = {"day": DAY, "week": WEEK, "month": MONTH}
PARTS_OF_DAY = {"فجر", "صباح", "ظهر", "ظهيره", "عصر", "مساء", "ليله", "ليل", "منتصف", "وقت", "متاخر", "ساعات", "اوقات", "مختلفه"}
FILLER = {"يوم", "من", "الجاري", "الحالي", "تاريخ", "في", "خلال", "نهار"}
YESTERDAY = {"امس", "البارحه"}
TODAY = {"اليوم", "الليله"}  # "tonight" in a morning report is the night just gone, still dated the report's day
LAST = {"الماضي", "الماضيه", "المنصرم", "الفائت"}
VAGUE_PAST = {"ايام": WEEK, "اسبوع": WEEK, "اسبوعين": WEEK, "شهر": MONTH, "اسابيع": MONTH}


@dataclass(frozen=True)
class When:
    """A resolved date: ``date`` None when unknown; ``note`` says how it was obtained when not plainly."""

    date: dt.date | None
    precision: int | None
    note: str | None = None


@lru_cache(maxsize=1)
def _month_names() -> dict[str, str]:
    """Folded month name (Levantine, Maghrebi, Egyptian) -> folded Egyptian name."""
    egyptian = [fold(m) for m in Locale.parse("ar_EG").months["format"]["wide"].values()]
    table = {name: name for name in egyptian}
    for locale in ("ar_SY", "ar_MA", "ar_DZ"):
        for number, name in Locale.parse(locale).months["format"]["wide"].items():
            table.setdefault(fold(name), egyptian[number - 1])
    return table


def is_month_name(word: str) -> bool:
    """A folded word that is a month's name or opens one (``اذار``, ``كانون`` of ``كانون الثاني``)."""
    return any(name == word or name.startswith(word + " ") for name in _month_names()) if word else False


@lru_cache(maxsize=1)
def _weekdays() -> dict[str, int]:
    """Folded weekday name -> Python weekday (Monday 0), from CLDR."""
    names = Locale.parse("ar_SY").days["format"]["wide"]  # babel: 0 = Monday
    table = {fold(name): number for number, name in names.items()}
    table |= {name.removeprefix("ال"): number for name, number in list(table.items())}
    return table


@lru_cache(maxsize=1)
def _ordinals() -> dict[str, str]:
    """Folded ordinal day phrase (``الثالث``، ``السابع عشر``) -> its number as digits."""
    table = {}
    for day in range(31, 0, -1):
        ordinal = fold(num2words(day, lang="ar", to="ordinal"))
        table["ال" + ordinal.replace(" و", " وال")] = str(day)
        table["ال" + ordinal] = str(day)
    table["الاول"] = "1"
    return table


@lru_cache(maxsize=64)
def _parser(reference: dt.date) -> DateDataParser:
    base = dt.datetime.combine(reference, dt.time(12))
    return DateDataParser(languages=["ar"], settings={"PREFER_DATES_FROM": "past", "DATE_ORDER": "DMY",
                                                      "PREFER_DAY_OF_MONTH": "first", "RELATIVE_BASE": base})


def _words(text: str) -> list[str]:
    """Folded words without clitics or fillers, months as the Egyptian names, ordinals as digits."""
    keep = {part for name in [*_month_names(), *_weekdays()] for part in name.split()}  # كانون is not ك + انون
    words = [w if w in keep else strip_clitics(w) for w in fold(text).split()]
    joined = " " + " ".join(words) + " "
    for table in (_month_names(), _ordinals()):
        for name in sorted(table, key=len, reverse=True):
            joined = joined.replace(f" {name} ", f" {table[name]} ")
    out: list[str] = []
    for word in joined.split():
        if word in FILLER or word in PARTS_OF_DAY or (out and out[-1] == word):
            continue
        out.append(word)
    return out


def resolve_time(text: str | None, reference: dt.date | None) -> When:
    """The day a TIME span names, relative to the publication date ``reference``.

    ``مساء السبت`` with reference Tuesday 2024-01-30 -> 2024-01-27, precision 1.
    ``None`` (no TIME span) -> the publication date at week precision, said in the note.
    """
    if text is None:
        if reference is None:
            return When(None, None, "no time in the text and no publication date")
        return When(reference, WEEK, "no time in the text: publication date, week precision")
    words = _words(text)
    if not words:
        return When(None, None, f"no date in {text!r}")
    if set(words) & YESTERDAY or ("الليله" in words and set(words) & LAST):
        return _relative(reference, 1, text)
    weekday = next((_weekdays()[w] for w in words if w in _weekdays()), None)
    rest = [w for w in words if w not in _weekdays() and w not in LAST]
    if weekday is not None and not any(w.isdigit() for w in rest):
        if reference is None:
            return When(None, None, f"{text!r} needs the publication date")
        back = (reference.weekday() - weekday) % 7
        if back == 0 and set(words) & LAST:
            back = 7
        return When(reference - dt.timedelta(days=back), DAY)
    if set(words) & TODAY:
        return _relative(reference, 0, text)
    if words and words[0] == "قبل" and len(words) <= 3 and words[-1] in VAGUE_PAST:
        if reference is None:
            return When(None, None, f"{text!r} needs the publication date")
        return When(reference, VAGUE_PAST[words[-1]], f"{text!r}: a few days before publication")
    return _parse(" ".join(rest), text, reference)


def _relative(reference: dt.date | None, days_back: int, text: str) -> When:
    if reference is None:
        return When(None, None, f"{text!r} needs the publication date")
    return When(reference - dt.timedelta(days=days_back), DAY)


def _parse(cleaned: str, text: str, reference: dt.date | None) -> When:
    has_year = re.search(r"\b\d{4}\b", cleaned) is not None
    if reference is None and not has_year:
        return When(None, None, f"{text!r} has no year and there is no publication date")
    # with a year in the text and no publication date the base only fills nothing: any fixed day will do
    data = _parser(reference or dt.date(2000, 1, 1)).get_date_data(cleaned)
    if data.date_obj is None or data.period not in PERIOD_PRECISION:
        return When(None, None, f"could not read a day, week or month in {text!r}")
    return When(data.date_obj.date(), PERIOD_PRECISION[data.period])


PERIOD_BOUNDS = {"منذ", "حتي", "بين", "لغايه"}  # "since 17 October", "until 14 November": the ends of a period, not a day


def day_told(text: str, reference: dt.date | None) -> When | None:
    """The day a sentence names in its own words, outside any TIME span, or None.

    News dates statements rather than acts (``والخميس 9 تشرين الثاني، أعلنت … أن الضربة``،
    ``ذكرت في 3 كانون الثاني أن القاعدة تعرضت``، ``صرح أمس الثلاثاء أن``); the scheme leaves
    those days untagged, yet they are the best context a coder has for the act the sentence
    reports. The first number and month (with its year when given) wins, else the first
    weekday with its article (``أحد المساجد`` is "one of the mosques") or ``أمس``; the ends
    of a period (``منذ 17 تشرين الأول``، ``حتى``) are not days.
    With reference Friday 2022-01-07: ``والأربعاء 5 كانون الثاني، قال …`` -> 2022-01-05.
    """
    words = _words(text)
    months = set(_month_names().values())
    days = [index for index, word in enumerate(words)
            if not (index and words[index - 1] in PERIOD_BOUNDS)]
    for index in days:
        word = words[index]
        if word.isdigit() and int(word) <= 31 and words[index + 1 : index + 2] and words[index + 1] in months:
            year = [y for y in words[index + 2 : index + 3] if len(y) == 4 and y.isdigit()]
            when = _parse(" ".join([word, words[index + 1], *year]), text, reference)
            if when.date is not None:
                return when
    weekdays = {name for name in _weekdays() if name.startswith("ال")}
    for index in days:
        if words[index] in YESTERDAY or words[index] in weekdays:
            when = resolve_time(words[index], reference)
            if when.date is not None:
                return when
    return None
