"""Reading partners' cell values into canonical values, column at a time.

Every parser works on the *distinct* values of a column (``pandas.factorize``),
then spreads the answer back to the rows: a 100,000-row sheet usually holds a
few hundred distinct values per column. What each distinct value is (``Kinds``)
is worked out once per column and shared by the parsers and the personal-data
scan. The parsers read each distinct value in plain Python; person references,
nearly all distinct, are read by Arrow at once.

Each parser returns ``(values, bad)``: canonical values (missing where the
cell was blank or unreadable) and a boolean mask of cells that hold something
we cannot read. Blank cells are never "bad": whether a blank is allowed is a
rule checked later (pandera schemas).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.returns import normalise_header

DATE_DTYPE = "datetime64[us]"

_MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}
_MONTH_FULL = re.compile(
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|"
    r"sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?"
)
# Digits are [0-9], never \d: a digit of another script is not a number we read.
_MONTH_WORD = r"([A-Za-z]{3,9})\.?"
_TIME = r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
_ISO = re.compile(rf"^([0-9]{{4}})-([0-9]{{1,2}})-([0-9]{{1,2}}){_TIME}$")
_DMY = re.compile(rf"^([0-9]{{1,2}})[/.-]([0-9]{{1,2}})[/.-]([0-9]{{4}}|[0-9]{{2}}){_TIME}$")
_D_MON_Y = re.compile(
    rf"^([0-9]{{1,2}})(?:st|nd|rd|th)?[\s-]+{_MONTH_WORD},?[\s-]+([0-9]{{4}}|[0-9]{{2}})$", re.IGNORECASE
)
_Y_M = re.compile(r"^([0-9]{4})[-/]([0-9]{1,2})$")
_M_Y = re.compile(r"^([0-9]{1,2})/([0-9]{4})$")
_MON_Y = re.compile(rf"^{_MONTH_WORD}[\s-]+([0-9]{{4}}|[0-9]{{2}})$", re.IGNORECASE)
_REFERENCE = re.compile(r"^P([0-9]{1,4})$")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_FOLD = re.compile(r"[\W_]+")
_MULTI_SPLIT = re.compile(r"[;,]")

YES = frozenset({"y", "yes", "true", "1"})
NO = frozenset({"n", "no", "false", "0"})


# --------------------------------------------------------------------------- distinct values


def factorize(column: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes per row (-1 for missing) and the distinct values as an object Series."""
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
    return codes, pd.Series(np.asarray(uniques, dtype=object), dtype=object)


def spread(values: pd.Series | np.ndarray, codes: np.ndarray, *, index: pd.Index) -> pd.Series:
    """Distinct-value answers back onto the rows (missing where code is -1)."""
    arr = values.array if isinstance(values, pd.Series) else values
    taken = pd.api.extensions.take(arr, codes, allow_fill=True)
    return pd.Series(taken, index=index)


def spread_mask(mask: pd.Series | np.ndarray, codes: np.ndarray) -> np.ndarray:
    m = np.asarray(mask, dtype=bool)
    if m.size == 0:
        return np.zeros(len(codes), dtype=bool)
    return np.where(codes >= 0, m[np.clip(codes, 0, None)], False)


_NUM_TYPES = frozenset({int, float, np.int64, np.float64})
_BOOL_TYPES = frozenset({bool, np.bool_})
_DATE_TYPES = frozenset({dt.date, dt.datetime, pd.Timestamp})


class Kinds:
    """What each distinct value is (boolean masks over the distinct values), worked out in one pass.

    ``blank``: missing, or text of nothing but whitespace; ``str``: other text; ``num``: a number (not
    missing, not a boolean); ``bool``; ``date``: a date, datetime or Timestamp.
    """

    __slots__ = ("blank", "str", "num", "bool", "date", "n")

    def __init__(self, values: np.ndarray) -> None:
        n = self.n = len(values)
        self.blank = np.array(pd.isna(values), dtype=bool) if n else np.zeros(0, dtype=bool)
        self.str, self.num, self.bool, self.date = (np.zeros(n, dtype=bool) for _ in range(4))
        for i, x in enumerate(values.tolist()):
            if isinstance(x, str):
                if x.strip():  # blank when every character is whitespace
                    self.str[i] = True
                else:
                    self.blank[i] = True
            elif type(x) in _BOOL_TYPES:
                self.bool[i] = True
            elif type(x) in _NUM_TYPES:
                self.num[i] = not self.blank[i]
            elif type(x) in _DATE_TYPES:
                self.date[i] = True


