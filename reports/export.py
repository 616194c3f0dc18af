"""One export, end to end: compute, build, name the file and record it in the audit log.

The command line and the Reports page both call :func:`export`; the builders
stay pure (figures and data in, bytes out).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import sqlalchemy as sa

from core import formatting as fmt
from core.periods import Period
from metrics import meetings
from reports.data import ReportData, gather
from reports.figures import Charts, indicator_charts
from reports.pack import MeetingItem, build_pack
from reports.render import BrowserSession
from reports.workbook import build_csv, build_workbook
from storage.repository import audit

Kind = Literal["pack", "workbook", "csv", "charts"]
KINDS: tuple[Kind, ...] = ("pack", "workbook", "csv", "charts")
_STEM = {"pack": "meeting-pack", "workbook": "indicators-workbook", "csv": "indicators", "charts": "charts"}
_EXT = {"pack": "docx", "workbook": "xlsx", "csv": "csv", "charts": "zip"}
MIME = {
    "pack": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "workbook": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "charts": "application/zip",
}


@dataclass(frozen=True)
class Export:
    """A finished export: its file name, content and media type."""

    kind: Kind
    file_name: str
    content: bytes
    mime: str
    public: bool


def file_name(*, kind: Kind, period: Period, public: bool) -> str:
    """'meeting-pack_2026-27-Q1_PUBLIC.docx': what, which period, and which version."""
    code = period.code().replace("..", "_to_")
    return f"{_STEM[kind]}_{code}_{'PUBLIC' if public else 'RESTRICTED'}.{_EXT[kind]}"


def chart_file_name(indicator_id: str, period: Period, public: bool) -> str:
    code = period.code().replace("..", "_to_")
    return f"{indicator_id}_{code}_{'PUBLIC' if public else 'RESTRICTED'}.png"


NEEDS_CHARTS: frozenset[str] = frozenset({"pack", "charts"})


def chart_images(data: ReportData, *, session: BrowserSession | None = None) -> tuple[Charts, dict[str, bytes]]:
    """The indicators' charts and each as PNG bytes, keyed by indicator id (drawn in ``session`` if given)."""
    charts = indicator_charts(data)
    if session is not None:
        return charts, session.render(charts.figures)
    if not charts.figures:
        return charts, {}
    with BrowserSession() as own:
        return charts, own.render(charts.figures)


def build_charts_zip(*, data: ReportData, images: dict[str, bytes]) -> bytes:
    """The PNGs in one zip, one per indicator, named by indicator, period and version."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for ind_id, png in images.items():
            z.writestr(chart_file_name(ind_id, data.period, data.public), png)
    return buf.getvalue()


def build(
    *, kind: Kind, data: ReportData, session: BrowserSession | None = None, meeting_items: Sequence[MeetingItem] = ()
) -> Export:
    """Build one export from gathered data (draws charts where the kind needs them, in ``session`` if given).

    ``meeting_items``: the group's actions, decisions and commentary for the period, for the pack.
    """
    if kind == "pack":
        charts, images = chart_images(data, session=session)
        content = build_pack(
            data=data,
            images=images,
            alt=charts.alt,
            why_no_chart=charts.why_none,
            chart_notes=charts.notes,
            meeting_items=meeting_items,
        )
    elif kind == "workbook":
        content = build_workbook(data=data)
    elif kind == "csv":
        content = build_csv(data=data)
    elif kind == "charts":
        content = build_charts_zip(data=data, images=chart_images(data, session=session)[1])
    else:
        raise ValueError(f"unknown export {kind!r}: choose one of {', '.join(KINDS)}")
    return Export(kind, file_name(kind=kind, period=data.period, public=data.public), content, MIME[kind], data.public)


def record(
    engine: sa.Engine,
    *,
    username: str,
    role: str | None,
    kind: Kind,
    period: Period,
    public: bool,
    as_of: date | None,
    file: str,
    via: str,
) -> None:
    """The audit entry of an export: who, what, which period and version, how (never any figure)."""
    audit(
        engine,
        username=username,
        role=role,
        action="export",
        detail={
            "kind": kind,
            "file": file,
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
            "version": "public" if public else "restricted",
            "as_of": as_of.isoformat() if as_of else None,
            "via": via,
        },
    )


def items_for_pack(engine: sa.Engine, *, period: Period, public: bool) -> list[MeetingItem]:
    """The group's actions, decisions and commentary for the pack (``metrics.meetings.pack_items``): in a
    public pack only commentary marked for publication, never restricted text."""
    items = meetings.pack_items(engine, period=period, public=public)
    out = [
        MeetingItem(
            "action",
            a["text"],
            a["indicator_ids"][0] if a["indicator_ids"] else None,
            owner=a["owner"],
            due=a["due_on"],
            status="overdue" if a["overdue"] else a["status"],
        )
        for a in items.actions
    ]
    out += [
        MeetingItem(
            "decision",
            d["text"],
            d["indicator_ids"][0] if d["indicator_ids"] else None,
            due=None,
            status=f"agreed {fmt.uk_date(d['decided_on'], long=True)}",
        )
        for d in items.decisions
    ]
    out += [MeetingItem("commentary", c["text"], c["indicator_id"]) for c in items.commentary]
    return out


def export(
    *,
    engine: sa.Engine,
    kind: Kind,
    period: Period,
    public: bool,
    username: str,
    role: str | None,
    as_of: date | None = None,
    via: str = "cli",
    data: ReportData | None = None,
    meeting_items: Sequence[MeetingItem] | None = None,
) -> Export:
    """Compute (or reuse ``data``), build one export and record it in the audit log.

    The pack lists the meeting loop's items for the period unless ``meeting_items`` are given. Where the
    export has charts, the browser that draws them starts first, while the figures are computed.
    """
    if meeting_items is None:
        meeting_items = items_for_pack(engine, period=period, public=public) if kind == "pack" else ()
    session = BrowserSession() if kind in NEEDS_CHARTS else None
    try:
        if data is None:
            data = gather(engine=engine, period=period, public=public, as_of=as_of)
        if data.public != public:
            raise ValueError("the data gathered does not match the version asked for")
        out = build(kind=kind, data=data, session=session, meeting_items=meeting_items)
    finally:
        if session is not None:
            session.close()
    record(
        engine,
        username=username,
        role=role,
        kind=kind,
        period=period,
        public=public,
        as_of=as_of,
        file=out.file_name,
        via=via,
    )
    return out


def safe_name(text: str) -> str:
    """A user name fit for an audit entry (letters, digits and . _ - @ only)."""
    return re.sub(r"[^A-Za-z0-9._@:-]", "_", text)[:80] or "unknown"
