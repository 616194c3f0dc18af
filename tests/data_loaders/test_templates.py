"""Blank partner templates: right sheets, headers and drop-downs; blank is a nil return; filled in, they load."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from core.partners import partners
from core.returns import ACTIVITIES_BY_SERVICE, RETURNS
from data_loaders.templates import GUIDANCE_SHEET, LISTS_SHEET, build_template, write_templates

ROOT = Path(__file__).resolve().parents[2]
PARTNERS = sorted(partners())


def load(partner: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(build_template(partner=partner)))


def list_values(wb: openpyxl.Workbook, formula: str) -> list[str]:
    sheet, rng = formula.lstrip("=").split("!")
    return [c.value for row in wb[sheet][rng.replace("$", "")] for c in row]


def validations(ws) -> dict[str, object]:
    """Column letter -> its data validation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for r in dv.sqref.ranges:
            out[r.coord.split(":")[0].rstrip("0123456789")] = dv
            assert r.min_row == 2 and r.max_row >= 1000
    return out


@pytest.mark.parametrize("partner", PARTNERS)
def test_sheets_and_headers_come_from_the_return_definitions(partner):
    wb = load(partner)
    returns = list(partners()[partner].returns)
    assert wb.sheetnames == [GUIDANCE_SHEET, *returns, LISTS_SHEET]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    for name in returns:
        header = [c.value for c in wb[name][1]]
        assert header == list(RETURNS[name].column_names)
        assert wb[name].max_row == 1  # blank: header only
        assert wb[name].freeze_panes == "A2"


@pytest.mark.parametrize("partner", PARTNERS)
def test_every_coded_and_yes_no_column_has_a_drop_down(partner):
    wb = load(partner)
    service = partners()[partner].service
    for name in partners()[partner].returns:
        ws = wb[name]
        dvs = validations(ws)
        for j, col in enumerate(RETURNS[name].columns, 1):
            letter = openpyxl.utils.get_column_letter(j)
            dv = dvs.get(letter)
            assert dv is not None, (partner, name, col.name)
            if col.kind in ("code", "multi"):
                assert dv.type == "list"
                offered = list_values(wb, dv.formula1)
                if service and col.name == "service":
                    assert offered == [service]
                elif service and col.name == "activity":
                    assert offered == list(ACTIVITIES_BY_SERVICE[service])
                else:
                    assert offered == list(col.codes)
                # several codes may share a cell: the list must not refuse them
                assert dv.showErrorMessage is (col.kind == "code")
            elif col.kind == "yesno":
                assert dv.type == "list" and list_values(wb, dv.formula1) == ["Y", "N"]
                assert dv.showErrorMessage is True
            elif col.kind in ("count", "scale"):
                assert dv.type == "whole" and dv.showErrorMessage is True
                lo = col.minimum if col.kind == "count" else col.scale[0]
                assert int(dv.formula1) == lo
                if col.kind == "scale":
                    assert int(dv.formula2) == col.scale[1]
            elif col.kind == "date":
                assert dv.type == "date"
            assert dv.prompt  # every column explains itself when selected


@pytest.mark.parametrize("partner", PARTNERS)
def test_guidance_explains_without_anything_personal(partner):
    ws = load(partner)[GUIDANCE_SHEET]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "P0042" in text and "nil return" in text and "2026-04" in text and "DD/MM/YYYY" in text
    for name in partners()[partner].returns:
        assert f"Sheet '{name}'" in text
        for col in RETURNS[name].columns:
            assert col.name in text
    assert "@" not in text


@pytest.mark.parametrize("partner", PARTNERS)
def test_blank_template_is_a_nil_return(engine, partner):
    from data_loaders.ingest import ingest_file

    report = ingest_file(
        engine=engine,
        content=build_template(partner=partner),
        file_name=f"{partner}_2026-04.xlsx",
        partner=partner,
        loaded_by="test",
    )
    assert report.status == "accepted", report.errors
    assert {s["return"]: s["rows"] for s in report.sheets} == dict.fromkeys(partners()[partner].returns, 0)
    cov = __import__("storage.repository", fromlist=["read_coverage"]).read_coverage(engine)
    assert set(cov["return_name"]) == set(partners()[partner].returns)


