"""Files are grouped by partner, as the ingest benchmark loads them (one process per partner)."""

from __future__ import annotations

from benchmarks.scale import file_groups


def test_file_groups_by_partner(tmp_path):
    names = [
        "aspirations_attendance_2026-04.xlsx",
        "aspirations_attendance_2026-03.xlsx",
        "aspirations_attendance_2026-03_corrected.xlsx",
        "sexual_health_contacts_2026-27-Q1.csv",
        "drug_alcohol_treatment_2026-04.csv",
        "readme.txt",
    ]
    for n in names:
        (tmp_path / n).write_bytes(b"")
    (tmp_path / "aspirations_monthly_2026-03.xlsx").write_bytes(b"")
    groups = file_groups(tmp_path)
    assert set(groups) == {"aspirations", "sexual_health", "drug_alcohol"}
    # Name order: a correction loads after the file it corrects.
    assert [p.name for p in groups["aspirations"]] == [
        "aspirations_attendance_2026-03.xlsx",
        "aspirations_attendance_2026-03_corrected.xlsx",
        "aspirations_attendance_2026-04.xlsx",
        "aspirations_monthly_2026-03.xlsx",
    ]
    assert [p.name for p in groups["drug_alcohol"]] == ["drug_alcohol_treatment_2026-04.csv"]


def test_a_group_loaded_again_for_the_median_is_stored_once(tmp_path):
    # Each repeat loads the group into the database as it was before the first load: the same work each
    # time, and the database ends as after one load (no file is a duplicate the second time).
    import sqlalchemy as sa

    from benchmarks.harness import python, run
    from benchmarks.scale import ingest_group
    from tests.data_loaders.files import csv_bytes

    paths = []
    for m in (4, 5):
        p = tmp_path / f"aspirations_attendance_2026-{m:02d}.csv"
        p.write_bytes(
            csv_bytes([["session_date", "person_id"], [f"02/{m:02d}/2026", "P0001"], [f"09/{m:02d}/2026", "P0002"]])
        )
        paths.append(p)
    db_file = tmp_path / "bench.db"
    run(python("-m", "storage", "upgrade", "--db", f"sqlite:///{db_file}"))
    entry, payload = ingest_group("aspirations", paths, db_file=db_file, repeats=3)
    assert [r["status"] for r in payload] == ["accepted", "accepted"]
    assert entry["rows"] == 4 and len(entry["runs"]["ingest"]) == 3 and len(entry["runs"]["calamine"]) == 3
    assert entry["ingest"]["seconds"] == sorted(entry["runs"]["ingest"])[1]  # the median run
    assert entry["calamine"]["seconds"] == sorted(entry["runs"]["calamine"])[1]
    with sa.create_engine(f"sqlite:///{db_file}").connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM r_attendance")).scalar() == 4
        assert c.execute(sa.text("SELECT count(*) FROM submissions")).scalar() == 2
    assert not list(tmp_path.glob("*.before-group"))
