"""Screen pieces for administration: accounts, targets, partners, the audit log."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from core import clock
from core import formatting as fmt
from core.partners import partners
from core.periods import fy_label, fy_of
from metrics import catalogue
from metrics import targets as targets_mod
from storage import users
from storage.repository import audit, read_audit
from ui import data
from ui.frame import PageContext
from ui.returns import partner_name


def _flash(message: str) -> None:
    st.session_state["admin_flash"] = message


def accounts(ctx: PageContext) -> None:
    msg = st.session_state.pop("admin_flash", None)
    if msg:
        st.success(fmt.plain(msg))
    table = users.list_users(ctx.engine)
    shown = pd.DataFrame(
        {
            "Username": table["username"],
            "Role": [users.ROLE_LABELS.get(r, r) for r in table["role"]],
            "Partner": ["" if fmt.is_missing(p) or not p else partner_name(p) for p in table["partner"]],
            "Active": ["Yes" if a else "No" for a in table["active"]],
            "Paused until": [fmt.uk_datetime(t) if not pd.isna(t) else "" for t in table["locked_until"]],
            "Organisation account": ["Linked" if linked else "" for linked in table["linked"]],
            "Created": [fmt.uk_date(t) for t in table["created_at"]],
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch", key="users-table")
    st.caption(
        "People who sign in with their organisation account are listed by their email address. "
        "*Paused until*: too many wrong passwords from one computer (a password reset lifts it)."
    )

    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Add an account")
        _account_form("add-user", "Add account", _new_account_fields, lambda **f: _add_account(ctx, **f), primary=True)
    with right:
        st.subheader("Change an account")
        if table.empty:
            st.info("No accounts yet.")
            return
        change_account(ctx, table)


# A fragment: choosing another account redraws this column only, not the page and its other tabs. Every
# change reruns the whole app (``st.rerun()``), so the account list and the message are current.
@st.fragment
def change_account(ctx: PageContext, table: pd.DataFrame) -> None:
    """Switch an account off or on, reset its password or change its role."""
    who = st.selectbox("Account", table["username"].tolist(), key="admin-who")
    row = table[table["username"] == who].iloc[0]
    row_partner = None if fmt.is_missing(row["partner"]) else row["partner"]
    c1, c2 = st.columns(2)
    if row["active"]:
        if c1.button(
            "Switch off",
            key="admin-disable",
            disabled=who == ctx.user.username,
            help="Switch off your own account from another administrator's.",
        ):
            users.disable_user(ctx.engine, username=who, by=ctx.user.username)
            _flash(f"'{who}' can no longer sign in.")
            st.rerun()
    elif c1.button("Switch on", key="admin-enable"):
        users.enable_user(ctx.engine, username=who, by=ctx.user.username)
        _flash(f"'{who}' can sign in again.")
        st.rerun()
    _account_form(
        "reset",
        "Reset password",
        lambda: {"password": st.text_input("New password (at least 10 characters)", type="password")},
        lambda password: _done(
            users.reset_password, who, ctx, password=password, said=f"Password of '{who}' reset; any lockout lifted."
        ),
    )
    _account_form(
        "link",
        "Link organisation account",
        lambda: {
            "subject": st.text_input(
                "Organisation account's Object ID (Entra) or subject",
                help="Entra admin centre → Users → the person → Object ID. Their next "
                "sign-in with the organisation button opens this account.",
            )
        },
        lambda subject: _done(
            users.link_identity, who, ctx, subject=subject, said=f"'{who}' is linked to that organisation account."
        ),
    )
    _account_form(
        "role",
        "Change role",
        lambda: _role_fields(row["role"], row_partner),
        lambda role, partner: _done(
            users.set_role,
            who,
            ctx,
            role=role,
            partner=partner or None,
            said=f"'{who}' is now: {users.ROLE_LABELS[role]}.",
        ),
        clear=False,
    )


def _account_form(
    key: str,
    button: str,
    fields: Callable[[], dict],
    act: Callable[..., str],
    *,
    primary: bool = False,
    clear: bool = True,
) -> None:
    """One account form: draw its fields; on submit do the change and say so, or say why not."""
    with st.form(key, clear_on_submit=clear):
        values = fields()
        if st.form_submit_button(button, type="primary" if primary else "secondary"):
            try:
                _flash(act(**values))
                st.rerun()
            except users.AccountError as exc:
                st.error(str(exc))


def _done(change: Callable[..., None], who: str, ctx: PageContext, *, said: str, **values) -> str:
    change(ctx.engine, username=who, by=ctx.user.username, **values)
    return said


def _role_fields(role: str, partner: str | None) -> dict:
    plist = ["", *partners()]
    return {
        "role": st.selectbox(
            "Role", users.ROLES, index=users.ROLES.index(role), format_func=lambda r: users.ROLE_LABELS[r]
        ),
        "partner": st.selectbox(
            "Partner (partner accounts only)",
            plist,
            index=plist.index(partner) if partner in plist else 0,
            format_func=lambda p: partner_name(p) if p else "—",
        ),
    }


def _new_account_fields() -> dict:
    return {
        "username": st.text_input("New username (or organisation email address)"),
        "role": st.selectbox("Role", users.ROLES, format_func=lambda r: users.ROLE_LABELS[r]),
        "partner": st.selectbox(
            "Partner (partner accounts only)", ["", *partners()], format_func=lambda p: partner_name(p) if p else "—"
        ),
        "password": st.text_input("Temporary password (at least 10 characters)", type="password"),
    }


def _add_account(ctx: PageContext, *, username: str, role: str, partner: str, password: str) -> str:
    users.create_user(
        ctx.engine,
        username=username,
        password=password,
        role=role,
        partner=partner or None,
        created_by=ctx.user.username,
    )
    return f"Account '{username.strip()}' added. Give them the temporary password in person or by phone."


# A fragment: choosing a year or editing a cell redraws the targets tab only.
@st.fragment
def targets(ctx: PageContext) -> None:
    this_fy = fy_of(clock.today())
    years = list(range(this_fy + 1, this_fy - 4, -1))
    fy = st.selectbox("Financial year", years, index=1, format_func=fy_label, key="targets-fy")
    current = targets_mod.targets_for(engine=ctx.engine, financial_year=fy)
    rated = [i for i in catalogue.CATALOGUE if i.polarity != "none" and i.unit != "breakdown"]
    frame = pd.DataFrame(
        {
            "ID": [i.id for i in rated],
            "Indicator": [i.name for i in rated],
            "Unit": [i.unit for i in rated],
            "Better": [i.symbol for i in rated],
            "Target": [current.get(i.id) for i in rated],
        }
    )
    st.caption(
        "Percent targets are on the 0 to 100 scale. Clear a cell to go back to the configured target "
        "(config/targets.toml). Indicators with no direction (·) have no target."
    )
    edited = st.data_editor(
        frame,
        hide_index=True,
        width="stretch",
        key=f"targets-editor-{fy}",
        disabled=["ID", "Indicator", "Unit", "Better"],
        column_config={"Target": st.column_config.NumberColumn("Target", min_value=0.0, step=0.1, format="%.1f")},
    )
    if st.button("Save targets", type="primary", key="targets-save"):
        changed = 0
        for (_, before), (_, after) in zip(frame.iterrows(), edited.iterrows(), strict=True):
            b, a = before["Target"], after["Target"]
            if (pd.isna(b) and pd.isna(a)) or (not pd.isna(b) and not pd.isna(a) and float(a) == float(b)):
                continue
            value = None if pd.isna(a) else float(a)
            targets_mod.set_target(
                engine=ctx.engine, financial_year=fy, indicator_id=after["ID"], value=value, set_by=ctx.user.username
            )
            audit(
                ctx.engine,
                username=ctx.user.username,
                role=ctx.user.role,
                action="target_set",
                detail={"financial_year": fy, "indicator": after["ID"], "value": value},
            )
            changed += 1
        data.clear()
        st.success(
            f"{changed} target{'s' if changed != 1 else ''} saved for {fy_label(fy)}."
            if changed
            else "No target changed."
        )


def partners_list() -> None:
    rows = [
        {
            "Code": p.code,
            "Partner": p.name,
            "Returns": ", ".join(fmt.RETURN_LABELS.get(r, r) for r in p.returns),
            "Service": fmt.label(p.service) if p.service else "",
        }
        for p in partners().values()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="partners-table")
    st.caption(
        "Partners and the returns each may send are set in config/partners.toml by the system "
        "administrator (a restart picks up a change). Codes are stable: rename a partner, never its code."
    )


def audit_log(ctx: PageContext) -> None:
    log = read_audit(ctx.engine, limit=500)
    shown = pd.DataFrame(
        {
            "When": [fmt.uk_datetime(t) for t in log["at"]],
            "Who": log["username"],
            "Role": log["role"].fillna(""),
            "What": log["action"].str.replace("_", " ").str.capitalize(),
            "Detail": [", ".join(f"{k}: {v}" for k, v in (d or {}).items()) for d in log["detail"]],
        }
    )
    st.caption("The latest 500 entries. The log is append-only; it never holds a password or a person's data.")
    st.dataframe(shown, hide_index=True, width="stretch", key="audit-table")


def process_changes(ctx: PageContext) -> None:
    """The dates a service changed the way it works (SPC charts start new limits there): record or remove one."""
    from metrics import spc

    msg = st.session_state.pop("process_change_flash", None)
    if msg:
        st.success(msg)
    names = spc.chart_names()
    recorded = spc.recorded_changes(ctx.engine)
    st.caption(
        "From the first point on or after each date, a control chart works out new limits, and shows the "
        "change with its reason. The reason is shown on every chart it applies to, public ones too: "
        "describe the service (what changed), never a person."
    )
    if recorded:
        st.dataframe(
            pd.DataFrame(
                {
                    "Date": [fmt.uk_date(c["changed_on"]) for c in recorded],
                    "Reason": [c["reason"] for c in recorded],
                    "Charts": [
                        "Every chart"
                        if c["applies_to"] is None
                        else "; ".join(names.get(a, a) for a in c["applies_to"])
                        for c in recorded
                    ],
                    "Recorded by": [c["recorded_by"] for c in recorded],
                    "Recorded": [fmt.uk_datetime(c["recorded_at"]) for c in recorded],
                }
            ),
            hide_index=True,
            width="stretch",
            key="process-changes-table",
        )
    else:
        st.info("No process change has been recorded.")
    left, right = st.columns(2, gap="large")
    with left, st.form("process-change-add", clear_on_submit=True):
        st.subheader("Record a process change")
        when = st.date_input(
            "Date the service changed", value=clock.today(), max_value=clock.today(), format="DD/MM/YYYY"
        )
        reason = st.text_input(
            f"Reason (at most {spc.MAX_REASON} characters)",
            max_chars=spc.MAX_REASON,
            placeholder="e.g. Drop-in moved to the new building",
        )
        charts = st.multiselect(
            "Charts it applies to (leave empty for every chart)", list(names), format_func=lambda k: names[k]
        )
        if st.form_submit_button("Record change", type="primary"):
            try:
                spc.record_process_change(
                    ctx.engine, ctx.user, changed_on=when, reason=reason, applies_to=charts or None
                )
            except (spc.ProcessChangeRefused, PermissionError) as exc:
                st.error(str(exc))
            else:
                data.clear()  # the charts and the attention list read the changes
                st.session_state["process_change_flash"] = f"Process change of {fmt.uk_date(when)} recorded."
                st.rerun()
    with right:
        if not recorded:
            return
        with st.form("process-change-remove"):
            st.subheader("Remove a process change")
            which = st.selectbox(
                "Process change",
                [c["id"] for c in recorded],
                format_func=lambda i: next(
                    f"{fmt.uk_date(c['changed_on'])}: {c['reason']}" for c in recorded if c["id"] == i
                ),
            )
            if st.form_submit_button("Remove change"):
                try:
                    spc.remove_process_change(ctx.engine, ctx.user, change_id=which)
                except (KeyError, PermissionError):
                    st.error("That process change could not be removed: it may have been removed already.")
                else:
                    data.clear()
                    st.session_state["process_change_flash"] = "Process change removed."
                    st.rerun()