def kinds_of(u: pd.Series) -> Kinds:
    """The ``Kinds`` of distinct values (one pure-Python pass: distinct values are few)."""
    return Kinds(u.to_numpy(dtype=object))


def apply_on_distinct(
    column: pd.Series, parse: Callable[[pd.Series], tuple[pd.Series, pd.Series]]
) -> tuple[pd.Series, np.ndarray]:
    """Run ``parse`` on the distinct values of ``column`` and spread the result back."""
    codes, u = factorize(column)
    values, bad = parse(u)
    return spread(values, codes, index=column.index), spread_mask(bad, codes)


def _each(u: pd.Series, mask: np.ndarray, read: Callable[[object], object]) -> list:
    """``read`` on each distinct value where ``mask`` holds; None elsewhere."""
    vals = u.to_numpy(dtype=object)
    out: list = [None] * len(vals)
    for i in np.flatnonzero(mask).tolist():
        out[i] = read(vals[i])
    return out


def _bad(u: pd.Series, k: Kinds, missing: np.ndarray) -> pd.Series:
    return pd.Series(~k.blank & missing, index=u.index)


# --------------------------------------------------------------------------- person reference


def normalise_reference_values(u: pd.Series, *, kinds: Kinds | None = None) -> tuple[pd.Series, pd.Series]:
    """``p42``, `` P042 `` -> ``P0042``. Anything else is unreadable (never echoed)."""
    k = kinds or kinds_of(u)
    # Arrow, not a Python loop: a reference column holds nearly as many distinct values as rows.
    texts = pa.array(np.where(k.str, u.to_numpy(dtype=object), None).tolist(), type=pa.string())
    t = pc.utf8_upper(pc.utf8_trim_whitespace(texts))
    ok = pc.fill_null(pc.match_substring_regex(t, _REFERENCE.pattern), False)
    refs = pc.if_else(
        ok,
        pc.binary_join_element_wise("P", pc.utf8_lpad(pc.utf8_slice_codeunits(t, 1), 4, "0"), ""),
        pa.scalar(None, pa.string()),
    )
    missing = ~ok.to_numpy(zero_copy_only=False)
    return pd.Series(pd.array(refs, dtype="string"), index=u.index), _bad(u, k, missing)


