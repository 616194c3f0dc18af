"""Screen pieces for uploading returns: a dry run that shows exactly what would load, then Confirm."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from core import formatting as fmt
from core import periods as P
from core.partners import partners
from metrics import permissions
from ui.frame import PageContext

ACCEPTED_TYPES = ["xlsx", "csv", "xlsm", "xls", "ods"]  # the loader explains why the last three are refused
_CHECKED = "upload_checked"
_LOADED = "upload_loaded"


@dataclass
class Checked:
    """One file's dry run, kept until it is confirmed (or the file changes)."""

    name: str
    sha256: str
    partner: str
    period_text: str
    report: dict  # FileReport.to_json()
    preview: dict  # sheet -> DataFrame


def default_period_text(file_name: str) -> str:
    """The period written in the file name (e.g. ``…_2026-04.xlsx``), else blank."""
    p = P.from_filename(file_name)
    return p.code() if p else ""


def parse_period(text: str) -> tuple[P.Period | None, str | None]:
    """(period or None for 'from the rows', error message)."""
    if not text.strip():
        return None, None
    try:
        return P.parse(text), None
    except P.PeriodError as exc:
        return None, str(exc)


def fingerprint(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _progress_adapter(bar):
    """Turn whatever the loader reports (a fraction and/or words) into the progress bar."""

    def report(*args, **kwargs) -> None:
        values = list(args) + list(kwargs.values())
        frac = next((float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)), None)
        text = next((str(v) for v in values if isinstance(v, str)), None)
        if frac is not None and frac > 1:
            frac = frac / 100
        bar.progress(min(max(frac or 0.0, 0.0), 1.0), text=text)

    return report


def run(
    ctx: PageContext, *, content: bytes, file_name: str, partner: str, period: P.Period | None, dry_run: bool, bar=None
):
    """Call the loader (a dry run changes nothing)."""
    from data_loaders.ingest import ingest_file

    return ingest_file(
        engine=ctx.engine,
        content=content,
        file_name=file_name,
        partner=partner,
        period=period,
        loaded_by=ctx.user.username,
        dry_run=dry_run,
        role=ctx.user.role,
        progress=_progress_adapter(bar) if bar is not None else None,
    )


def remember(checked: Checked) -> None:
    st.session_state.setdefault(_CHECKED, {})[(checked.name, checked.sha256)] = checked


def checked_for(name: str, sha256: str, partner: str, period_text: str) -> Checked | None:
    """The dry run of exactly this file, partner and period, if there is one."""
    c = st.session_state.get(_CHECKED, {}).get((name, sha256))
    if c is not None and c.partner == partner and c.period_text == period_text:
        return c
    return None


def forget_checks() -> None:
    st.session_state.pop(_CHECKED, None)


STATUS_WORDS = {
    "accepted": ("Ready to load", "green"),
    "rejected": ("Cannot be loaded", "red"),
    "duplicate": ("Already loaded — nothing to do", "grey"),
}


def errors_frame(report: dict) -> pd.DataFrame:
    errs = report.get("errors") or []
    return pd.DataFrame(
        {
            "Sheet": [e.get("sheet") or "" for e in errs],
            "Row": [str(e.get("row")) if e.get("row") not in (None, "") else "" for e in errs],
            "Column": [e.get("column") or "" for e in errs],
            "What to fix": [e.get("message") or "" for e in errs],
        }
    )


def sheets_frame(report: dict) -> pd.DataFrame:
    sh = report.get("sheets") or []
    return pd.DataFrame(
        {
            "Sheet": [s.get("sheet") for s in sh],
            "Return": [
                fmt.RETURN_LABELS.get(s.get("return"), s.get("return") or "ignored")
                if s.get("return")
                else "Ignored (not a return)"
                for s in sh
            ],
            "Rows": [
                ("Nil return (no rows)" if s.get("rows") == 0 else f"{s.get('rows'):,}") if s.get("return") else ""
                for s in sh
            ],
        }
    )


def show_report(checked: Checked, *, loaded: bool = False) -> None:
    """Everything the dry run found: status, sheets and rows, every error, warnings, and the rows that would load."""
    rep = checked.report
    words, tone = STATUS_WORDS.get(rep.get("status", ""), (rep.get("status", ""), "grey"))
    if loaded and rep.get("status") == "accepted":
        words, tone = "Loaded", "green"
    period = rep.get("period") or {}
    when = ""
    if period.get("start") and period.get("end"):
        when = f" · period {fmt.uk_date(period['start'])} to {fmt.uk_date(period['end'])}"
    # The name the report kept (a refused name is only its fingerprint), escaped: never HTML or Markdown.
    name = fmt.plain(rep.get("file") or checked.name)
    st.markdown(
        f"**{name}** {fmt.badge(words, tone)}<span class='muted'>{fmt.plain(when)}</span>", unsafe_allow_html=True
    )
    sheets = sheets_frame(rep)
    if not sheets.empty:
        st.dataframe(sheets, hide_index=True, width="stretch")
    errors = errors_frame(rep)
    if not errors.empty:
        st.error(
            f"{len(errors)} problem{'s' if len(errors) != 1 else ''} to fix before this file can be loaded. "
            "Nothing from it has been stored."
        )
        st.dataframe(errors, hide_index=True, width="stretch")
    for w in rep.get("warnings") or []:
        st.warning(fmt.plain(w.get("message", w) if isinstance(w, dict) else w))
    if checked.preview and rep.get("status") == "accepted" and not loaded:
        with st.expander("Show the rows that would load"):
            for sheet, frame in checked.preview.items():
                st.caption(f"{fmt.plain(sheet)}: {len(frame):,} row{'s' if len(frame) != 1 else ''}")
                st.dataframe(frame, hide_index=True, width="stretch")


