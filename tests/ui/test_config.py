"""The cookie secret: from settings, or generated once for the sample database, else a clear refusal."""

from __future__ import annotations

import pytest

from ui import config


def test_secret_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("OUTCOMES_COOKIE_SECRET", "s" * 40)
    assert config.cookie_secret(generated_path=tmp_path / "x") == "s" * 40
    assert not (tmp_path / "x").exists()


def test_short_secret_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("OUTCOMES_COOKIE_SECRET", "short")
    with pytest.raises(config.ConfigurationError, match="at least 32"):
        config.cookie_secret(generated_path=tmp_path / "x")


def test_generated_once_for_sample(monkeypatch, tmp_path):
    monkeypatch.delenv("OUTCOMES_COOKIE_SECRET", raising=False)
    monkeypatch.setattr(config.settings, "_overlay", {})
    monkeypatch.setenv("OUTCOMES_SAMPLE", "1")
    path = tmp_path / "data" / "cookie-secret"
    first = config.cookie_secret(generated_path=path)
    assert len(first) >= 32 and config.cookie_secret(generated_path=path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_refused_without_secret_on_real_data(monkeypatch, tmp_path):
    monkeypatch.delenv("OUTCOMES_COOKIE_SECRET", raising=False)
    monkeypatch.setattr(config.settings, "_overlay", {})
    monkeypatch.setenv("OUTCOMES_SAMPLE", "0")
    with pytest.raises(config.ConfigurationError, match="OUTCOMES_COOKIE_SECRET is not set"):
        config.cookie_secret(generated_path=tmp_path / "x")


def test_streamlit_secrets_fill_settings_but_environment_wins(monkeypatch):
    monkeypatch.setattr(config.settings, "_overlay", {})
    monkeypatch.setenv("OUTCOMES_SESSION_HOURS", "3")
    config.overlay_streamlit_secrets(
        {"OUTCOMES_SESSION_HOURS": "12", "OUTCOMES_SAMPLE": "1", "auth": {"x": 1}, "OTHER": "y"}
    )
    assert config.session_hours() == 3
    monkeypatch.delenv("OUTCOMES_SAMPLE", raising=False)
    assert config.is_sample()
