"""Upload returns: choose files, check them (nothing is stored), see exactly what would load, then confirm."""

import streamlit as st

from metrics import permissions
from ui import frame
from ui import returns as r
from ui import upload as u

ctx = frame.page_context("upload")
frame.page_header(
    "Upload returns",
    "Choose your spreadsheets, check them, then confirm. Checking stores nothing: "
    "you see exactly what would load and every problem to fix first.",
    ctx=ctx,
)

options = u.partner_options(ctx)
if not options:
    st.error("Your account is not linked to a partner yet. Ask the dashboard administrator.")
    st.stop()
elif permissions.own_partner(ctx.user):
    partner = options[0]
    st.markdown(f"Uploading for **{r.partner_name(partner)}**.")
else:
    partner = st.selectbox("Partner the files come from", options, format_func=r.partner_name, key="upload_partner")

with st.container(border=True):
    st.markdown(
        "**Blank template**: one sheet for each return you send, with the column headings, the codes each "
        "column takes, and guidance."
    )
    u.template_download(partner)

u.show_loaded()

st.header("1. Choose files")
files = st.file_uploader(
    "Spreadsheets (.xlsx or .csv, up to 20 MB each)",
    type=u.ACCEPTED_TYPES,
    accept_multiple_files=True,
    key=f"upload_files_{u.uploader_generation()}",
)
if not files:
    st.info("No files chosen yet.")
else:
    st.header("2. Check the reporting period")
    st.caption(
        "A month (2026-04), a financial-year quarter (2026-27-Q1) or a date range (2026-04-01..2026-06-30). "
        "Filled in from the file name where it says; leave blank to use the whole months the rows cover."
    )
    chosen = u.period_inputs(files)

    st.header("3. Check the files (dry run)")
    if st.button("Check files", type="primary", icon=":material/fact_check:"):
        u.check_all(ctx, files=chosen, partner=partner)
    checked = u.show_checks(files=chosen, partner=partner)

    if checked:
        st.header("4. Confirm")
        u.confirm(ctx, checked=checked, files=chosen, partner=partner)