def partner_options(ctx: PageContext) -> list[str]:
    """Partners this person may upload for (``metrics.permissions.upload_partners``)."""
    return permissions.upload_partners(ctx.user, list(partners()))


def template(partner: str) -> bytes:
    from data_loaders.templates import build_template

    return build_template(partner=partner)


@st.cache_data(show_spinner=False, max_entries=32)
def _template_cached(partner: str) -> bytes:
    return template(partner)


def template_download(partner: str) -> None:
    """The blank template for the partner's returns."""
    try:
        content = _template_cached(partner)
    except Exception:  # the template builder is missing or failed: say so, never a traceback
        st.caption("The blank template is not available just now.")
        return
    st.download_button(
        "Download the blank template (.xlsx)",
        content,
        file_name=f"{partner}_template.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key=f"template-{partner}",
    )


def uploader_generation() -> int:
    """Changes after a load, so the file picker starts empty again."""
    return int(st.session_state.get("upload_generation", 0))


@dataclass
class Chosen:
    name: str
    content: bytes
    sha256: str
    period_text: str


def period_inputs(files) -> list[Chosen]:
    """A period box for each file, filled in from the file name."""
    out = []
    for f in files:
        content = f.getvalue()
        sha = fingerprint(content)
        text = st.text_input(
            f"Period for {fmt.plain_label(f.name)}",
            value=default_period_text(f.name),
            key=f"period-{sha}",
            placeholder="from the rows' dates",
        )
        out.append(Chosen(f.name, content, sha, text.strip()))
    return out


def check_all(ctx: PageContext, *, files: list[Chosen], partner: str) -> None:
    """Dry-run every file; nothing is stored."""
    with st.spinner("Checking…"):
        for f in files:
            period, problem = parse_period(f.period_text)
            if problem:
                report = {
                    "status": "rejected",
                    "sheets": [],
                    "warnings": [],
                    "errors": [{"sheet": "", "row": "", "column": "period", "message": problem}],
                }
                remember(Checked(f.name, f.sha256, partner, f.period_text, report, {}))
                continue
            try:
                rep = run(ctx, content=f.content, file_name=f.name, partner=partner, period=period, dry_run=True)
                remember(Checked(f.name, f.sha256, partner, f.period_text, rep.to_json(), dict(rep.preview or {})))
            except Exception:
                report = {
                    "status": "rejected",
                    "sheets": [],
                    "warnings": [],
                    "errors": [
                        {
                            "sheet": "",
                            "row": "",
                            "column": "",
                            "message": "This file could not be checked. Nothing "
                            "was stored. Try saving it again as .xlsx or .csv; if it keeps happening, tell the "
                            "dashboard administrator.",
                        }
                    ],
                }
                remember(Checked(f.name, f.sha256, partner, f.period_text, report, {}))


def show_checks(*, files: list[Chosen], partner: str) -> list[Checked]:
    """Each file's dry-run result (for the file as it is now, with this partner and period)."""
    out = []
    for f in files:
        c = checked_for(f.name, f.sha256, partner, f.period_text)
        with st.container(border=True):
            if c is None:
                st.markdown(f"**{fmt.plain(f.name)}** — not checked yet.")
            else:
                show_report(c)
                out.append(c)
    return out


def confirm(ctx: PageContext, *, checked: list[Checked], files: list[Chosen], partner: str) -> None:
    """Load the files that are ready, one transaction each, with a progress bar."""
    ready = [c for c in checked if c.report.get("status") == "accepted"]
    blocked = [c for c in checked if c.report.get("status") == "rejected"]
    if not ready:
        st.info("No file is ready to load. Fix the problems listed above, then choose the corrected file.")
        return
    if blocked:
        st.warning(
            f"{len(blocked)} file{'s' if len(blocked) != 1 else ''} cannot be loaded until fixed; "
            "the others can be loaded now."
        )
    label = f"Confirm and load {len(ready)} file{'s' if len(ready) != 1 else ''}"
    if not st.button(label, type="primary", icon=":material/upload:"):
        return
    contents = {(f.name, f.sha256): f for f in files}
    results = []
    for c in ready:
        bar = st.progress(0.0, text=f"Loading {fmt.plain(c.name)}…")
        f = contents.get((c.name, c.sha256))
        if f is None:
            st.error(f"{fmt.plain(c.name)}: choose the file again, then check it.")
            continue
        try:
            rep = run(
                ctx,
                content=f.content,
                file_name=c.name,
                partner=partner,
                period=parse_period(c.period_text)[0],
                dry_run=False,
                bar=bar,
            )
            bar.progress(1.0, text=f"{fmt.plain(c.name)}: done")
            results.append(Checked(c.name, c.sha256, partner, c.period_text, rep.to_json(), {}))
        except Exception:
            bar.empty()
            st.error(
                f"{fmt.plain(c.name)} could not be loaded. Nothing from it was stored. Please try again; if it keeps "
                "happening, tell the dashboard administrator."
            )
    st.session_state[_LOADED] = results
    forget_checks()
    st.session_state["upload_generation"] = uploader_generation() + 1
    st.rerun()


def show_loaded() -> None:
    """What the last Confirm loaded (shown once)."""
    results = st.session_state.pop(_LOADED, None)
    if not results:
        return
    for c in results:
        with st.container(border=True):
            show_report(c, loaded=True)
    if any(c.report.get("status") == "accepted" for c in results):
        st.success("Loaded. Every page of the dashboard now includes these figures.")
