"""Health and dental: dental access first (the group's next priority), then sexual and mental health."""

import streamlit as st

from ui import components as c

ctx = c.outcomes_page(
    "health",
    "Health and dental",
    "Dental care is the group's next priority, so it comes first. Then sexual "
    "health screening, mental health support, the nurse prescriber and screening referrals.",
)

st.header("Dental care — the priority")
st.info(
    "Many of the women cannot get an NHS dentist, and dental pain drives other health problems. "
    "These figures show whether the new dental offer is reaching them.",
    icon=":material/priority_high:",
)
c.theme_sections(ctx, ["DEN-01", "DEN-02"])

st.divider()
st.header("Sexual and mental health")
c.theme_sections(ctx, ["HLT-01", "HLT-02", "HLT-04"])

st.divider()
st.header("Nurse prescriber")
c.theme_sections(ctx, ["HLT-03"])
c.indicator_breakdown(
    ctx, "HLT-03", title="Nurse prescriber consultations by reason", heading="Reason", highlight="oral_health"
)
