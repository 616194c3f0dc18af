"""Family, housing and moving on: contact with children, a safe place to live, moving away from street work."""

import streamlit as st

from ui import components as c

ctx = c.outcomes_page(
    "family",
    "Family, housing and moving on",
    "From the monthly key-work reviews: contact with children, "
    "safe accommodation and moving away from street-based sex work.",
)

st.header("Family")
c.theme_sections(ctx, ["FAM-01", "FAM-02"])

st.divider()
st.header("Housing")
c.theme_sections(ctx, ["HSG-01", "HSG-02"])
c.breakdown_trend(ctx, "accommodation", title="Where the women live (current review)", heading="Accommodation")

st.divider()
st.header("Moving on")
c.theme_sections(ctx, ["EXT-01"])
c.breakdown_trend(ctx, "working_status", title="Street-based sex work (current review)", heading="Working")