def normalise_references(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    return apply_on_distinct(column, normalise_reference_values)


def normalise_reference(text: object) -> str | None:
    """One reference, for callers holding a single value. None when it is not a reference."""
    values, bad = normalise_reference_values(pd.Series([text], dtype=object))
    return None if bad[0] or pd.isna(values[0]) else str(values[0])


# --------------------------------------------------------------------------- dates


def _ymd(year: str, month: int | str | None, day: int | str) -> dt.datetime | None:
    if month is None:
        return None
    y = int(year)
    if y < 100:
        y += 2000  # two-digit years are this century
    if not 1900 <= y <= 2200:
        return None
    try:
        return dt.datetime(y, int(month), int(day))
    except ValueError:
        return None


def _month_number(word: str) -> int | None:
    w = word.lower()
    return _MONTHS[w[:3]] if _MONTH_FULL.fullmatch(w) else None


def _date_text(t: str, months: bool) -> dt.datetime | None:
    """One stripped text (the forms never overlap)."""
    if m := _ISO.search(t):
        return _ymd(m[1], m[2], m[3])
    if m := _DMY.search(t):
        return _ymd(m[3], m[2], m[1])
    if m := _D_MON_Y.search(t):
        return _ymd(m[3], _month_number(m[2]), m[1])
    if not months:
        return None
    if m := _Y_M.search(t):
        return _ymd(m[1], m[2], 1)
    if m := _M_Y.search(t):
        return _ymd(m[2], m[1], 1)
    if m := _MON_Y.search(t):
        return _ymd(m[2], _month_number(m[1]), 1)
    return None


def _date_value(x: object, months: bool) -> dt.datetime | None:
    if isinstance(x, str):
        d = _date_text(x.strip(), months)
    elif 1900 <= x.year <= 2200:  # a date, datetime or Timestamp: its calendar day
        d = dt.datetime(x.year, x.month, x.day)
    else:
        d = None
    return d.replace(day=1) if d is not None and months else d


def parse_date_values(u: pd.Series, *, months: bool = False, kinds: Kinds | None = None) -> tuple[pd.Series, pd.Series]:
    """Excel dates, YYYY-MM-DD, DD/MM/YYYY, DD/MM/YY, ``3 Apr 2026`` (slashed dates are day first).

    With ``months``, also ``YYYY-MM``, ``MM/YYYY`` and ``Apr 2026``; every value becomes its month's first day.
    """
    k = kinds or kinds_of(u)
    arr = np.array(_each(u, k.date | k.str, lambda x: _date_value(x, months)), dtype=DATE_DTYPE)
    return pd.Series(arr, index=u.index), _bad(u, k, np.isnat(arr))


def parse_dates(column: pd.Series, *, months: bool = False) -> tuple[pd.Series, np.ndarray]:
    return apply_on_distinct(column, lambda u: parse_date_values(u, months=months))


def parse_date(value: object, *, months: bool = False) -> dt.date | None:
    """One value (for callers and tests); None when blank or unreadable."""
    out, _bad = parse_date_values(pd.Series([value], dtype=object), months=months)
    return None if pd.isna(out[0]) else out[0].date()


# --------------------------------------------------------------------------- yes/no, codes, numbers


def _yesno(x: object) -> bool | None:
    if isinstance(x, str):
        t = x.strip().casefold()
        return True if t in YES else False if t in NO else None
    return True if x == 1 else False if x == 0 else None  # a boolean, or a number


def parse_yesno_values(u: pd.Series, *, kinds: Kinds | None = None) -> tuple[pd.Series, pd.Series]:
    """Y/N, Yes/No, TRUE/FALSE, 1/0 in any case. Blank stays unknown, never no."""
    k = kinds or kinds_of(u)
    out = _each(u, k.bool | k.num | k.str, _yesno)
    missing = np.fromiter((x is None for x in out), dtype=bool, count=k.n)
    truth = np.fromiter((x is True for x in out), dtype=bool, count=k.n)
    return pd.Series(pd.arrays.BooleanArray(truth, missing), index=u.index), _bad(u, k, missing)


def code_lookup(codes: tuple[str, ...]) -> dict[str, str]:
    """Folded code or label -> code (``Rough sleeping`` and ``rough_sleeping`` fold alike)."""
    return {normalise_header(c): c for c in codes}


_cached_lookup = functools.lru_cache(maxsize=256)(code_lookup)


def _one_code(text: str, lookup: dict[str, str]) -> str:
    f = _FOLD.sub("", text.casefold())
    return lookup.get(f) or "?" + f  # "?" can never be a code


def _many_codes(text: str, lookup: dict[str, str]) -> str | None:
    parts = [f for f in (_FOLD.sub("", p.casefold()) for p in _MULTI_SPLIT.split(text)) if f]
    return ";".join(dict.fromkeys(lookup.get(f) or "?" + f for f in parts)) if parts else None


def _fold(u: pd.Series, codes: tuple[str, ...], k: Kinds, fold) -> tuple[pd.Series, pd.Series]:
    """``fold(text, lookup)`` on each distinct text; numbers or dates in a coded column are never codes."""
    lookup = _cached_lookup(tuple(codes))
    out = _each(u, k.str, lambda x: fold(x.strip(), lookup))
    return pd.Series(pd.array(out, dtype="string"), index=u.index), pd.Series(~k.blank & ~k.str, index=u.index)


def fold_code_values(
    u: pd.Series, codes: tuple[str, ...], *, kinds: Kinds | None = None
) -> tuple[pd.Series, pd.Series]:
    """Labels in any case, with spaces -> codes. Unknown text is kept folded (the schema refuses it)."""
    return _fold(u, codes, kinds or kinds_of(u), _one_code)


def fold_multi_values(
    u: pd.Series, codes: tuple[str, ...], *, kinds: Kinds | None = None
) -> tuple[pd.Series, pd.Series]:
    """``a; b, c`` -> ``a;b;c`` (each part folded to its code, repeats dropped)."""
    return _fold(u, codes, kinds or kinds_of(u), _many_codes)


def _number(x: object) -> float:
    if isinstance(x, str):
        t = x.strip()
        return float(t) if _PLAIN_NUMBER.fullmatch(t) else np.nan
    try:
        return float(x)
    except OverflowError:  # an integer too large for a float
        return np.nan


def parse_number_values(u: pd.Series, *, kinds: Kinds | None = None) -> tuple[pd.Series, pd.Series]:
    """Numbers as floats (the schema decides whole/range). Text must be a plain number."""
    k = kinds or kinds_of(u)
    out = np.array(_each(u, k.num | k.str, _number), dtype=np.float64)  # None -> NaN
    out[~np.isfinite(out)] = np.nan
    return pd.Series(out, index=u.index), _bad(u, k, np.isnan(out))
