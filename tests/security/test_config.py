"""The security settings in force: Streamlit's configuration, secrets kept out of git, password hashing,
safe XML parsing. Each test fails if the setting is off."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import ROOT

STREAMLIT_CONFIG = ROOT / ".streamlit" / "config.toml"
SECRET_KEYS = ("OUTCOMES_COOKIE_SECRET", "cookie_secret", "client_secret")


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def _tracked() -> list[str]:
    res = _git("ls-files", "-z")
    if res.returncode:
        pytest.fail(f"git ls-files failed (tests must run in a git checkout): {res.stderr}")
    return [p for p in res.stdout.split("\0") if p]


# --------------------------------------------------------------------------- Streamlit


def test_streamlit_config_file_holds_the_safe_settings():
    assert STREAMLIT_CONFIG.exists(), ".streamlit/config.toml is missing: Streamlit would run on its defaults"
    cfg = tomllib.loads(STREAMLIT_CONFIG.read_text(encoding="utf-8"))
    server, client = cfg.get("server", {}), cfg.get("client", {})
    assert server.get("enableXsrfProtection") is True
    assert server.get("enableCORS", True) is True, "CORS protection must stay on"
    assert 0 < int(server.get("maxUploadSize", 200)) <= 20, "uploads above 20 MB must be refused by Streamlit"
    assert client.get("showErrorDetails") in (False, "none"), "tracebacks must never reach a user"
    assert client.get("toolbarMode") in ("viewer", "minimal")


def test_effective_streamlit_options_as_streamlit_reads_them():
    """What Streamlit itself resolves from the project's files (catches a typo in a section or key name)."""
    keys = [
        "server.enableXsrfProtection",
        "server.enableCORS",
        "server.maxUploadSize",
        "client.showErrorDetails",
        "client.toolbarMode",
    ]
    code = (
        "import json; from streamlit import config; config.get_config_options(force_reparse=True); "
        f"print(json.dumps({{k: config.get_option(k) for k in {keys!r}}}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got["server.enableXsrfProtection"] is True
    assert got["server.enableCORS"] is True
    assert got["server.maxUploadSize"] <= 20
    assert got["client.showErrorDetails"] in (False, "none")
    assert got["client.toolbarMode"] in ("viewer", "minimal")


def test_no_launcher_overrides_the_safe_settings():
    """No tracked script, Makefile or doc starts Streamlit with the protections turned off."""
    bad = re.compile(
        r"(enableXsrfProtection|enableCORS)[ =]+false|showErrorDetails[ =]+\"?(true|full|stacktrace)"
        r"|STREAMLIT_SERVER_ENABLE_(XSRF_PROTECTION|CORS)=(false|0)",
        re.IGNORECASE,
    )
    offenders = []
    for path in _tracked():
        if path.startswith("tests/") or not (ROOT / path).is_file():
            continue
        text = (ROOT / path).read_text(encoding="utf-8", errors="ignore")
        if bad.search(text):
            offenders.append(path)
    assert offenders == []


def test_the_upload_limit_setting_is_no_more_than_20_mb():
    from core.settings import SETTINGS

    (limit,) = [s for s in SETTINGS if s.name == "OUTCOMES_MAX_UPLOAD_MB"]
    assert int(limit.default) <= 20


# --------------------------------------------------------------------------- secrets


def test_secrets_file_and_generated_secret_are_git_ignored():
    candidates = [".streamlit/secrets.toml", "data/outcomes.db", ".env"]
    try:
        from ui.config import GENERATED_SECRET

        candidates.append(str(GENERATED_SECRET.relative_to(ROOT)))
    except ImportError:
        pass
    for path in candidates:
        assert _git("check-ignore", "-q", "--no-index", path).returncode == 0, f"{path} is not git-ignored"
    tracked = _tracked()
    assert ".streamlit/secrets.toml" not in tracked
    assert not [p for p in tracked if re.search(r"(^|/)(\.env|secrets\.toml|.*\.(pem|key|p12))$", p)]


def test_no_secret_value_is_committed():
    # key = "literal" (TOML, Python, shell, YAML) with a real-looking value; placeholders are fine.
    keys = "|".join(SECRET_KEYS)
    assign = re.compile(r"(?i)\b(" + keys + r""")\b["']?\s*[:=]\s*["']([^"'\s$<{}]{12,})["']""")
    placeholder = re.compile(r"(?i)change|example|placeholder|your|xxx|dummy|secret-here|\.\.\.|…")
    found = []
    for path in _tracked():
        if not (ROOT / path).is_file():
            continue
        text = (ROOT / path).read_text(encoding="utf-8", errors="ignore")
        for m in assign.finditer(text):
            value = m.group(2)
            # Test suites may use an obviously fake value; nothing else may hold a literal.
            if placeholder.search(value) or (path.startswith("tests/") and "test" in value.lower()):
                continue
            found.append(f"{path}: {m.group(1)}")
    assert found == [], "secret values are committed (rotate them, then remove them from git history)"


def test_the_secret_in_use_here_is_not_in_any_tracked_file():
    values = []
    if os.environ.get("OUTCOMES_COOKIE_SECRET"):
        values.append(os.environ["OUTCOMES_COOKIE_SECRET"])
    local = ROOT / ".streamlit" / "secrets.toml"
    if local.exists():
        data = tomllib.loads(local.read_text(encoding="utf-8"))
        values += [str(v) for k, v in data.items() if k in SECRET_KEYS]
        values += [str(v) for sec in data.values() if isinstance(sec, dict) for k, v in sec.items() if k in SECRET_KEYS]
    for value in values:
        if len(value) < 12 or "test" in value.lower():
            continue
        res = _git("grep", "-l", "-F", "-e", value)
        assert res.stdout.strip() == "", "the secret in use is committed"


def test_cookie_secret_has_no_default():
    from core.settings import SETTINGS

    (s,) = [s for s in SETTINGS if s.name == "OUTCOMES_COOKIE_SECRET"]
    assert s.default is None


# --------------------------------------------------------------------------- passwords and parsing


def test_passwords_are_stored_as_argon2_hashes(engine):
    import sqlalchemy as sa

    from storage import schema
    from storage.users import create_user, verify

    password = "correct horse battery staple"
    create_user(engine, username="ig.officer", password=password, role="admin")
    with engine.connect() as c:
        stored = c.execute(
            sa.select(schema.users.c.password_hash).where(schema.users.c.username == "ig.officer")
        ).scalar_one()
    assert stored.startswith("$argon2id$")
    assert password not in stored
    assert verify(engine, username="ig.officer", password=password).ok
    assert not verify(engine, username="ig.officer", password=password + "!").ok
    with engine.connect() as c:  # nor anywhere in the audit log
        detail = json.dumps([r[0] for r in c.execute(sa.select(schema.audit_log.c.detail))])
    assert password not in detail


def test_openpyxl_parses_with_defusedxml():
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


# --------------------------------------------------------------------------- listening address and proxy headers


def test_the_app_listens_on_this_machine_only():
    cfg = tomllib.loads(STREAMLIT_CONFIG.read_text(encoding="utf-8"))
    assert cfg.get("server", {}).get("address") == "127.0.0.1"
    run = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "server.address" not in run and "0.0.0.0" not in run  # make run keeps the configured address


def test_streamlit_reads_the_address_as_configured():
    code = (
        "from streamlit import config; config.get_config_options(force_reparse=True); "
        "print(config.get_option('server.address'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "STREAMLIT_SERVER_ADDRESS"}
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert res.stdout.strip().splitlines()[-1] == "127.0.0.1", res.stderr


def test_the_deployment_guide_gives_the_proxy_security_headers():
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    headers = dict(re.findall(r'add_header ([\w-]+) "?(.*?)"? always;', guide))
    assert headers["X-Frame-Options"] == "DENY"
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "img-src 'self' data: blob:" in csp  # no image fetched from elsewhere
    assert headers["X-Content-Type-Options"] == "nosniff"
