"""Free text is checked for personal data as uploaded files are, plus person references and birth dates."""

from __future__ import annotations

from datetime import date

import pytest

from core.personal import KIND_TEXT, refusal_message, text_problem

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Call her on 07700 900123 before Friday", "phone"),
        ("Her GP is on 01702 215000", "phone"),
        ("Emailed jane.doe@example.org about it", "email"),
        ("NHS 943 476 5919 has moved", "nhs"),
        ("She lives near SS1 2AB now", "postcode"),
        ("P0042 missed three sessions", "reference"),
        ("p42 missed three sessions", "reference"),
        ("The woman (P-42) was housed", "reference"),
        ("Born 12/03/1985, she has been with us for years", "birth_date"),
        ("date of birth 1990", "birth_date"),
        ("She was 12 March 1991 according to the notes", "birth_date"),
        ("DOB 3 Apr 1979", "birth_date"),
    ],
)
def test_personal_data_in_free_text_is_found(text, kind):
    assert text_problem(text, today=TODAY) == kind


@pytest.mark.parametrize(
    "text",
    [
        "Dental access fell in Q2 2026-27 because two Saturday sessions were cancelled.",
        "Six more women were seen at the drop-in than in the previous quarter (DEN-01, HLT-03).",
        "The mobile clinic starts on 12 January 2027; first review at the meeting on 20/04/2026.",
        "Up 3 on last month; top 10 reasons unchanged. Target 60%.",
        "",
    ],
)
def test_ordinary_commentary_passes(text):
    assert text_problem(text, today=TODAY) is None


def test_the_refusal_never_repeats_the_text():
    text = "P0042 is on 07700 900123"
    kind = text_problem(text, today=TODAY)
    message = refusal_message(kind, field="commentary")
    assert KIND_TEXT[kind] in message
    assert "P0042" not in message and "07700" not in message
