"""The check every typed name goes through: what personal data it looks like, never the name itself."""

from __future__ import annotations

import pytest

from core.identifiers import kept_file_name, name_problem, plain_words, refusal, username_problem


@pytest.mark.parametrize(
    "name, kind",
    [
        ("Jane Smith jane.doe@example.com 07700900123_2026-11.xlsx", "email"),
        ("call 07700 900123", "phone"),
        ("943 476 5919", "nhs"),
        ("SS1 1AA", "postcode"),
        ("attendance 12-03-1985.xlsx", "dob"),
        ("DOB 02/01/2004", "dob"),
        ("born 1990-01-02", "dob"),
        ("Jane P0042", "person"),
        ("P0042_smith.xlsx", "person"),
    ],
)
def test_names_that_look_like_personal_data(name, kind):
    assert name_problem(name) == kind


@pytest.mark.parametrize(
    "name",
    [
        "aspirations_attendance_2026-04.xlsx",
        "attendance_2026-27-Q1.csv",
        "attendance_2026-04-01..2026-06-30.xlsx",
        "P0042_final.xlsx",
        "Sheet1",
        "Drop in 3 April 2026",
        "Guidance",
        "",
        "Jane Smith",
    ],
)
def test_names_that_do_not(name):
    assert name_problem(name) is None


def test_an_organisation_email_is_a_valid_username_but_not_other_personal_data():
    assert username_problem("jane.doe@southend.gov.uk") is None
    assert username_problem("sess3") is None
    assert username_problem("jane 07700900123") == "phone"
    assert username_problem("jane.doe@southend.gov.uk 07700900123") == "email"
    assert username_problem("Jane P0042") == "person"


def test_plain_words_are_the_products_own():
    assert plain_words("Drop-in Tuesday") and plain_words("Sheet1") and plain_words("Aspirations April")
    assert not plain_words("Jane Smith") and not plain_words("![x](http://example.invalid/a.png)")
    assert not plain_words("<style>")


def test_the_message_never_repeats_the_name():
    msg = refusal("email", "This file's name", "rename it.")
    assert "an email address" in msg and "@" not in msg


def test_a_stored_file_name_is_redacted_only_when_it_looks_like_personal_data():
    sha = "ab" * 32
    assert kept_file_name("attendance_2026-04.xlsx", sha) == "attendance_2026-04.xlsx"
    assert kept_file_name("Jane P0042.XLSX", sha) == "file-abababababab.xlsx"
    assert kept_file_name("jane@example.com", sha) == "file-abababababab"


def test_a_partner_named_with_contact_details_is_refused_without_repeating_it(tmp_path, monkeypatch):
    from core import partners

    path = tmp_path / "partners.toml"
    path.write_text('[partners.x]\nname = "Jane 07700 900123"\nreturns = ["attendance"]\n', encoding="utf-8")
    monkeypatch.setenv("OUTCOMES_PARTNERS_FILE", str(path))
    with pytest.raises(ValueError, match="looks like a phone number") as exc:
        partners.partners()
    assert "07700" not in str(exc.value) and "Jane" not in str(exc.value)
