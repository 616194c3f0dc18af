"""What a committee paper says first: the performance table, key messages and exceptions, from the figures.

Every sentence is written from the public figures in both versions (as the draft wording is); which
indicators are exceptions is decided from the version's own figures, so the group's pack lists every red.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from core import clock
from core import formatting as fmt
from metrics.catalogue import CATALOGUE, by_id
from metrics.spc import changes_for, xmr
from reports.data import ReportData
from reports.wording import _capital, _figure, missing_caveats

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
SPC_MONTHS = 24  # months of history behind a special-cause signal (as metrics.attention)
SPC_MIN_POINTS = 8
RULE_WORDS = {
    "outside_limits": "a month outside the process limits",
    "two_of_three": "two of three months near a limit",
    "run": "a run of months on one side of the average",
    "trend": "a run of months rising or falling",
}


def few(n: int) -> str:
    """A number of indicators in words ('three'), as a committee paper writes them."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def _isnone(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def cell(result, *, unit: str | None = None, breakdown: str = "–") -> str:
    """A figure for a table: the value, '*' when not published, 'n/r' when not reported, '–' when none
    (``breakdown`` for an indicator that is only a breakdown)."""
    if result is None:
        return "–"
    if result.status == "not_reported":
        return "n/r"
    if result.unit == "breakdown":
        return breakdown
    if _isnone(result.value):
        return "*" if result.suppressed else "–"
    return fmt.number_text(float(result.value), unit or result.unit)


@dataclass(frozen=True)
class Row:
    """One indicator's line of the performance table."""

    id: str
    name: str
    value: str
    previous: str
    year_ago: str
    ytd: str
    target: str
    rag: str | None
    against_target: str
    against_year_ago: str


def judged_word(judged: object) -> str:
    """A judgement of ``metrics.compare`` for a table: 'Better', 'Similar', 'Worse', 'Higher (no judgement)'
    for an indicator without a direction, '–' for none."""
    if not isinstance(judged, str) or judged not in fmt.COMPARISON_WORDS:
        return "–"
    return fmt.COMPARISON_WORDS[judged] + (" (no judgement)" if judged in ("higher", "lower") else "")


def performance(data: ReportData) -> list[Row]:
    """One row per indicator, in catalogue order: period, previous, a year earlier, year to date, target, RAG,
    and better, similar or worse against the target and a year earlier (``metrics.compare``, as the pages)."""
    rows = []
    for r in data.indicators.results:
        ind = by_id(r.id)
        c = data.comparison(r.id) or {}
        rows.append(
            Row(
                id=r.id,
                name=ind.name,
                value=cell(r, breakdown="see chart"),
                previous=cell(data.figure("previous", r.id)),
                year_ago=cell(data.figure("year_ago", r.id)),
                ytd=cell(data.figure("ytd", r.id)),
                target="–" if _isnone(r.target) else fmt.number_text(float(r.target), r.unit),
                rag=r.rag,
                against_target=judged_word(c.get("judged_target")),
                against_year_ago=judged_word(c.get("judged_year_ago")),
            )
        )
    return rows


# --------------------------------------------------------------------------- exceptions


@dataclass(frozen=True)
class ExceptionItem:
    indicator_id: str
    kind: str  # 'red', 'special_cause', 'pattern', 'incomplete', 'not_reported'
    text: str


def _name(indicator_id: str) -> str:
    return by_id(indicator_id).name


def special_causes(trend: pd.DataFrame, data: ReportData) -> dict[str, list[tuple[str, list, str]]]:
    """Special-cause signals in the period's months: id -> [(cause, months, rule words)]."""
    out: dict[str, list[tuple[str, list, str]]] = {}
    if trend.empty:
        return out
    start, end = pd.Timestamp(data.period.start), pd.Timestamp(data.period.end)
    for ind_id, part in trend.groupby("id", sort=False):
        if by_id(str(ind_id)).unit == "breakdown":
            continue
        part = part.sort_values("period_start").tail(SPC_MONTHS)
        part = part[part["status"] != "not_reported"]
        series = pd.Series(
            pd.to_numeric(part["value"], errors="coerce").to_numpy(float), index=pd.to_datetime(part["period_start"])
        ).dropna()
        if len(series) < SPC_MIN_POINTS:
            continue
        # With the rebasing dates the administrator recorded, as the dashboard's attention list has them.
        frame = xmr(
            values=series, polarity=by_id(ind_id).polarity, changes=changes_for(data.process_changes, str(ind_id))
        ).frame
        hits = frame[
            frame["special_cause"].astype(bool)
            & (pd.to_datetime(frame["date"]) >= start)
            & (pd.to_datetime(frame["date"]) <= end)
        ]
        for cause, g in hits.groupby("cause", sort=False):
            rules = ", ".join(dict.fromkeys(RULE_WORDS.get(x, "") for x in g["rule"] if x))
            out.setdefault(str(ind_id), []).append((str(cause), [d.date() for d in pd.to_datetime(g["date"])], rules))
    return out


