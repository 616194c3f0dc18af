"""Safety and justice: care plans, crimes against the women, support instead of arrest, enforcement, training."""

import streamlit as st

from ui import components as c

ctx = c.outcomes_page(
    "safety",
    "Safety and justice",
    "Safeguarding care plans, crimes against the women reported to police, "
    "women referred to support instead of arrest, action against kerb-crawlers, and trauma-informed "
    "training for the agencies.",
)

st.header("Safeguarding")
c.theme_sections(ctx, ["SAF-01", "SAF-02"])

st.divider()
st.header("Support instead of arrest")
c.theme_sections(ctx, ["CJS-01"])
c.police_section(ctx)

st.divider()
st.header("Trauma-informed training")
c.theme_sections(ctx, ["WKF-01"])
c.indicator_breakdown(ctx, "WKF-01", title="Staff trained by agency", heading="Agency")
