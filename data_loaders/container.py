"""What kind of file this is, and whether it is safe to open: checked before any parsing.

Refusals here are whole-file: the format is not accepted, the workbook holds
macros or a password, the file is damaged, too big, or built to exhaust the
reader (a zip that would expand to gigabytes, XML with entity declarations).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from core import settings
from data_loaders import bounds

ACCEPTED = "We accept Excel workbooks saved as .xlsx and CSV files (.csv)."
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam")
OTHER_SPREADSHEETS = (".xls", ".ods", ".xlsb", ".numbers", ".xlt", ".xltx", ".ots", ".fods")
MAX_MEMBERS = 5_000
# A member declared larger than this must not be compressed more than MAX_RATIO to one:
# real sheets compress perhaps 5-30:1; zip bombs aim for 1000:1.
RATIO_FLOOR_BYTES = 4 * 1024 * 1024
MAX_RATIO = 200
_CHUNK = 1 << 20
# Every part is scanned as XML except pictures and embedded binaries (a sheet part may be given any name).
_BINARY_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".bin", ".svg")
_FORBIDDEN_XML = tuple(
    word.encode(enc) for word in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le", "utf-16-be")
)
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf", b"MZ")


class Refused(Exception):
    """The whole file is refused; ``message`` is for the partner."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Sniffed:
    kind: str  # "xlsx" | "csv"


def extension(file_name: str) -> str:
    name = file_name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return ("." + name.rsplit(".", 1)[-1]).casefold() if "." in name else ""


def check_size(size: int) -> None:
    limit = int(settings.get("OUTCOMES_MAX_UPLOAD_MB"))
    if size > limit * 1024 * 1024:
        raise Refused(
            f"This file is {size / 1024 / 1024:.1f} MB; the largest file we accept is {limit} MB. "
            "Split it into smaller files (for example one per month)."
        )
    if size == 0:
        raise Refused("This file is empty.")


def sniff(content: bytes, file_name: str) -> Sniffed:
    """Decide the file's kind from its bytes (and name), refusing what we do not accept."""
    check_size(len(content))
    ext = extension(file_name)
    head = content[:8]
    if head.startswith(ZIP_MAGIC):
        if ext in MACRO_EXTENSIONS:
            raise Refused(
                f"This is a macro-enabled workbook ({ext}). We do not accept workbooks with macros. "
                "Save it as an Excel Workbook (.xlsx) without macros and send that."
            )
        check_zip(content)
        return Sniffed("xlsx")
    if head.startswith(OLE2_MAGIC):
        raise Refused(_ole2_message(content, ext))
    if ext in MACRO_EXTENSIONS:
        raise Refused(
            f"This is a macro-enabled workbook ({ext}). We do not accept workbooks with macros. "
            "Save it as an Excel Workbook (.xlsx) without macros and send that."
        )
    if ext in OTHER_SPREADSHEETS:
        raise Refused(f"We cannot read {ext} files. {ACCEPTED} In Excel, use File > Save As > Excel Workbook.")
    if ext == ".xlsx":
        raise Refused(
            "This file is named .xlsx but is not an Excel workbook (it may be damaged, or another kind "
            f"of file renamed). {ACCEPTED}"
        )
    if ext == ".csv":
        if content.startswith(_BINARY_MAGIC) or b"\x00" in content[:65536] and not _utf16_bom(content):
            raise Refused(f"This file is named .csv but is not a spreadsheet. {ACCEPTED}")
        return Sniffed("csv")
    shown = ext or "without an extension"
    raise Refused(f"We cannot read files {'of type ' + ext if ext else shown}. {ACCEPTED}")


def _xml_start(chunk: bytes) -> bool:
    """Whether a part named as a picture begins as XML does (a sheet part may be given any name)."""
    head = chunk[:64].lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00")  # a byte-order mark, space, UTF-16 zeros
    return head.startswith(b"<")


def _utf16_bom(content: bytes) -> bool:
    return content.startswith((b"\xff\xfe", b"\xfe\xff"))


def _ole2_message(content: bytes, ext: str) -> str:
    streams = _ole2_streams(content)
    if "encryptedpackage" in streams or (not streams and "EncryptedPackage".encode("utf-16-le") in content):
        return (
            "This workbook is password-protected, so we cannot read it. Remove the password "
            "(in Excel: File > Info > Protect Workbook > Encrypt with Password, clear it), save as .xlsx "
            "and send it again."
        )
    if streams & {"workbook", "book"} or ext in (".xls", ".xlt"):
        return (
            f"This is an old-style Excel 97-2003 workbook (.xls). {ACCEPTED} "
            "In Excel, use File > Save As > Excel Workbook (.xlsx)."
        )
    return f"This file is not a spreadsheet we can read. {ACCEPTED}"