def _pattern_breaks(data: ReportData) -> list[ExceptionItem]:
    """A period rated green or amber whose last two months each miss the target by more than the amber band."""
    out = []
    t = data.trend
    if t.empty:
        return out
    for r in data.indicators.results:
        if r.rag not in ("green", "amber") or by_id(r.id).period_total or r.target is None:
            continue
        months = t[
            (t["id"] == r.id)
            & (pd.to_datetime(t["period_start"]) >= pd.Timestamp(data.period.start))
            & (pd.to_datetime(t["period_end"]) <= pd.Timestamp(data.period.end))
        ].sort_values("period_start")
        last = months.tail(2)
        if len(months) < 3 or len(last) < 2 or not (last["rag"] == "red").all():
            continue
        when = fmt.months_phrase([d.date() for d in pd.to_datetime(last["period_start"])])
        pub = data.public_trend
        shown = pub[(pub["id"] == r.id) & pub["period_start"].isin(last["period_start"])]
        vals = [fmt.number_text(float(v), r.unit) for v in shown.sort_values("period_start")["value"] if not _isnone(v)]
        figures = f" ({' and '.join(vals)})" if len(vals) == 2 else ""
        out.append(
            ExceptionItem(
                r.id,
                "pattern",
                f"{fmt.RAG_WORDS[r.rag]} for the period, but in {when} it was well below "
                f"the target of {fmt.number_text(float(r.target), r.unit)}{figures}.",
            )
        )
    return out


def exceptions(data: ReportData) -> list[ExceptionItem]:
    """Every red, every special-cause signal in the period, every figure whose months contradict its rating, and
    every indicator with incomplete or no data."""
    items: list[ExceptionItem] = []
    for r in data.indicators.results:
        if r.rag != "red":
            continue
        pub = data.figure("period", r.id, public=True)
        tgt = fmt.number_text(float(r.target), r.unit)
        shown = pub is not None and not _isnone(pub.value)
        off = fmt.RAG_WORDS["red"]
        items.append(
            ExceptionItem(
                r.id,
                "red",
                f"{off}: {fmt.number_text(float(pub.value), r.unit)} against a target of {tgt}."
                if shown
                else f"{off} (target {tgt}); the figure is not published because it rests on small numbers.",
            )
        )
    for ind_id, signals in special_causes(data.trend, data).items():
        for cause, months, rules in signals:
            what = {"improvement": "an improvement", "concern": "a concern"}.get(
                cause, "a change (neither better nor worse)"
            )
            items.append(
                ExceptionItem(
                    ind_id,
                    "special_cause",
                    f"Special-cause variation in {fmt.months_phrase(months)}: {what} beyond normal "
                    f"variation ({rules}).",
                )
            )
    items += _pattern_breaks(data)
    for r in data.indicators.results:
        if r.status == "not_reported":
            items.append(
                ExceptionItem(
                    r.id,
                    "not_reported",
                    "Not reported: no partner has sent the data for the "
                    "period, so there is no figure (it is not a zero).",
                )
            )
        elif r.status == "incomplete":
            items.append(
                ExceptionItem(
                    r.id,
                    "incomplete",
                    "Incomplete data: "
                    + (
                        " ".join(missing_caveats(list(r.missing)))
                        or "not every partner has reported for the whole period."
                    ),
                )
            )
    order = {i.id: k for k, i in enumerate(CATALOGUE)}
    kinds = ("red", "pattern", "special_cause", "not_reported", "incomplete")
    return sorted(items, key=lambda x: (kinds.index(x.kind), order.get(x.indicator_id, 0)))


# --------------------------------------------------------------------------- key messages


