"""Administration: accounts and roles, targets for each financial year, process changes, partners, and the audit
log."""

import streamlit as st

from ui import admin as a
from ui import frame

ctx = frame.page_context("admin")
frame.page_header(
    "Administration",
    "Accounts and what each may see, the targets the group has set for each "
    "financial year, the dates a service changed (control charts start new limits there), the "
    "partners, and the record of who did what.",
    ctx=ctx,
)

users_tab, targets_tab, changes_tab, partners_tab, audit_tab = st.tabs(
    ["Accounts", "Targets", "Process changes", "Partners", "Audit log"]
)
with users_tab:
    a.accounts(ctx)
with targets_tab:
    a.targets(ctx)
with changes_tab:
    a.process_changes(ctx)
with partners_tab:
    a.partners_list()
with audit_tab:
    a.audit_log(ctx)
