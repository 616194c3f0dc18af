"""Rows onto periods, and counts per period: the few vectorised steps every indicator is built from.

A table here carries ``d``, each row's day as whole days since 1970-01-01, and women as numbers in
``person_id`` (``compute.Numbering``; NaN for a blank reference, which counts as one woman, as
``drop_duplicates`` has it). Periods come as two arrays of days, each period's first and last (``lo``,
``hi``, both inclusive); ``p`` is a period's position in them.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

EPOCH = np.datetime64("1970-01-01", "D")
NOT_RECORDED = "not_recorded"
_WOMEN = np.int64(1) << 32  # more women than any table holds: a pair's number is p × this + the woman's


def day_number(d: date | datetime | pd.Timestamp) -> int:
    """Days since 1970-01-01: the integer form every period bound takes here."""
    return int((np.datetime64(pd.Timestamp(d).date(), "D") - EPOCH).astype(np.int64))


def day_numbers(dates: pd.Series) -> np.ndarray:
    """``day_number`` of each date in a datetime column."""
    return (dates.to_numpy("datetime64[D]") - EPOCH).astype(np.int64)


def _day_order(days: np.ndarray) -> np.ndarray:
    """The stable order that sorts ``days`` (the rows as they are when sorted already, as tables mostly are)."""
    return np.arange(len(days)) if bool((days[1:] >= days[:-1]).all()) else np.argsort(days, kind="stable")


def by_day(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` sorted by day, rows of one day in their order."""
    return df.take(_day_order(df["d"].to_numpy())).reset_index(drop=True)


def pairs(p: np.ndarray, person: np.ndarray) -> np.ndarray:
    """Each (period, woman) as one whole number: hashing one number is several times cheaper than two columns."""
    who = np.where(np.isnan(person), _WOMEN - 1, person).astype(np.int64)
    return np.asarray(p, dtype=np.int64) * _WOMEN + who


def explode(df: pd.DataFrame, lo: np.ndarray, hi: np.ndarray, *, each_woman: str | None = None) -> pd.DataFrame:
    """``df``'s rows once for each window [lo[p], hi[p]] that holds their day, with the window's ``p``.

    Rows come window by window, in day order (a day's rows in ``df``'s order). With ``each_woman``
    "first" or "last", only each woman's first or last (her latest) row in each window is kept, without
    building the rows that would be dropped. Sorting once and slicing with ``searchsorted``: the cost
    grows with the output, not rows × periods.
    """
    order = _day_order(df["d"].to_numpy(np.int64))
    days = df["d"].to_numpy(np.int64)[order]
    a, b = np.searchsorted(days, lo, "left"), np.searchsorted(days, hi, "right")
    counts = np.maximum(b - a, 0)
    p = np.repeat(np.arange(len(lo)), counts)
    rows = order[np.arange(int(counts.sum())) + np.repeat(a - (np.cumsum(counts) - counts), counts)]
    if each_woman:
        kept = ~pd.Series(pairs(p, df["person_id"].to_numpy(float)[rows])).duplicated(keep=each_woman).to_numpy()
        rows, p = rows[kept], p[kept]
    out = df.iloc[rows].reset_index(drop=True)
    out["p"] = p
    return out


def per_period(
    df: pd.DataFrame, n: int, where: pd.Series | np.ndarray | None = None, *, weights: str | None = None
) -> np.ndarray:
    """Rows per period of ``df`` (those ``where`` holds), or the column ``weights`` summed."""
    keep = slice(None) if where is None else np.asarray(where, dtype=bool)
    w = None if weights is None else np.nan_to_num(pd.to_numeric(df[weights]).to_numpy(float)[keep])
    return np.bincount(df["p"].to_numpy(np.int64)[keep], weights=w, minlength=n).astype(float)


def women(
    df: pd.DataFrame, n: int, where: pd.Series | np.ndarray | None = None, *, among: np.ndarray | None = None
) -> np.ndarray:
    """Distinct women per period among ``df``'s rows (those ``where`` holds; whose (p, woman) is one of the
    ``pairs`` ``among``)."""
    keys = pairs(df["p"].to_numpy(), df["person_id"].to_numpy(float))
    if where is not None:
        keys = keys[np.asarray(where, dtype=bool)]
    if among is not None:
        keys = keys[pd.Series(keys).isin(among).to_numpy()]  # hashed, not a join of frames
    return np.bincount(pd.unique(keys) // _WOMEN, minlength=n).astype(float)


def breakdown(df: pd.DataFrame, col: str, *, weights: str | None = None) -> pd.DataFrame:
    """Long frame (p, category, value): rows (or ``weights`` summed) per period and value of ``col``, a blank
    as ``not_recorded``, sorted by period and category; only the pairs that occur."""
    values = df[col].astype("category")
    names = np.append(values.cat.categories.astype(str).to_numpy(object), NOT_RECORDED)
    # A blank joins a category that is itself "not_recorded", as fillna would.
    labels, label_of = np.unique(names, return_inverse=True)
    codes = values.cat.codes.to_numpy()
    key = df["p"].to_numpy(np.int64) * len(labels) + label_of[np.where(codes < 0, len(names) - 1, codes)]
    rows = np.bincount(key)
    cells = np.flatnonzero(rows)
    value = (
        rows[cells]
        if weights is None
        else np.bincount(key, weights=np.nan_to_num(pd.to_numeric(df[weights]).to_numpy(float)))[cells]
    )
    return pd.DataFrame(
        {
            "p": cells // len(labels),
            "category": pd.Series(labels[cells % len(labels)], dtype=object),
            "value": value.astype(float),
        }
    )
