"""Reports: the meeting pack, workbook, CSV and charts for the period, for the chair and report authors.

The chair gets the restricted (exact) and public versions; an author only the
public one. Each file is built when its button is clicked (one click) and every
download is recorded in the audit log.
"""

from __future__ import annotations

import logging

import streamlit as st

from metrics import disclosure, permissions
from reports.export import KINDS, MIME, export, file_name
from reports.render import chromium_path
from ui import frame, periods

LABELS = {"pack": "Meeting pack", "workbook": "Workbook", "csv": "CSV", "charts": "Charts"}
HELP = {
    "pack": "Word document: charts, tables and draft wording for every theme",
    "workbook": "Excel workbook: a tidy sheet per theme, the monthly trend and definitions",
    "csv": "The indicator table as CSV, for analysts",
    "charts": "A zip of PNG images, one per indicator",
}
ICONS = {
    "pack": ":material/description:",
    "workbook": ":material/table_view:",
    "csv": ":material/csv:",
    "charts": ":material/bar_chart:",
}
log = logging.getLogger(__name__)

ctx = frame.page_context("reports")
user = ctx.user
# The app draws the shared period controls; a page opened on its own draws them here.
period = ctx.period or periods.period_controls(public=ctx.public)

st.title("Reports and exports")
st.caption(f"Period: **{period.label()}**")
st.markdown(
    '<p class="muted">Files for meetings and council reports, built from the same figures as the dashboard. '
    "The meeting pack has charts, tables and draft wording to edit. Every download is recorded.</p>",
    unsafe_allow_html=True,
)

engine = ctx.engine
can_draw = chromium_path() is not None
if not can_draw:
    st.info(
        "Charts cannot be drawn on this server (Chromium is not installed), so the meeting pack and the "
        "charts are not available. The workbook and CSV are.",
        icon=":material/info:",
    )


def _builder(kind: str, public: bool):
    """A callable that builds and audits the file only when its button is clicked."""
    username, role = user.username, user.role
    if not permissions.may_export(user, public=public):  # no button is drawn for it; never build it either
        raise PermissionError("This export is not available to your account.")

    def build() -> bytes:
        try:
            return export(
                engine=engine, kind=kind, period=period, public=public, username=username, role=role, via="page"
            ).content
        except Exception as exc:  # logged without figures; the person sees a plain message from Streamlit
            log.error("export %s (%s) failed: %s", kind, "public" if public else "restricted", type(exc).__name__)
            raise RuntimeError(
                "The export failed. Please try again; if it keeps failing, tell the dashboard administrator."
            ) from None

    return build


def _buttons(public: bool, *, primary: str | None = None) -> None:
    cols = st.columns(len(KINDS))
    for col, kind in zip(cols, KINDS, strict=True):
        needs_charts = kind in ("pack", "charts")
        with col:
            st.download_button(
                LABELS[kind],
                data=_builder(kind, public),
                file_name=file_name(kind=kind, period=period, public=public),
                mime=MIME[kind],
                help=HELP[kind],
                key=f"dl-{kind}-{'public' if public else 'restricted'}",
                icon=ICONS[kind],
                type="primary" if kind == primary else "secondary",
                disabled=needs_charts and not can_draw,
                on_click="ignore",
                width="stretch",
            )


if permissions.may_export(user, public=False):
    st.header("Restricted: exact figures")
    st.markdown(
        "**OFFICIAL-SENSITIVE.** For the group's meeting only: do not publish or forward. The draft wording "
        "never gives a small number, even here."
    )
    _buttons(False, primary="pack")
st.header("Public: disclosure control applied")
st.markdown(
    f"For council reports and commissioners. Counts from {disclosure.small_range()} are not shown, nor any "
    "figure that would let one be worked out from all the published figures together. The wording, tables "
    "and charts all come from these published figures."
)
try:
    disclosure.check_published(period)
except disclosure.NotPublished as exc:  # the chair's custom dates: exact files only
    st.warning(str(exc), icon=":material/info:")
else:
    _buttons(True, primary=None if permissions.may_export(user, public=False) else "pack")
st.caption("The meeting pack takes up to a minute to build: it draws a chart for every indicator.")
