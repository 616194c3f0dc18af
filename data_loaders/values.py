"""Reading partners' cell values into canonical values, column at a time.

Every parser works on the *distinct* values of a column (``pandas.factorize``),
then spreads the answer back to the rows: a 100,000-row sheet usually holds a
few hundred distinct values per column. What each distinct value is (``Kinds``)
is worked out once per column and shared by the parsers and the personal-data
scan. The parsers read ASCII text and calamine's dates in one plain-Python pass
over the distinct values (no row is ever looped over; person references, nearly
all distinct, are read by Arrow instead); a column holding other
text takes the vectorised pandas path (``_..._pandas``), which stays the
definition that the tests compare the fast path with.

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

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_MONTH_WORD = r"([A-Za-z]{3,9})\.?"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}$")
_DMY = re.compile(rf"^(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d{{4}}|\d{{2}}){_TIME}$")
_D_MON_Y = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?[\s-]+{_MONTH_WORD},?[\s-]+(\d{{4}}|\d{{2}})$", re.IGNORECASE)
_Y_M = re.compile(r"^(\d{4})[-/](\d{1,2})$")
_M_Y = re.compile(r"^(\d{1,2})/(\d{4})$")
_MON_Y = re.compile(rf"^{_MONTH_WORD}[\s-]+(\d{{4}}|\d{{2}})$", re.IGNORECASE)
_REFERENCE = re.compile(r"^P([0-9]{1,4})$")

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


class Kinds:
    """What each distinct value is (boolean masks over the distinct values), worked out in one pass.

    ``blank``: missing, or text of nothing but whitespace; ``str``: other text; ``num``: a number (not
    missing, not a boolean); ``bool``; ``date``: a date, datetime or Timestamp. ``ascii`` is True when every
    text value is ASCII: the parsers' fast paths read only ASCII text (anything else takes the vectorised
    pandas path, whose Unicode rules they do not copy).
    """

    __slots__ = ("blank", "str", "num", "bool", "date", "ascii", "n")

    def __init__(self, values: np.ndarray) -> None:
        n = len(values)
        self.n = n
        blank = pd.isna(values) if n else np.zeros(0, dtype=bool)
        blank = np.array(blank, dtype=bool)
        isstr = np.zeros(n, dtype=bool)
        isnum = np.zeros(n, dtype=bool)
        isbool = np.zeros(n, dtype=bool)
        isdate = np.zeros(n, dtype=bool)
        ascii_ = True
        for i, x in enumerate(values.tolist() if isinstance(values, np.ndarray) else values):
            t = type(x)
            if t is str or (t not in _NOT_STR and issubclass(t, str)):
                # Blank when every character is whitespace (str.isspace: the same set pyarrow trims).
                if x.strip():
                    isstr[i] = True
                    if ascii_ and not x.isascii():
                        ascii_ = False
                else:
                    blank[i] = True
            elif t in _NUM_TYPES:
                isnum[i] = not blank[i]
            elif t in _BOOL_TYPES:
                isbool[i] = True
            elif t in _DATE_TYPES:
                isdate[i] = True
        self.blank, self.str, self.num, self.bool, self.date = blank, isstr, isnum, isbool, isdate
        self.ascii = ascii_

    def series(self, index: pd.Index) -> dict[str, pd.Series]:
        return {k: pd.Series(getattr(self, k), index=index) for k in ("blank", "str", "num", "bool", "date")}


_NUM_TYPES = frozenset({int, float, np.int64, np.float64})
_BOOL_TYPES = frozenset({bool, np.bool_})
_DATE_TYPES = frozenset({dt.date, dt.datetime, pd.Timestamp})
_NOT_STR = _NUM_TYPES | _BOOL_TYPES | _DATE_TYPES | {type(None)}


def kinds_of(u: pd.Series | np.ndarray) -> Kinds:
    """The ``Kinds`` of distinct values (one pure-Python pass: distinct values are few)."""
    arr = u.to_numpy(dtype=object) if isinstance(u, pd.Series) else np.asarray(u, dtype=object)
    return Kinds(arr)


def types_of(u: pd.Series) -> dict[str, pd.Series]:
    """Masks over distinct values: blank, text, number, boolean, date (as Series on ``u``'s index)."""
    return kinds_of(u).series(u.index)


def _types_of_pandas(u: pd.Series) -> dict[str, pd.Series]:
    """The vectorised definition of ``types_of`` (kept as its reference; tests compare the two)."""
    t = u.map(type)
    isbool = t.isin([bool, np.bool_])
    isnum = t.isin([int, float, np.int64, np.float64]) & ~isbool
    isdate = t.isin([dt.date, dt.datetime, pd.Timestamp])
    isstr = t.map(lambda k: issubclass(k, str)).astype(bool)
    blank = u.isna().to_numpy(dtype=bool).copy()
    if isstr.any():
        arr = pa.array(u[isstr].to_numpy(dtype=object), type=pa.string())
        empty = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(arr)), 0)
        blank[isstr.to_numpy()] = np.asarray(empty.to_numpy(zero_copy_only=False), dtype=bool)
    blank = pd.Series(blank, index=u.index)
    isnum &= ~u.isna()
    return {"blank": blank, "str": isstr & ~blank, "num": isnum, "bool": isbool, "date": isdate}


