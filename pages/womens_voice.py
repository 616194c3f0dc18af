"""Women's voice: what the women say about the services."""

import streamlit as st

from ui import components as c

ctx = c.outcomes_page(
    "voice",
    "Women's voice",
    "What the women tell us in the short survey at the drop-in. Their view of the "
    "services is the test of whether the strategy is working for them.",
)

c.theme_sections(ctx, ["VOI-01"])
st.caption(
    "The survey is voluntary and anonymous; answers run from 1 (not at all) to 5 (very much). "
    "'Feel heard' counts answers of 4 or 5."
)
