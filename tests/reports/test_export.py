"""Exports from a database: file names, public figures only from the public calls, the audit log."""

from __future__ import annotations

import csv
import io
import zipfile

import docx
import pytest
import sqlalchemy as sa

from core.periods import Period, month, quarter
from metrics.catalogue import CATALOGUE
from reports.data import gather
from reports.export import export, file_name
from storage import schema
from tests.reports.conftest import require_chromium
from tests.reports.scan import csv_counts, docx_counts, small, xlsx_counts

Q1 = quarter(2026, 1)


def _audit(engine) -> list[dict]:
    with engine.connect() as c:
        return [dict(r) for r in c.execute(sa.select(schema.audit_log)).mappings()]


def test_file_names_carry_period_and_version():
    assert file_name(kind="pack", period=Q1, public=True) == "meeting-pack_2026-27-Q1_PUBLIC.docx"
    assert (
        file_name(kind="workbook", period=month(2026, 5), public=False) == "indicators-workbook_2026-05_RESTRICTED.xlsx"
    )
    assert (
        file_name(kind="csv", period=Period(Q1.start, Q1.start.replace(day=20)), public=True)
        == "indicators_2026-04-01_to_2026-04-20_PUBLIC.csv"
    )


def test_an_export_is_recorded_in_the_audit_log(populated):
    out = export(engine=populated, kind="csv", period=Q1, public=True, username="chair1", role="chair", via="page")
    rows = [r for r in _audit(populated) if r["action"] == "export"]
    assert len(rows) == 1
    r = rows[0]
    assert (r["username"], r["role"]) == ("chair1", "chair")
    assert r["detail"]["kind"] == "csv" and r["detail"]["version"] == "public"
    assert r["detail"]["file"] == out.file_name
    assert r["detail"]["period_start"] == "2026-04-01" and r["detail"]["period_end"] == "2026-06-30"
    assert r["at"] is not None


def test_public_exports_from_the_database_hold_no_small_count(populated):
    restricted = gather(engine=populated, period=Q1, public=False)
    public = gather(engine=populated, period=Q1, public=True)
    assert public.indicators.public and public.public_indicators is public.indicators
    from reports.workbook import build_csv, build_workbook

    assert small(xlsx_counts(build_workbook(data=restricted))), "the database must hold small counts"
    assert small(xlsx_counts(build_workbook(data=public))) == []
    assert small(csv_counts(build_csv(data=public))) == []
    # The exact anonymous-contact months (2 or 3 a month) are gone from the public trend.
    eng05 = public.trend[public.trend["id"] == "ENG-05"]
    assert eng05["value"].isna().all() and eng05["suppressed"].all()


@pytest.fixture
def sqlite_populated(tmp_path):
    """SQLite only: the slow Chromium test need not run once per backend."""
    from storage.db import ensure_schema, get_engine
    from tests.reports.db import populate

    eng = ensure_schema(f"sqlite:///{tmp_path / 'charts.db'}")
    populate(eng)
    yield eng
    eng.dispose()
    get_engine.cache_clear()


@pytest.mark.browser
@pytest.mark.slow
def test_public_pack_from_the_database_holds_every_chart(sqlite_populated):
    require_chromium()
    from reports.figures import indicator_charts

    pack = export(engine=sqlite_populated, kind="pack", period=Q1, public=True, username="author1", role="author")
    assert pack.file_name == "meeting-pack_2026-27-Q1_PUBLIC.docx"
    d = docx.Document(io.BytesIO(pack.content))
    charts = indicator_charts(gather(engine=sqlite_populated, period=Q1, public=True))
    # Every indicator has its chart, or says why not (only four returns are in this database).
    assert len(d.inline_shapes) == len(charts.figures) >= 4
    assert set(charts.figures) | set(charts.why_none) == {i.id for i in CATALOGUE}
    text = "\n".join(p.text for p in d.paragraphs)
    assert all(why in text for why in charts.why_none.values())
    assert small(docx_counts(pack.content)) == []
    assert [r["detail"]["kind"] for r in _audit(sqlite_populated) if r["action"] == "export"] == ["pack"]


def test_charts_zip_holds_one_png_per_indicator(restricted_data):
    from reports.export import build_charts_zip
    from tests.reports.conftest import tiny_png

    content = build_charts_zip(data=restricted_data, images={i.id: tiny_png() for i in CATALOGUE})
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        names = z.namelist()
        assert sorted(names) == sorted(f"{i.id}_2026-27-Q1_RESTRICTED.png" for i in CATALOGUE)
        assert z.read(names[0]).startswith(b"\x89PNG")


def test_wording_numbers_match_the_figures_computed_from_the_database(populated):
    from metrics.catalogue import by_id
    from reports.wording import draft
    from tests.reports.test_wording import allowed_figures, numbers_in

    data = gather(engine=populated, period=Q1, public=False)
    quoted = 0
    for r in data.public_indicators.results:
        prev = data.figure("previous", r.id, public=True)
        d = draft(result=r, indicator=by_id(r.id), period=Q1, threshold=data.threshold, previous=prev)
        allowed = allowed_figures(r, prev)
        for n in numbers_in(" ".join(d.sentences + d.caveats), name=r.name):
            assert n in allowed, f"{r.id}: {n} not among {sorted(allowed)}: {d.text}"
            quoted += 1
    assert quoted >= 10
    # The exact anonymous contacts are 2 or 3 a month: the quarter (8) is shown, but no month.
    assert data.indicators.by_id("ENG-05").value == 8