def blank_values(u: pd.Series, kinds: Kinds | None = None) -> np.ndarray:
    return (kinds or kinds_of(u)).blank


def apply_on_distinct(column: pd.Series, parse: Callable[[pd.Series], tuple[pd.Series, pd.Series]]
                      ) -> tuple[pd.Series, np.ndarray]:
    """Run ``parse`` on the distinct values of ``column`` and spread the result back."""
    codes, u = factorize(column)
    values, bad = parse(u)
    return spread(values, codes, index=column.index), spread_mask(bad, codes)


def _text(u: pd.Series, mask: pd.Series) -> pd.Series:
    return u[mask].astype(str).str.strip()


# --------------------------------------------------------------------------- person reference


def _normalise_reference_values_pandas(u: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``p42``, `` P042 `` -> ``P0042``. Anything else is unreadable (never echoed)."""
    k = _types_of_pandas(u)
    out = pd.Series(pd.NA, index=u.index, dtype="string")
    txt = _text(u, k["str"]).str.upper()
    digits = txt.str.extract(_REFERENCE, expand=False)
    ok = digits.notna()
    out.loc[ok[ok].index] = "P" + digits[ok].str.zfill(4)
    bad = ~k["blank"] & out.isna()
    return out, bad


def normalise_references(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    return apply_on_distinct(column, normalise_reference_values)


def normalise_reference(text: object) -> str | None:
    """One reference, for callers holding a single value. None when it is not a reference."""
    values, bad = normalise_reference_values(pd.Series([text], dtype=object))
    return None if bad[0] or pd.isna(values[0]) else str(values[0])


# --------------------------------------------------------------------------- dates


def _ymd(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    y = pd.to_numeric(year, errors="coerce")
    y = y.where(y >= 100, y + 2000)  # two-digit years are this century
    frame = pd.DataFrame({"year": y, "month": pd.to_numeric(month, errors="coerce"),
                          "day": pd.to_numeric(day, errors="coerce")})
    if frame.empty:
        return pd.Series(pd.NaT, index=year.index, dtype=DATE_DTYPE)
    ok = frame.notna().all(axis=1) & frame["year"].between(1900, 2200)
    out = pd.Series(pd.NaT, index=year.index, dtype=DATE_DTYPE)
    if ok.any():
        out[ok] = pd.to_datetime(frame[ok].astype("int64"), errors="coerce").astype(DATE_DTYPE)
    return out


def _month_number(word: pd.Series) -> pd.Series:
    return word.str.lower().str[:3].map(_MONTHS).where(
        word.str.lower().str.fullmatch(r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|"
                                       r"sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?", na=False))


def _parse_date_text(txt: pd.Series, *, months: bool) -> pd.Series:
    out = pd.Series(pd.NaT, index=txt.index, dtype=DATE_DTYPE)
    m = txt.str.extract(_ISO)
    hit = m[0].notna()
    out[hit] = _ymd(m[0], m[1], m[2])[hit]
    m = txt.str.extract(_DMY)
    hit = m[0].notna()
    out[hit] = _ymd(m[2], m[1], m[0])[hit]
    m = txt.str.extract(_D_MON_Y)
    hit = m[0].notna()
    if hit.any():
        out[hit] = _ymd(m[2], _month_number(m[1]), m[0])[hit]
    if months:
        m = txt.str.extract(_Y_M)
        hit = m[0].notna()
        out[hit] = _ymd(m[0], m[1], pd.Series(1, index=txt.index))[hit]
        m = txt.str.extract(_M_Y)
        hit = m[0].notna()
        out[hit] = _ymd(m[1], m[0], pd.Series(1, index=txt.index))[hit]
        m = txt.str.extract(_MON_Y)
        hit = m[0].notna()
        if hit.any():
            out[hit] = _ymd(m[1], _month_number(m[0]), pd.Series(1, index=txt.index))[hit]
    return out


def _parse_date_values_pandas(u: pd.Series, *, months: bool = False) -> tuple[pd.Series, pd.Series]:
    """Excel dates, YYYY-MM-DD, DD/MM/YYYY, DD/MM/YY, ``3 Apr 2026`` (slashed dates are day first).

    With ``months``, also ``YYYY-MM``, ``MM/YYYY`` and ``Apr 2026``; every value becomes its month's first day.
    """
    k = _types_of_pandas(u)
    out = pd.Series(pd.NaT, index=u.index, dtype=DATE_DTYPE)
    if k["date"].any():
        d = pd.to_datetime(u[k["date"]], errors="coerce")
        d = d.where((d.dt.year >= 1900) & (d.dt.year <= 2200))
        out[k["date"]] = d.dt.normalize().astype(DATE_DTYPE)
    if k["str"].any():
        out[k["str"]] = _parse_date_text(_text(u, k["str"]), months=months)
    if months:
        out = out.dt.to_period("M").dt.start_time.astype(DATE_DTYPE)
    bad = ~k["blank"] & out.isna()
    return out, bad


def parse_dates(column: pd.Series, *, months: bool = False) -> tuple[pd.Series, np.ndarray]:
    return apply_on_distinct(column, lambda u: parse_date_values(u, months=months))


def parse_date(value: object, *, months: bool = False) -> dt.date | None:
    """One value (for callers and tests); None when blank or unreadable."""
    out, _bad = parse_date_values(pd.Series([value], dtype=object), months=months)
    return None if pd.isna(out[0]) else out[0].date()


# --------------------------------------------------------------------------- yes/no, codes, numbers


def _parse_yesno_values_pandas(u: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Y/N, Yes/No, TRUE/FALSE, 1/0 in any case. Blank stays unknown, never no."""
    k = _types_of_pandas(u)
    out = pd.Series(pd.NA, index=u.index, dtype="boolean")
    if k["bool"].any():
        out[k["bool"]] = u[k["bool"]].astype(bool)
    if k["num"].any():
        n = pd.to_numeric(u[k["num"]], errors="coerce")
        out[n[n == 1].index] = True
        out[n[n == 0].index] = False
    if k["str"].any():
        t = _text(u, k["str"]).str.casefold()
        out[t[t.isin(YES)].index] = True
        out[t[t.isin(NO)].index] = False
    bad = ~k["blank"] & out.isna()
    return out, bad


def code_lookup(codes: tuple[str, ...]) -> dict[str, str]:
    """Folded code or label -> code (``Rough sleeping`` and ``rough_sleeping`` fold alike)."""
    return {normalise_header(c): c for c in codes}


def _fold_code_values_pandas(u: pd.Series, codes: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """Labels in any case, with spaces -> codes. Unknown text is kept folded (the schema refuses it)."""
    k = _types_of_pandas(u)
    out = pd.Series(pd.NA, index=u.index, dtype="string")
    txt = _text(u, k["str"]).str.casefold().str.replace(r"[\W_]+", "", regex=True)
    lookup = code_lookup(codes)
    out[txt.index] = txt.map(lookup).fillna("?" + txt)  # "?" can never be a code
    # Numbers or dates in a coded column are never codes.
    bad = ~k["blank"] & ~k["str"]
    return out, bad


def _fold_multi_values_pandas(u: pd.Series, codes: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """``a; b, c`` -> ``a;b;c`` (each part folded to its code, repeats dropped)."""
    k = _types_of_pandas(u)
    out = pd.Series(pd.NA, index=u.index, dtype="string")
    txt = _text(u, k["str"])
    if not txt.empty:
        parts = txt.str.split(r"[;,]", regex=True).explode()
        parts = parts.str.casefold().str.replace(r"[\W_]+", "", regex=True)
        parts = parts[parts.ne("") & parts.notna()]
        parts = parts.map(code_lookup(codes)).fillna("?" + parts)
        joined = parts.groupby(level=0, sort=False).agg(lambda p: ";".join(dict.fromkeys(p)))
        out[joined.index] = joined
    bad = ~k["blank"] & ~k["str"]
    return out, bad


def _parse_number_values_pandas(u: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers as floats (the schema decides whole/range). Text must be a plain number."""
    k = _types_of_pandas(u)
    out = pd.Series(np.nan, index=u.index, dtype="float64")
    if k["num"].any():
        out[k["num"]] = pd.to_numeric(u[k["num"]], errors="coerce").astype("float64")
    if k["str"].any():
        t = _text(u, k["str"])
        t = t[t.str.fullmatch(r"[+-]?\d+(?:\.\d+)?", na=False)]
        out[t.index] = pd.to_numeric(t, errors="coerce").astype("float64")
    out[~np.isfinite(out)] = np.nan
    bad = ~k["blank"] & out.isna()
    return out, bad


# --------------------------------------------------------------------------- fast paths
#
# The public parsers below read the distinct values in one pure-Python pass when every text value is
# ASCII (nearly always), with the same regular expressions and the same rules as the vectorised pandas
# paths above, which stay as the definition: any column holding other text goes there whole, and the
# tests check that both paths give the same answer.

_FOLD = re.compile(r"[\W_]+")
_MULTI_SPLIT = re.compile(r"[;,]")
_MONTH_FULL = re.compile(r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|"
                         r"sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
# Up to this many digits, a plain number reads exactly as pandas reads it (both round once, correctly).
_MAX_FAST_DIGITS = 15


def _strings_of(u: pd.Series, items: list[str | None]) -> pd.Series:
    """Answers for ``u``'s distinct values as the loader's string dtype. Built from Arrow: ``pd.array`` spends
    80 µs working out what a short list of str and None holds."""
    return pd.Series(pd.StringDtype().__from_arrow__(pa.array(items, type=pa.large_string())), index=u.index)


def _bad(u: pd.Series, k: Kinds, missing: np.ndarray) -> pd.Series:
    return pd.Series(~k.blank & missing, index=u.index)


def normalise_reference_values(u: pd.Series, *, kinds: Kinds | None = None) -> tuple[pd.Series, pd.Series]:
    """``p42``, `` P042 `` -> ``P0042``. Anything else is unreadable (never echoed)."""
    k = kinds or kinds_of(u)
    if not k.ascii:
        return _normalise_reference_values_pandas(u)
    # Arrow, not a Python loop: a reference column holds nearly as many distinct values as rows.
    texts = pa.array(np.where(k.str, u.to_numpy(dtype=object), None).tolist(), type=pa.string())
    t = pc.utf8_upper(pc.utf8_trim_whitespace(texts))
    ok = pc.fill_null(pc.match_substring_regex(t, _REFERENCE.pattern), False)
    refs = pc.if_else(ok, pc.binary_join_element_wise("P", pc.utf8_lpad(pc.utf8_slice_codeunits(t, 1), 4, "0"), ""),
                      pa.scalar(None, pa.string()))
    missing = ~ok.to_numpy(zero_copy_only=False)
    return pd.Series(pd.array(refs, dtype="string"), index=u.index), _bad(u, k, missing)


def _ymd_one(year: str, month: int | str | None, day: int | str) -> dt.datetime | None:
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


def _month_number_one(word: str) -> int | None:
    w = word.lower()
    return _MONTHS[w[:3]] if _MONTH_FULL.fullmatch(w) else None


def _date_text_one(t: str, months: bool) -> dt.datetime | None:
    """One stripped ASCII text; as ``_parse_date_text`` (the forms never overlap; the last match wins)."""
    out = None
    if m := _ISO.search(t):
        out = _ymd_one(m[1], m[2], m[3])
    if m := _DMY.search(t):
        out = _ymd_one(m[3], m[2], m[1])
    if m := _D_MON_Y.search(t):
        out = _ymd_one(m[3], _month_number_one(m[2]), m[1])
    if months:
        if m := _Y_M.search(t):
            out = _ymd_one(m[1], m[2], 1)
        if m := _M_Y.search(t):
            out = _ymd_one(m[2], m[1], 1)
        if m := _MON_Y.search(t):
            out = _ymd_one(m[2], _month_number_one(m[1]), 1)
    return out


def parse_date_values(u: pd.Series, *, months: bool = False, kinds: Kinds | None = None
                      ) -> tuple[pd.Series, pd.Series]:
    """Excel dates, YYYY-MM-DD, DD/MM/YYYY, DD/MM/YY, ``3 Apr 2026`` (slashed dates are day first).

    With ``months``, also ``YYYY-MM``, ``MM/YYYY`` and ``Apr 2026``; every value becomes its month's first day.
    """
    k = kinds or kinds_of(u)
    if not k.ascii:
        return _parse_date_values_pandas(u, months=months)
    vals = u.to_numpy(dtype=object)
    out: list = [None] * k.n
    for i in np.flatnonzero(k.date).tolist():
        x = vals[i]
        # Only naive dates and datetimes in the years we read (calamine's); others go the pandas way.
        if type(x) is pd.Timestamp or (type(x) is dt.datetime and x.tzinfo is not None) \
                or not 1900 <= x.year <= 2200:
            return _parse_date_values_pandas(u, months=months)
        out[i] = dt.datetime(x.year, x.month, 1 if months else x.day)
    for i in np.flatnonzero(k.str).tolist():
        d = _date_text_one(str(vals[i]).strip(), months)
        if d is not None and months:
            d = d.replace(day=1)
        out[i] = d
    arr = np.array(out, dtype=DATE_DTYPE)
    return pd.Series(arr, index=u.index), _bad(u, k, np.isnat(arr))


def parse_yesno_values(u: pd.Series, *, kinds: Kinds | None = None) -> tuple[pd.Series, pd.Series]:
    """Y/N, Yes/No, TRUE/FALSE, 1/0 in any case. Blank stays unknown, never no."""
    k = kinds or kinds_of(u)
    vals = u.to_numpy(dtype=object)
    out: list = [None] * k.n
    for i in np.flatnonzero(k.bool).tolist():
        out[i] = bool(vals[i])
    for i in np.flatnonzero(k.num).tolist():
        x = vals[i]
        out[i] = True if x == 1 else False if x == 0 else None
    for i in np.flatnonzero(k.str).tolist():
        t = str(vals[i]).strip().casefold()
        out[i] = True if t in YES else False if t in NO else None
    missing = np.fromiter((x is None for x in out), dtype=bool, count=k.n)
    truth = np.fromiter((x is True for x in out), dtype=bool, count=k.n)
    return pd.Series(pd.arrays.BooleanArray(truth, missing), index=u.index), _bad(u, k, missing)


@functools.lru_cache(maxsize=256)
def _code_lookup(codes: tuple[str, ...]) -> dict[str, str]:
    return code_lookup(codes)


def _fold_one(text: str) -> str:
    return _FOLD.sub("", text.casefold())


def _fold_texts(u: pd.Series, codes: tuple[str, ...], k: Kinds, fold) -> tuple[pd.Series, pd.Series]:
    """``fold(text, lookup)`` on each distinct text value; numbers or dates in a coded column are never codes."""
    lookup = _code_lookup(tuple(codes))
    vals = u.to_numpy(dtype=object)
    out: list = [None] * k.n
    for i in np.flatnonzero(k.str).tolist():
        out[i] = fold(str(vals[i]).strip(), lookup)
    return _strings_of(u, out), pd.Series(~k.blank & ~k.str, index=u.index)


def _one_code(text: str, lookup: dict[str, str]) -> str:
    f = _fold_one(text)
    return lookup.get(f) or "?" + f  # "?" can never be a code


def _many_codes(text: str, lookup: dict[str, str]) -> str | None:
    parts = [f for f in (_fold_one(p) for p in _MULTI_SPLIT.split(text)) if f]
    return ";".join(dict.fromkeys(lookup.get(f) or "?" + f for f in parts)) if parts else None


def fold_code_values(u: pd.Series, codes: tuple[str, ...], *, kinds: Kinds | None = None
                     ) -> tuple[pd.Series, pd.Series]:
    """Labels in any case, with spaces -> codes. Unknown text is kept folded (the schema refuses it)."""
    k = kinds or kinds_of(u)
    if not k.ascii:
        return _fold_code_values_pandas(u, codes)
    return _fold_texts(u, codes, k, _one_code)


def fold_multi_values(u: pd.Series, codes: tuple[str, ...], *, kinds: Kinds | None = None
                      ) -> tuple[pd.Series, pd.Series]:
    """``a; b, c`` -> ``a;b;c`` (each part folded to its code, repeats dropped)."""
    k = kinds or kinds_of(u)
    if not k.ascii:
        return _fold_multi_values_pandas(u, codes)
    return _fold_texts(u, codes, k, _many_codes)


def parse_number_values(u: pd.Series, *, kinds: Kinds | None = None) -> tuple[pd.Series, pd.Series]:
    """Numbers as floats (the schema decides whole/range). Text must be a plain number."""
    k = kinds or kinds_of(u)
    if not k.ascii:
        return _parse_number_values_pandas(u)
    vals = u.to_numpy(dtype=object)
    out = np.full(k.n, np.nan)
    for i in np.flatnonzero(k.num).tolist():
        x = vals[i]
        if type(x) is int and not -(2**63) <= x < 2**63:
            return _parse_number_values_pandas(u)
        out[i] = x
    texts = []
    for i in np.flatnonzero(k.str).tolist():
        t = str(vals[i]).strip()
        if _PLAIN_NUMBER.fullmatch(t):
            if len(t) > _MAX_FAST_DIGITS + 2:
                return _parse_number_values_pandas(u)
            texts.append((i, t))
    # pandas reads a batch of whole numbers as integers ("-0" is 0), any decimal point makes it floats.
    whole = all("." not in t for _i, t in texts)
    for i, t in texts:
        out[i] = float(int(t)) if whole else float(t)
    out[~np.isfinite(out)] = np.nan
    return pd.Series(out, index=u.index), _bad(u, k, np.isnan(out))
