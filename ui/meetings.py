"""Screen pieces of the meeting loop: commentary beside a figure, actions on an indicator, what is carried
forward, commentary needed, and the sign-off marking. The rules and reads are ``metrics.meetings``."""

from __future__ import annotations

import threading
from html import escape

import pandas as pd
import streamlit as st

from core import clock
from core import formatting as fmt
from core.partners import partners
from core.periods import Period
from metrics import meetings as loop
from metrics.catalogue import CATALOGUE, by_id
from ui import data
from ui.frame import PageContext

SAVED = "saved"
_run = threading.local()


def _cached(ctx: PageContext, name: str, read):
    """One read of a meeting-loop table per script run (a page shows many indicators)."""
    memo = getattr(_run, "memo", None)
    if memo is None or memo[0] is not data.run_token():
        _run.memo = memo = (data.run_token(), {})
    key = (ctx.engine.url.render_as_string(hide_password=True), name)
    if key not in memo[1]:
        memo[1][key] = read()
    return memo[1][key]


def commentary_of(ctx: PageContext, period: Period | None = None) -> list[dict]:
    period = period or ctx.period
    return _cached(ctx, f"commentary:{period.code()}", lambda: loop.commentary(ctx.engine, period=period))


def all_actions(ctx: PageContext) -> list[dict]:
    return _cached(ctx, "actions", lambda: loop.actions(ctx.engine))


def flash(message: str) -> None:
    """A message shown once on the next run (after a save and a rerun)."""
    st.session_state[SAVED] = message


