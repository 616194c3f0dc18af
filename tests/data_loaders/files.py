"""Building test files in code: workbooks, CSVs and hostile files (nothing binary is committed)."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date

import openpyxl

TODAY = date(2026, 11, 25)


def xlsx(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    """A workbook with one sheet per entry (rows of cell values), in order."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: Iterable[Sequence[object]], *, encoding: str = "utf-8", bom: bool = False) -> bytes:
    def cell(v: object) -> str:
        s = "" if v is None else str(v)
        return f'"{s}"' if any(ch in s for ch in ',;"\n') else s

    text = "\r\n".join(",".join(cell(v) for v in row) for row in rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def rezip(content: bytes, *, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None) -> bytes:
    """Copy a zip (workbook), adding or replacing members."""
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = (replace or {}).get(info.filename, src.read(info))
            dst.writestr(info.filename, data)
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def declare_size(content: bytes, member: str, size: int) -> bytes:
    """Rewrite a zip so that ``member`` declares ``size`` uncompressed bytes (local and central headers)."""
    buf = bytearray(content)
    name = member.encode()
    # Local file header: signature PK\3\4, uncompressed size at offset 22, name length 26, name at 30.
    pos = 0
    while (pos := buf.find(b"PK\x03\x04", pos)) >= 0:
        n = struct.unpack_from("<H", buf, pos + 26)[0]
        if bytes(buf[pos + 30 : pos + 30 + n]) == name:
            struct.pack_into("<I", buf, pos + 22, size)
        pos += 4
    # Central directory header: signature PK\1\2, uncompressed size at 24, name length 28, name at 46.
    pos = 0
    while (pos := buf.find(b"PK\x01\x02", pos)) >= 0:
        n = struct.unpack_from("<H", buf, pos + 28)[0]
        if bytes(buf[pos + 46 : pos + 46 + n]) == name:
            struct.pack_into("<I", buf, pos + 24, size)
        pos += 4
    return bytes(buf)


# --------------------------------------------------------------------------- a minimal OLE2 (CFB) writer

_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _dir_entry(name: str, kind: int, *, left=_NOSTREAM, right=_NOSTREAM, child=_NOSTREAM, start=_END, size=0) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    e = bytearray(128)
    e[0 : len(encoded)] = encoded
    struct.pack_into("<HBB", e, 64, len(encoded), kind, 1)
    struct.pack_into("<III", e, 68, left, right, child)
    struct.pack_into("<IQ", e, 116, start, size)
    return bytes(e)


def ole2(streams: dict[str, bytes]) -> bytes:
    """An OLE2 compound file (version 3) holding up to three root streams of at least 4096 bytes each.

    Large streams live in ordinary sectors, so no mini stream is needed. Enough for olefile to read and
    for the loader to recognise an encrypted workbook (``EncryptedPackage``) or a legacy .xls (``Workbook``).
    """
    names = list(streams)
    assert 1 <= len(names) <= 3 and all(len(v) >= 4096 for v in streams.values())
    sector = 512
    data_sectors: list[list[int]] = []
    nxt = 2  # sector 0: FAT, sector 1: directory
    for n in names:
        count = -(-len(streams[n]) // sector)
        data_sectors.append(list(range(nxt, nxt + count)))
        nxt += count
    assert nxt <= 128, "one FAT sector only"
    fat = [_FREE] * 128
    fat[0], fat[1] = _FATSECT, _END
    for chain in data_sectors:
        for a, b in zip(chain, chain[1:] + [_END], strict=True):
            fat[a] = b
    # Directory: root, then the streams as a right-leaning chain of siblings.
    entries = [_dir_entry("Root Entry", 5, child=1)]
    for i, n in enumerate(names):
        right = i + 2 if i + 1 < len(names) else _NOSTREAM
        entries.append(_dir_entry(n, 2, right=right, start=data_sectors[i][0], size=len(streams[n])))
    while len(entries) < 4:
        entries.append(_dir_entry("", 0))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, _END, 0, _END, 0)
    difat = [0] + [_FREE] * 108
    struct.pack_into("<109I", header, 76, *difat)
    body = bytearray()
    body += struct.pack("<128I", *fat)
    body += b"".join(entries)
    for n in names:
        blob = streams[n]
        body += blob + b"\0" * (-len(blob) % sector)
    return bytes(header) + bytes(body)


def encrypted_workbook() -> bytes:
    """What Excel writes for a password-protected .xlsx: an OLE2 file with EncryptionInfo + EncryptedPackage."""
    return ole2({"EncryptionInfo": b"\x04\x00\x04\x00" + b"\x00" * 4092, "EncryptedPackage": b"\x01" * 8192})


def legacy_xls() -> bytes:
    return ole2({"Workbook": b"\x09\x08" + b"\x00" * 5000})


# --------------------------------------------------------------------------- good returns, one per return

# Partner able to send each return (health contacts: the sexual health nurses' own rows).
SENDER = {
    "attendance": "aspirations",
    "outreach": "vineyard",
    "keywork_review": "aspirations",
    "treatment": "drug_alcohol",
    "health_contacts": "sexual_health",
    "safeguarding": "safeguarding",
    "police_monthly": "police",
    "training": "trauma_alliance",
    "supplies": "vineyard",
    "feedback": "aspirations",
}

# Header row and rows for April 2026, written the many ways partners write them.
GOOD: dict[str, tuple[list, list[list]]] = {
    "attendance": (
        ["Drop in date", "Client Ref", "Services"],
        [
            [date(2026, 4, 2), "p42", "Food; Hairdressing"],
            ["09/04/2026", " P042 ", "drug alcohol, DENTAL"],
            ["2026-04-16", "P0043", None],
            ["23 Apr 2026", "P7", "arts & crafts"],
        ],
    ),
    "outreach": (
        ["Date", "ref", "Type", "Condoms given", "Leaflet given"],
        [
            [date(2026, 4, 3), None, "Street", "Y", "no"],
            ["03/04/26", "P0042", "phone", "TRUE", None],
            ["3 Apr 2026", None, "STREET", 1, 0],
        ],
    ),
    "keywork_review": (
        ["Review date", "Person ID", "Accommodation", "Has children", "Child contact", "Working status"],
        [
            ["01/04/2026", "P0042", "Rough sleeping", "Y", "Supervised", "Active"],
            ["01/04/2026", "P0043", "hostel", "N", None, "reduced"],
            ["02/04/2026", "P0044", "Sofa surfing", None, "none", "stopped"],
        ],
    ),
    "treatment": (
        ["Snapshot date", "person_id", "In treatment", "Primary substance", "Rehab stage"],
        [
            ["30/04/2026", "P0042", "Yes", "Opiates and crack", "Not assessed"],
            ["30/04/2026", "P0043", "no", "alcohol", None],
        ],
    ),
    "health_contacts": (
        ["Contact date", "Person ID", "Service", "Activity", "Referral to"],
        [
            ["04/04/2026", "P0042", "Sexual health", "STI screen", "Cervical screening"],
            ["04/04/2026", "P0043", "sexual_health", "contraception", None],
        ],
    ),
    "safeguarding": (
        ["Meeting date", "person_id", "Risk level", "Care plan in place"],
        [
            ["08/04/2026", "P0042", "High", "Y"],
            ["08/04/2026", "P0043", "low", "N"],
        ],
    ),
    "police_monthly": (
        ["Month", "Violence reports", "Arrests soliciting", "Support referrals", "Kerb crawling actions"],
        [
            ["Apr 2026", 3, 1, 4, 2],
        ],
    ),
    "training": (
        ["Course date", "Agency", "Staff trained"],
        [
            ["15/04/2026", "Police", 12],
            ["22/04/2026", "probation", "8"],
        ],
    ),
    "supplies": (
        ["Date", "Item", "Quantity"],
        [
            ["05/04/2026", "Condoms", 200],
            ["05/04/2026", "leaflets", 0],
        ],
    ),
    "feedback": (
        ["Survey date", "Person ID", "Feel heard", "Feel safe", "Service helpful"],
        [
            ["09/04/2026", None, 5, 4, "3"],
            ["09/04/2026", "P0042", 1, None, 5],
        ],
    ),
}


def good_xlsx(name: str, *, title: bool = True, extra: dict | None = None) -> bytes:
    header, rows = GOOD[name]
    above = [["Southend partnership return"], [], ["Notes: anonymised"]] if title else []
    sheets = {name: [*above, header, *rows], "Guidance": [["Fill in one row per contact"]]}
    sheets.update(extra or {})
    return xlsx(sheets)


def shared_string_bomb(*, cells: int = 35_000, text_chars: int = 32_767) -> bytes:
    """A small workbook whose every cell shows one long shared string: opened, it is gigabytes of text."""
    columns = [bytes([c]) for c in b"ABCDEFGHIJ"]
    ref = b"".join(
        b'<row r="%d">' % r + b"".join(b'<c r="%s%d" t="s"><v>0</v></c>' % (col, r) for col in columns) + b"</row>"
        for r in range(1, cells // 10 + 1)
    )
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>' + ref + b"</sheetData></worksheet>"
    )
    text = b"x" * text_chars
    sst = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main" count="%d" uniqueCount="1"><si><t>' % cells + text + b"</t></si></sst>"
    )
    base = xlsx({"attendance": [["session_date", "person_id"]]})
    return rezip(base, replace={"xl/worksheets/sheet1.xml": sheet}, add={"xl/sharedStrings.xml": sst})


def far_cell() -> bytes:
    """Two cells, A1 and XFD1048576: the reader would build a rectangle of 17 billion cells."""
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        b"</sheetData></worksheet>"
    )
    return rezip(xlsx({"attendance": [["x"]]}), replace={"xl/worksheets/sheet1.xml": sheet})
