"""Meeting overview: the headline figures, how they changed, and what needs the group's attention."""

import streamlit as st

from metrics import catalogue, disclosure
from ui import components as c
from ui import data, meetings

ctx = c.outcomes_page(
    "overview",
    "Meeting overview",
    "The strategy's headline figures for the period, how each has changed since "
    "the previous period and the same period last year, and what needs the group's attention.",
)

figures = data.overview(ctx.engine, period=ctx.period, public=ctx.public)
results, comparisons = figures.indicators, figures.comparisons
meetings.signoff_marking(ctx, figures.indicators)

st.header("Headline figures")
st.caption(
    "Arrows show the change; blue means better and orange-red means worse for the women, "
    "judged by whether higher or lower is better for that figure."
)
marks = data.trend_markers(ctx.engine, end=ctx.period.end, public=ctx.public, freq=c.trend_frequency(ctx)[0])
c.tiles(
    [r for r in results.results if catalogue.by_id(r.id).headline],
    comparisons=comparisons,
    period=ctx.period,
    markers=marks,
)

st.header("What needs attention")
c.attention_list(figures.attention)
meetings.attention_commentary(ctx, figures.attention)

st.header("Carried forward for the next meeting")
meetings.carried_forward(ctx)

st.header("Every indicator")
summary = c.summary_table(results.results, comparisons, marks)
c.table(summary, key="summary")
c.download(ctx, summary, name=f"indicators-{ctx.period.code()}", key="summary")
st.caption(
    f"\\* a number from {disclosure.small_range()}, or a figure that would give one away, not published to "
    "protect the women's privacy. "
    "— not reported: no return covers the period, which is not the same as zero."
)
