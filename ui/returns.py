"""Screen pieces for the data returns page: the return grid, the submission history, refusals, completeness."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from charts import palette
from core import clock
from core import formatting as fmt
from core.partners import partners
from core.periods import last_complete_month
from metrics import catalogue
from ui import data
from ui.frame import PageContext

STATE_SYMBOL = {
    "on_time": "✓ On time",
    "late": "Late",
    "nil_return": "Nil return",
    "missing": "✗ Missing",
    "not_yet_due": "Not yet due",
}
_STATE_BG = {
    "✓ On time": "#E0F3EC",
    "Late": "#FDF0D5",
    "Nil return": "#E6F3FB",
    "✗ Missing": "#FBE3D6",
    "Not yet due": "#F4F4F4",
}


def partner_name(code: str) -> str:
    p = partners().get(code)
    return p.name if p else code


def grid_end(period, *, today: date | None = None) -> date:
    """The grid runs to the later of the period's end and the end of last month."""
    today = today or clock.today()
    return max(period.end, last_complete_month(today).end)


def grid_frame(grid: pd.DataFrame, *, one_partner: bool = False) -> pd.DataFrame:
    """Partner × return rows, one column per month, each cell in words (and a symbol)."""
    g = grid.assign(
        month_label=[fmt.month_label(m) for m in grid["month"]],
        row=[
            fmt.RETURN_LABELS.get(r, r) if one_partner else f"{partner_name(p)} — {fmt.RETURN_LABELS.get(r, r)}"
            for p, r in zip(grid["partner"], grid["return_name"], strict=True)
        ],
        cell=[STATE_SYMBOL.get(s, s) for s in grid["state"]],
    )
    months = list(dict.fromkeys(g.sort_values("month")["month_label"]))
    wide = g.pivot_table(index="row", columns="month_label", values="cell", aggfunc="first", sort=False)
    return (
        wide.reindex(columns=months)
        .reset_index()
        .rename(columns={"row": "Return" if one_partner else "Partner and return"})
    )


def _cell_style(value: object) -> str:
    bg = _STATE_BG.get(str(value))
    return f"background-color: {bg}; color: #1B1B1B" if bg else ""


def return_grid(ctx: PageContext, *, start: date, end: date, partner: str | None) -> pd.DataFrame:
    """The grid of every partner's returns by month, coloured and worded; returns the underlying rows."""
    grid = data.return_grid(ctx.engine, start=start, end=end, today=clock.today())
    if partner:
        grid = grid[grid["partner"] == partner]
    if grid.empty:
        st.info("No returns are expected for these months.")
        return grid
    wide = grid_frame(grid, one_partner=partner is not None)
    st.dataframe(
        wide.style.map(_cell_style, subset=wide.columns[1:]), hide_index=True, width="stretch", key="return-grid"
    )
    legend = " ".join(
        f'<span class="badge" style="background:{_STATE_BG[STATE_SYMBOL[s]]};border-color:'
        f'{palette.RETURN_STATE[s]}">{STATE_SYMBOL[s]}</span>'
        for s in STATE_SYMBOL
    )
    st.markdown(
        legend + '<span class="muted"> Returns are due by the 15th of the following month. '
        "A nil return means the partner told us nothing happened — not that no one sent anything.</span>",
        unsafe_allow_html=True,
    )
    return grid


def still_owed(grid: pd.DataFrame) -> pd.DataFrame:
    """Returns past their due date that have not arrived."""
    owed = grid[grid["state"] == "missing"].sort_values(["month", "partner"])
    return pd.DataFrame(
        {
            "Partner": [partner_name(p) for p in owed["partner"]],
            "Return": [fmt.RETURN_LABELS.get(r, r) for r in owed["return_name"]],
            "Month": [f"{pd.Timestamp(m):%B %Y}" for m in owed["month"]],
            "Was due": [fmt.uk_date(d) for d in owed["due"]],
        }
    )


