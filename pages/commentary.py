"""Commentary: what lies behind each figure. A partner sees only the indicators its returns feed, as published
figures, writes commentary on them and updates the actions it owns."""

import streamlit as st

from core import formatting as fmt
from core.periods import month_start, monthly
from metrics import meetings as loop
from metrics import permissions
from metrics.catalogue import by_id
from ui import components as c
from ui import data, frame
from ui import meetings as m
from ui import returns as r

ctx = frame.page_context("commentary")
partner = permissions.own_partner(ctx.user)
title = f"Our commentary — {r.partner_name(partner)}" if partner else "Commentary"
frame.page_header(
    title,
    "What lies behind each figure and what is being done about it. Commentary stays within "
    "the group unless an author or the chair marks it for the public pack. Never write anything "
    "that could identify a woman.",
    ctx=ctx,
)
if ctx.period is None:
    c.no_period()
m.show_flash()

ids = permissions.partner_indicators(partner) if partner else m.indicator_choices()
if partner:
    if not ids:
        st.info("Your organisation's returns feed no indicator directly, so there is nothing to comment on.")
        st.stop()
    st.caption(
        "These are the published figures (numbers from 1 to 4 are shown as \\*), the same as anyone "
        "outside the group would see."
    )
    overview = data.overview(ctx.engine, period=ctx.period, public=True)
    m.commentary_needed(ctx, overview.attention, indicator_ids=ids)

    st.header("Our actions")
    ours = loop.actions(ctx.engine, partner=partner)
    if ours:
        st.dataframe(m.actions_table(ours), hide_index=True, width="stretch", key="our-actions")
        m.action_update_form(ctx, [a for a in ours if a["status"] == "open"] or ours, key="ours")
    else:
        st.info("No action of the group's is owned by your organisation.")

    st.header("Which of our months are signed off")
    months = [p.start for p in monthly(month_start(ctx.period.start), ctx.period.end)]
    signed = loop.months_signed_off(ctx.engine, partner=partner, months=months)
    st.dataframe(
        signed.assign(
            Month=[fmt.month_label(x) for x in signed["month"]],
            **{
                "Signed off": [
                    "Yes, " + fmt.uk_date(d) if s else "Not yet"
                    for s, d in zip(signed["signed_off"], signed["signed_off_on"], strict=True)
                ],
                "Since then": [
                    "Your files for this month changed: revised since sign-off" if ch else ""
                    for ch in signed["changed_since"]
                ],
            },
        )[["Month", "Signed off", "Since then"]],
        hide_index=True,
        width="stretch",
        key="signed-months",
    )
    changed = [fmt.month_label(x) for x, ch in zip(signed["month"], signed["changed_since"], strict=True) if ch]
    if changed:
        st.warning(
            f"Revised since sign-off: {', '.join(changed)}. Files you sent for "
            f"{'these months' if len(changed) > 1 else 'this month'} changed after the chair signed the "
            "figures off; they stay marked until the chair signs off again."
        )
    shown = ids
else:
    shown = [st.selectbox("Indicator", ids, format_func=lambda i: f"{i} {by_id(i).name}", key="commentary-pick")]

results = data.indicators(ctx.engine, period=ctx.period, public=ctx.public, ids=shown)
st.header("Figures and commentary")
for ind_id in shown:
    res = results.by_id(ind_id)
    st.subheader(f"{res.name} ({ind_id})")
    value = fmt.value_text(res.value, res.unit, suppressed=res.suppressed, status=res.status)
    st.markdown(f"**{value}** in {ctx.period.label()} " + c.badges(res), unsafe_allow_html=True)
    m.commentary_list(ctx, ind_id)
    m.commentary_form(ctx, ind_id)
