"""Recovery: drug and alcohol treatment and the pathway to residential rehab."""

import streamlit as st

from ui import components as c

ctx = c.outcomes_page(
    "recovery",
    "Recovery",
    "Women in drug or alcohol treatment, and where they are on the pathway to residential rehabilitation.",
)

c.theme_sections(ctx, ["DRG-01", "RHB-01", "RHB-02"])

st.divider()
st.header("The rehab pathway")
st.caption("Women by their current stage (their latest treatment status in the 91 days to the end of the period).")
c.indicator_breakdown(ctx, "RHB-03", title="Women by stage of the rehab pathway", heading="Stage")
c.breakdown_trend(ctx, "RHB-03", title="The rehab pathway over time")
