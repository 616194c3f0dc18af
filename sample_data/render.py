"""Render the synthetic world as the files partners really send, untidiness included.

Each partner has its own habits (see docs/sample-data.md): title rows above
the header, labels instead of codes, UK dates, Excel dates, a Windows-1252
CSV, a multi-sheet workbook with a Guidance sheet, a nil return and one
corrected resubmission. Every file is valid under the data-returns spec
except one, sent wrong on purpose (kind "refused") and resent fixed.
Files are byte-for-byte reproducible for a given seed.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from core import clock as product_clock
from core.periods import Period, add_months, due_date, month_end, quarter_of
from core.returns import RETURNS
from data_loaders.reading import column_letter
from sample_data.story import World

_ZIP_TIME = (2025, 1, 1, 9, 0, 0)


@dataclass(frozen=True)
class SampleFile:
    """One file a partner sends, when it is loaded, and the rows of each return it carries."""

    name: str
    partner: str
    period: Period
    loaded_at: datetime  # naive UTC
    content: bytes
    rows: dict[str, int] = field(default_factory=dict)
    kind: str = "return"  # "return" | "nil" | "superseded" (later corrected) | "correction" | "refused"
    late: bool = False


class Table:
    """A return's rows rendered once (vectorised) as cells, sorted by date; files take slices of it.

    Rendering the whole history once and slicing per period keeps per-file cost tiny, which is what
    makes the national-scale sample quick to write.
    """

    def __init__(self, dates: pd.Series, columns: dict[str, pd.Series]):
        order = np.argsort(dates.to_numpy(), kind="stable")
        self.dates = dates.to_numpy().astype("datetime64[D]")[order]
        self.header = list(columns)
        self._frame = pd.DataFrame(
            {h: v.reset_index(drop=True).iloc[order].reset_index(drop=True) for h, v in columns.items()}
        )
        self._xlsx: list[tuple[np.ndarray, np.ndarray]] | None = None
        self._csv: np.ndarray | None = None

    def rows(self, period: Period, *, drop: date | None = None) -> np.ndarray:
        """Positions of the rows dated in ``period`` (leaving out those dated ``drop``)."""
        lo = np.searchsorted(self.dates, np.datetime64(period.start, "D"), side="left")
        hi = np.searchsorted(self.dates, np.datetime64(period.end, "D"), side="right")
        idx = np.arange(lo, hi)
        if drop is not None:
            idx = idx[self.dates[idx] != np.datetime64(drop, "D")]
        return idx

    def xlsx_cells(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per column: the cell XML after its reference, and which cells are blank (built once)."""
        if self._xlsx is None:
            self._xlsx = [_cell_tails(self._frame[c]) for c in self.header]
        return self._xlsx

    def csv_lines(self) -> np.ndarray:
        if self._csv is None:
            line = None
            for c in self.header:
                v = _csv_field(self._frame[c])
                line = v if line is None else line + "," + v
            self._csv = line.to_numpy(dtype=object)
        return self._csv

    def release(self) -> None:
        """Drop the rendered cells once every file is written: keeps memory flat at national scale."""
        self._xlsx = self._csv = None


