"""Meetings: set up a meeting, raise actions, record decisions, sign off the period; the action and decision logs."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from core import clock
from core import formatting as fmt
from core.partners import partners
from metrics import meetings as loop
from metrics.catalogue import by_id
from ui import components as c
from ui import meetings as m

ctx = c.outcomes_page(
    "meetings",
    "Meetings and actions",
    "What the group agreed, who owns each action and whether it is done, the decisions made, "
    "and whether the period's figures are signed off for publication.",
)
m.show_flash()
user = ctx.user

st.header("Sign-off of the period's figures")
m.signoff_marking(ctx)
if loop.may(user, "sign_off"):
    with st.form("sign-off"):
        st.caption(
            f"Signing off {ctx.period.label()} agrees its figures for publication, as they stand now. "
            "A correction loaded later will show as 'revised since sign-off' until you sign off again."
        )
        sign = st.form_submit_button("Sign off these figures", type="primary")
    if sign:
        m.run_write(lambda: loop.sign_off(ctx.engine, user, period=ctx.period), f"{ctx.period.label()} signed off.")

st.header("Carried forward: open actions")
m.carried_forward(ctx)

st.header("Meetings")
held = loop.meetings(ctx.engine)
if loop.may(user, "create_meeting"):
    with st.form("new-meeting", clear_on_submit=True):
        st.markdown(f"**Set up a meeting** reviewing {ctx.period.label()} (choose another period in the sidebar)")
        held_on = st.date_input("Date of the meeting", value=clock.today(), format="DD/MM/YYYY", key="meeting-date")
        made = st.form_submit_button("Set up the meeting")
    if made:
        m.run_write(
            lambda: loop.create_meeting(ctx.engine, user, held_on=held_on, period=ctx.period),
            "Meeting set up. The figures are kept as they stand now.",
        )
if not held:
    st.info("No meeting has been recorded yet.")
    st.stop()

meeting = st.selectbox(
    "Meeting",
    held,
    key="meeting-pick",
    format_func=lambda x: f"{fmt.uk_date(x['held_on'], long=True)} — reviewing {x['period'].label()}",
)
st.caption(
    f"The figures of this meeting are the data as it stood on {fmt.uk_date(meeting['data_as_of'])} "
    f"(data version {meeting['data_version'][0]}.{meeting['data_version'][1]})."
)
with st.expander(f"The figures as they stood for this meeting ({meeting['period'].label()})"):
    seen = m.figures_seen(ctx, meeting)
    c.table(c.summary_table(seen.results, pd.DataFrame()), key="figures-seen")

if loop.may(user, "raise_action"):
    names = {p.code: p.name for p in partners().values()}
    with st.form("new-action", clear_on_submit=True):
        st.markdown("**Raise an action** at this meeting")
        text = st.text_area("Action", max_chars=loop.MAX_TEXT, height=80, key="action-text")
        ids = st.multiselect(
            "Indicators it is about (none is fine)",
            m.indicator_choices(),
            format_func=lambda i: f"{i} {by_id(i).name}",
            key="action-ids",
        )
        left, right = st.columns(2)
        with left:
            owner_partner = st.selectbox(
                "Owner: a partner organisation",
                [None, *names],
                format_func=lambda k: "— (a named role instead)" if k is None else names[k],
                key="action-partner",
            )
        with right:
            owner_role = st.selectbox(
                "…or a named role",
                [None, *loop.OWNER_ROLES],
                format_func=lambda r: "—" if r is None else r,
                key="action-role",
            )
        due = st.date_input(
            "Due by", value=meeting["held_on"] + timedelta(days=28), format="DD/MM/YYYY", key="action-due"
        )
        raised = st.form_submit_button("Raise the action")
    if raised:
        m.run_write(
            lambda: loop.raise_action(
                ctx.engine,
                user,
                meeting_id=meeting["id"],
                text=text,
                indicator_ids=ids,
                due_on=due,
                owner_partner=owner_partner,
                owner_role=owner_role,
            ),
            "Action raised.",
        )
    with st.form("new-decision", clear_on_submit=True):
        st.markdown("**Record a decision** of this meeting")
        text = st.text_area("What the group agreed", max_chars=loop.MAX_TEXT, height=80, key="decision-text")
        ids = st.multiselect(
            "Indicators it is about (none is fine)",
            m.indicator_choices(),
            format_func=lambda i: f"{i} {by_id(i).name}",
            key="decision-ids",
        )
        decided = st.form_submit_button("Record the decision")
    if decided:
        m.run_write(
            lambda: loop.record_decision(ctx.engine, user, meeting_id=meeting["id"], text=text, indicator_ids=ids),
            "Decision recorded.",
        )

st.header("Action log")
every = loop.actions(ctx.engine)
if every:
    st.dataframe(m.actions_table(list(reversed(every))), hide_index=True, width="stretch", key="action-log")
    m.action_update_form(ctx, [a for a in every if a["status"] == "open"] or every, key="log")
else:
    st.info("No actions have been raised yet.")

st.header("Decision log")
decided_all = loop.decisions(ctx.engine)
if decided_all:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Decided": fmt.uk_date(d["decided_on"]),
                    "Decision": d["text"],
                    "Indicators": ", ".join(d["indicator_ids"]) or "—",
                    "Meeting reviewed": d["period"].label(),
                }
                for d in decided_all
            ]
        ),
        hide_index=True,
        width="stretch",
        key="decision-log",
    )
else:
    st.info("No decisions have been recorded yet.")
