"""The packs and workbooks in a real client: LibreOffice opens each one and prints it to PDF, which poppler reads.

Checks what a reader sees: A4, a page count within bounds, every table's words whole (no "accommoda/ted"),
the marking on every page, and that the file converts at all (a file LibreOffice must repair or cannot read
gives no PDF). Skipped loudly where LibreOffice or poppler-utils is missing; CI sets
OUTCOMES_REQUIRE_LIBREOFFICE=1, which makes that a failure.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from metrics.catalogue import CATALOGUE
from reports.pack import PERFORMANCE_COLUMNS, build_pack
from reports.workbook import build_workbook
from tests.needs import need
from tests.reports.conftest import chart_png

pytestmark = pytest.mark.libreoffice
TOOLS = ("soffice", "pdfinfo", "pdftotext")
A4_POINTS = (595.3, 841.9)
PACK_PAGES = (8, 40)  # a pack of 27 indicators, each with its wording, chart and table


def require_libreoffice() -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    need(
        not missing,
        f"LIBREOFFICE MISSING ({', '.join(missing)}): packs and workbooks NOT OPENED IN A REAL CLIENT. "
        "Install them: apt-get install libreoffice-writer libreoffice-calc poppler-utils.",
        flag="OUTCOMES_REQUIRE_LIBREOFFICE",
    )


def to_pdf(path: Path) -> Path:
    """``path`` printed to PDF by LibreOffice, with a profile of its own (so parallel runs do not collide)."""
    profile = path.parent / "lo-profile"
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(path.parent),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = path.with_suffix(".pdf")
    assert done.returncode == 0 and pdf.exists(), f"LibreOffice could not open {path.name}: {done.stderr[-500:]}"
    return pdf


def pdf_info(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def _size(info: dict[str, str]) -> tuple[float, float]:
    w, h = re.match(r"([\d.]+) x ([\d.]+)", info["Page size"]).groups()
    return float(w), float(h)


@pytest.mark.parametrize("public", [False, True], ids=["restricted", "public"])
def test_the_pack_prints_on_a4_with_whole_words_and_the_marking_on_every_page(
    public, restricted_data, public_data, tmp_path
):
    require_libreoffice()
    data = public_data if public else restricted_data
    path = tmp_path / "pack.docx"
    path.write_bytes(build_pack(data=data, images={i.id: chart_png() for i in CATALOGUE}))
    pdf = to_pdf(path)
    info = pdf_info(pdf)
    w, h = _size(info)
    assert abs(w - A4_POINTS[0]) < 1 and abs(h - A4_POINTS[1]) < 1, info["Page size"]
    pages = int(info["Pages"])
    assert PACK_PAGES[0] <= pages <= PACK_PAGES[1], f"{pages} pages"
    texts = page_texts(pdf)
    assert len(texts) == pages
    marking = "OFFICIAL" if public else "OFFICIAL-SENSITIVE"
    assert all(marking in t and "DRAFT" in t for t in texts), "a page without its marking"
    assert all(re.search(rf"Page {k} of {pages}\b", t) for k, t in enumerate(texts, start=1)), "page numbers"
    words = " ".join(" ".join(texts).split())
    # Every table's words are whole: each indicator's name and each heading of the performance table.
    for name in [i.name for i in CATALOGUE] + [h for h, _ in PERFORMANCE_COLUMNS if " " not in h]:
        for word in re.findall(r"[A-Za-z]{6,}", name):
            assert re.search(rf"\b{word}\b", words), f"'{word}' ({name}) is broken across lines"


def test_the_workbook_opens_and_prints_every_sheet_marked(public_data, tmp_path):
    require_libreoffice()
    path = tmp_path / "book.xlsx"
    path.write_bytes(build_workbook(data=public_data))
    pdf = to_pdf(path)
    info = pdf_info(pdf)
    w, h = _size(info)
    assert {round(w), round(h)} == {round(A4_POINTS[0]), round(A4_POINTS[1])}, info["Page size"]
    texts = page_texts(pdf)
    assert 4 <= len(texts) <= 60, f"{len(texts)} pages"
    assert all("OFFICIAL" in t for t in texts), "a printed page without its marking"
    assert "Women engaged" in " ".join(texts) and "reporting period" in " ".join(texts)