@dataclass
class Sheet:
    """A sheet to write: a slice of a table, title rows above it, or text lines only (guidance)."""

    name: str
    header: list[str]
    table: Table | None = None
    rows: np.ndarray | None = None
    above: list[list[str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# Cell renderers (vectorised)


def label(s: pd.Series) -> pd.Series:
    """Codes as people write them: 'rough_sleeping' -> 'Rough sleeping'."""
    uniq = {v: str(v).replace("_", " ").capitalize() for v in pd.unique(s.dropna())}
    return s.map(uniq).astype(object).where(s.notna(), None)


def yes_no(s: pd.Series, yes: str = "Y", no: str = "N") -> pd.Series:
    out = pd.Series(np.where(s.fillna(False).to_numpy(dtype=bool), yes, no), index=s.index, dtype=object)
    return out.where(s.notna(), None)


def uk_date(s: pd.Series, *, two_digit_year: bool = False) -> pd.Series:
    return s.dt.strftime("%d/%m/%y" if two_digit_year else "%d/%m/%Y").astype(object).where(s.notna(), None)


def long_date(s: pd.Series) -> pd.Series:
    """'3 Apr 2026'."""
    return (s.dt.day.astype(str) + s.dt.strftime(" %b %Y")).astype(object)


def excel_date(s: pd.Series) -> pd.Series:
    """Dates kept as dates: the workbook writer stores them as real Excel dates."""
    return s.astype("datetime64[ns]")


def messy_refs(s: pd.Series, rng: np.random.Generator, share: float = 0.04) -> pd.Series:
    """Write some references the way people type them: 'p42', ' P042 '."""
    out = s.astype(object).where(s.notna(), None)
    known = out.notna().to_numpy()
    pick = known & (rng.random(len(out)) < share)
    if pick.any():
        digits = out[pick].str[1:].astype(int)
        style = rng.random(int(pick.sum())) < 0.7
        short = "p" + digits.astype(str)
        padded = " P" + digits.astype(str).str.zfill(3) + " "
        out[pick] = np.where(style, short, padded)
    return out


def services(s: pd.Series, *, labels: bool) -> pd.Series:
    """The services list: codes joined with '; ', or labels joined with ', '."""
    if not labels:
        return s.astype(object).where(s.notna(), None)
    uniq = {v: ", ".join(c.replace("_", " ").capitalize() for c in v.split("; ")) for v in pd.unique(s.dropna())}
    return s.map(uniq).astype(object).where(s.notna(), None)


# ---------------------------------------------------------------------------------------------------------------
# Writers


_EPOCH = np.datetime64("1899-12-30", "D")
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_NS = "http://schemas.openxmlformats.org"


def _esc(s: pd.Series) -> pd.Series:
    return s.astype(str).str.replace("&", "&amp;").str.replace("<", "&lt;").str.replace(">", "&gt;")


def _text_row(r: int, values: list, style: int = 0) -> str:
    st = f' s="{style}"' if style else ""
    cells = "".join(
        f'<c r="{column_letter(j)}{r}"{st} t="inlineStr"><is><t xml:space="preserve">'
        f"{str(v).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</t></is></c>"
        for j, v in enumerate(values)
        if v not in (None, "")
    )
    return f'<row r="{r}">{cells}</row>'


def _cell_tails(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    s = s.reset_index(drop=True)
    na = s.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(s):
        serial = (s.to_numpy().astype("datetime64[D]") - _EPOCH).astype("int64").astype(str)
        tail = '" s="1"><v>' + pd.Series(serial, dtype=object) + "</v></c>"
    elif pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        tail = '"><v>' + s.astype(object).astype(str) + "</v></c>"
    else:
        tail = '" t="inlineStr"><is><t xml:space="preserve">' + _esc(s).astype(object) + "</t></is></c>"
    tail = tail.to_numpy(dtype=object, copy=True)
    tail[na] = ""
    return tail, na


def _data_rows(table: Table, idx: np.ndarray, first_row: int) -> str:
    """Rows of cells, built column by column with numpy string arithmetic."""
    rn = np.arange(first_row, first_row + len(idx)).astype(str).astype(object)
    out = '<row r="' + rn + '">'
    for j, (tail, na) in enumerate(table.xlsx_cells()):
        cell = '<c r="' + column_letter(j) + rn + tail[idx]
        cell[na[idx]] = ""
        out = out + cell
    return "".join((out + "</row>").tolist())


def _csv_field(s: pd.Series) -> pd.Series:
    text = s.astype(object).where(s.notna(), "").astype(str)
    quote = text.str.contains('[",\n]', regex=True)
    return text.where(~quote, '"' + text.str.replace('"', '""') + '"').astype(object)


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """A minimal workbook with real Excel dates, byte-for-byte reproducible.

    Written directly as SpreadsheetML, column by column, because openpyxl's per-cell writer is far too slow
    for the national-scale sample (millions of rows); openpyxl and calamine both read it back in tests.
    """
    sheets = list(sheets)
    parts: dict[str, str] = {}
    for i, sh in enumerate(sheets, 1):
        rows, r = [], 1
        for line in sh.lines:
            rows.append(_text_row(r, [line]))
            r += 1
        for above in sh.above:
            rows.append(_text_row(r, above))
            r += 1
        if sh.header:
            rows.append(_text_row(r, sh.header, style=2))
            r += 1
        if sh.table is not None and sh.rows is not None and len(sh.rows):
            rows.append(_data_rows(sh.table, sh.rows, r))
        parts[f"xl/worksheets/sheet{i}.xml"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<worksheet xmlns="{_NS}/spreadsheetml/2006/main"><sheetData>{"".join(rows)}</sheetData></worksheet>'
        )
    sheet_list = "".join(f'<sheet name="{sh.name}" sheetId="{i}" r:id="rId{i}"/>' for i, sh in enumerate(sheets, 1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_NS}/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    n = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Types xmlns="{_NS}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{_NS}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_NS}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<workbook xmlns="{_NS}/spreadsheetml/2006/main" '
            f'xmlns:r="{_NS}/officeDocument/2006/relationships"><sheets>{sheet_list}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{_NS}/package/2006/relationships">{rels}'
            f'<Relationship Id="rId{n + 1}" Type="{_NS}/officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": _STYLES,
        **parts,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, body in files.items():
            zi = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, body.encode("utf-8"))
    return buf.getvalue()


def csv_bytes(
    table: Table,
    rows: np.ndarray,
    *,
    header: list[str] | None = None,
    above: list[str] = (),
    encoding: str = "utf-8",
    crlf: bool = False,
) -> bytes:
    eol = "\r\n" if crlf else "\n"
    lines = [*above, ",".join(header or table.header), *table.csv_lines()[rows].tolist()]
    return (eol.join(lines) + eol).encode(encoding)


# ---------------------------------------------------------------------------------------------------------------
# Schedules


def _month_periods(world: World) -> list[Period]:
    return [Period(m, month_end(m)) for m in world.months]


def _quarter_periods(world: World) -> list[Period]:
    """Whole financial-year quarters inside the span, then single months for a part-quarter at the end."""
    out: list[Period] = []
    for m in world.months:
        q = quarter_of(m)
        if q.end <= world.end:
            if q.start >= world.start and (not out or out[-1] != q):
                out.append(q)
        else:
            out.append(Period(m, month_end(m)))
    return out


class _Clock:
    """Realistic load times: most by the 15th of the month after the period, a few late."""

    def __init__(self, rng: np.random.Generator, *, last_end: date, latest: datetime | None, late_share: float = 0.05):
        self.rng = rng
        self.last_end = last_end
        self.latest = latest
        self.late_share = late_share

    def due(self, period: Period) -> date:
        return due_date(period.end)

    def when(self, period: Period, *, late: bool | None = None) -> tuple[datetime, bool]:
        due = self.due(period)
        first = period.end + timedelta(days=1)
        if late is None:
            # The latest month's returns are all on time (they arrive by its due date).
            late = bool(self.rng.random() < self.late_share) and period.end < self.last_end
        if late:
            day = due + timedelta(days=int(self.rng.integers(2, 26)))
        else:
            day = first + timedelta(days=int(self.rng.integers(1, (due - first).days + 1)))
        at = datetime.combine(
            day, time(int(self.rng.integers(8, 17)), int(self.rng.integers(0, 60)), int(self.rng.integers(0, 60)))
        )
        if self.latest is not None and at > self.latest:
            # Drawn after the build (the last month's returns, early in the next month): the same draw is
            # squeezed into the days between the period's end and now, so partners still send at different
            # times, in the same order. Every draw is still made, so the files are the same on any day.
            opened = datetime.combine(first, time(0))
            window = datetime.combine(due + timedelta(days=26 if late else 0), time(17)) - opened
            share = (self.latest - opened) / window if self.latest > opened else 0.0
            at = min(self.latest, opened + (at - opened) * share).replace(microsecond=0)
            late = at.date() > due
        return at, late


def _name(partner: str, what: str, period: Period, ext: str, suffix: str = "") -> str:
    return f"{partner}_{what}_{period.code()}{suffix}.{ext}"


def _codes(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), None)


def render_files(world: World, *, tidy: bool = False, now: datetime | None = None) -> list[SampleFile]:
    """Every partner's files for the world, in the order they are loaded (by ``loaded_at``).

    ``tidy`` writes plain files (no title rows, labels, notes column or two-digit years); the periods,
    the nil return, the missing month and the correction are the same. No file is loaded after ``now``
    (naive UTC, as stored; by default the product's clock): one drawn later is loaded at ``now``.
    """
    rng = np.random.default_rng([world.seed, 99])
    latest = now if now is not None else product_clock.utcnow().replace(microsecond=0)
    # The load times have their own stream: tidy files load at the same times.
    clock = _Clock(np.random.default_rng([world.seed, 98]), last_end=world.end, latest=latest)
    facts = world.facts
    out: list[SampleFile] = []
    months = _month_periods(world)
    quarters = _quarter_periods(world)
    f = world.frames
    lab = _codes if tidy else label

    def add(name, partner, period, content, rows, kind="return"):
        at, late = clock.when(period)
        out.append(SampleFile(name, partner, period, at, content, rows, kind, late))

    # --- aspirations: the attendance register (its own workbook, title rows, labels in year one) ---------
    att = f[("aspirations", "attendance")]
    year_one = (att["session_date"] < pd.Timestamp(add_months(world.start, 12))).to_numpy()
    att_services = services(att["services_used"], labels=not tidy).where(year_one, _codes(att["services_used"]))
    t = Table(
        att["session_date"],
        {
            "Session date": excel_date(att["session_date"]),
            "Client ref": messy_refs(att["person_id"], rng),
            "Services": att_services,
        },
    )
    for p in months:
        above = [] if tidy else [["Aspirations drop-in register"], [f"Thursday sessions, {p.label()}"], []]
        idx = t.rows(p)
        content = xlsx_bytes([Sheet("Register", t.header, t, idx, above)])
        name = _name("aspirations", "attendance", p, "xlsx")
        if facts and facts.corrected_month == p.start:
            # The first file left out the last session of the month; a corrected file follows.
            first_idx = t.rows(p, drop=facts.corrected_session)
            at, late = clock.when(p, late=False)
            out.append(
                SampleFile(
                    name,
                    "aspirations",
                    p,
                    at,
                    xlsx_bytes([Sheet("Register", t.header, t, first_idx, above)]),
                    {"attendance": len(first_idx)},
                    "superseded",
                    late,
                )
            )
            at2 = at + timedelta(days=9, hours=1)
            out.append(
                SampleFile(
                    _name("aspirations", "attendance", p, "xlsx", "_corrected"),
                    "aspirations",
                    p,
                    at2,
                    content,
                    {"attendance": len(idx)},
                    "correction",
                    at2.date() > clock.due(p),
                )
            )
            continue
        add(name, "aspirations", p, content, {"attendance": len(idx)})

    for done in (t,):
        done.release()

    # --- aspirations: the monthly workbook (outreach, key-work, supplies, feedback + a Guidance sheet) -------
    guidance = [
        "Aspirations monthly returns for the Strategic Street Prostitution Group",
        "One sheet per return. References only (P followed by four digits): never names or contact details.",
        "Leave a cell blank when it was not recorded.",
        "Never record where supplies were left or where a woman was met.",
    ]
    o = f[("aspirations", "outreach")]
    t_o = Table(
        o["contact_date"],
        {
            "Date": excel_date(o["contact_date"]),
            "Client ref": messy_refs(o["person_id"], rng),
            "Type": lab(o["contact_type"]),
            "Condoms given": yes_no(o["condoms_given"]),
            "Leaflet given": yes_no(o["leaflet_given"]),
        },
    )
    k = f[("aspirations", "keywork_review")]
    t_k = Table(
        k["review_date"],
        {
            "Review date": excel_date(k["review_date"]),
            "Person ID": messy_refs(k["person_id"], rng),
            "Accommodation": lab(k["accommodation"]),
            "Has children": yes_no(k["has_children"]),
            "Child contact": lab(k["child_contact"]),
            "Working status": lab(k["working_status"]),
        },
    )
    su = f[("aspirations", "supplies")]
    t_s = Table(su["date"], {"Date": excel_date(su["date"]), "Item": lab(su["item"]), "Quantity": su["quantity"]})
    fb = f[("aspirations", "feedback")]
    t_f = Table(
        fb["survey_date"],
        {
            "Survey date": excel_date(fb["survey_date"]),
            "Person ID": _codes(fb["person_id"]),
            "Feel heard": fb["feel_heard"],
            "Feel safe": fb["feel_safe"],
            "Service helpful": fb["service_helpful"],
        },
    )
    for p in months:
        parts = {
            "outreach": (t_o, "Outreach"),
            "keywork_review": (t_k, "Key-work review"),
            "supplies": (t_s, "Supplies"),
            "feedback": (t_f, "Feedback"),
        }
        idx = {r: tb.rows(p) for r, (tb, _) in parts.items()}
        sheets = [Sheet("Guidance", [], lines=guidance)] + [
            Sheet(title, tb.header, tb, idx[r]) for r, (tb, title) in parts.items()
        ]
        add(
            _name("aspirations", "monthly", p, "xlsx"),
            "aspirations",
            p,
            xlsx_bytes(sheets),
            {r: len(i) for r, i in idx.items()},
        )

    for done in (
        t_o,
        t_k,
        t_s,
        t_f,
    ):
        done.release()

    # --- vineyard: CSVs from an old Windows system (Windows-1252, UK dates, a notes column) -----------------
    notes = np.array(
        [
            "",
            "",
            "",
            "Café voucher given",
            "£5 food voucher",
            "Leaflet only – no contact made",
            "Signposted to Thursday drop-in",
        ],
        dtype=object,
    )
    vo = f[("vineyard", "outreach")]
    cols = {
        "Date": uk_date(vo["contact_date"]),
        "Ref": _codes(vo["person_id"]),
        "Type": label(vo["contact_type"]),
        "Condoms given": yes_no(vo["condoms_given"], "Yes", "No"),
        "Leaflet given": yes_no(vo["leaflet_given"], "Yes", "No"),
    }
    if not tidy:
        cols["Notes"] = pd.Series(notes[rng.integers(0, len(notes), len(vo))], dtype=object)
    t_vo = Table(vo["contact_date"], cols)
    vs = f[("vineyard", "supplies")]
    t_vs = Table(
        vs["date"],
        {"Date": uk_date(vs["date"], two_digit_year=not tidy), "Item": label(vs["item"]), "Quantity": vs["quantity"]},
    )
    for p in months:
        if facts and facts.missing_month == p.start:
            continue  # this month's return never arrived
        idx = t_vo.rows(p)
        add(
            _name("vineyard", "outreach", p, "csv"),
            "vineyard",
            p,
            csv_bytes(
                t_vo,
                idx,
                above=[] if tidy else ["Vineyard street outreach - contacts log"],
                encoding="utf-8" if tidy else "cp1252",
                crlf=True,
            ),
            {"outreach": len(idx)},
        )
        idx = t_vs.rows(p)
        add(
            _name("vineyard", "supplies", p, "csv"),
            "vineyard",
            p,
            csv_bytes(t_vs, idx, crlf=True),
            {"supplies": len(idx)},
        )

    for done in (
        t_vo,
        t_vs,
    ):
        done.release()

    # --- drug and alcohol service: monthly CSV (UTF-8 with BOM), labels ----------------------------------------
    tr = f[("drug_alcohol", "treatment")]
    t_tr = Table(
        tr["snapshot_date"],
        {
            "snapshot_date": tr["snapshot_date"].dt.strftime("%Y-%m-%d").astype(object),
            "person_id": _codes(tr["person_id"]),
            "in_treatment": yes_no(tr["in_treatment"], "Yes", "No"),
            "primary_substance": lab(tr["primary_substance"]),
            "rehab_stage": lab(tr["rehab_stage"]),
        },
    )
    for p in months:
        idx = t_tr.rows(p)
        add(
            _name("drug_alcohol", "treatment", p, "csv"),
            "drug_alcohol",
            p,
            csv_bytes(t_tr, idx, encoding="utf-8-sig"),
            {"treatment": len(idx)},
        )

    for done in (t_tr,):
        done.release()

    # --- health services -----------------------------------------------------------------------------------------
    def hc_table(rows: pd.DataFrame, headers: list[str], *, dates, labels: bool) -> Table:
        fn = label if labels else _codes
        values = [
            dates(rows["contact_date"]),
            _codes(rows["person_id"]),
            _codes(rows["service"]),
            fn(rows["activity"]),
            fn(rows["reason"]),
            fn(rows["referral_to"]),
        ]
        return Table(rows["contact_date"], dict(zip(headers, values, strict=True)))

    hc_cols = list(RETURNS["health_contacts"].column_names)
    t_sh = hc_table(f[("sexual_health", "health_contacts")], hc_cols, dates=excel_date, labels=False)
    for p in months:
        idx = t_sh.rows(p)
        add(
            _name("sexual_health", "contacts", p, "xlsx"),
            "sexual_health",
            p,
            xlsx_bytes([Sheet("Sheet1", t_sh.header, t_sh, idx)]),
            {"health_contacts": len(idx)},
        )

    for done in (t_sh,):
        done.release()

    t_mh = hc_table(
        f[("mental_health", "health_contacts")],
        hc_cols,
        dates=(lambda s: s.dt.strftime("%Y-%m-%d").astype(object)) if tidy else long_date,
        labels=False,
    )
    for p in quarters:
        idx = t_mh.rows(p)
        add(
            _name("mental_health", "contacts", p, "csv"),
            "mental_health",
            p,
            csv_bytes(t_mh, idx),
            {"health_contacts": len(idx)},
        )

    for done in (t_mh,):
        done.release()

    titled = ["Contact date", "Person ID", "Service", "Activity", "Reason", "Referral to"]
    t_np = hc_table(f[("nurse_prescriber", "health_contacts")], titled, dates=excel_date, labels=not tidy)
    for p in months:
        idx = t_np.rows(p)
        add(
            _name("nurse_prescriber", "consultations", p, "xlsx"),
            "nurse_prescriber",
            p,
            xlsx_bytes([Sheet("Consultations", t_np.header, t_np, idx)]),
            {"health_contacts": len(idx)},
        )

    for done in (t_np,):
        done.release()

    t_dn = hc_table(f[("dental", "health_contacts")], hc_cols, dates=excel_date, labels=False)
    if facts and facts.dental_start > world.start:
        # The dental service joined the partnership at the start of the second year and said, for the
        # record, that it had seen none of the women before: a nil return, not a gap.
        nil = Period(world.start, min(world.end, facts.dental_start - timedelta(days=1)))
        content = xlsx_bytes(
            [
                Sheet(
                    "health_contacts",
                    hc_cols,
                    None,
                    None,
                    [] if tidy else [["Dental service: no contacts before the service started"]],
                )
            ]
        )
        at = datetime.combine(add_months(nil.end, 1).replace(day=6), time(10, 30))
        if nil.end >= facts.dental_start - timedelta(days=1):  # sent with its first monthly return
            at = datetime.combine(add_months(facts.dental_start, 1).replace(day=6), time(10, 30))
        out.append(
            SampleFile(
                f"dental_contacts_{nil.code()}.xlsx",
                "dental",
                nil,
                at,
                content,
                {"health_contacts": 0},
                "nil",
                at.date() > clock.due(nil),
            )
        )
    for p in months:
        if facts and p.start < facts.dental_start:
            continue
        idx = t_dn.rows(p)
        add(
            _name("dental", "contacts", p, "xlsx"),
            "dental",
            p,
            xlsx_bytes([Sheet("health_contacts", t_dn.header, t_dn, idx)]),
            {"health_contacts": len(idx)},
        )

    for done in (t_dn,):
        done.release()

    # --- safeguarding: monthly extract of the fortnightly meeting ------------------------------------------------
    sg = f[("safeguarding", "safeguarding")]
    t_sg = Table(
        sg["meeting_date"],
        {
            "Meeting date": excel_date(sg["meeting_date"]),
            "Person ID": messy_refs(sg["person_id"], rng),
            "Risk level": lab(sg["risk_level"]),
            "Care plan in place": yes_no(sg["care_plan_in_place"], "Yes", "No"),
        },
    )
    refused_month = world.months[10] if len(world.months) > 11 else None
    for p in months:
        idx = t_sg.rows(p)
        above = [] if tidy else [["Safeguarding meeting - anonymised extract"], ["References only"], []]
        name = _name("safeguarding", "meetings", p, "xlsx")
        content = xlsx_bytes([Sheet("Meetings", t_sg.header, t_sg, idx, above)])
        if p.start == refused_month and len(idx):
            # First sent with a risk level that is not a code: refused whole, fixed and resent the same day.
            rows = sg.iloc[np.argsort(sg["meeting_date"].to_numpy(), kind="stable")[idx]]
            risk = lab(rows["risk_level"]).to_numpy(dtype=object, copy=True)
            risk[0] = "Very high"
            bad = Table(
                rows["meeting_date"],
                {
                    "Meeting date": excel_date(rows["meeting_date"]),
                    "Person ID": _codes(rows["person_id"]),
                    "Risk level": pd.Series(risk, dtype=object),
                    "Care plan in place": yes_no(rows["care_plan_in_place"], "Yes", "No"),
                },
            )
            at, late = clock.when(p, late=False)
            out.append(
                SampleFile(
                    _name("safeguarding", "meetings", p, "xlsx", "_first_attempt"),
                    "safeguarding",
                    p,
                    at,
                    xlsx_bytes([Sheet("Meetings", bad.header, bad, np.arange(len(idx)), above)]),
                    {"safeguarding": len(idx)},
                    "refused",
                    late,
                )
            )
            out.append(
                SampleFile(
                    name,
                    "safeguarding",
                    p,
                    at + timedelta(hours=2),
                    content,
                    {"safeguarding": len(idx)},
                    "return",
                    late,
                )
            )
            continue
        add(name, "safeguarding", p, content, {"safeguarding": len(idx)})

    for done in (t_sg,):
        done.release()

    # --- police: one row a month, the month written 'Apr 2026' ---------------------------------------------------------
    po = f[("police", "police_monthly")]
    t_po = Table(
        po["month"],
        {
            "Month": po["month"].dt.strftime("%b %Y").astype(object),
            "Violence reports": po["violence_reports"],
            "Arrests soliciting": po["arrests_soliciting"],
            "Support referrals": po["support_referrals"],
            "Kerb crawling actions": po["kerb_crawling_actions"],
        },
    )
    for p in months:
        idx = t_po.rows(p)
        add(_name("police", "monthly", p, "csv"), "police", p, csv_bytes(t_po, idx), {"police_monthly": len(idx)})

    # --- trauma-informed training: quarterly workbook --------------------------------------------------------------------
    tn = f[("trauma_alliance", "training")]
    t_tn = Table(
        tn["course_date"],
        {
            "Course date": excel_date(tn["course_date"]),
            "Agency": lab(tn["agency"]),
            "Staff trained": tn["staff_trained"],
        },
    )
    for p in quarters:
        idx = t_tn.rows(p)
        add(
            _name("trauma_alliance", "training", p, "xlsx"),
            "trauma_alliance",
            p,
            xlsx_bytes([Sheet("Courses", t_tn.header, t_tn, idx)]),
            {"training": len(idx)},
        )

    out.sort(key=lambda s: (s.loaded_at, s.name))
    return out
