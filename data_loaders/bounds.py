"""What a workbook would become when opened, counted from its XML before anything is expanded.

A small file can stand for a huge one: cells that all show one long shared string, one cell at
XFD1048576 (the reader builds the whole rectangle from A1 and aborts the process), thousands of sheets.
``data_loaders.container`` streams every part in chunks (looking for entity declarations) and hands each
chunk here: sheets, cells per sheet and in all, the rectangle each sheet spans, shared strings (how many,
how long each), and the text all cells expand to (a shared string once for every cell that shows it) are
counted, and the file is refused past a limit (settings: ``docs/settings.md``), in bounded memory and time.

A worksheet as spreadsheet programs write it (UTF-8, no namespace prefixes, every cell's reference as its
first attribute) is counted by a few regular-expression passes over whole tags; any other part, and a
worksheet not in that form or whose shared-string cells could together pass the text limit, is parsed
exactly by expat (fed the same chunks, or the part again).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from xml.parsers import expat

import numpy as np

from core import settings

_ROOT = re.compile(rb"<([A-Za-z_][^\s<>/!?]*)")
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})$")
_LONGEST_TAG = 1 << 20
_NS = " "  # expat's separator between a namespace and a local name
DAMAGED = (
    "This file is damaged or incomplete (perhaps it was cut short while copying or uploading), so we "
    "cannot read it. Open it in Excel, save it again and resend."
)
SPLIT = "Delete unused rows, columns and sheets, or split the data across files (for example one per month)."


class TooLarge(Exception):
    """The workbook would pass a limit; ``message`` says which, for the partner."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    sheets: int
    sheet_cells: int
    file_cells: int
    shared_strings: int
    cell_chars: int
    text_chars: int
    part_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            sheets=settings.get("OUTCOMES_MAX_SHEETS"),
            sheet_cells=settings.get("OUTCOMES_MAX_SHEET_CELLS"),
            file_cells=settings.get("OUTCOMES_MAX_FILE_CELLS"),
            shared_strings=settings.get("OUTCOMES_MAX_SHARED_STRINGS"),
            cell_chars=settings.get("OUTCOMES_MAX_CELL_CHARS"),
            text_chars=settings.get("OUTCOMES_MAX_TEXT_CHARS"),
            part_bytes=settings.get("OUTCOMES_MAX_PART_MB") * 1024 * 1024,
        )


def column_number(letters: str) -> int:
    """A -> 1, Z -> 26, AA -> 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class _Counts:
    """One part's counts (a worksheet's cells and rectangle; the workbook's sheets; the shared strings)."""

    cells: int = 0
    max_row: int = 0
    max_col: int = 0
    sheets: int = 0
    string_cells: array = field(default_factory=lambda: array("L"))  # shared-string index of each such cell
    inline_chars: int = 0
    strings: array = field(default_factory=lambda: array("L"))  # characters of each shared string
    exact: bool = False


class _Exact:
    """Any part, parsed by expat: cells under rows (position given or implied), sheets, shared strings."""

    def __init__(self, counts: _Counts, limits: Limits):
        self.n, self.limits = counts, limits
        counts.exact = True
        self.stack: list[str] = []
        self.row = self.col = 0
        self.shared = self.in_v = self.in_si = False
        self.v = ""
        self.chars = 0  # characters of the shared string or inline cell being read
        self.p = expat.ParserCreate(namespace_separator=_NS)
        self.p.buffer_text = True
        self.p.StartElementHandler = self._start
        self.p.EndElementHandler = self._end
        self.p.CharacterDataHandler = self._text

    def feed(self, chunk: bytes, final: bool = False) -> None:
        self.p.Parse(chunk, final)

    def _start(self, name: str, attrs: dict) -> None:
        local = name.rpartition(_NS)[2]
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(local)
        n = self.n
        if local == "row":
            r = attrs.get("r")
            self.row = int(r) if r and r.isdigit() else self.row + 1
            self.col = 0
        elif local == "c" and parent == "row":
            n.cells += 1
            if n.cells > self.limits.sheet_cells:
                raise TooLarge(sheet_cells_message(self.limits))
            m = _REF.match(attrs.get("r") or "")
            if m:
                self.col = column_number(m.group(1))
                n.max_row = max(n.max_row, int(m.group(2)))
            else:
                self.col += 1
                n.max_row = max(n.max_row, self.row or 1)
            n.max_col = max(n.max_col, self.col)
            self.shared = attrs.get("t") == "s"
            self.chars = 0
        elif local == "v" and self.shared:
            self.in_v, self.v = True, ""
        elif local == "sheet" and parent == "sheets":
            n.sheets += 1
        elif local == "si" and parent == "sst":
            self.in_si, self.chars = True, 0
            if len(n.strings) >= self.limits.shared_strings:
                raise TooLarge(
                    f"This workbook holds more than {self.limits.shared_strings:,} different pieces "
                    f"of text, more than we read in one file. {SPLIT}"
                )

    def _end(self, name: str) -> None:
        local = self.stack.pop() if self.stack else name.rpartition(_NS)[2]
        if local == "v" and self.in_v:
            self.in_v = False
            text = self.v.strip()
            if text.isdigit():
                self.n.string_cells.append(min(int(text), 2**32 - 1))
        elif local == "c":
            self.shared = False
            self.n.inline_chars += self.chars
            self._cell_chars()
            self.chars = 0
        elif local == "si" and self.in_si:
            self.in_si = False
            self._cell_chars()
            self.n.strings.append(self.chars)

    def _cell_chars(self) -> None:
        if self.chars > self.limits.cell_chars:
            raise TooLarge(cell_chars_message(self.limits))

    def _text(self, data: str) -> None:
        if self.in_v:
            if len(self.v) < 16:
                self.v += data
        elif self.stack and self.stack[-1] == "t":  # text of a shared string or an inline string
            self.chars += len(data)


