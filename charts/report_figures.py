"""Figure helpers for the exported reports: a page figure made fit to print.

A picture pasted into a report has no hover text, so it needs a fixed size and a
footnote that says what a gap means.
"""

from __future__ import annotations

import plotly.graph_objects as go

from charts import palette

WIDTH, HEIGHT = 900, 380


def printable(
    fig: go.Figure,
    *,
    note: str | None = None,
    width: int = WIDTH,
    height: int | None = None,
    hidden_bars: list[str] | None = None,
) -> go.Figure:
    """``fig`` sized for a page, with ``note`` written under the plot (updated in place and returned:
    copying a figure costs as much as drawing it, so pass one you have just made).

    ``hidden_bars``: categories of a horizontal bar chart whose value is hidden; a bar with no value
    draws nothing, so each gets a "*" at zero to say it was left out on purpose.
    """
    out = fig
    if hidden_bars:
        out.add_trace(
            go.Scatter(
                x=[0] * len(hidden_bars),
                y=hidden_bars,
                mode="text",
                text=["*"] * len(hidden_bars),
                textposition="middle right",
                textfont={"size": 14, "color": palette.GREY},
                showlegend=False,
                hoverinfo="skip",
            )
        )
    h = height or max(HEIGHT, int(out.layout.height or 0))
    # One series per chart: a legend would only repeat the title (or list the "*" marks).
    out.update_layout(
        showlegend=False,
        width=width,
        height=h,
        margin={"l": 60, "r": 30, "t": 60, "b": 90 if note else 60},
        title_x=0.015,
    )  # the pages' titles sit at the very edge, which a printed page clips
    if note:
        out.add_annotation(
            text=note,
            xref="paper",
            yref="paper",
            x=0,
            y=-0.28,
            xanchor="left",
            yanchor="top",
            showarrow=False,
            font={"size": 11, "color": palette.GREY},
            align="left",
        )
    return out
