"""Data returns: which returns arrived on time, late, as nil returns or not at all; who loaded what."""

import streamlit as st

from core.periods import add_months, month_start
from metrics import permissions
from ui import components as c
from ui import frame
from ui import returns as r

ctx = frame.page_context("returns")
mine = permissions.own_partner(ctx.user)
if mine:
    frame.page_header(
        f"Our returns — {r.partner_name(mine)}",
        "What you have sent, what we could not accept and why, and what is still to come.",
        ctx=ctx,
    )
else:
    frame.page_header(
        "Data returns",
        "Which partners' returns have arrived for each month, the history of every "
        "file loaded, and how complete each indicator is for the period.",
        ctx=ctx,
    )
if ctx.period is None:
    c.no_period()

end = r.grid_end(ctx.period)
start = min(ctx.period.start, add_months(month_start(end), -11))
st.header("Returns by month")
st.caption(f"{start:%B %Y} to {end:%B %Y}: the period chosen and up to last month, so nothing owed is hidden.")
grid = r.return_grid(ctx, start=start, end=end, partner=mine)

st.header("Still owed")
owed = r.still_owed(grid) if not grid.empty else grid
if owed.empty:
    st.success("Nothing is overdue for these months.")
else:
    c.table(owed, key="owed")

st.header("Files loaded")
history = r.submission_history(ctx, partner=mine)
if history.empty:
    st.info("No files have been loaded yet.")
else:
    c.table(history, key="history")
    c.download(ctx, history, name="submission-history", key="history")
    warnings = r.warnings_detail(ctx, partner=mine)
    if not warnings.empty:
        with st.expander(f"Warnings on loaded files ({len(warnings)})"):
            c.table(warnings, key="warnings")

st.header("Files we could not accept")
refused = r.refusals(ctx, partner=mine)
if refused.empty:
    st.success("No file has been refused.")
else:
    st.caption("Nothing from these files was stored except their name, fingerprint and the reasons below.")
    c.table(refused, key="refusals")

if permissions.sees_completeness(ctx.user):
    st.header("How complete each indicator is")
    st.caption(f"For {ctx.period.label()}. 'Not reported' is not zero: no return covers the period.")
    c.table(r.completeness_table(ctx), key="completeness")
