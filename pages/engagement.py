"""Engagement: how many women the services reach, how often they come back, and what they use."""

import streamlit as st

from ui import components as c
from ui import data

ctx = c.outcomes_page(
    "engagement",
    "Engagement",
    "How many women the drop-in and outreach reach, how many are new, how many keep "
    "coming, and which services they use.",
)

c.theme_sections(ctx, ["ENG-01", "ENG-02", "ENG-03", "ENG-04"])

st.divider()
st.header("Weekly drop-in attendance")
st.caption(
    "Women at each weekly drop-in session over the 12 months to the end of the period, as a "
    "statistical process control chart (Making Data Count)."
)
c.spc_section(
    ctx,
    data.weekly_attendance_year(ctx.engine, end=ctx.period.end, public=ctx.public),
    title="Women at each drop-in session",
    what="Women",
)

st.divider()
st.header("What women use at the drop-in")
c.service_mix_section(ctx, data.service_mix(ctx.engine, period=ctx.period, public=ctx.public))

st.divider()
st.header("Outreach and the wider offer")
c.theme_sections(ctx, ["ENG-05", "WID-01", "SUP-01"])