def _rows_text(n: object, counted: bool) -> str:
    """A file's rows, or only that it held data. A file's row count can equal a published figure (a month's
    nurse prescriber consultations are HLT-03), so it is given only to those who may see exact figures and
    to the partner who sent the file."""
    if fmt.is_missing(n):
        return ""
    return f"{int(n):,}" if counted else "With data"  # type: ignore[call-overload]


def submission_history(ctx: PageContext, *, partner: str | None) -> pd.DataFrame:
    """Who loaded what and when: file, period, hash, rows, warnings (never file content)."""
    subs, sheets = data.submissions(ctx.engine, partner=partner)
    if subs.empty:
        return pd.DataFrame()
    rows = sheets.groupby("submission_id")["rows"].sum()
    returns = sheets.groupby("submission_id")["return_name"].agg(
        lambda s: ", ".join(fmt.RETURN_LABELS.get(r, r) for r in dict.fromkeys(s))
    )
    out = pd.DataFrame(
        {
            "Loaded": [fmt.uk_datetime(t) for t in subs["loaded_at"]],
            "Partner": [partner_name(p) for p in subs["partner"]],
            "File": subs["file_name"],
            "Period": [
                f"{fmt.uk_date(s)} to {fmt.uk_date(e)}"
                for s, e in zip(subs["period_start"], subs["period_end"], strict=True)
            ],
            "Returns": [returns.get(i, "") for i in subs["id"]],
            "Rows": [
                _rows_text(rows.get(i, 0), not ctx.public or partner is not None) if rows.get(i, 0) else "Nil return"
                for i in subs["id"]
            ],
            "Warnings": [len(w or []) for w in subs["warnings"]],
            "Loaded by": subs["loaded_by"],
            "SHA-256": subs["sha256"],
        }
    )
    return out.drop(columns=["Partner"]) if partner else out


def warnings_detail(ctx: PageContext, *, partner: str | None) -> pd.DataFrame:
    """Every warning on accepted files, one line each."""
    subs, _ = data.submissions(ctx.engine, partner=partner)
    out = [
        {"File": f, "Loaded": fmt.uk_datetime(t), "Warning": str(w)}
        for f, t, ws in zip(subs["file_name"], subs["loaded_at"], subs["warnings"], strict=True)
        for w in (ws or [])
    ]
    return pd.DataFrame(out, columns=["File", "Loaded", "Warning"])


def refusals(ctx: PageContext, *, partner: str | None) -> pd.DataFrame:
    """Files that could not be accepted and why (the reasons never hold a cell's value)."""
    ref = data.refusals(ctx.engine, partner=partner)
    out = []
    for _, r in ref.iterrows():
        reasons = r["reasons"] or []
        for reason in reasons[:50]:
            where = (
                ", ".join(
                    str(x)
                    for x in (
                        reason.get("sheet"),
                        f"row {reason['row']}" if reason.get("row") else None,
                        reason.get("column"),
                    )
                    if x
                )
                if isinstance(reason, dict)
                else ""
            )
            out.append(
                {
                    "Tried": fmt.uk_datetime(r["attempted_at"]),
                    "Partner": partner_name(r["partner"]),
                    "File": r["file_name"],
                    "Where": where,
                    "What to fix": reason.get("message", str(reason)) if isinstance(reason, dict) else str(reason),
                }
            )
    return pd.DataFrame(out, columns=["Tried", "Partner", "File", "Where", "What to fix"])


def completeness_table(ctx: PageContext) -> pd.DataFrame:
    """Each indicator's completeness for the period, and what is missing."""
    results = data.indicators(ctx.engine, period=ctx.period, public=ctx.public)
    return pd.DataFrame(
        {
            "ID": [r.id for r in results.results],
            "Indicator": [r.name for r in results.results],
            "Data": [fmt.label(r.status) for r in results.results],
            "Sources": [", ".join(catalogue.by_id(r.id).sources) for r in results.results],
            "Not yet received": [fmt.missing_text(r.missing) for r in results.results],
        }
    )