def show_flash() -> None:
    message = st.session_state.pop(SAVED, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def run_write(write, done: str) -> bool:
    """Run a write; a refusal or a forbidden change is said plainly (never the text), nothing is half-saved."""
    try:
        write()
    except (loop.TextRefused, loop.NotAllowed) as exc:
        st.error(str(exc))
        return False
    flash(done)
    st.rerun()
    return True


# --------------------------------------------------------------------------- commentary


def _commentary_html(c: dict) -> str:
    who = partners()[c["partner"]].name if c.get("partner") in partners() else c["author"]
    mark = fmt.badge("For the public pack", "blue") if c["public"] else fmt.badge("Restricted to the group", "grey")
    return (
        f'<div class="attention attention-missing"><div>{escape(c["text"])}</div>'
        f'<div class="muted">{escape(who)} · {escape(fmt.uk_date(clock.local(c["written_at"])))} {mark}</div></div>'
    )


def commentary_list(ctx: PageContext, indicator_id: str, *, period: Period | None = None) -> None:
    """The commentary on one indicator for the period, newest first; authors and the chair mark it for the pack."""
    mine = [c for c in commentary_of(ctx, period) if c["indicator_id"] == indicator_id]
    if not mine:
        st.caption("No commentary on this figure for the period yet.")
        return
    for c in mine:
        st.markdown(_commentary_html(c), unsafe_allow_html=True)
        if loop.may(ctx.user, "mark_public"):
            label = "Take out of the public pack" if c["public"] else "Mark for the public pack"
            if st.button(label, key=f"mark-{c['id']}", type="tertiary"):
                run_write(
                    lambda c=c: loop.mark_public(ctx.engine, ctx.user, commentary_id=c["id"], public=not c["public"]),
                    "Marked for the public pack." if not c["public"] else "Taken out of the public pack.",
                )


def commentary_form(ctx: PageContext, indicator_id: str) -> None:
    """Write commentary on one indicator for the period (only where the rules allow)."""
    if not loop.may(ctx.user, "comment", indicator_id=indicator_id):
        return
    with st.form(f"comment-{indicator_id}", clear_on_submit=True, border=False):
        text = st.text_area(
            "What lies behind this figure, and what is being done",
            key=f"comment-text-{indicator_id}",
            max_chars=loop.MAX_TEXT,
            height=90,
            help="Restricted to the group unless an author or the chair marks it for the public "
            "pack. Never write anything that could identify a woman.",
        )
        saved = st.form_submit_button("Save commentary")
    if saved:
        run_write(
            lambda: loop.add_commentary(ctx.engine, ctx.user, indicator_id=indicator_id, period=ctx.period, text=text),
            "Commentary saved.",
        )


# --------------------------------------------------------------------------- actions


def actions_table(items: list[dict], *, today=None) -> pd.DataFrame:
    today = today or clock.today()
    return pd.DataFrame(
        [
            {
                "Action": a["text"],
                "Owner": a["owner"],
                "Due": fmt.uk_date(a["due_on"]),
                "Status": ("Overdue" if a["overdue"] else loop.STATUS_WORDS[a["status"]]),
                "Raised": fmt.uk_date(a["held_on"]),
                "Indicators": ", ".join(a["indicator_ids"]) or "—",
                "Latest note": (
                    f"{fmt.uk_date(a['notes'][-1]['noted_on'])}: {a['notes'][-1]['note']}" if a["notes"] else ""
                ),
            }
            for a in items
        ],
        columns=["Action", "Owner", "Due", "Status", "Raised", "Indicators", "Latest note"],
    )


def action_update_form(ctx: PageContext, items: list[dict], *, key: str) -> None:
    """A dated note on one action, setting its status (the chair on any; a partner on its own)."""
    mine = [a for a in items if loop.may(ctx.user, "update_action", action=a)]
    if not mine:
        return
    with st.form(f"update-{key}", clear_on_submit=True):
        st.markdown("**Update an action**")
        picked = st.selectbox(
            "Action",
            mine,
            format_func=lambda a: f"{a['text'][:80]} (due {fmt.uk_date(a['due_on'])})",
            key=f"update-action-{key}",
        )
        status = st.radio(
            "Status", loop.STATUSES, format_func=loop.STATUS_WORDS.get, horizontal=True, key=f"update-status-{key}"
        )
        note = st.text_input("Note (dated today)", max_chars=500, key=f"update-note-{key}")
        saved = st.form_submit_button("Save the update")
    if saved and picked is not None:
        run_write(
            lambda: loop.update_action(ctx.engine, ctx.user, action_id=picked["id"], status=status, note=note),
            "Action updated.",
        )


def indicator_actions(ctx: PageContext, result) -> None:
    """Actions raised on an indicator, and what has happened to its figure since each was raised."""
    items = [a for a in all_actions(ctx) if result.id in a["indicator_ids"]]
    decided = [
        d for d in _cached(ctx, "decisions", lambda: loop.decisions(ctx.engine)) if result.id in d["indicator_ids"]
    ]
    if not items and not decided:
        return
    rows = []
    for a in items:
        then = data.indicators(ctx.engine, period=a["period"], public=ctx.public, ids=[result.id]).by_id(result.id)
        move = loop.Movement(then=then, now=result)
        since = (
            f"{fmt.value_text(then.value, then.unit, suppressed=then.suppressed, status=then.status)} in "
            f"{fmt.short_label(a['period'])} → "
            f"{fmt.value_text(result.value, result.unit, suppressed=result.suppressed, status=result.status)} now"
        )
        if move.direction in ("better", "worse"):
            since += f" ({move.direction})"
        rows.append({**actions_table([a]).iloc[0].to_dict(), "The figure since": since})
    if rows:
        st.markdown("**Actions raised on this figure**")
        st.dataframe(
            pd.DataFrame(rows).drop(columns=["Indicators"]),
            hide_index=True,
            width="stretch",
            key=f"actions-{result.id}",
        )
    for d in decided:
        st.caption(f"Decision of {fmt.uk_date(d['decided_on'])}: {d['text']}")


def indicator_panel(ctx: PageContext, result) -> None:
    """Beside a figure on its page: the commentary, the actions and decisions on it, and a form to comment."""
    with st.expander(
        f"Commentary and actions — {result.id}",
        expanded=bool([c for c in commentary_of(ctx) if c["indicator_id"] == result.id]),
    ):
        commentary_list(ctx, result.id)
        commentary_form(ctx, result.id)
        indicator_actions(ctx, result)


def carried_forward(ctx: PageContext) -> None:
    """Open actions carried forward for the next meeting, overdue first."""
    items = loop.carried_forward(ctx.engine)
    if not items:
        st.success("No open actions: everything agreed at earlier meetings is done or dropped.")
        return
    late = sum(a["overdue"] for a in items)
    st.caption(f"{len(items)} open action{'s' if len(items) != 1 else ''}, {late} overdue.")
    st.dataframe(actions_table(items), hide_index=True, width="stretch", key="carried-forward")


# --------------------------------------------------------------------------- attention and commentary needed


def attention_commentary(ctx: PageContext, items: list) -> None:
    """Under 'what needs attention': the commentary written on those figures, and which still need some."""
    written = commentary_of(ctx)
    flagged = list(dict.fromkeys(i.indicator_id for i in items if i.indicator_id))
    for ind_id in flagged:
        for c in (c for c in written if c["indicator_id"] == ind_id):
            st.markdown(f"**{escape(by_id(ind_id).name)} ({ind_id})**", unsafe_allow_html=True)
            st.markdown(_commentary_html(c), unsafe_allow_html=True)
    commentary_needed(ctx, items)


def commentary_needed(ctx: PageContext, items: list, *, indicator_ids: list[str] | None = None) -> None:
    """'Commentary needed': red ratings and special-cause signals with no commentary for the period yet."""
    needed = loop.commentary_needed(items, commentary_of(ctx), indicator_ids=indicator_ids)
    if not needed:
        st.caption("Commentary needed: none — every off-target or unusual figure has commentary.")
        return
    words = {"red_rag": "off target", "special_cause": "unusual change"}
    lines = "\n".join(f"- {by_id(i.indicator_id).name} ({i.indicator_id}): {words[i.kind]}" for i in needed)
    st.warning(f"**Commentary needed** for {ctx.period.label()}:\n\n{lines}", icon=":material/edit_note:")


# --------------------------------------------------------------------------- sign-off


def _revision(ctx: PageContext, current):
    ids = ",".join(r.id for r in current.results)
    return _cached(
        ctx,
        f"revision:{ctx.period.code()}:{current.public}:{ids}",
        lambda: loop.revision_of(ctx.engine, period=ctx.period, current=current),
    )


def signoff_marking(ctx: PageContext, current=None) -> None:
    """Whether the period's figures are signed off, and 'revised since sign-off' with the change when a later
    correction changed them (compared in the session's own view: exact or published)."""
    if ctx.period is None:
        return
    if ctx.public:  # published figures stand at the year's latest sign-off: say which, never a revision
        so = _cached(
            ctx, f"published-from:{ctx.period.code()}", lambda: loop.published_from(ctx.engine, period=ctx.period)
        )
        st.caption(
            "Published figures: as they stood when the chair signed off "
            f"{so['period'].label()} on {fmt.uk_date(clock.local(so['signed_at']))}."
            if so
            else "Published figures: from the data as they stand (no period of this year is signed off yet)."
        )
        return
    current = current or data.indicators(ctx.engine, period=ctx.period, public=ctx.public)
    rev = _revision(ctx, current)
    if rev is None:
        st.caption(f"{ctx.period.label()} has not been signed off yet.")
    elif not rev.revised:
        st.caption(
            f"Signed off by the chair ({rev.signoff['signed_by']}) on {fmt.uk_date(clock.local(rev.signoff['signed_at']))}."
        )
    else:
        _revised(rev, key="revised-changes")


def revised_warning(ctx: PageContext, current) -> None:
    """On a theme page: 'revised since sign-off' for the figures it shows, only when some changed (the group's
    exact view only: published figures stand at the sign-off)."""
    if current.public:
        return
    rev = _revision(ctx, current)
    if rev is not None and rev.revised:
        _revised(rev, key=f"revised-{'-'.join(r.id for r in current.results)}")


def _revised(rev, *, key: str) -> None:
    when = fmt.uk_date(clock.local(rev.signoff["signed_at"]))
    changes = pd.DataFrame(
        [
            {
                "Indicator": f"{c['name']} ({c['id']})",
                "Signed off": fmt.value_text(c["before"], c["unit"], suppressed=c["before_suppressed"]),
                "Now": fmt.value_text(c["after"], c["unit"], suppressed=c["after_suppressed"]),
            }
            for c in rev.changes
        ]
    )
    st.warning(
        f"**Revised since sign-off** (signed off on {when}): a correction loaded later changed "
        f"{len(rev.changes)} figure{'s' if len(rev.changes) != 1 else ''}. They stay marked until the chair "
        "signs the period off again.",
        icon=":material/published_with_changes:",
    )
    st.dataframe(changes, hide_index=True, width="stretch", key=key)


@st.cache_data(show_spinner=False, max_entries=32)
def _figures_seen(url: str, meeting_id: int, as_of, public: bool, _engine, _meeting):
    # A meeting's figures are as the data stood at an instant that has passed: they never change.
    return loop.figures_seen(_engine, _meeting, public=public)


def figures_seen(ctx: PageContext, meeting: dict):
    """A meeting's figures exactly as they stood when it was set up (in the session's own view)."""
    return _figures_seen(
        ctx.engine.url.render_as_string(hide_password=True),
        meeting["id"],
        meeting["data_as_of"],
        ctx.public,
        ctx.engine,
        meeting,
    )


def indicator_choices() -> list[str]:
    return [i.id for i in CATALOGUE if i.unit != "breakdown"]
