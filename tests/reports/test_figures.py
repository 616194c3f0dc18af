"""Report charts: drawn for print, with alt text; a public chart's data holds no count from 1 to 4."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import CATALOGUE


def _numbers(fig) -> list[float]:
    out = []
    for tr in fig.data:
        for axis in ("x", "y"):
            vals = getattr(tr, axis, None)
            if vals is None:
                continue
            arr = np.asarray(vals, dtype=object)
            out += [float(v) for v in arr if isinstance(v, int | float) and v == v]
        for attr in ("text", "hovertext"):
            v = getattr(tr, attr, None)
            if isinstance(v, tuple | list):
                out += [float(t) for t in v if isinstance(t, str) and t.replace(",", "").isdigit()]
    return out


def test_every_indicator_has_a_chart_with_alt_text_or_a_reason(public_data, restricted_data):
    from reports.figures import indicator_charts

    for data in (public_data, restricted_data):
        charts = indicator_charts(data)
        assert set(charts.figures) | set(charts.why_none) == {i.id for i in CATALOGUE}
        assert not set(charts.figures) & set(charts.why_none)
        assert set(charts.alt) == set(charts.figures)
        assert all(f.layout.width == 900 for f in charts.figures.values())
        assert all(f.layout.showlegend is False for f in charts.figures.values())  # no stray legend entries
    # The restricted version charts every indicator with monthly figures (all of them in the test data).
    assert indicator_charts(restricted_data).why_none == {}


def test_a_near_empty_public_chart_says_why_instead(public_data):
    from reports.figures import MIN_SHOWN_MONTHS, indicator_charts

    t = public_data.trend
    recent = t.index[(t["id"] == "ENG-05")][-12:]
    t.loc[recent[:8], ["value", "numerator"]] = np.nan  # eight of the last twelve months not published
    t.loc[recent[:8], "suppressed"] = True
    charts = indicator_charts(public_data)
    for ind_id, why in charts.why_none.items():
        assert why.startswith("No chart:")
        recent = t[t["id"] == ind_id].tail(12)
        assert recent.empty or recent["value"].notna().sum() < MIN_SHOWN_MONTHS or ind_id == "SAF-01"
    assert "ENG-05" in charts.why_none  # its monthly counts are mostly small


def test_a_public_chart_of_zeros_and_hidden_months_says_why_instead(public_data):
    from reports.figures import indicator_charts

    t = public_data.trend
    rows = t.index[t["id"] == "RHB-02"]
    t.loc[rows, ["value", "numerator"]] = 0.0
    t.loc[rows[-3], ["value", "numerator"]] = np.nan
    t.loc[rows[-3], "suppressed"] = True
    charts = indicator_charts(public_data)
    assert "RHB-02" not in charts.figures and "every published month is zero" in charts.why_none["RHB-02"]


def test_a_count_whose_target_is_for_a_period_is_drawn_by_quarter(restricted_data):
    from dataclasses import replace

    from core.periods import quarterly
    from reports.figures import indicator_charts

    quarters = quarterly(pd.Timestamp("2025-04-01").date(), restricted_data.period.end)
    q = pd.DataFrame(
        {
            "id": "ENG-01",
            "period_start": [p.start for p in quarters],
            "period_end": [p.end for p in quarters],
            "period_label": [p.label() for p in quarters],
            "value": [40.0, 45.0, 52.0, 48.0, 50.0][-len(quarters) :],
            "lower_ci": None,
            "upper_ci": None,
            "suppressed": False,
            "status": "complete",
            "target": 60.0,
            "rag": "red",
        }
    )
    charts = indicator_charts(replace(restricted_data, quarterly=q))
    fig = charts.figures["ENG-01"]
    assert list(fig.data[0].x) == ["Q1 2025-26", "Q2 2025-26", "Q3 2025-26", "Q4 2025-26", "Q1 2026-27"]
    assert fig.layout.shapes[0].y0 == 60.0  # the target line, against quarters
    assert "by quarter" in charts.alt["ENG-01"] and "target of 60 a quarter" in charts.alt["ENG-01"]
    # A percentage's target is drawn against its months.
    assert "by month" in charts.alt["HLT-01"] and fig.layout.title.text.endswith("by quarter")


def test_first_time_series_leave_out_the_first_months_of_the_data(restricted_data):
    from reports.figures import FIRST_MONTHS, indicator_charts

    charts = indicator_charts(restricted_data)
    eng02 = charts.figures["ENG-02"].data[0].x
    eng01 = charts.figures["ENG-03"].data[0].x
    assert len(eng02) == len(eng01) - FIRST_MONTHS and eng02[0] == "Jul 2025"
    assert any("first three months" in n for n in charts.notes)


def test_public_count_charts_hold_no_small_count(public_data, restricted_data):
    from reports.figures import indicator_charts

    units = {i.id: i.unit for i in CATALOGUE}
    counts = {"public": [], "restricted": []}
    for name, data in (("public", public_data), ("restricted", restricted_data)):
        for ind_id, fig in indicator_charts(data).figures.items():
            if units[ind_id] in ("count", "breakdown"):
                counts[name] += [v for v in _numbers(fig) if 1 <= v < 5 and v == int(v)]
    assert counts["restricted"], "the test data must hold small counts"
    assert counts["public"] == []


def test_hidden_breakdown_parts_are_marked(public_data):
    from reports.figures import indicator_charts

    fig = indicator_charts(public_data).figures["RHB-03"]
    marks = [tr for tr in fig.data if tr.type == "scatter" and tr.mode == "text"]
    assert marks and set(marks[0].text) == {"*"}
    assert set(marks[0].y) == {"Ready for rehab", "Referred to rehab"}  # 3 is small; 6 hidden so 3 cannot be found
