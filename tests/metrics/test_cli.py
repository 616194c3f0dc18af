"""``python -m metrics indicators``: JSON of spec section 7, CSV, usage errors (exit 2, no traceback)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from metrics.cli import main
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def url(golden_engine) -> str:
    return golden_engine.url.render_as_string(hide_password=False)


def test_json_exact_shape(url, capsys):
    assert main(["indicators", "--start", "2026-04-01", "--end", "2026-04-30", "--db", url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["period"] == {"start": "2026-04-01", "end": "2026-04-30"} and out["public"] is False
    assert len(out["indicators"]) == 27
    first = out["indicators"][0]
    assert list(first) == [
        "id",
        "name",
        "unit",
        "polarity",
        "numerator",
        "denominator",
        "value",
        "lower_ci",
        "upper_ci",
        "suppressed",
        "status",
        "missing",
        "target",
        "rag",
        "breakdown",
    ]
    eng03 = next(i for i in out["indicators"] if i["id"] == "ENG-03")
    assert eng03["value"] == pytest.approx(100 / 3)  # unrounded, 0-100 scale
    wkf = next(i for i in out["indicators"] if i["id"] == "WKF-01")
    assert {"category": "police", "value": 12, "suppressed": False} in wkf["breakdown"]


def test_public_and_as_of(url, capsys):
    assert main(["indicators", "--start", "2026-04-01", "--end", "2026-04-30", "--db", url, "--public"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["public"] is True
    eng02 = next(i for i in out["indicators"] if i["id"] == "ENG-02")
    assert eng02["value"] is None and eng02["suppressed"] is True
    assert (
        main(["indicators", "--start", "2026-04-01", "--end", "2026-04-30", "--db", url, "--as-of", "2026-05-01"]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert {i["status"] for i in out["indicators"]} == {"not_reported"}


def test_csv(url, capsys):
    assert main(["indicators", "--start", "2026-04-01", "--end", "2026-04-30", "--db", url, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("period_start,period_end,id,name,unit") and len(lines) == 28
    assert any("vineyard/supplies/2026-04" in line for line in lines)
    eng01 = next(line for line in lines if ",ENG-01," in line).split(",")
    assert eng01[6:9] == ["6", "", "6"]  # numerator, denominator, value: whole numbers, blank for null


@pytest.mark.parametrize(
    "args, says",
    [
        (["indicators", "--start", "2026-04-31", "--end", "2026-05-01"], "is not a date"),
        (["indicators", "--start", "2026-05-01", "--end", "2026-04-01"], "before --start"),
        (["indicators", "--end", "2026-04-01"], "--start"),
        (["indicators", "--start", "2026-04-01", "--end", "2026-04-30", "--format", "xml"], "invalid choice"),
        ([], "indicators"),
    ],
)
def test_usage_errors_exit_2(args, says, capsys, url):
    with pytest.raises(SystemExit) as e:
        main([*args, "--db", url] if args else args)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_missing_database_file_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["indicators", "--start", "2026-04-01", "--end", "2026-04-30", "--db", f"sqlite:///{tmp_path}/no.db"])
    assert e.value.code == 2 and "no database file" in capsys.readouterr().err


def test_as_a_process_no_traceback():
    p = subprocess.run(
        [sys.executable, "-m", "metrics", "indicators", "--start", "yesterday", "--end", "x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 2 and "Traceback" not in p.stderr and "YYYY-MM-DD" in p.stderr


@pytest.mark.parametrize(("start", "end"), [("2026-04-08", "2026-06-30"), ("2026-03-01", "2026-04-30")])
def test_public_figures_for_a_non_standard_period_are_refused(url, capsys, start, end):
    """A quarter less its first week would give that week by subtraction: refused, naming what is published."""
    with pytest.raises(SystemExit) as e:
        main(["indicators", "--start", start, "--end", end, "--db", url, "--public"])
    err = capsys.readouterr().err
    assert e.value.code == 2
    assert "--public" in err and "a month, a financial-year quarter" in err and "year to date" in err
    assert "Traceback" not in err
    # The same range with exact figures still works; a year to date is published.
    assert main(["indicators", "--start", start, "--end", end, "--db", url]) == 0
    capsys.readouterr()
    assert main(["indicators", "--start", "2026-04-01", "--end", "2026-09-30", "--db", url, "--public"]) == 0
