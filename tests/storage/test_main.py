"""``python -m storage``: plain messages and exit codes, never a traceback or a password."""

from __future__ import annotations

import pytest

from storage.__main__ import run


def test_unreachable_database_fails_plainly_without_the_password(capsys):
    code = run(["upgrade", "--db", "postgresql+psycopg://outcomes:S3cretPassw0rd@127.0.0.1:1/outcomes"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: database operation on postgresql+psycopg://outcomes:***@127.0.0.1:1/outcomes")
    assert "S3cretPassw0rd" not in err and "Traceback" not in err


def test_a_url_that_is_not_one_fails_plainly(capsys):
    assert run(["upgrade", "--db", "not a url"]) == 1
    assert "not valid" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        run(["backup"])  # --out is required
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        run(["explode"])
    assert exc.value.code == 2


def test_retention_dry_run_and_refusal_of_zero_days(engine, capsys):
    url = engine.url.render_as_string(hide_password=False)
    assert run(["retention", "--db", url, "--dry-run", "--days", "30"]) == 0
    assert "would delete 0 archived files" in capsys.readouterr().out
    assert run(["retention", "--db", url, "--days", "0"]) == 1
    assert "at least 1 day" in capsys.readouterr().err
