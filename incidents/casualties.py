"""CASUALTIES spans to ACLED counts: fatalities and injuries, 0 for an explicit "no casualties".

A span names its outcome with a word of killing (مقتل، قتلى، مصرع، استشهاد…) or of wounding
(إصابة، جرحى، بجروح…); its count is the number next to it (``numbers.parse_count``). With no
number, a nominative dual is two, a plural of victims (``سقوط قتلى وجرحى``) is coded like
"several", one person in the singular (``شخصاً``) is one; otherwise the count is unknown. Material damage (``أضرار``، ``تدمير``) counts neither.

News often gives the toll apart from the act, in a sentence of its own that the scheme leaves
untagged (no trigger, so no CASUALTIES span): ``وجاءت أرقام الضحايا المدنيين مرتفعة، حيث تراوحت ما
بين 29 … إلى 35 …``. ``toll_told`` reads every figure of such a sentence, for the record of the act
told before it (``incidents.mentions``), where ACLED's lowest-figure rule chooses among them.
"""

from __future__ import annotations

from dataclasses import dataclass

from incidents.arabic import folded_words, strip_clitics
from incidents.dates import is_month_name
from incidents.numbers import VAGUE, counts, parse_count

KILLED = ("قتل", "مقتل", "قتلي", "قتيل", "مصرع", "استشهاد", "شهيد", "شهداء", "قتلوا", "قضي", "موت", "وفاه", "ضحايا", "ضحيه")
INJURED = ("اصابه", "اصابات", "جرحي", "جريح", "جروح", "اصيب", "اصيبوا", "مصاب", "مصابين", "جرح")
NONE = ("دون", "بدون", "عدم", "لا", "لم")  # دون وقوع ضحايا، عدم وقوع إصابات
SEVERAL = VAGUE["عده"]
HEDGES = ("ربما", "يحتمل", "محتمل", "يرجح")
PLURAL_VICTIMS = ("قتلي", "جرحي", "ضحايا", "شهداء", "اصابات", "مصابين", "قتلوا", "اصيبوا")
ONE_PERSON = ("شخص", "شخصا", "مدني", "مدنيا", "جندي", "جنديا", "عنصر", "عنصرا", "طفل", "طفلا", "امراه", "مقاتل", "مقاتلا")


def _implicit_count(words: list[str]) -> int | None:
    """No number said: a nominative dual (``مدنيان``) is two, a plural of victims (``قتلى``) "several",
    one person named in the singular (``شخصاً``) one; otherwise unknown."""
    if any(w.endswith("يان") for w in words):
        return 2
    if any(w in PLURAL_VICTIMS for w in words):
        return SEVERAL
    if any(w in ONE_PERSON for w in words):
        return 1
    return None


@dataclass(frozen=True)
class Casualties:
    fatalities: int | None = None
    injuries: int | None = None


def _has(words: list[str], stems: tuple[str, ...]) -> bool:
    """A word opens with one of ``stems``, its article aside (``الضحايا``، ``الجرحى``)."""
    return any(w.removeprefix("ال").startswith(stems) for w in words)


def parse_casualties(text: str) -> Casualties:
    """``مقتل 5 أفراد`` -> (5, None); ``دون وقوع ضحايا`` -> (0, 0); ``إصابة تسعة وخمسين أميركياً`` -> (None, 59)."""
    words = [strip_clitics(w) for w in folded_words(text)]
    killed = _has(words, KILLED)
    injured = _has(words, INJURED)
    if not (killed or injured):
        return Casualties()
    if any(w in HEDGES for w in words):  # "شخصاً آخر ربما قتل": possibly killed is not reported killed
        return Casualties()
    if any(w in NONE for w in words):
        # "no victims" covers both; "no injuries" says nothing of deaths beyond that none were reported
        return Casualties(0 if killed or "اصابات" in words else None, 0 if injured or "ضحايا" in words else None)
    count = parse_count(text)
    if count is None:
        count = _implicit_count(words)
        if count is None:
            return Casualties()
    if killed and injured:
        # "killed and wounded" with one figure: the figure is the dead (ACLED's lowest-figure rule)
        return Casualties(count, SEVERAL if count == SEVERAL else None)
    return Casualties(count, None) if killed else Casualties(None, count)


