"""Files are grouped by partner and return, as the ingest benchmark loads them (one process per group)."""

from __future__ import annotations

from benchmarks.scale import file_groups


def test_file_groups_by_partner_and_return(tmp_path):
    names = ["aspirations_attendance_2026-04.xlsx", "aspirations_attendance_2026-03.xlsx",
             "aspirations_attendance_2026-03_corrected.xlsx", "sexual_health_contacts_2026-27-Q1.csv",
             "drug_alcohol_treatment_2026-04.csv", "readme.txt"]
    for n in names:
        (tmp_path / n).write_bytes(b"")
    groups = file_groups(tmp_path)
    assert set(groups) == {"aspirations_attendance", "sexual_health_contacts", "drug_alcohol_treatment"}
    partner, paths = groups["aspirations_attendance"]
    assert partner == "aspirations"
    # Name order: a correction loads after the file it corrects.
    assert [p.name for p in paths] == ["aspirations_attendance_2026-03.xlsx",
                                       "aspirations_attendance_2026-03_corrected.xlsx",
                                       "aspirations_attendance_2026-04.xlsx"]
    assert groups["sexual_health_contacts"][0] == "sexual_health"
    assert groups["drug_alcohol_treatment"][0] == "drug_alcohol"
