"""Plotly figure functions: data in, ``go.Figure`` out. Shared by the pages and the reports.

Every function draws only what it is given; public callers pass disclosure-controlled
frames, so nothing suppressed can reach a chart's data or hover text. A suppressed or
missing value is drawn as a gap, never as zero.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts import palette
from core import formatting as fmt

FONT = "Arial, Helvetica, sans-serif"


def _number(value: float | None, unit: str) -> str:
    """A figure in hover text ('no value' for a gap)."""
    return "no value" if fmt.is_missing(value) else fmt.number_text(float(value), unit)


def _layout(fig: go.Figure, *, title: str, unit: str, height: int = 340, y_title: str | None = None) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        font={"family": FONT, "size": 13, "color": "#1B1B1B"},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
        hoverlabel={"font": {"family": FONT}},
        separators=".,",
    )
    fig.update_xaxes(showgrid=False, linecolor=palette.LIGHT_GREY, ticks="outside", tickcolor=palette.LIGHT_GREY)
    fig.update_yaxes(
        gridcolor="#EEEEEE",
        zeroline=True,
        zerolinecolor=palette.LIGHT_GREY,
        rangemode="tozero",
        title={"text": y_title or ""},
    )
    if unit == "percent":
        fig.update_yaxes(ticksuffix="%")
    return fig


def trend_chart(
    frame: pd.DataFrame, *, title: str, unit: str, target: float | None = None, label_col: str = "period_label"
) -> go.Figure:
    """One indicator over time: ``frame`` has ``label_col``, ``value`` and, for percents, ``lower_ci``/``upper_ci``."""
    df = frame.reset_index(drop=True)
    values = pd.to_numeric(df["value"], errors="coerce")
    hover = [f"{lab}: {_number(v, unit)}" for lab, v in zip(df[label_col], values, strict=True)]
    trace = go.Scatter(
        x=df[label_col],
        y=values,
        mode="lines+markers",
        name="Value",
        line={"color": palette.BLUE, "width": 2.5},
        marker={"size": 8},
        hovertext=hover,
        hoverinfo="text",
        connectgaps=False,
    )
    if unit == "percent" and {"lower_ci", "upper_ci"} <= set(df.columns):
        lo = pd.to_numeric(df["lower_ci"], errors="coerce")
        hi = pd.to_numeric(df["upper_ci"], errors="coerce")
        trace.error_y = {
            "type": "data",
            "symmetric": False,
            "array": (hi - values).tolist(),
            "arrayminus": (values - lo).tolist(),
            "color": palette.SKY_BLUE,
            "thickness": 1.5,
        }
    fig = go.Figure(trace)
    if target is not None:
        fig.add_hline(
            y=target,
            line={"color": palette.BLUISH_GREEN, "dash": "dash", "width": 1.5},
            annotation_text=f"Target {_number(target, unit)}",
            annotation_position="top left",
        )
    if unit == "percent":
        fig.update_yaxes(range=[0, 105])
    elif unit == "count" and values.notna().any() and values.max() <= 6:
        fig.update_yaxes(dtick=1)  # whole numbers only: no 0.5 of a woman
    return _layout(fig, title=title, unit=unit)


def grouped_trend_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    unit: str,
    series_col: str = "category",
    label_col: str = "period_label",
    stacked: bool = True,
) -> go.Figure:
    """Several series over time (e.g. a breakdown by period), as bars: ``label_col``, ``series_col``, ``value``."""
    fig = go.Figure()
    for i, (name, part) in enumerate(frame.groupby(series_col, sort=False)):
        vals = pd.to_numeric(part["value"], errors="coerce")
        fig.add_bar(
            x=part[label_col],
            y=vals,
            name=str(name),
            marker_color=palette.colour(i),
            hovertext=[f"{name}, {lab}: {_number(v, unit)}" for lab, v in zip(part[label_col], vals, strict=True)],
            hoverinfo="text",
        )
    fig.update_layout(barmode="stack" if stacked else "group")
    return _layout(fig, title=title, unit=unit, height=380)


def breakdown_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    unit: str = "count",
    category_col: str = "category",
    highlight: str | None = None,
) -> go.Figure:
    """A breakdown as horizontal bars (largest first): ``category_col`` and ``value``; gaps for suppressed cells."""
    df = frame.copy()
    df["_v"] = pd.to_numeric(df["value"], errors="coerce")
    df = df.sort_values("_v", ascending=True, na_position="first")
    colours = [palette.ORANGE if highlight is not None and c == highlight else palette.BLUE for c in df[category_col]]
    text = [_number(v, unit) if not pd.isna(v) else "*" for v in df["_v"]]
    fig = go.Figure(
        go.Bar(
            y=df[category_col].astype(str),
            x=df["_v"],
            orientation="h",
            marker_color=colours,
            text=text,
            textposition="outside",
            cliponaxis=False,
            hovertext=[f"{c}: {t}" for c, t in zip(df[category_col], text, strict=True)],
            hoverinfo="text",
        )
    )
    fig = _layout(fig, title=title, unit=unit, height=max(220, 60 + 34 * len(df)), y_title="")
    fig.update_xaxes(showgrid=True, gridcolor="#EEEEEE", rangemode="tozero")
    fig.update_yaxes(showgrid=False, ticksuffix="  ")
    return fig


def spc_chart(
    spc_frame: pd.DataFrame,
    *,
    title: str,
    unit: str = "count",
    target: float | None = None,
    date_format: str = "%d/%m/%Y",
    changes: tuple[tuple[str, str], ...] = (),
) -> go.Figure:
    """An XmR (individuals) chart in the Making Data Count style.

    ``spc_frame`` has ``date``, ``value``, ``mean``, ``upper``, ``lower``, ``special_cause`` and ``cause``
    ('improvement' | 'concern' | 'neither'), and optionally ``period`` (limits worked out afresh after a process
    change: the mean and limit lines break there). ``changes``: (ISO date, reason) of each process change,
    drawn as a labelled vertical line. Improvement points are blue, concern points orange, others grey.
    """
    df = spc_frame.reset_index(drop=True)
    x = pd.to_datetime(df["date"])
    values = pd.to_numeric(df["value"], errors="coerce")
    fig = go.Figure()
    fig.add_scatter(
        x=x,
        y=values,
        mode="lines+markers",
        name="Women at the session",
        line={"color": palette.GREY, "width": 1.5},
        marker={"color": palette.GREY, "size": 6},
        hovertext=[f"{d:{date_format}}: {_number(v, unit)}" for d, v in zip(x, values, strict=True)],
        hoverinfo="text",
        connectgaps=False,
    )
    for cause, name in (("improvement", "Special cause: improvement"), ("concern", "Special cause: concern")):
        mask = df["special_cause"].fillna(False).astype(bool) & (df["cause"] == cause)
        if mask.any():
            fig.add_scatter(
                x=x[mask],
                y=values[mask],
                mode="markers",
                name=name,
                marker={
                    "color": palette.VARIATION[cause],
                    "size": 10,
                    "symbol": "circle" if cause == "improvement" else "diamond",
                },
                hovertext=[
                    f"{d:{date_format}}: {_number(v, unit)} ({cause})"
                    for d, v in zip(x[mask], values[mask], strict=True)
                ],
                hoverinfo="text",
            )
    period = df["period"] if "period" in df.columns else pd.Series(0, index=df.index)
    for k, (_, part) in enumerate(df.groupby(period, sort=True)):  # each period's lines stand alone
        px = x[part.index]
        fig.add_scatter(
            x=px,
            y=part["mean"],
            mode="lines",
            name="Mean",
            showlegend=k == 0,
            legendgroup="mean",
            line={"color": palette.BLACK, "width": 1.5},
            hoverinfo="skip",
        )
        for col, name in (("upper", "Upper process limit"), ("lower", "Lower process limit")):
            fig.add_scatter(
                x=px,
                y=part[col],
                mode="lines",
                name=name,
                showlegend=col == "upper" and k == 0,
                legendgroup="limits",
                line={"color": palette.GREY, "width": 1, "dash": "dash"},
                hoverinfo="skip",
            )
    for when, reason in changes:
        at = pd.Timestamp(when)
        fig.add_vline(
            x=at.to_pydatetime().timestamp() * 1000, line={"color": palette.REDDISH_PURPLE, "width": 1.5, "dash": "dot"}
        )
        fig.add_annotation(
            x=at,
            y=1,
            yref="paper",
            text=f"Process change: {reason}",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font={"size": 11, "color": palette.REDDISH_PURPLE},
        )
    if target is not None:
        fig.add_hline(
            y=target,
            line={"color": palette.BLUISH_GREEN, "dash": "dot", "width": 1.5},
            annotation_text=f"Target {_number(target, unit)}",
            annotation_position="top left",
        )
    fig = _layout(fig, title=title, unit=unit, height=380)
    fig.update_xaxes(tickformat="%b %Y")
    return fig
