"""Personal data and secret places (spec section 5): found, named by position, never echoed.

Headers that name a direct identifier, cells anywhere in the file that hold
an email address, a UK phone number, a valid NHS number or a full UK
postcode, and place columns on the supplies and outreach sheets. Every
check runs on the distinct values of each column: one RE2 prefilter call per
sheet, then ``core.personal.text_kind`` (what free text is checked with too)
over the few values that pass it.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.identifiers import name_problem, plain_words, refusal, username_problem
from core.personal import KIND_TEXT, nhs_check_digit_ok, text_kind  # pure; the loader and free text share it
from data_loaders.values import Kinds, kinds_of

__all__ = [
    "KIND_TEXT",
    "classify",
    "classify_columns",
    "identifier_header",
    "name_problem",
    "place_header",
    "plain_heading",
    "plain_words",
    "refusal",
    "scan_column",
    "scan_columns",
    "username_problem",
]

# Words (after splitting a header into words) that name a direct identifier.
_IDENTIFIER_WORDS = frozenset(
    {
        "name",
        "names",
        "surname",
        "surnames",
        "forename",
        "forenames",
        "firstname",
        "lastname",
        "fullname",
        "dob",
        "address",
        "postcode",
        "postcodes",
        "phone",
        "mobile",
        "telephone",
        "tel",
        "email",
        "emails",
        "nhs",
        "nino",
        "ni",
    }
)
# Folded runs (letters and digits only) that name one, wherever they sit.
_IDENTIFIER_RUNS = (
    "dateofbirth",
    "birthdate",
    "firstname",
    "lastname",
    "fullname",
    "familyname",
    "givenname",
    "nhsnumber",
    "nhsno",
    "nationalinsurance",
    "ninumber",
    "emailaddress",
    "phonenumber",
    "postcode",
    "telephone",
    "mobileno",
    "mobilenumber",
)
_PLACE_WORDS = frozenset(
    {
        "location",
        "locations",
        "site",
        "sites",
        "place",
        "places",
        "address",
        "where",
        "street",
        "streets",
        "area",
        "areas",
        "gridref",
        "grid",
        "what3words",
        "w3w",
        "postcode",
        "road",
        "beat",
        "hotspot",
        "coordinates",
        "latitude",
        "longitude",
        "lat",
        "lng",
        "lon",
        "easting",
        "northing",
    }
)
_PLACE_RUNS = ("gridref", "gridreference", "what3words", "postcode", "supplypoint", "workingarea")

# Cheap first pass (RE2 in pyarrow, over every distinct text): only what could hold an email (@), a phone or
# NHS number (nine digits apart from spaces, hyphens, brackets) or a postcode's inward code goes further.
_PREFILTER = r"@|(?:[0-9][\s\-()]*){9}|[0-9][A-Za-z]{2}\b"


def _words(header: str) -> list[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(header))
    return re.findall(r"[a-z0-9]+", spaced.casefold())


# Words a heading may use to name a kind of data (not a person): such headings are repeated in messages.
_HEADING_WORDS = frozenset(
    _IDENTIFIER_WORDS
    | _PLACE_WORDS
    | set(_IDENTIFIER_RUNS)
    | set(_PLACE_RUNS)
    | {
        "date",
        "of",
        "birth",
        "born",
        "first",
        "last",
        "full",
        "family",
        "given",
        "national",
        "insurance",
        "number",
        "no",
        "supply",
        "point",
        "working",
        "grid",
        "reference",
        "what",
        "words",
    }
)


def plain_heading(text: str) -> bool:
    """True when a column heading can be repeated in a message: made of the product's words, or of words
    that name a kind of data (``Surname``, ``Location``); any other may be a person's name."""
    return plain_words(text, also=_HEADING_WORDS)


def identifier_header(header: object) -> bool:
    """True when a column header names a direct identifier (name, DOB, address, NHS number, ...)."""
    words = _words(str(header))
    folded = "".join(words)
    if not folded:
        return False
    if set(words) & _IDENTIFIER_WORDS:
        return True
    if any(run in folded for run in _IDENTIFIER_RUNS):
        return True
    return folded in {"national", "insurance", "birth", "born"}


def place_header(header: object) -> bool:
    """True when a column header records a place (location, site, street, grid ref, what3words, ...)."""
    words = _words(str(header))
    folded = "".join(words)
    return bool(set(words) & _PLACE_WORDS) or any(run in folded for run in _PLACE_RUNS)


def _prefilter(texts: np.ndarray) -> np.ndarray:
    arr = pa.array(texts, type=pa.string())
    return np.asarray(pc.match_substring_regex(arr, _PREFILTER).to_numpy(zero_copy_only=False), dtype=bool)


_PHONE_DIGITS = re.compile(r"7\d{9}|[123]\d{8,9}|44[1237]\d{8,9}")


def _number_kind(x: int | float) -> str | None:
    if type(x) is not int and not (np.isfinite(x) and x == np.floor(x)):
        return None
    if not 1e8 <= x < 1e13:
        return None
    s = str(int(x))
    if len(s) == 10 and nhs_check_digit_ok(s):
        return "nhs"
    return "phone" if _PHONE_DIGITS.fullmatch(s) else None


def classify(u: pd.Series, *, kinds: Kinds | None = None) -> pd.Series:
    """For distinct cell values: the kind of personal data each holds ("email", "phone", ...) or None.

    One pass over the distinct values that could hold any (text past the prefilter, numbers).
    """
    return pd.Series(classify_columns([(u, kinds)])[0], index=u.index, dtype=object)


def classify_columns(columns: list[tuple[pd.Series, Kinds | None]]) -> list[list[str | None]]:
    """``classify`` for several columns' distinct values at once (one prefilter call for all their text)."""
    prepared = []
    for u, kinds in columns:
        k = kinds or kinds_of(u)
        vals = u.to_numpy(dtype=object)
        prepared.append((k, vals, np.flatnonzero(k.str)))
    sizes = [t.size for _k, _v, t in prepared]
    passed = _prefilter(np.concatenate([v[t] for _k, v, t in prepared])) if sum(sizes) else np.zeros(0, dtype=bool)
    starts = np.cumsum([0, *sizes])
    return [
        _classify_one(k, vals, texts[passed[starts[c] : starts[c + 1]]]) for c, (k, vals, texts) in enumerate(prepared)
    ]


def _classify_one(k: Kinds, vals: np.ndarray, candidates: np.ndarray) -> list[str | None]:
    out: list = [None] * len(vals)
    for i in candidates.tolist():
        out[i] = text_kind(str(vals[i]))
    for i in np.flatnonzero(k.num).tolist():
        out[i] = _number_kind(vals[i])
    return out


def scan_column(codes: np.ndarray, uniques: pd.Series, *, kinds: Kinds | None = None) -> list[tuple[int, str]]:
    """(row position, kind) for every cell of one column holding personal data."""
    return scan_columns([(codes, uniques, kinds)])[0]


def scan_columns(columns: list[tuple[np.ndarray, pd.Series, Kinds | None]]) -> list[list[tuple[int, str]]]:
    """``scan_column`` for every column of a sheet at once."""
    found = classify_columns([(u, k) for _c, u, k in columns])
    out = []
    for (codes, _u, _k), kind_by_code in zip(columns, found, strict=True):
        hit = np.fromiter((k is not None for k in kind_by_code), dtype=bool, count=len(kind_by_code))
        if not hit.any():
            out.append([])
            continue
        rows = np.flatnonzero(np.isin(codes, np.flatnonzero(hit)))
        out.append([(int(r), str(kind_by_code[codes[r]])) for r in rows])
    return out