def _listing(parts: list[str], limit: int = 4) -> str:
    if len(parts) > limit:
        parts = [*parts[:limit], f"{few(len(parts) - limit)} more"]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def key_messages(data: ReportData) -> list[str]:
    """Three to six sentences from the figures: targets, what is better or worse than a year earlier by the
    intervals, what is off target, data."""
    threshold = data.threshold
    rated = [r for r in data.indicators.results if r.rag]
    counts = {k: sum(r.rag == k for r in rated) for k in ("green", "amber", "red")}
    out = []
    if rated:

        def n(k: str) -> str:
            return "none" if counts[k] == 0 else few(counts[k])

        out.append(
            f"Of the {few(len(rated))} indicators with a target and a figure, {n('green')} "
            f"{'is' if counts['green'] == 1 else 'are'} {fmt.RAG_WORDS['green'].lower()}, {n('amber')} "
            f"{fmt.RAG_WORDS['amber'].lower()} and {n('red')} {fmt.RAG_WORDS['red'].lower()}."
        )
    else:
        out.append("No indicator has both a target and a figure for this period.")
    # What moved is the version's own judgement by the intervals (``metrics.compare``, as the table beside it and
    # the pages); the figures quoted are the public ones, and only where both sides are published.
    against = fmt.year_ago_phrase(data.period)
    moved: dict[str, list[str]] = {"better": [], "worse": []}
    comp = data.comparisons
    level = float(comp["confidence"].iloc[0]) if comp is not None and not comp.empty else 95.0
    for r in data.indicators.results:
        c = data.comparison(r.id) or {}
        if c.get("judged_year_ago") not in moved:
            continue
        pub = data.comparison(r.id, public=True) or {}
        now, before = pub.get("value"), pub.get("year_ago_value")
        shown = not _isnone(now) and not _isnone(before)
        moved[c["judged_year_ago"]].append(
            f"{r.name.lower()} ({_figure(float(now), r.unit, threshold)}, from "
            f"{_figure(float(before), r.unit, threshold)})"
            if shown
            else r.name.lower()
        )
    if moved["better"]:
        out.append(f"Better than {against}, judged by the {level:g}% intervals: {_listing(moved['better'])}.")
    if moved["worse"]:
        out.append(f"Worse than {against}, judged by the {level:g}% intervals: {_listing(moved['worse'])}.")
    if not moved["better"] and not moved["worse"]:
        out.append(f"No indicator is better or worse than {against}, judged by the {level:g}% intervals.")
    red = [r for r in data.indicators.results if r.rag == "red"]
    if red:
        parts = []
        for r in red:
            pub = data.figure("period", r.id, public=True)
            fig = "" if pub is None or _isnone(pub.value) else f"{fmt.number_text(float(pub.value), r.unit)} against "
            parts.append(
                f"{r.name.lower()} ({fig}{fmt.number_text(float(r.target), r.unit)})" if fig else f"{r.name.lower()}"
            )
        out.append(f"{fmt.RAG_WORDS['red']}: {_listing(parts, limit=5)}.")
    concern = [i for i, sig in special_causes(data.trend, data).items() if any(c == "concern" for c, _, _ in sig)]
    if concern:
        out.append(f"Special-cause variation of concern this period: {_listing([_name(i).lower() for i in concern])}.")
    incomplete = sum(r.status == "incomplete" for r in data.indicators.results)
    missing = sum(r.status == "not_reported" for r in data.indicators.results)
    if incomplete or missing:
        bits = []
        if incomplete:
            bits.append(
                f"{few(incomplete)} {'indicator rests' if incomplete == 1 else 'indicators rest'} on incomplete data"
            )
        if missing:
            bits.append(f"{few(missing)} {'was' if missing == 1 else 'were'} not reported")
        out.append(_capital(" and ".join(bits)) + " (see Data quality and completeness).")
    else:
        out.append("Every indicator is complete: all partners reported for the whole period.")
    return out[:6]


# --------------------------------------------------------------------------- sign-off (docs/meetings.md)


def signoff_words(data: ReportData) -> str:
    """The export's sign-off state in one sentence (public: only when and of which period, never a revision)."""
    so = data.signoff
    if data.public:
        if so is None:
            return "The figures are published from the data as they stand; no period of this year is signed off."
        return (
            f"The figures are as they stood when the chair signed off {so['period'].label()} on "
            f"{fmt.uk_date(clock.local(so['signed_at']), long=True)}."
        )
    if so is None:
        return f"{data.period.label()} has not been signed off yet."
    if data.revision is not None and data.revision.revised:
        n = len(data.revision.changes)
        return (
            f"Revised since sign-off: the chair signed off {data.period.label()} on {fmt.uk_date(clock.local(so['signed_at']), long=True)}; "
            f"a correction loaded later changed {few(n)} figure{'s' if n != 1 else ''} (signed off, now: see "
            "the table). They stay marked until the chair signs the period off again."
        )
    return f"Signed off by the chair on {fmt.uk_date(clock.local(so['signed_at']), long=True)}; no figure has changed since."


def revision_rows(data: ReportData) -> list[dict]:
    """Each figure a correction changed since the sign-off (restricted exports only): indicator, signed off, now."""
    if data.public or data.revision is None:
        return []

    def shown(v, unit, hidden) -> str:
        return "*" if hidden else "–" if v is None else fmt.number_text(float(v), unit)

    return [
        {
            "id": c["id"],
            "name": c["name"],
            "unit": c["unit"],
            "before": c["before"],
            "after": c["after"],
            "signed off": shown(c["before"], c["unit"], c["before_suppressed"]),
            "now": shown(c["after"], c["unit"], c["after_suppressed"]),
        }
        for c in data.revision.changes
    ]
