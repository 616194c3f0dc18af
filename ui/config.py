"""Settings that come from Streamlit secrets, and the secret that signs login cookies."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from core import settings
from core.settings import PROJECT_ROOT

GENERATED_SECRET = PROJECT_ROOT / "data" / "cookie-secret"


class ConfigurationError(RuntimeError):
    """The app cannot start safely as configured (message says what to set)."""


def overlay_streamlit_secrets(values: dict) -> None:
    """Let top-level ``OUTCOMES_*`` keys of ``st.secrets`` fill settings (the environment still wins)."""
    settings.overlay(
        {
            k: v
            for k, v in values.items()
            if isinstance(k, str) and k.startswith("OUTCOMES_") and not isinstance(v, dict)
        }
    )


def is_sample() -> bool:
    return bool(settings.get("OUTCOMES_SAMPLE"))


def cookie_secret(*, generated_path: Path = GENERATED_SECRET) -> str:
    """OUTCOMES_COOKIE_SECRET; on the sample database a random one is made once and kept in ``data/``."""
    value = settings.get("OUTCOMES_COOKIE_SECRET")
    if value:
        if len(value) < 32:
            raise ConfigurationError("OUTCOMES_COOKIE_SECRET must be at least 32 characters long.")
        return value
    if not is_sample():
        raise ConfigurationError(
            "OUTCOMES_COOKIE_SECRET is not set. Set it in the environment or in .streamlit/secrets.toml "
            "(see docs/login.md)."
        )
    generated_path.parent.mkdir(parents=True, exist_ok=True)
    if not generated_path.exists():
        tmp = generated_path.with_name(f".{generated_path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            # A hard link never replaces: two processes starting together agree on one secret.
            os.link(tmp, generated_path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return generated_path.read_text(encoding="utf-8").strip()


def session_hours() -> int:
    return max(1, int(settings.get("OUTCOMES_SESSION_HOURS")))


def idle_minutes() -> int:
    """Minutes without interaction after which a session ends (at least 3: the warning comes 2 before)."""
    return max(3, int(settings.get("OUTCOMES_IDLE_MINUTES")))
