"""The command line: usage errors exit 2 with a message, exports are written and audited."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from reports.__main__ import main
from storage import schema


@pytest.mark.parametrize(
    "argv, says",
    [
        (["csv", "--start", "2026-04-01", "--end", "2026-06-30"], "--out"),
        (["csv", "--start", "01/04/2026", "--end", "2026-06-30", "--out", "x.csv"], "YYYY-MM-DD"),
        (["csv", "--start", "2026-06-30", "--end", "2026-04-01", "--out", "x.csv"], "before it starts"),
        (["poster", "--start", "2026-04-01", "--end", "2026-06-30", "--out", "x"], "invalid choice"),
        (["csv", "--start", "2026-04-01", "--end", "2026-06-30", "--out", "/no/such/folder/x.csv"], "does not exist"),
    ],
)
def test_usage_errors_exit_2_with_a_message(argv, says, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_an_unreadable_database_is_a_message_not_a_traceback(tmp_path, capsys):
    code = main(
        [
            "csv",
            "--start",
            "2026-04-01",
            "--end",
            "2026-06-30",
            "--db",
            "nosuchdialect://x",
            "--out",
            str(tmp_path / "x.csv"),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err


def test_csv_and_workbook_written_and_audited(populated, db_url, tmp_path):
    out = tmp_path / "indicators_PUBLIC.csv"
    assert (
        main(["csv", "--start", "2026-04-01", "--end", "2026-06-30", "--public", "--db", db_url, "--out", str(out)])
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    period_rows = [r for r in rows if r["period type"] == "reporting period"]
    assert len(period_rows) == 27 and rows[0]["indicator"] == "ENG-01"
    assert {r["marking"] for r in rows} == {"OFFICIAL"}
    book = tmp_path / "book.xlsx"
    assert main(["workbook", "--start", "2026-04-01", "--end", "2026-06-30", "--db", db_url, "--out", str(book)]) == 0
    assert book.read_bytes()[:2] == b"PK"
    with populated.connect() as c:
        audit = c.execute(sa.select(schema.audit_log).where(schema.audit_log.c.action == "export")).mappings().all()
    assert [(a["role"], a["detail"]["kind"], a["detail"]["version"]) for a in audit] == [
        ("cli", "csv", "public"),
        ("cli", "workbook", "restricted"),
    ]


def test_an_empty_database_is_exported_with_a_warning(tmp_path, capsys):
    out = tmp_path / "empty.csv"
    assert (
        main(
            [
                "csv",
                "--start",
                "2026-04-01",
                "--end",
                "2026-06-30",
                "--db",
                f"sqlite:///{tmp_path / 'new.db'}",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert "holds no submissions" in capsys.readouterr().err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["status"] for r in rows if r["period type"] == "reporting period"] == ["not reported"] * 27
    assert {r["marking"] for r in rows} == {"OFFICIAL-SENSITIVE"}