def test_an_empty_database_still_exports_saying_nothing_was_reported(engine):
    from reports.pack import build_pack
    from reports.workbook import build_csv

    data = gather(engine=engine, period=Q1, public=True)
    assert data.data_as_at is None and data.trend.empty
    d = docx.Document(io.BytesIO(build_pack(data=data, images={})))
    text = "\n".join(p.text for p in d.paragraphs)
    cover = "\n".join(c.text for c in d.tables[0].columns[1].cells)
    assert "no data has been loaded" in cover
    assert text.count("it has not been reported") == len(CATALOGUE)
    rows = list(csv.DictReader(io.StringIO(build_csv(data=data).decode("utf-8-sig"))))
    period_rows = [r for r in rows if r["period type"] == "reporting period"]
    assert [r["status"] for r in period_rows] == ["not reported"] * len(CATALOGUE)


def _meeting(engine):
    """A meeting on Q1 with an action, a decision, restricted commentary and commentary marked for publication."""
    from datetime import date, datetime

    from metrics import meetings as loop
    from storage.users import User

    chair, author = User("chair", "chair", None, True), User("author", "author", None, True)
    m = loop.create_meeting(engine, chair, held_on=date(2026, 7, 20), period=Q1, at=datetime(2026, 7, 20, 9))
    loop.raise_action(
        engine,
        chair,
        meeting_id=m,
        indicator_ids=["ENG-01"],
        owner_partner="aspirations",
        due_on=date(2026, 8, 17),
        at=datetime(2026, 7, 20, 10),
        text="Find a second room for the drop-in.",
    )
    loop.record_decision(
        engine,
        chair,
        meeting_id=m,
        indicator_ids=["ENG-01"],
        at=datetime(2026, 7, 20, 10),
        text="Keep the drop-in open through the summer.",
    )
    loop.add_commentary(
        engine,
        chair,
        indicator_id="ENG-01",
        period=Q1,
        at=datetime(2026, 7, 20, 11),
        text="Only for the group: the hall closes in August.",
    )
    c = loop.add_commentary(
        engine,
        chair,
        indicator_id="ENG-05",
        period=Q1,
        at=datetime(2026, 7, 20, 11),
        text="Outreach met more women on the street this quarter.",
    )
    loop.mark_public(engine, author, commentary_id=c)


def test_the_pack_lists_the_meeting_loop_s_items_and_a_public_one_no_restricted_text(populated):
    from reports.export import items_for_pack

    _meeting(populated)
    restricted = {(i.kind, i.text) for i in items_for_pack(populated, period=Q1, public=False)}
    public = {(i.kind, i.text) for i in items_for_pack(populated, period=Q1, public=True)}
    assert ("action", "Find a second room for the drop-in.") in restricted & public
    assert ("decision", "Keep the drop-in open through the summer.") in restricted & public
    assert ("commentary", "Outreach met more women on the street this quarter.") in public
    assert ("commentary", "Only for the group: the hall closes in August.") in restricted - public


def test_an_exported_pack_carries_the_items(sqlite_populated):
    require_chromium()
    _meeting(sqlite_populated)
    pack = export(engine=sqlite_populated, kind="pack", period=Q1, public=True, username="author1", role="author")
    cells = {c.text for t in docx.Document(io.BytesIO(pack.content)).tables for row in t.rows for c in row.cells}
    assert "Find a second room for the drop-in." in cells
    assert "Outreach met more women on the street this quarter." in cells
    assert "Only for the group: the hall closes in August." not in cells


@pytest.mark.parametrize("public", [False, True])
def test_the_pack_gives_each_indicator_its_trend_marker_in_words(sqlite_populated, public):
    """Fingertips' marker over the last five quarters, from the version's own series (issue 24)."""
    from reports.pack import build_pack, trend_line

    data = gather(engine=sqlite_populated, period=Q1, public=public)
    quarterly = data.markers[data.markers["freq"] == "quarter"].set_index("id")
    assert len(quarterly) == len(CATALOGUE)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(build_pack(data=data, images={}))).paragraphs)
    for ind in CATALOGUE:
        line = trend_line(data, ind.id)
        assert line == f"{quarterly.loc[ind.id, 'words']} (last five quarters)."
        assert f"Trend: {line}" in text
    if public:  # only four quarters of data: nothing can be calculated, and the pack says why
        assert all(w.startswith("Cannot be calculated") for w in quarterly["words"])


def test_a_monthly_pack_judges_the_last_five_months(sqlite_populated):
    from reports.pack import trend_line

    data = gather(engine=sqlite_populated, period=month(2026, 6), public=False)
    lines = [trend_line(data, i.id) for i in CATALOGUE]
    assert all(line.endswith("(last five months).") for line in lines)
    assert any(not line.startswith("Cannot be calculated") for line in lines)  # February to June are held
