"""Draft wording for report authors, generated from the figures.

Every number in a sentence is one of the indicator's own figures (value,
numerator, denominator, previous value, target) or the disclosure threshold.
A figure that is suppressed, or that would be suppressed in a public output,
is never written: it becomes "fewer than N" or "a small number", even in the
restricted pack, because authors paste this wording into published reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from core.partners import partners
from core.periods import Period, as_quarter, month_end
from core.returns import RETURNS

# Counts: what the number counts, then when. "{n}" is the figure, "{when}" the period phrase.
COUNT_WORDING: dict[str, str] = {
    "ENG-01": "{n} women engaged with the drop-in or outreach {when}",
    "ENG-02": "{n} women engaged with the drop-in or outreach for the first time {when}",
    "ENG-05": "{n} anonymous outreach contacts were made {when}",
    "HLT-03": "the nurse prescriber held {n} consultations {when}",
    "HLT-04": "{n} referrals to breast or cervical screening were made {when}",
    "DEN-02": "the nurse prescriber held {n} oral health consultations {when}",
    "RHB-01": "{n} women were ready for rehab or referred to it {when}",
    "RHB-02": "{n} women were admitted to rehab for the first time {when}",
    "FAM-01": "{n} women restarted direct contact with their children {when}",
    "HSG-02": "{n} women were sleeping rough at their latest key-work review {when}",
    "SAF-02": "{n} crimes against the women were reported to police {when}",
    "WKF-01": "{n} staff were trained in trauma-informed care {when}",
    "SUP-01": "{n} condoms were handed out {when}",
}
# Percents: who is counted (the denominator) and what they did (the numerator).
PERCENT_WORDING: dict[str, tuple[str, str]] = {
    "ENG-03": ("the women engaged", "came to the drop-in on three or more dates"),
    "HLT-01": ("the women engaged", "had a sexual health screen"),
    "HLT-02": ("the women engaged", "had mental health support"),
    "DEN-01": ("the women engaged", "saw the dental service"),
    "DRG-01": ("the women engaged", "were in drug or alcohol treatment"),
    "FAM-02": ("the women with children", "had direct contact with them"),
    "HSG-01": ("the women whose accommodation is known", "were safely accommodated"),
    "EXT-01": ("the women whose working status is recorded", "had reduced or stopped street work"),
    "SAF-01": ("the women assessed as high risk", "had a care plan in place"),
    "CJS-01": ("the women stopped by police", "were referred to support instead of being arrested"),
    "WID-01": ("the women engaged", "took up the wider offer (hairdressing or arts and crafts)"),
    "VOI-01": ("the women who answered", "said they feel heard"),
}

# Figures that describe a moment (current status) or look back a year from the period end.
SNAPSHOT = frozenset({"RHB-01", "RHB-03", "DRG-01", "FAM-02", "HSG-01", "HSG-02", "EXT-01"})
LOOK_BACK = frozenset({"HLT-01", "DEN-01"})

CATEGORY_WORDS: dict[str, str] = {"not_recorded": "not recorded"}


@dataclass(frozen=True)
class Draft:
    """The draft wording for one indicator: the figures, the caveats, and a note on reading it."""

    indicator_id: str
    sentences: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def text(self) -> str:
        return " ".join([*self.sentences, *self.caveats, *([self.note] if self.note else [])])


def small(n: float | None, threshold: int) -> bool:
    """A count from 1 to threshold - 1: never written as a number in draft wording."""
    return n is not None and not _isnan(n) and 0 < n < threshold


def _isnan(x: object) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _num(x: float | None) -> float | None:
    return None if x is None or _isnan(x) else float(x)


def fmt_count(n: float) -> str:
    return f"{int(round(n)):,}"


def fmt_value(value: float, unit: str) -> str:
    """A value for display: counts whole, percents and means to one decimal place."""
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "mean":
        return f"{value:.1f}"
    return fmt_count(value)


def period_phrase(p: Period) -> str:
    """'in April 2026', 'between April and June 2026', 'between 3 April 2026 and 9 May 2026'."""
    if p.start.day == 1 and p.end == month_end(p.start):
        return f"in {p.start:%B %Y}"
    if p.start.day == 1 and p.end == month_end(p.end):
        first = f"{p.start:%B}" if p.start.year == p.end.year else f"{p.start:%B %Y}"
        return f"between {first} and {p.end:%B %Y}"
    return f"between {p.start.day} {p.start:%B %Y} and {p.end.day} {p.end:%B %Y}"


def end_phrase(p: Period) -> str:
    """'at the end of June 2026', or 'on 15 May 2026' for a period that ends mid-month."""
    if p.end == month_end(p.end):
        return f"at the end of {p.end:%B %Y}"
    return f"on {p.end.day} {p.end:%B %Y}"


def when_phrase(indicator_id: str, p: Period) -> str:
    """When a figure applies: over the period, at its end (a status), or over the year to its end."""
    if indicator_id in SNAPSHOT:
        return end_phrase(p)
    if indicator_id in LOOK_BACK:
        end = f"{p.end:%B %Y}" if p.end == month_end(p.end) else f"{p.end.day} {p.end:%B %Y}"
        return f"in the twelve months to {end}"
    return period_phrase(p)


def previous_phrase(p: Period) -> str:
    if as_quarter(p):
        return "the previous quarter"
    if p.start.day == 1 and p.end == month_end(p.start):
        return "the previous month"
    return "the previous period of the same length"


def months_phrase(months: list[date]) -> str:
    """'May 2026', 'April and May 2026', 'December 2026 and January 2027'."""
    months = sorted(set(months))
    by_year: dict[int, list[str]] = {}
    for m in months:
        by_year.setdefault(m.year, []).append(f"{m:%B}")
    parts = [_join(names) + f" {year}" for year, names in by_year.items()]
    return _join(parts)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _capital(s: str) -> str:
    return s[:1].upper() + s[1:]


def missing_caveats(missing: list[str]) -> list[str]:
    """'Dental service has not reported for May 2026.' from 'partner/return/YYYY-MM'."""
    grouped: dict[tuple[str, str], list[date]] = {}
    for item in missing:
        try:
            partner, return_name, ym = item.split("/")
            month = date(int(ym[:4]), int(ym[5:7]), 1)
        except ValueError:
            continue
        grouped.setdefault((partner, return_name), []).append(month)
    known = partners()
    out = []
    for (partner, return_name), months in sorted(grouped.items()):
        who = known[partner].name if partner in known else partner
        # Name the return only for a partner that sends several.
        several = partner not in known or len(known[partner].returns) > 1
        what = RETURNS[return_name].title.lower() if return_name in RETURNS else return_name.replace("_", " ")
        out.append(f"{who} has not reported{f' ({what})' if several else ''} for {months_phrase(months)}.")
    return out


def _figure(x: float | None, unit: str, threshold: int, *, count_like: bool) -> str | None:
    """The figure as words, or None when there is none to say."""
    if x is None:
        return None
    if count_like and small(x, threshold):
        return f"fewer than {threshold}"
    return fmt_value(x, unit)


def _comparison(result, row: dict | None, period: Period, threshold: int) -> str:
    if row is None:
        return ""
    value, prev = _num(result.value), _num(row.get("previous_value"))
    if value is None:
        return ""
    when = previous_phrase(period)
    if prev is None:
        return f"; there is no comparable figure for {when}"
    prev_txt = _figure(prev, result.unit, threshold, count_like=result.unit == "count")
    if round(value, 1) == round(prev, 1):
        return f", the same as in {when}"
    word = "up" if value > prev else "down"
    judgement = {"better": ", an improvement", "worse": ", a worsening"}.get(row.get("direction_previous") or "", "")
    return f", {word} from {prev_txt} in {when}{judgement}"


def _target(result, indicator) -> str:
    if result.target is None or result.rag is None or result.value is None:
        return ""
    t = fmt_value(float(result.target), result.unit)
    aim = "no more than " if indicator.polarity == "down" else ""
    return {
        "green": f" This meets the target of {aim}{t}.",
        "amber": f" This is just short of the target of {aim}{t}.",
        "red": f" This is short of the target of {aim}{t}.",
    }[result.rag]


def _breakdown_sentence(result, indicator, when: str, threshold: int) -> str:
    cells = []
    for c in result.breakdown:
        label = CATEGORY_WORDS.get(c.category, str(c.category).replace("_", " "))
        v = _num(c.value)
        if v is None and not c.suppressed:
            continue
        if v is None or c.suppressed or small(v, threshold):
            # A hidden cell may be small, or hidden so that a small one cannot be worked out: say neither.
            cells.append(f"{label}: not shown")
        else:
            cells.append(f"{label}: {fmt_count(v)}")
    if not cells:
        return ""
    by = indicator.breakdown_by or "category"
    hidden = " (parts with small numbers, or that would reveal them, are not shown)" if any(
        c.endswith("not shown") for c in cells) else ""
    return f"{_capital(indicator.name)} by {by} {when}{hidden}: " + "; ".join(cells) + "."


def draft(*, result, indicator, period: Period, threshold: int, comparison: dict | None = None) -> Draft:
    """The draft wording for one indicator result (see the module docstring for what is never written)."""
    when = when_phrase(result.id, period)
    caveats = missing_caveats(list(result.missing))
    note = indicator.notes if indicator.polarity == "none" and getattr(indicator, "notes", None) else None
    if result.status == "not_reported":
        return Draft(result.id, [f"There is no figure for {indicator.name.lower()} {period_phrase(period)}: it has "
                                 "not been reported."],
                     caveats, note)
    if result.status == "incomplete":
        caveats.insert(0, "The figure is incomplete: not every partner has reported for the whole period.")
    sentences: list[str] = []
    value = _num(result.value)
    unit = result.unit
    if unit == "breakdown":
        s = _breakdown_sentence(result, indicator, when, threshold)
        sentences.append(s or f"There is nothing to show for {indicator.name.lower()} {when}.")
    elif unit == "count":
        if value is None:
            sentences.append(f"{_capital(indicator.name)} {when}: a small number (not shown to protect the women's "
                             "privacy).")
        else:
            template = COUNT_WORDING.get(result.id, indicator.name + ": {n} {when}")
            n = _figure(value, unit, threshold, count_like=True)
            sentences.append(_capital(template.format(n=n, when=when)) + _comparison(result, comparison, period,
                                                                                      threshold) + ".")
    elif unit == "mean":
        if value is None and result.suppressed:
            sentences.append(f"{_capital(indicator.name)} {when} is not given as a figure because it rests on a "
                             "small number of women.")
        elif value is None:
            sentences.append(f"There is no figure for {indicator.name.lower()} {when}.")
        else:
            sentences.append(f"On average {fmt_value(value, unit)} women came to each drop-in session {when}"
                             if result.id == "ENG-04" else f"{_capital(indicator.name)} was {fmt_value(value, unit)} "
                             f"{when}")
            sentences[-1] += _comparison(result, comparison, period, threshold) + "."
    else:  # percent
        text, shown = _percent_sentence(result, indicator, when, threshold)
        sentences.append(text + (_comparison(result, comparison, period, threshold) if shown else "") + ".")
    tgt = _target(result, indicator)
    if tgt:
        sentences[-1] += tgt
    return Draft(result.id, sentences, caveats, note)


def _percent_sentence(result, indicator, when: str, threshold: int) -> tuple[str, bool]:
    """The percent as a sentence, and whether it gives the figure (only then is a comparison added)."""
    value, num, den = _num(result.value), _num(result.numerator), _num(result.denominator)
    who, did = PERCENT_WORDING.get(result.id, ("those counted", f"were counted in {indicator.name.lower()}"))
    if den == 0:
        return f"There were none of {who} {when}, so there is no percentage", False
    if value is None or num is None or den is None or result.suppressed or small(num, threshold) or \
            small(den, threshold) or small(den - num, threshold):
        return (f"{_capital(indicator.name)} {when} is not given as a figure because it rests on a small number "
                "of women"), False
    return f"{fmt_value(value, 'percent')} of {who} ({fmt_count(num)} of {fmt_count(den)}) {did} {when}", True