@dataclass(frozen=True)
class Toll:
    """Every figure a sentence about the victims gives (sources differ: ``ما بين 29 … إلى 35``)."""

    fatalities: tuple[int, ...] = ()
    injuries: tuple[int, ...] = ()


# the toll named as such (``أرقام الضحايا``، ``حصيلة القتلى``، ``69 قتيل``), not a verb of killing, which may tell another
# death altogether (``وفي سياق آخر، قتل 40 شخصاً في زلزال``)
TOLL_NOUNS = ("ضحايا", "ضحيه", "قتلي", "قتيل", "جرحي", "جريح", "مصابين", "اصابات", "حصيله", "شهداء")
# what ends the figures of the toll itself: a subset follows (``بينهم 10 أطفال``، ``10% منهم``)
SUBSET = ("بينهم", "بينهن", "منهم", "منهن")
# a toll over time or of other acts, a denial, or a figure not yet reached: nothing of the act told before
NOT_THIS_TOLL = ("اجمالي", "الاجمالي", "مجموع", "حتي", "سابقه", "سابق", "الماضي", "الماضيه", "مماثل", "مماثله", "الحرب",
                 "الشهر", "الاسبوع", "العام", "السنه", "نفت", "نفي", "ليس", "غير", "يتوقع", "متوقع", "يصل", "يرتفع")
# what a figure is not a count of people when it comes before: a duration, an age
UNITS = ("سنوات", "سنه", "عاما", "عام", "اعوام", "شهر", "اشهر", "اسابيع", "ايام", "يوما", "ساعات", "ساعه", "دقيقه", "دقائق")
_YEAR_WORDS = ("عام", "العام", "سنه", "السنه")
_CLOCK_WORDS = ("الساعه", "ساعه")


def _is_person_count(words: list[str], index: int, value: int) -> bool:
    """Not a year (``2017``, ``عام 2017``), a date's day or month (``16 مارس``, ``16/3/2017``), a clock time, a
    duration or a share of the toll (``10% منهم``)."""
    following = words[index + 1] if index + 1 < len(words) else ""
    previous = words[index - 1] if index > 0 else ""
    in_a_date = any(w.isdigit() and 1900 <= int(w) <= 2100 for w in words[max(0, index - 2) : index + 3])
    return not (1900 <= value <= 2100 or in_a_date or is_month_name(following) or previous in _YEAR_WORDS
                or previous in _CLOCK_WORDS or following in UNITS or following in SUBSET)


def _bare(word: str) -> str:
    """A folded word without its conjunction, short words too (``ولم`` -> ``لم``, which ``strip_clitics`` keeps)."""
    return word[1:] if word[:1] in "وف" and len(word) > 2 else word


def toll_told(text: str) -> Toll:
    """The figures of a sentence that names the toll of one kind: killed (``الضحايا``، ``قتلى``) or wounded.

    Nothing from a sentence without a toll noun (``TOLL_NOUNS``: a verb of killing may tell another
    death), one that names both kinds (which figure is which is not read here), or one that denies,
    hedges, or tells a toll over time or of other acts (``NOT_THIS_TOLL``); figures after a subset
    word (``بينهم 10 أطفال``) are part of the toll, and years, dates, clock times and durations are no
    figures. ``تراوحت أرقام الضحايا ما بين 29 … إلى 35 … تجاوزت الـ 50`` -> fatalities (29, 35, 50).
    """
    plain = [_bare(w) for w in folded_words(text)]  # as written, for the words a clitic may look like (بينهم)
    words = [_bare(strip_clitics(w)) for w in plain]
    killed, injured = _has(words, KILLED), _has(words, INJURED)
    if killed == injured or not _has(words, TOLL_NOUNS) or any(w in NONE or w in HEDGES or w in NOT_THIS_TOLL for w in words):
        return Toll()
    end = next((i for i, w in enumerate(plain) if w in SUBSET), len(plain))
    figures = tuple(value for index, value in counts(text) if index < end and _is_person_count(plain, index, value))
    return Toll(figures, ()) if killed else Toll((), figures)
