"""Indicator definitions: what each figure means, where it comes from, and what could mislead."""

import streamlit as st

from metrics import catalogue
from ui import definitions as d
from ui import frame

ctx = frame.page_context("definitions")
frame.page_header(
    "Indicator definitions",
    "How every figure on the dashboard is worked out, from which returns, "
    "whether higher or lower is better, and what to keep in mind when reading it.",
    ctx=ctx,
)

d.general_rules()
targets = d.current_targets(ctx)
for key, label in catalogue.THEMES:
    members = [i for i in catalogue.CATALOGUE if i.theme == key]
    if not members:
        continue
    st.header(label)
    for ind in members:
        d.definition_card(ind, target=targets.get(ind.id))
