"""Figure helpers for the exported reports (pure: figure in, figure out).

A picture pasted into a report has no hover text, so it needs a fixed size and a
footnote that says what a gap means.
"""

from __future__ import annotations

import plotly.graph_objects as go

from charts import palette

WIDTH, HEIGHT = 900, 420


def printable(fig: go.Figure, *, note: str | None = None, width: int = WIDTH, height: int | None = None) -> go.Figure:
    """A copy of ``fig`` sized for a page, with ``note`` written under the plot."""
    out = go.Figure(fig)
    h = height or max(HEIGHT, int(out.layout.height or 0))
    out.update_layout(width=width, height=h, margin={"l": 60, "r": 30, "t": 60, "b": 90 if note else 60})
    if note:
        out.add_annotation(text=note, xref="paper", yref="paper", x=0, y=-0.28, xanchor="left", yanchor="top",
                           showarrow=False, font={"size": 11, "color": palette.GREY}, align="left")
    return out
