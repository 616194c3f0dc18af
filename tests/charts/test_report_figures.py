"""charts.report_figures.printable: sized for a page, a note, and hidden bars marked."""

from __future__ import annotations

import plotly.graph_objects as go

from charts.report_figures import printable


def test_printable_sizes_copies_and_notes():
    fig = go.Figure(go.Bar(x=[3, None], y=["a", "b"], orientation="h")).update_layout(height=200)
    out = printable(fig, note="A gap is a month not reported.", hidden_bars=["b"])
    assert (out.layout.width, out.layout.height) == (900, 380)
    assert out.layout.annotations[-1].text == "A gap is a month not reported."
    assert list(out.data[-1].y) == ["b"] and list(out.data[-1].text) == ["*"]
