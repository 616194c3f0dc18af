"""What personal data looks like, and the check every name a person types goes through.

The patterns (an email address, a UK phone number, a valid NHS number, a full UK postcode) are the ones
the loader uses on every cell (``data_loaders.personal``, spec section 5). Names are data too: a file's
name, a sheet's, a column heading, a partner's name, a username. ``name_problem`` says what personal data
a name looks like (never repeating it); ``username_problem`` is the same check for an account name, where a
staff member's organisation email address is what sign-in through the identity provider needs.

Here in ``core``, below every layer, so the loader, the account store and the pages share one check.
"""

from __future__ import annotations

import functools
import re

# The patterns of personal data are core.personal's, the loader's and free text's too: one home.
from core.personal import EMAIL, NHS, PHONE, POSTCODE_SPACED, POSTCODE_TIGHT, text_kind  # noqa: E402,F401
from core.personal import KIND_TEXT as _TEXT_KINDS  # noqa: E402
from core.personal import nhs_check_digit_ok as _nhs_valid  # noqa: E402,F401

KIND_TEXT = {
    **_TEXT_KINDS,
    "dob": "a date of birth",
    "person": "a person's name with a reference",
}

# The partnership's data begins in 2000 (``core.periods.EARLIEST``): a full date before it is a birth date.
_FIRST_DATA_YEAR = 2000
_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?!\d)")
_D_MON_Y = re.compile(r"(?<!\d)\d{1,2}(?:st|nd|rd|th)?[\s_\-]+[A-Za-z]{3,9}[\s_\-]+(\d{4})(?!\d)")
_BIRTH = re.compile(r"(?:^|[^a-z])(?:dob|d\.o\.b|born|birth|birthday)(?:[^a-z]|$)", re.IGNORECASE)
_ANY_DATE = re.compile(r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}")
# A partnership reference: P and four digits (spec section 3).
_REFERENCE = re.compile(r"(?<![A-Za-z0-9])[Pp][\s_\-]?\d{4}(?!\d)")
_WORD = re.compile(r"[A-Za-z][A-Za-z']+")
_GENERAL_WORDS = frozenset(
    """
    a an and the of for to in on at by with from all new old final draft copy version v rev revised updated
    corrected correction amended resend resent sheet sheets tab page data return returns report reports
    summary template guidance notes note file export list table extra combined part total totals month
    monthly quarter quarterly year yearly annual week weekly fy q daily sessions session nil partner
    partners upload uploaded import done checked ok xlsx csv xls xlsm ods
    worker workers staff team keyworker key comment comments remarks detail details description other misc
    id ref reference code codes count number no yes type status outcome outcomes service services date time
    source category hours minutes more less scratch working workings rough lookup lookups info readme
    instructions help blank spare test sample example
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
""".split()
)


def _year(y: str) -> int:
    return int(y) if len(y) == 4 else 1900 + int(y) if int(y) > 30 else 2000 + int(y)


def _birth_date(t: str) -> bool:
    years = [_year(m[2]) for m in _DMY.findall(t)] + [int(m[0]) for m in _YMD.findall(t)]
    years += [int(y) for y in _D_MON_Y.findall(t)]
    if any(1900 <= y < _FIRST_DATA_YEAR for y in years):
        return True
    return bool(_BIRTH.search(t) and (years or _ANY_DATE.search(t)))


@functools.cache
def vocabulary() -> frozenset[str]:
    """Words the product itself uses in names: returns, their columns and aliases, partners, months."""
    from core import partners
    from core.returns import RETURNS

    words = set(_GENERAL_WORDS)
    texts: list[str] = []
    for spec in RETURNS.values():
        texts += [spec.name, spec.title]
        for col in spec.columns:
            texts += [col.name, *col.aliases, *col.codes]
    for p in partners.partners().values():
        texts += [p.code, p.name]
    for text in texts:
        words.update(w.casefold() for w in re.findall(r"[A-Za-z]+", text))
    return frozenset(words)


def plain_words(text: str, *, also: frozenset[str] = frozenset()) -> bool:
    """True when every word of ``text`` is one the product uses (or one of ``also``), numbers and
    punctuation aside: such a name can be repeated safely; any other may be a person's name, and is
    referred to by its position instead."""
    if not re.fullmatch(r"[\w\s.,()&'+\-/]*", text):
        return False
    words = vocabulary()
    return all(w.casefold() in words or w.casefold() in also for w in re.findall(r"[A-Za-z]+", text))


def contact_problem(text: object) -> str | None:
    """An email address, phone or NHS number, postcode or date of birth in ``text``, or None (no reference
    check: that one needs the product's vocabulary, which the partners' own names are part of)."""
    t = str(text or "")
    return text_kind(t) or ("dob" if _birth_date(t) else None)


def name_problem(text: object) -> str | None:
    """What personal data a name looks like ("email", "phone", "nhs", "postcode", "dob", "person"), or None.

    "person" is a partnership reference beside a word the product does not use (``Jane P0042``): the name
    ties a woman's reference to who she is.
    """
    t = str(text or "")
    if not t.strip():
        return None
    kind = contact_problem(t)
    if kind:
        return kind
    if _REFERENCE.search(t):
        others = [w for w in _WORD.findall(_REFERENCE.sub(" ", t)) if w.casefold() not in vocabulary()]
        if others:
            return "person"
    return None


def username_problem(username: object) -> str | None:
    """``name_problem`` for an account name. One whole email address is a valid username: a staff member
    signs in through the identity provider with their organisation email, and no woman has an account."""
    u = str(username or "").strip()
    if EMAIL.fullmatch(u):
        return None
    return name_problem(u)


def refusal(kind: str, what: str, fix: str) -> str:
    """The message for a name that looks like personal data: what it looks like, never the name itself."""
    return f"{what} looks like {KIND_TEXT[kind]}. Names are stored and shown, so they must hold no personal data: {fix}"


_EXTENSION = re.compile(r"\.(xlsx|csv|xlsm|xltm|xlam|xls|xlt|ods|xlsb|numbers)$", re.IGNORECASE)


def redacted_file_name(file_name: str, sha256: str) -> str:
    """What is kept of a file's name that looks like personal data: its fingerprint and extension only."""
    ext = _EXTENSION.search(file_name)
    return f"file-{sha256[:12]}{ext.group(0).casefold() if ext else ''}"


def kept_file_name(file_name: str, sha256: str) -> str:
    """A file's name as it may be stored: itself, or redacted when it looks like personal data."""
    base = file_name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return redacted_file_name(file_name, sha256) if name_problem(base) else file_name
