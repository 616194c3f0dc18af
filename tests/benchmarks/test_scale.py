"""Files are grouped by partner, as the ingest benchmark loads them (one process per partner)."""

from __future__ import annotations

from benchmarks.scale import file_groups


def test_file_groups_by_partner(tmp_path):
    names = ["aspirations_attendance_2026-04.xlsx", "aspirations_attendance_2026-03.xlsx",
             "aspirations_attendance_2026-03_corrected.xlsx", "sexual_health_contacts_2026-27-Q1.csv",
             "drug_alcohol_treatment_2026-04.csv", "readme.txt"]
    for n in names:
        (tmp_path / n).write_bytes(b"")
    (tmp_path / "aspirations_monthly_2026-03.xlsx").write_bytes(b"")
    groups = file_groups(tmp_path)
    assert set(groups) == {"aspirations", "sexual_health", "drug_alcohol"}
    # Name order: a correction loads after the file it corrects.
    assert [p.name for p in groups["aspirations"]] == [
        "aspirations_attendance_2026-03.xlsx", "aspirations_attendance_2026-03_corrected.xlsx",
        "aspirations_attendance_2026-04.xlsx", "aspirations_monthly_2026-03.xlsx"]
    assert [p.name for p in groups["drug_alcohol"]] == ["drug_alcohol_treatment_2026-04.csv"]