def _cell(value, kind: str):
    """A canonical value as a partner would type it into the template."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if kind in ("date", "month"):
        return pd.Timestamp(value).date()
    if kind == "yesno":
        return "Y" if value else "N"
    if kind in ("count", "scale"):
        return int(value)
    return value


@pytest.fixture(scope="module")
def world():
    from sample_data.story import build_world

    return build_world(women=20, months=4)


@pytest.mark.parametrize("partner", PARTNERS)
def test_filled_in_template_loads_without_an_edit(engine, world, partner):
    """Fill each return's sheet with a month of the sample story's rows, then load it through the loader."""
    from core.periods import month
    from data_loaders.ingest import ingest_file

    period = month(2025, 6)
    wb = load(partner)
    expected: dict[str, pd.DataFrame] = {}
    for name in partners()[partner].returns:
        spec = RETURNS[name]
        frame = world.frames[(partner, name)]
        dates = frame[spec.date_column]
        rows = frame[(dates >= pd.Timestamp(period.start)) & (dates <= pd.Timestamp(period.end))].head(40)
        expected[name] = rows.reset_index(drop=True)
        ws = wb[name]
        for rec in rows.itertuples(index=False):
            ws.append([_cell(v, c.kind) for v, c in zip(rec, spec.columns, strict=True)])
    buf = io.BytesIO()
    wb.save(buf)
    report = ingest_file(
        engine=engine,
        content=buf.getvalue(),
        file_name=f"{partner}_{period.code()}.xlsx",
        partner=partner,
        loaded_by="test",
        today=period.end + pd.Timedelta(days=10),
    )
    assert report.status == "accepted", report.errors[:5]
    assert {s["return"]: s["rows"] for s in report.sheets} == {k: len(v) for k, v in expected.items()}
    from storage.repository import read_return

    for name, rows in expected.items():
        held = read_return(engine, name).drop(columns="partner")
        spec = RETURNS[name]
        order = list(spec.key) or list(spec.column_names)
        got = held.sort_values(order, ignore_index=True)
        want = rows.sort_values(order, ignore_index=True)
        for col in spec.columns:
            a, b = got[col.name].astype(object), want[col.name].astype(object)
            a = a.where(a.notna(), None).tolist()
            b = b.where(b.notna(), None).tolist()
            if col.kind in ("date", "month"):
                a = [pd.Timestamp(v) if v is not None else None for v in a]
                b = [pd.Timestamp(v) if v is not None else None for v in b]
            elif col.kind in ("count", "scale"):
                a = [int(v) if v is not None else None for v in a]
                b = [int(v) if v is not None else None for v in b]
            elif col.kind == "yesno":
                a = [bool(v) if v is not None else None for v in a]
                b = [bool(v) if v is not None else None for v in b]
            elif col.kind == "multi":  # the same codes, however they are joined
                a = [sorted(re.split(r"[;,]\s*", v)) if v is not None else None for v in a]
                b = [sorted(re.split(r"[;,]\s*", v)) if v is not None else None for v in b]
            assert a == b, (partner, name, col.name)


def test_unknown_partner_is_refused_with_the_known_codes():
    with pytest.raises(ValueError, match="not a partner code.*aspirations"):
        build_template(partner="nobody")


def test_write_templates_and_the_command(tmp_path):
    paths = write_templates(out_dir=tmp_path / "a")
    assert sorted(p.name for p in paths) == sorted(f"{p}_template.xlsx" for p in PARTNERS)
    res = subprocess.run(
        [sys.executable, "-m", "sample_data", "templates", "--out", str(tmp_path / "b")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted(p.name for p in paths)
