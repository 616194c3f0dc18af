"""What a workbook would become, counted before anything is expanded: refused past the limits, in bounded
memory (the hostile files run in a child process under an address-space cap)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_loaders import bounds
from data_loaders.container import Refused, sniff
from tests.data_loaders.files import far_cell, good_xlsx, rezip, shared_string_bomb, xlsx

ROOT = Path(__file__).resolve().parents[2]
# The loader itself needs about 400 MB of address space; the hostile file took it past 4 GB before it was
# bounded (and under this cap the process aborted in the workbook reader).
CAP_BYTES = 1000 * 1024 * 1024
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES))


def _child(args: list[str], **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        preexec_fn=_capped,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )


def _refusal(content: bytes) -> str:
    with pytest.raises(Refused) as exc:
        sniff(content, "return.xlsx")
    return exc.value.message


def _sheet(cells: bytes, *, prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns{":" + prefix if prefix else ""}="{_MAIN}"'
    return f"<{p}worksheet {ns}><{p}sheetData>".encode() + cells + f"</{p}sheetData></{p}worksheet>".encode()


def _with_sheet(sheet: bytes) -> bytes:
    return rezip(xlsx({"attendance": [["x"]]}), replace={"xl/worksheets/sheet1.xml": sheet})


def test_the_hostile_file_is_small():
    assert 70_000 <= len(shared_string_bomb()) <= 80_000


def test_shared_string_file_is_refused_by_the_check_under_a_memory_cap(tmp_path):
    path = tmp_path / "attendance_2026-10.xlsx"
    path.write_bytes(shared_string_bomb())
    code = (
        "import json, pathlib, sys; from data_loaders.checking import validate_file\n"
        f"p = pathlib.Path({str(path)!r})\n"
        "v = validate_file(content=p.read_bytes(), file_name=p.name, partner='aspirations')\n"
        "print(json.dumps(v.errors))\n"
    )
    res = _child(["-c", code])
    assert res.returncode == 0, res.stderr[-2000:]
    errors = json.loads(res.stdout)
    assert len(errors) == 1 and "characters when opened" in errors[0]["message"]
    assert "Traceback" not in res.stderr


def test_shared_string_file_is_refused_by_the_ingest_command_under_a_memory_cap(tmp_path):
    path = tmp_path / "attendance_2026-10.xlsx"
    path.write_bytes(shared_string_bomb())
    db = tmp_path / "out.db"
    res = _child(
        [
            "-m",
            "data_loaders",
            "ingest",
            str(path),
            "--partner",
            "aspirations",
            "--db",
            f"sqlite:///{db}",
            "--json",
            "--workers",
            "1",
        ]
    )
    assert res.returncode == 1, res.stderr[-2000:]
    report = json.loads(res.stdout)
    assert report["status"] == "rejected"
    assert "characters when opened" in report["errors"][0]["message"]
    assert "Traceback" not in res.stderr
    with sa.create_engine(f"sqlite:///{db}").connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM refusals")).scalar() == 1


def test_a_cell_far_from_a1_is_refused_before_the_reader_builds_its_rectangle():
    assert "row 1,048,576 and column XFD" in _refusal(far_cell())


def test_far_cell_refused_by_the_command_under_a_memory_cap(tmp_path):
    path = tmp_path / "attendance_2026-10.xlsx"
    path.write_bytes(far_cell())
    res = _child(
        [
            "-m",
            "data_loaders",
            "ingest",
            str(path),
            "--partner",
            "aspirations",
            "--db",
            f"sqlite:///{tmp_path / 'out.db'}",
            "--dry-run",
            "--workers",
            "1",
        ]
    )
    assert res.returncode == 1 and "would be refused" in res.stdout and "column XFD" in res.stdout, res.stderr[-2000:]


def test_cells_per_sheet(monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_SHEET_CELLS", "10")
    cells = b'<row r="1">' + b"".join(b'<c r="%s1"><v>1</v></c>' % bytes([c]) for c in b"ABCDEFGHIJK") + b"</row>"
    assert "more than 10 cells" in _refusal(_with_sheet(_sheet(cells)))


def test_cells_without_references_or_with_prefixes_are_counted_exactly(monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_SHEET_CELLS", "10")
    unreferenced = b"<row>" + b"<c><v>1</v></c>" * 11 + b"</row>"
    assert "more than 10 cells" in _refusal(_with_sheet(_sheet(unreferenced)))
    prefixed = b"<x:row>" + b"<x:c><x:v>1</x:v></x:c>" * 11 + b"</x:row>"
    assert "more than 10 cells" in _refusal(_with_sheet(_sheet(prefixed, prefix="x")))
    # Positions implied by order span the rectangle too: row 1 then 9 rows without a reference, ten wide.
    rows = b'<row r="1"><c r="J1"><v>1</v></c></row>' + b"<row><c><v>1</v></c></row>" * 2
    monkeypatch.setenv("OUTCOMES_MAX_SHEET_CELLS", "25")
    assert "row 3 and column J" in _refusal(_with_sheet(_sheet(rows)))


def test_total_cells(monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_FILE_CELLS", "5")
    content = xlsx({"a": [[1, 2, 3]], "b": [[1, 2, 3]]})
    assert "6 cells in all" in _refusal(content)


def test_sheets(monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_SHEETS", "3")
    assert "4 sheets" in _refusal(xlsx({f"s{i}": [[1]] for i in range(4)}))


def test_shared_strings_count_and_length(monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_SHARED_STRINGS", "100")
    sst = f'<sst xmlns="{_MAIN}">'.encode() + b"<si><t>a</t></si>" * 101 + b"</sst>"
    content = rezip(xlsx({"attendance": [["x"]]}), add={"xl/sharedStrings.xml": sst})
    assert "more than 100 different pieces of text" in _refusal(content)
    monkeypatch.delenv("OUTCOMES_MAX_SHARED_STRINGS")
    long = shared_string_bomb(cells=10, text_chars=40_000)
    assert "more than 32,767 characters" in _refusal(long)


def test_text_limit_counts_each_cell_showing_a_shared_string(monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_TEXT_CHARS", "999")
    assert "1,000 characters when opened" in _refusal(shared_string_bomb(cells=100, text_chars=10))
    monkeypatch.setenv("OUTCOMES_MAX_TEXT_CHARS", "1000")
    assert sniff(shared_string_bomb(cells=100, text_chars=10), "a.xlsx").kind == "xlsx"


def test_part_size(monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_PART_MB", "1")
    cells = b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"x" * (1024 * 1024 + 1) + b"</t></is></c></row>"
    assert "more than 1 MB" in _refusal(_with_sheet(_sheet(cells)))


def test_a_sheet_named_as_a_picture_is_still_counted(monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_SHEET_CELLS", "10")
    cells = b"<row>" + b"<c><v>1</v></c>" * 11 + b"</row>"
    content = rezip(xlsx({"attendance": [["x"]]}), add={"xl/media/image1.png": _sheet(cells)})
    assert "more than 10 cells" in _refusal(content)


def test_malformed_xml_is_refused_as_damaged():
    content = rezip(xlsx({"attendance": [["x"]]}), add={"xl/extra.xml": b"<a><b></a>"})
    assert "damaged" in _refusal(content)


def test_the_fast_count_agrees_with_the_exact_one():
    content = good_xlsx("attendance")
    import io
    import zipfile

    zf = zipfile.ZipFile(io.BytesIO(content))
    for name in zf.namelist():
        if "worksheets/" not in name:
            continue
        data = zf.read(name)
        fast, exact = bounds._Counts(), bounds._Counts()
        limits = bounds.Limits.from_settings()
        f = bounds._Fast(fast, limits)
        for i in range(0, len(data), 97):  # small chunks: tags are cut between them
            f.feed(data[i : i + 97])
        f.feed(b"", True)
        e = bounds._Exact(exact, limits)
        e.feed(data, True)
        assert not f.failed
        assert fast.cells == exact.cells > 0
        assert fast.max_row >= exact.max_row and fast.max_col >= exact.max_col


def test_a_picture_hiding_cells_after_its_first_bytes_is_refused():
    hidden = b"\x89PNG\r\n\x1a\n" + _sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>')
    content = rezip(xlsx({"attendance": [["x"]]}), add={"xl/media/image1.png": hidden})
    assert "damaged" in _refusal(content)


def test_a_part_with_text_before_its_xml_is_still_counted(monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_SHEET_CELLS", "10")
    cells = b'<row r="1">' + b"".join(b'<c r="%s1"><v>1</v></c>' % bytes([c]) for c in b"ABCDEFGHIJK") + b"</row>"
    content = rezip(xlsx({"attendance": [["x"]]}), add={"xl/worksheets/sheet9.xml": b"junk" + _sheet(cells)})
    assert "more than 10 cells" in _refusal(content)


def test_the_shared_text_itself_is_bounded(monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_TEXT_CHARS", "50")
    assert "shared text of this workbook comes to more than 50" in _refusal(shared_string_bomb(cells=1, text_chars=60))
