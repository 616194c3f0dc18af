"""Chart functions: data in, figure out; gaps stay gaps; one palette."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts import figures, palette


def _trend(values):
    return pd.DataFrame(
        {
            "period_label": [f"Q{i}" for i in range(1, len(values) + 1)],
            "value": values,
            "lower_ci": [v - 5 if v is not None else None for v in values],
            "upper_ci": [v + 5 if v is not None else None for v in values],
        }
    )


def test_trend_chart_keeps_suppressed_as_a_gap_and_draws_the_target():
    fig = figures.trend_chart(_trend([40.0, None, 55.0]), title="T", unit="percent", target=50)
    assert isinstance(fig, go.Figure)
    y = list(fig.data[0].y)
    assert pd.isna(y[1]) and y[0] == 40.0
    assert fig.data[0].connectgaps is False
    assert "no value" in fig.data[0].hovertext[1]
    assert fig.data[0].error_y.array is not None
    assert any("Target 50.0%" in (a.text or "") for a in fig.layout.annotations)


def test_breakdown_chart_sorts_and_marks_suppressed():
    frame = pd.DataFrame({"category": ["A", "B", "C"], "value": [10, None, 3]})
    fig = figures.breakdown_chart(frame, title="B", highlight="C")
    bar = fig.data[0]
    assert list(bar.y) == ["B", "C", "A"]  # gap first, then smallest to largest
    assert list(bar.text) == ["*", "3", "10"]
    assert bar.marker.color[1] == palette.ORANGE and bar.marker.color[2] == palette.BLUE


def test_spc_chart_colours_special_causes():
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2026-01-06", periods=4, freq="7D"),
            "value": [10, 11, 25, 9],
            "mean": 12.0,
            "upper": 20.0,
            "lower": 4.0,
            "special_cause": [False, False, True, False],
            "cause": [None, None, "improvement", None],
        }
    )
    fig = figures.spc_chart(frame, title="S")
    names = [t.name for t in fig.data]
    assert "Special cause: improvement" in names and "Special cause: concern" not in names
    special = next(t for t in fig.data if t.name == "Special cause: improvement")
    assert special.marker.color == palette.BLUE and list(special.y) == [25]
    assert "20/01/2026: 25" in special.hovertext[0]


def test_spc_chart_breaks_its_lines_and_names_each_process_change():
    from datetime import date

    from metrics.spc import ProcessChange, xmr

    values = pd.Series(
        [10, 12, 11, 13, 12, 11, 20, 21, 22, 19, 20, 21], index=pd.date_range("2025-01-01", periods=12, freq="MS")
    )
    change = ProcessChange(date(2025, 7, 1), "Drop-in moved to the new building")
    r = xmr(values=values, polarity="up", changes=[change])
    fig = figures.spc_chart(r.frame, title="S", changes=(("2025-07-01", change.reason),))
    means = [t for t in fig.data if t.name == "Mean"]
    assert len(means) == 2  # one line per period, not joined across the change
    assert [len(t.y) for t in means] == [6, 6] and means[0].y[0] != means[1].y[0]
    assert sum(bool(t.showlegend) for t in fig.data if t.name == "Mean") == 1
    texts = [a.text for a in fig.layout.annotations]
    assert "Process change: Drop-in moved to the new building" in texts
    assert any(s.type == "line" for s in fig.layout.shapes)


def test_grouped_trend_chart_one_trace_per_series():
    frame = pd.DataFrame(
        {"period_label": ["Q1", "Q1", "Q2"], "category": ["Ready", "Referred", "Ready"], "value": [5, 6, 7]}
    )
    fig = figures.grouped_trend_chart(frame, title="G", unit="count")
    assert [t.name for t in fig.data] == ["Ready", "Referred"]
    assert fig.data[0].marker.color == palette.SEQUENCE[0]


def test_palette_is_okabe_ito():
    assert palette.SEQUENCE[:3] == ("#0072B2", "#E69F00", "#009E73")
    assert palette.colour(len(palette.SEQUENCE)) == palette.SEQUENCE[0]


def test_small_counts_get_whole_number_ticks():
    frame = pd.DataFrame({"period_label": ["A", "B"], "value": [0, 2]})
    assert figures.trend_chart(frame, title="T", unit="count").layout.yaxis.dtick == 1
    big = pd.DataFrame({"period_label": ["A", "B"], "value": [0, 40]})
    assert figures.trend_chart(big, title="T", unit="count").layout.yaxis.dtick is None