class _Fast:
    """A worksheet in the usual form, counted with numpy over each chunk's bytes: every cell tag found,
    its reference read (no Python per cell), so cells, last row and last column are exact.

    Each chunk is cut before its last ``<``, so no tag is split between two chunks. A part not in that form
    (a cell whose reference is not its first attribute, a namespace prefix) is left to ``_Exact``.
    """

    def __init__(self, counts: _Counts, limits: Limits):
        self.n, self.limits = counts, limits
        self.carry = b""
        self.failed = False

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if self.failed:
            return
        data = self.carry + chunk
        cut = len(data) if final else data.rfind(b"<")
        if cut < 0:  # no tag starts here: nothing to count, nothing to keep
            self.carry = b""
            return
        if cut == 0:
            self.carry = data
            self.failed = len(data) > _LONGEST_TAG  # one tag longer than any a program writes: read it exactly
            return
        self.carry = data[cut:]
        found = _cells(data, cut)
        if found is None:
            self.failed = True
            return
        cells, max_row, max_col = found
        n = self.n
        n.cells += cells
        if n.cells > self.limits.sheet_cells:
            raise TooLarge(sheet_cells_message(self.limits))
        n.max_row, n.max_col = max(n.max_row, max_row), max(n.max_col, max_col)


_PAD = b"\0" * 24
_TAG_END = np.zeros(256, dtype=bool)  # bytes that can end an element's name
_TAG_END[list(b" \t\r\n>/")] = True
_UPPER = np.zeros(256, dtype=bool)
_UPPER[list(range(65, 91))] = True


def _upper(x: np.ndarray) -> np.ndarray:
    return _UPPER[x]