def _ole2_streams(content: bytes) -> set[str]:
    """Names (folded) of the streams in an OLE2 compound file; empty when it cannot be read."""
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(content)) as ole:
            return {"/".join(path).casefold() for path in ole.listdir(streams=True, storages=False)}
    except Exception:  # noqa: BLE001 - an unreadable OLE2 file is simply "not readable"
        return set()


def check_zip(content: bytes) -> None:
    """Refuse zip containers that are not plain .xlsx workbooks, or that are built to exhaust us."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise Refused(
            "This file is damaged or incomplete (perhaps it was cut short while copying or "
            "uploading), so we cannot read it. Open it in Excel, save it again and resend."
        ) from None
    with zf:
        names = {i.filename.casefold() for i in infos}
        if any(n.rsplit("/", 1)[-1].startswith("vbaproject") for n in names):
            raise Refused(
                "This workbook contains macros (a VBA project). We do not accept workbooks with macros. "
                "Save it as an Excel Workbook (.xlsx) without macros and send that."
            )
        if "mimetype" in names and "content.xml" in names:
            raise Refused(f"This looks like an OpenDocument spreadsheet (.ods). {ACCEPTED}")
        if "xl/workbook.bin" in names:
            raise Refused(f"This is an Excel binary workbook (.xlsb). {ACCEPTED}")
        if "xl/workbook.xml" not in names:
            raise Refused(f"This file is not an Excel workbook. {ACCEPTED}")
        if len(infos) > MAX_MEMBERS:
            raise Refused(
                "This workbook has an unusual internal structure (too many parts), so we will not open it. "
                "Copy the data into a new workbook and send that."
            )
        limit_mb = int(settings.get("OUTCOMES_MAX_EXPANDED_MB"))
        total = sum(i.file_size for i in infos)
        if total > limit_mb * 1024 * 1024:
            raise Refused(
                f"This workbook would expand to {total / 1024 / 1024:,.0f} MB when opened; the most we open "
                f"is {limit_mb} MB. It may be damaged or deliberately built to be too large. "
                "Copy the data into a new workbook and send that."
            )
        for i in infos:
            if i.flag_bits & 0x1:
                raise Refused(
                    "This workbook is password-protected, so we cannot read it. Remove the password, "
                    "save as .xlsx and send it again."
                )
            if i.file_size > RATIO_FLOOR_BYTES and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise Refused(
                    "This workbook is compressed to an unusual degree (a part would expand "
                    f"{i.file_size / max(i.compress_size, 1):,.0f} times), the mark of a file built to "
                    "exhaust the reader. We will not open it. Copy the data into a new workbook and send that."
                )
        measure = bounds.Measure()
        try:
            for i in infos:
                if not i.is_dir():
                    _scan_xml_member(zf, i, measure)
            measure.finish(lambda name: _chunks(zf, name))
        except bounds.TooLarge as exc:
            raise Refused(exc.message) from None


def _chunks(zf: zipfile.ZipFile, name: str):
    with zf.open(name) as f:
        while chunk := f.read(_CHUNK):
            yield chunk


def _scan_xml_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, measure: bounds.Measure) -> None:
    """Stream one XML part (bounded by its declared size) looking for DTD or entity declarations, and count
    what it would expand to (``data_loaders.bounds``). A picture is passed over, unless it is XML inside."""
    keep = max(len(p) for p in _FORBIDDEN_XML) - 1
    tail = b""
    read = 0
    xml = True
    try:
        with zf.open(info) as f:
            while chunk := f.read(_CHUNK):
                if not read and info.filename.casefold().endswith(_BINARY_SUFFIXES) and not _xml_start(chunk):
                    xml = False  # a picture: not counted, unless it hides a sheet's cells after its first bytes
                if not xml:
                    if b"sheetData" in tail + chunk:
                        raise Refused(bounds.DAMAGED)
                    tail = chunk[-16:]
                    read += len(chunk)
                    continue
                read += len(chunk)
                if read > info.file_size:  # zipfile already stops at the declared size; belt and braces
                    raise zipfile.BadZipFile("member longer than declared")
                window = tail + chunk
                if (b"<!" in window or b"<\x00!" in window) and any(p in window for p in _FORBIDDEN_XML):
                    raise Refused(
                        "This workbook contains XML with a document type or entity declaration, which "
                        "Excel never writes and which can be used to attack the reader. We will not open "
                        "it. Copy the data into a new workbook and send that."
                    )
                tail = window[-keep:]
                measure.feed(info.filename, chunk, read=read, final=False)
            if xml:
                measure.feed(info.filename, b"", read=read, final=True)
    except (Refused, bounds.TooLarge):
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
        raise Refused(
            "This file is damaged or incomplete (perhaps it was cut short while copying or "
            "uploading), so we cannot read it. Open it in Excel, save it again and resend."
        ) from None
