"""The Streamlit server settings the product relies on (.streamlit/config.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def test_hardened_settings():
    cfg = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["server"].get("enableCORS", True) is True  # CORS protection stays on
    assert cfg["server"]["maxUploadSize"] == 20
    assert cfg["client"]["showErrorDetails"] in (False, "none")
    assert cfg["client"]["toolbarMode"] == "viewer"
    assert cfg["browser"]["gatherUsageStats"] is False


def test_no_secret_in_config():
    text = CONFIG.read_text(encoding="utf-8").lower()
    assert "secret" not in text.replace("secrets never go here", "").replace("secrets.toml", "")