def _pairs(a: np.ndarray, pair: bytes) -> np.ndarray:
    """Every position where the two bytes ``pair`` start (two passes over the bytes as 16-bit words)."""
    v = np.frombuffer(pair, dtype=np.uint16)[0]
    even = a[: len(a) // 2 * 2].view(np.uint16)
    odd = a[1 : 1 + (len(a) - 1) // 2 * 2].view(np.uint16)
    return np.concatenate([2 * np.flatnonzero(even == v), 2 * np.flatnonzero(odd == v) + 1])


def _cells(data: bytes, cut: int) -> tuple[int, int, int] | None:
    """(cells, last row, last column) of the ``<c r="A1"`` tags that start before ``cut`` in ``data``; None
    when a tag is not in that form or a cell or row has a namespace prefix."""
    a = np.frombuffer(data + _PAD, dtype=np.uint8)
    body = a[:cut]
    colon = _pairs(body, b":c")
    if colon.size and _TAG_END[a[colon + 2]].any():
        return None  # "x:c", a cell with a namespace prefix
    colon = _pairs(body, b":r")
    if colon.size and ((a[colon + 2] == 111) & (a[colon + 3] == 119)).any():
        return None  # "x:row"
    c = _pairs(body, b"<c")
    c = c[_TAG_END[a[c + 2]]]  # "<c" ending its name: a cell (not <col>, <cfRule>)
    if not c.size:
        return 0, 0, 0
    if not ((a[c + 2] == 32) & (a[c + 3] == 114) & (a[c + 4] == 61) & (a[c + 5] == 34)).all():
        return None  # the first attribute is not r="..."
    l1, l2, l3 = a[c + 6], a[c + 7], a[c + 8]
    two, three = _upper(l2), _upper(l2) & _upper(l3)
    if not _upper(l1).all() or (three & _upper(a[c + 9])).any():
        return None
    v1, v2, v3 = l1.astype(np.int64) - 64, l2.astype(np.int64) - 64, l3.astype(np.int64) - 64
    col = np.where(three, v1 * 676 + v2 * 26 + v3, np.where(two, v1 * 26 + v2, v1))
    at = c + 7 + two + three  # the reference's first digit
    row = np.zeros(c.size, dtype=np.int64)
    ndig = np.zeros(c.size, dtype=np.int64)
    for k in range(8):
        d = a[at + k].astype(np.int64) - 48
        more = (d >= 0) & (d <= 9) & (ndig == k)
        if not more.any():
            break
        row = np.where(more, row * 10 + d, row)
        ndig += more
    if (ndig == 0).any() or (ndig > 7).any() or (a[at + ndig] != 34).any():
        return None
    return int(c.size), int(row.max()), int(col.max())


def sheet_cells_message(limits: Limits) -> str:
    return (
        f"A sheet of this workbook has more than {limits.sheet_cells:,} cells, more than we read in one file. {SPLIT}"
    )


def cell_chars_message(limits: Limits) -> str:
    return (
        f"A cell of this workbook holds more than {limits.cell_chars:,} characters, more than a cell may "
        "hold. Shorten the text, or remove it: returns hold codes, dates and numbers."
    )


class Measure:
    """The whole workbook's counts, part by part, then checked against the limits (``finish``)."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits.from_settings()
        self.parts: dict[str, tuple[_Counts, _Fast | _Exact]] = {}

    def feed(self, name: str, chunk: bytes, *, read: int, final: bool) -> None:
        """One chunk of part ``name`` (``read``: bytes of it so far, this chunk included)."""
        if read > self.limits.part_bytes:
            raise TooLarge(
                f"A part of this workbook would expand to more than "
                f"{self.limits.part_bytes // 1024 // 1024:,} MB when opened, more than we open. {SPLIT}"
            )
        entry = self.parts.get(name)
        if entry is None and not chunk and final:
            return
        if entry is None:
            counts = _Counts()
            root = _ROOT.search(chunk[:4096]) if not chunk.startswith((b"\xff\xfe", b"\xfe\xff")) else None
            reader = (
                _Fast(counts, self.limits) if root and root.group(1) == b"worksheet" else _Exact(counts, self.limits)
            )
            entry = self.parts[name] = (counts, reader)
        counts, reader = entry
        try:
            reader.feed(chunk, final)
        except expat.ExpatError:
            # Excel writes well-formed XML; a part expat cannot read might still be read, differently, by the
            # workbook reader, and its counts would then be wrong.
            raise TooLarge(DAMAGED) from None

    def finish(self, reopen: Callable[[str], Iterable[bytes]]) -> None:
        """Check every limit; parts the fast count could not settle are read again, exactly."""
        lim = self.limits
        strings = array("L")
        for counts, _r in self.parts.values():
            strings.extend(counts.strings)
        longest = max(strings, default=0)
        if sum(strings) > lim.text_chars:
            raise TooLarge(
                f"The shared text of this workbook comes to more than {lim.text_chars:,} characters, more "
                "than we read in one file. Remove long text: returns hold codes, dates and numbers."
            )
        for name, (counts, reader) in list(self.parts.items()):
            unsettled = isinstance(reader, _Fast) and (
                reader.failed
                or counts.cells * longest > lim.text_chars
                or counts.max_row * counts.max_col > lim.sheet_cells
            )
            if unsettled:
                exact = _Counts()
                parser = _Exact(exact, lim)
                try:
                    for chunk in reopen(name):
                        parser.feed(chunk)
                    parser.feed(b"", True)
                except expat.ExpatError:
                    raise TooLarge(DAMAGED) from None
                self.parts[name] = (exact, parser)
        sheets = sum(c.sheets for c, _r in self.parts.values())
        if sheets > lim.sheets:
            raise TooLarge(
                f"This workbook has {sheets:,} sheets; the most we read in one file is {lim.sheets:,}. {SPLIT}"
            )
        total = 0
        text = 0
        for counts, _r in self.parts.values():
            if counts.max_row * counts.max_col > lim.sheet_cells:
                raise TooLarge(
                    f"A sheet of this workbook uses cells up to row {counts.max_row:,} and column "
                    f"{column_letters(counts.max_col)}, more than we read in one file "
                    f"({lim.sheet_cells:,} cells). {SPLIT}"
                )
            total += counts.cells
            if counts.exact:
                text += counts.inline_chars + sum(strings[i] for i in counts.string_cells if i < len(strings))
            else:
                text += counts.cells * longest  # at most: every cell showing the longest shared string
        if total > lim.file_cells:
            raise TooLarge(
                f"This workbook has {total:,} cells in all; the most we read in one file is {lim.file_cells:,}. {SPLIT}"
            )
        if text > lim.text_chars:
            raise TooLarge(
                f"The text in this workbook's cells would come to {text:,} characters when opened "
                f"(the same long text shown in many cells counts once for each), more than the "
                f"{lim.text_chars:,} we read in one file. Remove long text: returns hold codes, dates "
                "and numbers."
            )


def column_letters(n: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out or "A"
