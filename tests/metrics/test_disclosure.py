"""Disclosure control: unit cases and property tests (no small count shown; nothing recoverable)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from core.periods import Period
from metrics import disclosure
from metrics.catalogue import CATALOGUE, linked
from metrics.compute import Numbering
from metrics.results import BreakdownCell, IndicatorResult, IndicatorSet

thresholds = st.integers(min_value=5, max_value=10)


def test_threshold_never_below_five(monkeypatch):
    monkeypatch.setenv("OUTCOMES_SUPPRESSION_THRESHOLD", "3")
    assert disclosure.threshold_value() == 5
    assert disclosure.threshold_value(2) == 5
    monkeypatch.setenv("OUTCOMES_SUPPRESSION_THRESHOLD", "10")
    assert disclosure.threshold_value() == 10
    assert disclosure.protect_count(value=9) == (None, True)


def test_counts():
    assert disclosure.protect_count(value=0, threshold=5) == (0, False)
    assert disclosure.protect_count(value=4, threshold=5) == (None, True)
    assert disclosure.protect_count(value=1, threshold=5) == (None, True)
    assert disclosure.protect_count(value=5, threshold=5) == (5, False)
    assert disclosure.protect_count(value=None, threshold=5) == (None, False)


def test_percents():
    shown = disclosure.protect_percent(numerator=10, denominator=20, value=50.0, lower_ci=30.0, upper_ci=70.0)
    assert shown == disclosure.Protected(10, 20, 50.0, 30.0, 70.0, False)
    for num, den in ((3, 20), (18, 20), (2, 4), (0, 3)):  # small numerator, complement, denominator
        p = disclosure.protect_percent(numerator=num, denominator=den, value=num / den * 100)
        assert p == disclosure.Protected(None, None, None, None, None, True), (num, den)
    assert not disclosure.protect_percent(numerator=0, denominator=10, value=0.0).suppressed
    assert not disclosure.protect_percent(numerator=10, denominator=10, value=100.0).suppressed
    assert not disclosure.protect_percent(numerator=0, denominator=0, value=None).suppressed


def test_mean_shows_only_the_mean():
    assert disclosure.protect_mean(value=2.2, women=4) == disclosure.Protected(None, None, None, None, None, True)
    assert disclosure.protect_mean(value=2.2, women=5) == disclosure.Protected(None, None, 2.2, None, None, False)


def test_breakdown_secondary_suppression():
    cells = [BreakdownCell("a", 12), BreakdownCell("b", 3), BreakdownCell("c", 7), BreakdownCell("d", 0)]
    out, hide_total = disclosure.protect_breakdown(cells=cells, total=22, threshold=5)
    assert [(c.value, c.suppressed) for c in out] == [(12, False), (None, True), (None, True), (0, False)]
    assert not hide_total


def test_breakdown_all_ones_are_not_left_recoverable():
    # 1 + 1 suppressed with total shown: the viewer could tell both are 1 -> one more cell goes
    cells = [BreakdownCell("a", 1), BreakdownCell("b", 1), BreakdownCell("c", 9), BreakdownCell("d", 20)]
    out, _ = disclosure.protect_breakdown(cells=cells, total=31, threshold=5)
    assert [c.suppressed for c in out] == [True, True, True, False]
    # nothing left to suppress: the total goes
    out, hide_total = disclosure.protect_breakdown(cells=[BreakdownCell(x, 1) for x in "abcdef"], total=6)
    assert hide_total and all(c.suppressed for c in out)


@st.composite
def breakdowns(draw):
    values = draw(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8))
    cats = [f"c{i}" for i in range(len(values))]
    # disjoint groups of categories whose sums are published elsewhere
    order = draw(st.permutations(cats))
    cuts = sorted(draw(st.lists(st.integers(0, len(cats)), max_size=3)))
    parts = [tuple(order[i:j]) for i, j in zip([0, *cuts], [*cuts, len(cats)], strict=True)]
    linked = tuple(p for p in parts if p and draw(st.booleans()))
    return [BreakdownCell(c, v) for c, v in zip(cats, values, strict=True)], sum(values), linked


def test_linked_cells():
    # HLT-03: skin 2 suppressed; oral_health 10 is DEN-02 (shown), so it cannot be the second cell -> wound 7
    cells = [BreakdownCell("skin_infection", 2), BreakdownCell("oral_health", 10), BreakdownCell("wound_care", 7)]
    out, hide = disclosure.protect_breakdown(cells=cells, total=19, linked=linked("HLT-03"))
    assert [c.suppressed for c in out] == [True, False, True] and not hide
    # only oral_health is left: the total goes (and so every cell)
    out, hide = disclosure.protect_breakdown(cells=cells[:2], total=12, linked=linked("HLT-03"))
    assert hide and all(c.suppressed for c in out)
    # RHB-03: admitted 3 suppressed; smallest other is ready 6, whose partner referred 8 (RHB-01 = 14) goes too
    cells = [
        BreakdownCell("admitted", 3),
        BreakdownCell("ready", 6),
        BreakdownCell("referred", 8),
        BreakdownCell("considering", 20),
    ]
    out, _ = disclosure.protect_breakdown(cells=cells, total=37, linked=linked("RHB-03"))
    assert [c.suppressed for c in out] == [True, True, True, False]


@settings(max_examples=400, deadline=None)
@given(breakdowns(), thresholds)
def test_property_breakdown_no_small_cell_and_nothing_recoverable(bd, t):
    cells, total, linked = bd
    out, hide_total = disclosure.protect_breakdown(cells=cells, total=total, threshold=t, linked=linked)
    sup = {c.category for c in out if c.suppressed}
    value = {c.category: c.value for c in cells}
    if not hide_total:
        for g in linked:
            hidden = [c for c in g if c in sup]
            if len(g) == 1 and hidden:
                assert 1 <= value[g[0]] < t, "a cell shown elsewhere was hidden as a second cell"
            if len(g) > 1 and len(hidden) == 1:
                # only when the published sum is itself small (and so suppressed where it is published)
                assert 1 <= sum(value[c] for c in g) < t, "one hidden cell of a published sum"
    shown_total = None if hide_total or disclosure.is_small(total, t) else total
    for orig, c in zip(cells, out, strict=True):
        if c.suppressed:
            assert c.value is None and orig.value > 0
        else:
            assert c.value == orig.value and not (1 <= c.value < t)
    suppressed = [o.value for o, c in zip(cells, out, strict=True) if c.suppressed]
    if shown_total is not None and suppressed:
        rest = shown_total - sum(c.value for c in out if not c.suppressed)
        # every suppressed cell is >= 1, so with k of them each could be anything in 1 .. rest - (k - 1)
        assert len(suppressed) >= 2, "a single suppressed cell = total - the others"
        assert rest - (len(suppressed) - 1) > 1, "the suppressed cells could only be all ones"


@st.composite
def figures(draw):
    unit = draw(st.sampled_from(["count", "percent", "mean", "breakdown"]))
    den = draw(st.integers(min_value=0, max_value=30))
    num = draw(st.integers(min_value=0, max_value=den)) if unit == "percent" else draw(st.integers(0, 30))
    women = draw(st.integers(min_value=0, max_value=30))
    if unit == "percent":
        value = num / den * 100 if den else np.nan
    elif unit == "mean":
        value, den = (num / den if den else np.nan), den
    else:
        value, den = float(num), np.nan
    return {
        "unit": unit,
        "numerator": float(num),
        "denominator": float(den),
        "value": value,
        "lower_ci": 1.0,
        "upper_ci": 2.0,
        "women": float(women),
    }


def _small(x, t) -> bool:
    return x is not None and not (isinstance(x, float) and np.isnan(x)) and 1 <= x < t


@settings(max_examples=100, deadline=None)
@given(st.lists(figures(), min_size=1, max_size=20), thresholds)
def test_property_frame_no_small_count_shown(rows, t):
    f = disclosure.protect_frame(frame=pd.DataFrame(rows), threshold=t)
    assert "women" not in f
    for r in f.to_dict("records"):
        if r["suppressed"]:
            assert all(np.isnan(r[k]) for k in disclosure.FIGURES)
            continue
        assert not _small(r["numerator"], t) and not _small(r["denominator"], t)
        if r["unit"] in ("count", "breakdown"):
            assert not _small(r["value"], t)
        if r["unit"] == "percent" and not np.isnan(r["denominator"]):
            assert not _small(r["denominator"] - r["numerator"], t)
        if r["unit"] == "mean":
            assert np.isnan(r["numerator"]) and np.isnan(r["denominator"])


@st.composite
def indicator_sets(draw):
    results = []
    for ind in CATALOGUE:
        num = draw(st.integers(0, 25))
        den = num + draw(st.integers(0, 25))
        unit = ind.unit
        value = (
            (num / den * 100 if den else None) if unit == "percent" else (num / max(den, 1) if unit == "mean" else num)
        )
        cells = []
        if ind.breakdown_by:
            parts = draw(st.lists(st.integers(0, 12), min_size=1, max_size=5))
            cells = [BreakdownCell(f"c{i}", v) for i, v in enumerate(parts)]
            num = value = sum(parts)
        results.append(
            IndicatorResult(
                id=ind.id,
                name=ind.name,
                unit=unit,
                polarity=ind.polarity,
                numerator=num,
                denominator=den if unit in ("percent", "mean") else None,
                value=value,
                lower_ci=None,
                upper_ci=None,
                suppressed=False,
                status=draw(st.sampled_from(["complete", "incomplete", "not_reported"])),
                missing=[],
                target=None,
                rag=None,
                breakdown=cells,
                women=draw(st.integers(0, 25)),
            )
        )
    return IndicatorSet(Period(date(2026, 4, 1), date(2026, 4, 30)), False, None, 5, results)


def _ints(x, key=None):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _ints(v, k)
    elif isinstance(x, list):
        for v in x:
            yield from _ints(v, key)
    elif isinstance(x, int | float) and not isinstance(x, bool) and key in ("numerator", "denominator", "value"):
        if float(x).is_integer():
            yield key, x


@settings(max_examples=30, deadline=None)
@given(indicator_sets())
def test_property_public_set_json_has_no_count_one_to_four(exact):
    public = disclosure.apply_to_set(indicator_set=exact, threshold=5)
    assert public.public
    j = public.to_json()
    for ind in j["indicators"]:
        for key, v in _ints({k: ind[k] for k in ("numerator", "denominator")}):
            assert not 1 <= v <= 4, (ind["id"], key, v)
        if ind["unit"] in ("count", "breakdown") and ind["value"] is not None:
            assert not 1 <= ind["value"] <= 4, ind["id"]
        for c in ind["breakdown"]:
            assert c["value"] is None or not 1 <= c["value"] <= 4
            assert c["suppressed"] == (c["value"] is None)
        if ind["suppressed"]:
            assert ind["value"] is None and ind["rag"] is None and ind["lower_ci"] is None
    assert all(r.women is None for r in public.results)


class _RandomTables:
    """Stands in for metrics.compute.Tables with random rows (the computing and protecting are the real ones)."""

    def __init__(self, seed: int):
        from core import returns as R

        rng = np.random.default_rng(seed)
        people = [f"P{i:04d}" for i in range(1, rng.integers(2, 16))]
        days = pd.date_range("2026-01-01", "2026-04-30")

        def rows(n, **cols):
            df = pd.DataFrame({k: (v(n) if callable(v) else v) for k, v in cols.items()})
            return df

        def pick(values, blank=0.0):
            def f(n):
                out = rng.choice(np.array(list(values), dtype=object), n)
                out[rng.random(n) < blank] = None
                return out

            return f

        when = pick(days)
        n = lambda: int(rng.integers(0, 40))  # noqa: E731
        self.frames = {
            "attendance": rows(
                n(),
                session_date=when,
                person_id=pick(people),
                services_used=pick(["hairdressing", "food;arts_crafts", "dental"], 0.5),
            ),
            "outreach": rows(n(), contact_date=when, person_id=pick(people, 0.4), contact_type="street"),
            "keywork_review": rows(
                n(),
                review_date=when,
                person_id=pick(people),
                accommodation=pick(R.ACCOMMODATION, 0.2),
                has_children=pick([True, False], 0.2),
                child_contact=pick(R.CHILD_CONTACT, 0.3),
                working_status=pick(R.WORKING_STATUS, 0.2),
            ),
            "treatment": rows(
                n(),
                snapshot_date=when,
                person_id=pick(people),
                in_treatment=pick([True, False]),
                rehab_stage=pick(R.REHAB_STAGES, 0.3),
            ),
            "health_contacts": rows(
                n(),
                contact_date=when,
                person_id=pick(people),
                service=pick(R.SERVICES),
                activity=pick(["sti_screen", "support", "consultation", "check_up"]),
                reason=pick(R.NURSE_REASONS, 0.3),
                referral_to=pick(R.REFERRALS, 0.5),
            ),
            "safeguarding": rows(
                n(),
                meeting_date=when,
                person_id=pick(people),
                risk_level=pick(R.RISK_LEVELS),
                care_plan_in_place=pick([True, False]),
            ),
            "police_monthly": rows(
                4,
                month=pd.date_range("2026-01-01", periods=4, freq="MS"),
                violence_reports=lambda k: rng.integers(0, 9, k),
                arrests_soliciting=lambda k: rng.integers(0, 9, k),
                support_referrals=lambda k: rng.integers(0, 9, k),
            ),
            "training": rows(
                n() // 4, course_date=when, agency=pick(R.AGENCIES), staff_trained=lambda k: rng.integers(1, 9, k)
            ),
            "supplies": rows(n() // 4, date=when, item=pick(R.ITEMS), quantity=lambda k: rng.integers(0, 9, k)),
            "feedback": rows(n(), survey_date=when, person_id=None, feel_heard=pick([1, 2, 3, 4, 5], 0.2)),
        }
        numbering = Numbering()  # women as numbers, as the shared tables hold them
        for name, df in self.frames.items():
            if "person_id" in df:
                df["person_id"] = numbering.of(df["person_id"])
            dcol = R.RETURNS[name].date_column
            df["d"] = (
                (df[dcol].to_numpy("datetime64[D]") - np.datetime64("1970-01-01", "D")).astype(np.int64)
                if len(df)
                else pd.Series(dtype=np.int64)
            )
        self.reads: list[str] = []

    def get(self, name: str) -> pd.DataFrame:
        return self.frames[name]


@settings(max_examples=12, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_property_whole_pipeline_public_has_no_small_count(golden_engine, seed):
    from metrics.api import _evaluate

    periods = [Period(date(2026, 4, 1), date(2026, 4, 30)), Period(date(2026, 1, 1), date(2026, 3, 31))]
    ev = _evaluate(engine=golden_engine, periods=periods, public=True, as_of=None, ids=None, tables=_RandomTables(seed))
    f = ev.figures
    for col in ("numerator", "denominator"):
        v = f[col].to_numpy(float)
        assert not ((v >= 1) & (v <= 4)).any(), col
    counts = f[f["unit"].isin(["count", "breakdown"])]["value"].to_numpy(float)
    assert not ((counts >= 1) & (counts <= 4)).any()
    pct = f[f["unit"] == "percent"]
    assert pct.loc[pct["suppressed"], ["value", "lower_ci", "upper_ci"]].isna().all().all()
    cells = ev.cells["value"].to_numpy(float)
    assert not ((cells >= 1) & (cells <= 4)).any()
    assert f.loc[f["suppressed"], "rag"].isna().all()
