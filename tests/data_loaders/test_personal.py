"""Personal data: identifier and place headers, and cells holding emails, phones, NHS numbers, postcodes."""

from __future__ import annotations

import pandas as pd
import pytest

from data_loaders import personal


@pytest.mark.parametrize(
    "header",
    [
        "Name",
        "first name",
        "Surname",
        "Forename",
        "Full_Name",
        "Date of birth",
        "DOB",
        "Address",
        "Post code",
        "postcode",
        "NHS number",
        "NHS No",
        "Phone",
        "Mobile",
        "Telephone",
        "Email",
        "E-mail address",
        "NI number",
        "National Insurance Number",
        "clientName",
        "Woman's name",
    ],
)
def test_identifier_headers(header):
    assert personal.identifier_header(header)


@pytest.mark.parametrize("header", ["Notes", "Comments", "Worker", "Session", "Total", "Key worker team", ""])
def test_ordinary_headers(header):
    assert not personal.identifier_header(header)


@pytest.mark.parametrize(
    "header",
    [
        "Location",
        "Site",
        "Place",
        "Address",
        "Where",
        "Street",
        "Area",
        "Grid ref",
        "GridRef",
        "what3words",
        "Supply point location",
    ],
)
def test_place_headers(header):
    assert personal.place_header(header)


@pytest.mark.parametrize("header", ["Notes", "Item", "Worker", "Quantity"])
def test_not_place_headers(header):
    assert not personal.place_header(header)


def _kind(value):
    return personal.classify(pd.Series([value], dtype=object)).iloc[0]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("jane.doe@example.org", "email"),
        ("contact her on jane@example.co.uk please", "email"),
        ("07700 900123", "phone"),
        ("07700900123", "phone"),
        ("+44 7700 900123", "phone"),
        ("+44 (0)7700 900123", "phone"),
        ("01702 215000", "phone"),
        ("(01702) 215000", "phone"),
        ("020 7946 0000", "phone"),
        (7700900123, "phone"),  # a mobile typed into a number cell loses its 0
        (1702215000.0, "phone"),
        ("943 476 5919", "nhs"),
        ("9434765919", "nhs"),
        (9434765919, "nhs"),
        ("SS1 2AB", "postcode"),
        ("ss1 2ab", "postcode"),
        ("EC1A 1BB", "postcode"),
        ("lives at SS12AB now", "postcode"),
    ],
)
def test_personal_cells(value, kind):
    assert _kind(value) == kind


@pytest.mark.parametrize(
    "value",
    [
        "P0042",
        "p42",
        "rough_sleeping",
        "2026-04-03",
        "03/04/2026",
        "943 476 5910",
        "9434765910",
        12,
        200.0,
        "Apr 2026",
        "2026-27-Q1",
        "food;hairdressing",
        "ss12ab",
        "Feel safe 5",
        None,
        "",
        "at 14:30 on 03/04/2026",
    ],
)
def test_ordinary_cells(value):
    assert _kind(value) is None


def test_nhs_modulus_11():
    assert [_kind(x) for x in ["9434765919", "4010232137", "9434765918", "0000000000"]] == ["nhs", "nhs", None, "nhs"]
    # When the check works out as 10 the number is invalid, whatever the last digit.
    stem = next(
        f"{n:09d}"
        for n in range(100_000_000, 100_001_000)
        if 11 - sum(int(d) * w for d, w in zip(f"{n:09d}", range(10, 1, -1), strict=True)) % 11 == 10
    )
    assert not any(_kind(stem + str(d)) for d in range(10))


def test_scan_column_gives_positions_only():
    col = pd.Series(["P0001", "jane@example.org", "P0002", "jane@example.org", "07700 900123"], dtype=object)
    codes, uniq = pd.factorize(col)
    hits = personal.scan_column(codes, pd.Series(uniq, dtype=object))
    assert hits == [(1, "email"), (3, "email"), (4, "phone")]
