"""The sentences of the exports, generated from the figures: draft wording, key messages and exceptions.

Every number in a sentence is one of the indicator's own figures (value,
numerator, denominator, a compared figure, target) or the disclosure threshold.
Sentences are written from the public figures in both versions, because authors
paste them into published reports: a small count becomes "fewer than N", a
hidden figure "not published", and nothing is ever said that the table beside
it contradicts. Better, similar or worse is never judged here: the sentences word
``metrics.compare``'s judgements (by the intervals), so a page and a pack agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from core.formatting import (
    count_text,
    end_phrase,
    label,
    months_phrase,
    number_text,
    period_phrase,
    previous_phrase,
    year_ago_phrase,
)
from core.partners import partners
from core.periods import Period, fy_label, fy_of, month_end
from core.returns import RETURNS
from metrics.catalogue import by_id


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


# --------------------------------------------------------------------------- change and judgement


@dataclass(frozen=True)
class Travel:
    """A figure against the previous one, as a change only (the judgement is ``metrics.compare``'s).

    ``kind``: 'up' / 'down', 'same', 'hidden' (the earlier figure is not published), 'not_reported' (either
    side not reported), 'none' (nothing to compare).
    """

    kind: str
    before: float | None = None


def travel(now, before) -> Travel:
    """``now`` (a result) against ``before`` (the earlier result, or None): which way it moved, no judgement."""
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
    return Travel("up" if value > prev else "down", prev)


def _figure(x: float | None, unit: str, threshold: int) -> str | None:
    """The figure as words, or None when there is none to say."""
    if x is None:
        return None
    if unit == "count" and small(x, threshold):
        return f"fewer than {threshold}"
    return number_text(x, unit)


def compared(t: Travel, value: float | None, *, unit: str, against: str, threshold: int) -> str:
    """', up from 44 in the previous quarter': the clause giving the change from an earlier figure (no
    judgement: better, similar or worse is ``judged``'s, from ``metrics.compare``). A hidden figure is
    "not published"."""
    if t.kind == "none":
        return f"; there is no figure for {against}"
    if t.kind == "not_reported":
        return f"; there is no figure for {against} (not reported)"
    if t.kind == "hidden":
        return f"; the figure for {against} is not published"
    if t.kind == "same" or value is None:
        return f", the same as in {against}"
    return f", {t.kind} from {_figure(t.before, unit, threshold)} in {against}"


def _num_of(row, key: str) -> float | None:
    x = row.get(key) if row is not None else None
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _judged_of(row, key: str) -> str | None:
    x = row.get(key) if row is not None else None
    return x if isinstance(x, str) and x else None


def judged(comparison, *, unit: str, period: Period, threshold: int) -> str:
    """' Judged by the 95% intervals, it is better than the target and similar to the same quarter of
    2025-26 (44).': ``metrics.compare``'s judgements of the figure (its ``judged_target``,
    ``judged_year_ago`` and ``confidence``) in words, or '' when it made none. The earlier figure is
    quoted as the comparison has it (a small count as "fewer than N"); for an indicator without a
    direction, higher or lower is said to be no judgement."""
    if comparison is None:
        return ""
    parts = []
    target = _judged_of(comparison, "judged_target")
    if target:
        parts.append("similar to the target" if target == "similar" else f"{target} than the target")
    ago = _judged_of(comparison, "judged_year_ago")
    before = _num_of(comparison, "year_ago_value")
    # A whole group (or none of it) a year earlier: 100%, not "100.0%", as a person writes it.
    earlier = f"{before:.0f}%" if unit == "percent" and before in (0.0, 100.0) else _figure(before, unit, threshold)
    if ago and earlier is not None:
        against = f"{year_ago_phrase(period)} ({earlier}{'; no judgement' if ago in ('higher', 'lower') else ''})"
        parts.append(f"similar to {against}" if ago == "similar" else f"{ago} than {against}")
    if not parts:
        return ""
    level = _num_of(comparison, "confidence") or 95.0
    return f" Judged by the {level:g}% intervals, it is {' and '.join(parts)}."


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
    hidden = (
        " (parts with small numbers, or that would reveal them, are not published)"
        if any(c.endswith("not published") for c in cells)
        else ""
    )
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
    if (
        value is None
        or num is None
        or den is None
        or result.suppressed
        or small(num, threshold)
        or small(den, threshold)
        or small(den - num, threshold)
    ):
        return (
            f"the figure for {indicator.name.lower()} {when} is not published (it rests on a small "
            f"number of {base}, or would let one be worked out)"
        ), False
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
            return (
                f"the figure for {indicator.name.lower()} {when} is not published (it is a small number, or "
                "would let one be worked out)",
                False,
            )
        return count_phrase(result.id, value, when, threshold, indicator.name), True
    if result.unit == "mean":
        if value is None and result.suppressed:
            return (
                f"the figure for {indicator.name.lower()} {when} is not published because it rests on a small "
                "number of women"
            ), False
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
        text += compared(
            travel(ytd, ytd_year_ago), _num(ytd.value), unit=ytd.unit, against=against, threshold=threshold
        )
    return _capital(text) + "."


def draft(
    *,
    result,
    indicator,
    period: Period,
    threshold: int,
    previous=None,
    ytd=None,
    ytd_year_ago=None,
    ytd_period: Period | None = None,
    comparison=None,
) -> Draft:
    """The wording for one indicator result (see the module docstring for what is never written).

    ``previous``, ``ytd`` and ``ytd_year_ago`` are the same indicator's results for the previous period, the
    year to date (``ytd_period``) and the year to date a year earlier; leave them out to compare with nothing.
    ``comparison``: the indicator's row of ``metrics.compare`` for the period, from the same figures (its
    better, similar or worse against the target and a year earlier are worded, never judged afresh).
    """
    when = when_phrase(result.id, period)
    caveats = missing_caveats(list(result.missing))
    note = indicator.notes if indicator.polarity == "none" and getattr(indicator, "notes", None) else None
    if result.status == "not_reported":
        return Draft(
            result.id,
            [f"There is no figure for {indicator.name.lower()} {period_phrase(period)}: it has not been reported."],
            caveats,
            note,
        )
    if result.status == "incomplete":
        caveats.insert(0, "The figure is incomplete: not every partner has reported for the whole period.")
    if result.unit == "breakdown":
        s = _breakdown_sentence(result, indicator, when, threshold)
        return Draft(result.id, [s or f"There is nothing to show for {indicator.name.lower()} {when}."], caveats, note)
    text, shown = value_phrase(result, indicator, when, threshold)
    if shown:
        text += compared(
            travel(result, previous),
            _num(result.value),
            unit=result.unit,
            against=previous_phrase(period),
            threshold=threshold,
        )
    said = judged(comparison, unit=result.unit, period=period, threshold=threshold) if shown else ""
    sentences = [_capital(text) + "." + _target(result, indicator) + said]
    if ytd_period is not None and ytd_period != period:
        ytd_text = _ytd_sentence(result, indicator, ytd, ytd_year_ago, ytd_period, threshold)
        if ytd_text:
            sentences.append(ytd_text)
    return Draft(result.id, sentences, caveats, note)
