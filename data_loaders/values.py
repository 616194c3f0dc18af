"""Reading partners' cell values into canonical values, column at a time.

Every parser works on the *distinct* values of a column (``pandas.factorize``)
with vectorised string operations, then spreads the answer back to the rows:
a 100,000-row sheet usually holds a few hundred distinct values per column.

Each parser returns ``(values, bad)``: canonical values (missing where the
cell was blank or unreadable) and a boolean mask of cells that hold something
we cannot read. Blank cells are never "bad": whether a blank is allowed is a
rule checked later (pandera schemas).
"""

from __future__ import annotations

import datetime as dt
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


def types_of(u: pd.Series) -> dict[str, pd.Series]:
    """Masks over distinct values: blank, text, number, boolean, date."""
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


def blank_values(u: pd.Series) -> pd.Series:
    return types_of(u)["blank"]


def apply_on_distinct(column: pd.Series, parse: Callable[[pd.Series], tuple[pd.Series, pd.Series]]
                      ) -> tuple[pd.Series, np.ndarray]:
    """Run ``parse`` on the distinct values of ``column`` and spread the result back."""
    codes, u = factorize(column)
    values, bad = parse(u)
    return spread(values, codes, index=column.index), spread_mask(bad, codes)


def _text(u: pd.Series, mask: pd.Series) -> pd.Series:
    return u[mask].astype(str).str.strip()


# --------------------------------------------------------------------------- person reference


def normalise_reference_values(u: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``p42``, `` P042 `` -> ``P0042``. Anything else is unreadable (never echoed)."""
    k = types_of(u)
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


def parse_date_values(u: pd.Series, *, months: bool = False) -> tuple[pd.Series, pd.Series]:
    """Excel dates, YYYY-MM-DD, DD/MM/YYYY, DD/MM/YY, ``3 Apr 2026`` (slashed dates are day first).

    With ``months``, also ``YYYY-MM``, ``MM/YYYY`` and ``Apr 2026``; every value becomes its month's first day.
    """
    k = types_of(u)
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


def parse_yesno_values(u: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Y/N, Yes/No, TRUE/FALSE, 1/0 in any case. Blank stays unknown, never no."""
    k = types_of(u)
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


def fold_code_values(u: pd.Series, codes: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """Labels in any case, with spaces -> codes. Unknown text is kept folded (the schema refuses it)."""
    k = types_of(u)
    out = pd.Series(pd.NA, index=u.index, dtype="string")
    txt = _text(u, k["str"]).str.casefold().str.replace(r"[\W_]+", "", regex=True)
    lookup = code_lookup(codes)
    out[txt.index] = txt.map(lookup).fillna("?" + txt)  # "?" can never be a code
    # Numbers or dates in a coded column are never codes.
    bad = ~k["blank"] & ~k["str"]
    return out, bad


def fold_multi_values(u: pd.Series, codes: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """``a; b, c`` -> ``a;b;c`` (each part folded to its code, repeats dropped)."""
    k = types_of(u)
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


def parse_number_values(u: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers as floats (the schema decides whole/range). Text must be a plain number."""
    k = types_of(u)
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
