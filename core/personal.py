"""What personal data looks like in text (spec section 5): pure detection, no pandas, no database.

The loader (``data_loaders.personal``) runs these over every cell of a file; free text people type
into the dashboard (commentary, actions, decisions) goes through ``text_problem``, which adds a person
reference and a date of birth. Nothing here ever returns or logs the value it found.
"""

from __future__ import annotations

import re
from datetime import date

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PHONE = re.compile(
    r"(?:(?:\+|\b00)\s?44\s?(?:\(0\)\s?)?|(?<![\w])0)(?:7(?:[\s-]?\d){9}|[123](?:[\s-]?\d){8,9})(?![\d])"
    r"|\(0[123]\d{2,4}\)\s?\d{3,4}[\s-]?\d{3,4}(?![\d])"
)
NHS = re.compile(r"(?<![\d])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d])")
_OUTWARD = r"(?:[A-PR-UWYZ][A-HK-Y]?[0-9][A-HJKPSTUW0-9]?|GIR)"
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
POSTCODE_SPACED = re.compile(rf"\b{_OUTWARD}\s+{_INWARD}\b", re.IGNORECASE)
POSTCODE_TIGHT = re.compile(rf"\b{_OUTWARD}{_INWARD}\b")

KIND_TEXT = {
    "email": "an email address",
    "phone": "a phone number",
    "nhs": "an NHS number",
    "postcode": "a postcode",
    "reference": "a person reference",
    "birth_date": "a date of birth",
}

# The partnership reference (spec section 2) as someone might type it: P0042, p42, P-42, P 0042.
PERSON_REFERENCE = re.compile(r"(?<![A-Za-z0-9])[Pp][\s-]?\d{1,5}(?![\d])")
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
# A whole date: 12/03/1985, 12-3-85, 1985-03-12, 12 March 1985, March 12 1985, 12th Mar 1985.
_FULL_DATE = re.compile(
    rf"(?<!\d)(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?P<y1>\d{{4}}|\d{{2}})"
    rf"|(?P<y2>\d{{4}})-\d{{1,2}}-\d{{1,2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+(?P<y3>\d{{4}})"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?P<y4>\d{{4}}))(?!\d)",
    re.IGNORECASE,
)
_BIRTH_WORDS = re.compile(r"\b(?:d\.?o\.?b|date\s+of\s+birth|birth\s*date|born|birthday)\b", re.IGNORECASE)
# A whole date at least this many years ago reads as someone's birth date, not the service's history.
BIRTH_YEARS = 12


def nhs_check_digit_ok(ten: str) -> bool:
    """The modulus-11 check of one string of ten digits."""
    d = [ord(c) - 48 for c in ten]
    check = 11 - sum(x * w for x, w in zip(d[:9], range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == d[9]


def text_kind(t: str) -> str | None:
    """The personal data one text holds, as a loader finds it in a cell (email over phone over NHS over
    postcode), or None."""
    if EMAIL.search(t):
        return "email"
    if PHONE.search(t):
        return "phone"
    if any(nhs_check_digit_ok("".join(g)) for g in NHS.findall(t)):
        return "nhs"
    if POSTCODE_SPACED.search(t) or POSTCODE_TIGHT.search(t):
        return "postcode"
    return None


def _looks_like_birth_date(t: str, today: date) -> bool:
    if _BIRTH_WORDS.search(t) and (_FULL_DATE.search(t) or re.search(r"(?<!\d)(?:19|20)\d{2}(?!\d)", t)):
        return True
    for m in _FULL_DATE.finditer(t):
        year = int(next(g for g in m.group("y1", "y2", "y3", "y4") if g))
        if year < 100:  # 12/03/85: the century that puts it in the past
            year += 2000 if 2000 + year <= today.year else 1900
        if year <= today.year - BIRTH_YEARS:
            return True
    return False


def text_problem(text: str, *, today: date) -> str | None:
    """Why free text may not be stored (the kind of personal data it seems to hold), or None.

    Stricter than a cell: a person reference, or a whole date long enough ago to be a birth date (or
    any date beside "born", "DOB", ...), is refused too. Say ``KIND_TEXT[kind]``, never the text.
    """
    if not text:
        return None
    found = text_kind(text)
    if found:
        return found
    if PERSON_REFERENCE.search(text):
        return "reference"
    if _looks_like_birth_date(text, today):
        return "birth_date"
    return None


def refusal_message(kind: str, *, field: str) -> str:
    """The plain message for free text that was refused; it never repeats the text."""
    return (
        f"The {field} was not saved: it looks like it holds {KIND_TEXT[kind]}. Write about the figures "
        "and the service without anything that could identify a woman (no references, names, dates of "
        "birth, phone numbers, email addresses or postcodes), then save again."
    )
