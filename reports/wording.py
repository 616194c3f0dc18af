"""The sentences of the exports, generated from the figures: draft wording, key messages and exceptions.

Every number in a sentence is one of the indicator's own figures (value,
numerator, denominator, a compared figure, target) or the disclosure threshold.
Sentences are written from the public figures in both versions, because authors
paste them into published reports: a small count becomes "fewer than N", a
hidden figure "not published", and nothing is ever said that the table beside
it contradicts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from core.formatting import count_text, end_phrase, label, months_phrase, number_text, period_phrase, previous_phrase
from core.partners import partners
from core.periods import Period, fy_label, fy_of, month_end
from core.returns import RETURNS
from metrics.catalogue import by_id

Z95 = 1.96


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
    """A count from 1 to threshold - 1: never written as a number in a sentence."""
    return n is not None and not _isnan(n) and 0 < n < threshold


def _isnan(x: object) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _num(x: float | None) -> float | None:
    return None if x is None or _isnan(x) else float(x)


# --------------------------------------------------------------------------- periods in words


def when_phrase(indicator_id: str, p: Period) -> str:
    """When a figure applies: over the period, at its end (a status), or over the year to its end."""
    if by_id(indicator_id).timing == "snapshot":
        return end_phrase(p)
    if by_id(indicator_id).timing == "look_back":
        end = f"{p.end:%B %Y}" if p.end == month_end(p.end) else f"{p.end.day} {p.end:%B %Y}"
        return f"in the twelve months to {end}"
    return period_phrase(p)


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


# --------------------------------------------------------------------------- change and noise


@dataclass(frozen=True)
class Travel:
    """A figure against an earlier one.

    ``kind``: 'better' / 'worse' (beyond the noise, for an indicator with a direction), 'up' / 'down' (beyond
    the noise, no judgement), 'similar' (inside the noise), 'same', 'hidden' (the earlier figure is not
    published), 'not_reported' (either side not reported), 'none' (nothing to compare).
    """

    kind: str
    before: float | None = None


def beyond_noise(*, unit: str, now, before: float) -> bool:
    """Whether the change from ``before`` to ``now`` is more than chance would give (the stated test).

    Percentages: ``before`` lies outside this period's 95% (Wilson) interval. Counts: the two counts differ
    by more than 1.96 times the square root of their sum (two Poisson counts, normal approximation). Means
    (per session): the difference exceeds 1.96 times sqrt((now + before) / sessions).
    """
    value = _num(now.value)
    if value is None:
        return False
    if unit == "percent":
        lo, hi = _num(now.lower_ci), _num(now.upper_ci)
        return lo is not None and hi is not None and not (lo <= before <= hi)
    if unit == "mean":
        sessions = _num(now.denominator)
        return bool(sessions) and abs(value - before) > Z95 * math.sqrt((value + before) / sessions)
    return abs(value - before) > Z95 * math.sqrt(value + before)


def travel(now, before, *, polarity: str) -> Travel:
    """``now`` (a result) against ``before`` (the earlier result, or None)."""
    if now is None or now.status == "not_reported" or now.unit == "breakdown" or _num(now.value) is None:
        return Travel("none")
    if before is None:
        return Travel("none")
    if before.status == "not_reported":
        return Travel("not_reported")
    prev = _num(before.value)
    if prev is None:
        return Travel("hidden" if before.suppressed else "none")
    value = float(now.value)
    if round(value, 1) == round(prev, 1):
        return Travel("same", prev)
    if not beyond_noise(unit=now.unit, now=now, before=prev):
        return Travel("similar", prev)
    if polarity == "none":
        return Travel("up" if value > prev else "down", prev)
    better = (value > prev) == (polarity == "up")
    return Travel("better" if better else "worse", prev)


TRAVEL_WORDS = {"better": "↑ better", "worse": "↓ worse", "up": "↑ up (no judgement)", "down": "↓ down (no judgement)",
                "similar": "≈ similar", "same": "= same", "hidden": "not published", "not_reported": "–",
                "none": "–"}


def _figure(x: float | None, unit: str, threshold: int) -> str | None:
    """The figure as words, or None when there is none to say."""
    if x is None:
        return None
    if unit == "count" and small(x, threshold):
        return f"fewer than {threshold}"
    return number_text(x, unit)


def compared(t: Travel, value: float | None, *, unit: str, against: str, threshold: int) -> str:
    """', up from 44 in the previous quarter, an improvement': the clause comparing a figure with an earlier
    one. It never contradicts the table beside it: a hidden figure is "not published", a change inside the
    noise "similar"."""
    if t.kind == "none":
        return f"; there is no figure for {against}"
    if t.kind == "not_reported":
        return f"; there is no figure for {against} (not reported)"
    if t.kind == "hidden":
        return f"; the figure for {against} is not published"
    prev = _figure(t.before, unit, threshold)
    if t.kind == "same":
        return f", the same as in {against}"
    if t.kind == "similar" or value is None:
        return f", similar to {against} ({prev})"
    word = "up" if value > (t.before or 0) else "down"
    judgement = {"better": ", an improvement", "worse": ", a worsening"}.get(t.kind, "")
    return f", {word} from {prev} in {against}{judgement}"


def _target(result, indicator) -> str:
    if result.target is None or result.rag is None or _num(result.value) is None:
        return ""
    t = number_text(float(result.target), result.unit)
    aim = "no more than " if indicator.polarity == "down" else ""
    per = " for the period" if by_id(result.id).period_total else ""
    return {
        "green": f" This meets the target of {aim}{t}{per}.",
        "amber": f" This is just short of the target of {aim}{t}{per}.",
        "red": f" This is short of the target of {aim}{t}{per}.",
    }[result.rag]


def _breakdown_sentence(result, indicator, when: str, threshold: int) -> str:
    cells = []
    for c in result.breakdown:
        v = _num(c.value)
        if v is None and not c.suppressed:
            continue
        if v is None or c.suppressed or small(v, threshold):
            # A hidden cell may be small, or hidden so that a small one cannot be worked out: say neither.
            cells.append(f"{label(c.category)}: not published")
        else:
            cells.append(f"{label(c.category)}: {count_text(v)}")
    if not cells:
        return ""
    by = indicator.breakdown_by or "category"
    hidden = " (parts with small numbers, or that would reveal them, are not published)" if any(
        c.endswith("not published") for c in cells) else ""
    return f"{_capital(indicator.name.lower())} by {by} {when}{hidden}: " + "; ".join(cells) + "."


def count_phrase(indicator_id: str, value: float, when: str, threshold: int, name: str) -> str:
    """'no women were admitted to rehab ...', 'fewer than 5 women were ...', '1 woman was ...'."""
    (one, many), template, _ = by_id(indicator_id).words
    if value == 0:
        n, plural = "no", True
    elif small(value, threshold):
        n, plural = f"fewer than {threshold}", True
    else:
        n, plural = count_text(value), round(value) != 1
    return template.format(n=n, noun=many if plural else one, were="were" if plural else "was", when=when)


def percent_phrase(result, indicator, when: str, threshold: int) -> tuple[str, bool]:
    """The percent as a phrase, and whether it gives the figure (only then is a comparison added)."""
    value, num, den = _num(result.value), _num(result.numerator), _num(result.denominator)
    (one, many), did, base = by_id(result.id).words
    if den == 0:
        return f"there were no {many} {when}, so there is no percentage", False
    if value is None or num is None or den is None or result.suppressed or small(num, threshold) or \
            small(den, threshold) or small(den - num, threshold):
        return (f"the figure for {indicator.name.lower()} {when} is not published (it rests on a small "
                f"number of {base}, or would let one be worked out)"), False
    if num == den:
        if den == 1:
            return f"the one {one} {did.replace('were ', 'was ', 1)} {when}", True
        return f"all {count_text(den)} {many} {did} {when}", True
    if num == 0:
        return f"none of the {count_text(den)} {many} {did} {when}", True
    return f"{number_text(value, 'percent')} of {many} ({count_text(num)} of {count_text(den)}) {did} {when}", True


def value_phrase(result, indicator, when: str, threshold: int) -> tuple[str, bool]:
    """The figure of the period in words, and whether it gives a figure to compare."""
    value = _num(result.value)
    if result.unit == "count":
        if value is None:
            return (f"the figure for {indicator.name.lower()} {when} is not published (it is a small number, or "
                    "would let one be worked out)", False)
        return count_phrase(result.id, value, when, threshold, indicator.name), True
    if result.unit == "mean":
        if value is None and result.suppressed:
            return (f"the figure for {indicator.name.lower()} {when} is not published because it rests on a small "
                    "number of women"), False
        if value is None:
            return f"there is no figure for {indicator.name.lower()} {when}", False
        if result.id == "ENG-04" and value == 0:
            return f"no women came to the drop-in sessions {when}", True
        if result.id == "ENG-04":
            return f"on average {number_text(value, 'mean')} women came to each drop-in session {when}", True
        return f"{indicator.name.lower()} was {number_text(value, 'mean')} {when}", True
    return percent_phrase(result, indicator, when, threshold)


def _ytd_sentence(result, indicator, ytd, ytd_year_ago, ytd_period: Period, threshold: int) -> str:
    """'In the year to date (April to September 2026), 87 women ..., up from 75 in the same months of 2025-26.'"""
    if ytd is None or ytd.status == "not_reported" or by_id(result.id).timing != "period":
        return ""
    when = f"in the year to date ({period_phrase(ytd_period).removeprefix('between ').replace(' and ', ' to ')})"
    text, shown = value_phrase(ytd, indicator, when, threshold)
    against = f"the same months of {fy_label(fy_of(ytd_period.start) - 1)}"
    if shown:
        text += compared(travel(ytd, ytd_year_ago, polarity=indicator.polarity), _num(ytd.value),
                         unit=ytd.unit, against=against, threshold=threshold)
    return _capital(text) + "."


def draft(*, result, indicator, period: Period, threshold: int, previous=None, ytd=None, ytd_year_ago=None,
          ytd_period: Period | None = None) -> Draft:
    """The wording for one indicator result (see the module docstring for what is never written).

    ``previous``, ``ytd`` and ``ytd_year_ago`` are the same indicator's results for the previous period, the
    year to date (``ytd_period``) and the year to date a year earlier; leave them out to compare with nothing.
    """
    when = when_phrase(result.id, period)
    caveats = missing_caveats(list(result.missing))
    note = indicator.notes if indicator.polarity == "none" and getattr(indicator, "notes", None) else None
    if result.status == "not_reported":
        return Draft(result.id, [f"There is no figure for {indicator.name.lower()} {period_phrase(period)}: it has "
                                 "not been reported."], caveats, note)
    if result.status == "incomplete":
        caveats.insert(0, "The figure is incomplete: not every partner has reported for the whole period.")
    if result.unit == "breakdown":
        s = _breakdown_sentence(result, indicator, when, threshold)
        return Draft(result.id, [s or f"There is nothing to show for {indicator.name.lower()} {when}."], caveats,
                     note)
    text, shown = value_phrase(result, indicator, when, threshold)
    if shown:
        text += compared(travel(result, previous, polarity=indicator.polarity), _num(result.value),
                         unit=result.unit, against=previous_phrase(period), threshold=threshold)
    sentences = [_capital(text) + "." + _target(result, indicator)]
    if ytd_period is not None and ytd_period != period:
        ytd_text = _ytd_sentence(result, indicator, ytd, ytd_year_ago, ytd_period, threshold)
        if ytd_text:
            sentences.append(ytd_text)
    return Draft(result.id, sentences, caveats, note)
