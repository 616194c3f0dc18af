"""Every setting the product reads, declared once (name, default, help).

Values come from the environment; the Streamlit app also overlays
``st.secrets`` (see ``ui.secrets``). ``docs/settings.md`` lists them all and a
test keeps that list in step with this one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str
    cast: type = str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "OUTCOMES_DATABASE_URL",
        f"sqlite:///{PROJECT_ROOT / 'data' / 'outcomes.db'}",
        "SQLAlchemy URL of the database (SQLite file by default; postgresql+psycopg://… for a server).",
    ),
    Setting(
        "OUTCOMES_PARTNERS_FILE",
        str(PROJECT_ROOT / "config" / "partners.toml"),
        "TOML file listing partners and the returns each may send.",
    ),
    Setting(
        "OUTCOMES_TARGETS_FILE",
        str(PROJECT_ROOT / "config" / "targets.toml"),
        "TOML file of indicator targets per financial year.",
    ),
    Setting(
        "OUTCOMES_SPC_SCREEN_OUTLIERS",
        "1",
        "1 screens out moving ranges at or above 3.267 times their mean before SPC limits are worked out "
        "(as NHSRplotthedots does); 0 matches the Making Data Count Excel tool.",
    ),
    Setting(
        "OUTCOMES_SPC_BASELINE_POINTS",
        "0",
        "0: SPC limits from every point of each period; 12 or more: fixed limits from the first N points.",
        int,
    ),
    Setting(
        "OUTCOMES_CONFIDENCE",
        "95",
        "Confidence level (95 or 99.8) of the intervals that judge better, similar or worse.",
        float,
    ),
    Setting(
        "OUTCOMES_SUPPRESSION_THRESHOLD",
        "5",
        "Counts below this (from 1) are suppressed in public figures. May be raised, never below 5.",
        int,
    ),
    Setting("OUTCOMES_MAX_UPLOAD_MB", "20", "Largest file accepted, in megabytes.", int),
    Setting(
        "OUTCOMES_MAX_EXPANDED_MB",
        "512",
        "Largest total uncompressed size a workbook may declare, in megabytes (zip-bomb guard).",
        int,
    ),
    Setting(
        "OUTCOMES_MAX_PART_MB",
        "100",
        "Largest size one part of a workbook (a sheet, the shared text) may expand to, in megabytes.",
        int,
    ),
    Setting("OUTCOMES_MAX_SHEETS", "50", "Most sheets one workbook may have.", int),
    Setting(
        "OUTCOMES_MAX_SHEET_CELLS",
        "1000000",
        "Most cells one sheet may span, rows times columns counted from A1 (a CSV: rows times columns).",
        int,
    ),
    Setting("OUTCOMES_MAX_FILE_CELLS", "2000000", "Most cells one file may hold, all sheets together.", int),
    Setting(
        "OUTCOMES_MAX_SHARED_STRINGS",
        "500000",
        "Most different pieces of text (shared strings) a workbook may hold.",
        int,
    ),
    Setting("OUTCOMES_MAX_CELL_CHARS", "32767", "Most characters one cell may hold (Excel's own limit).", int),
    Setting(
        "OUTCOMES_MAX_TEXT_CHARS",
        "20000000",
        "Most characters the text of a file's cells may come to when opened, a shared text counted once for "
        "each cell that shows it.",
        int,
    ),
    Setting(
        "OUTCOMES_COOKIE_SECRET",
        None,
        "Secret that signs login cookies. Required; the same on every app process. Never commit it.",
    ),
    Setting("OUTCOMES_SESSION_HOURS", "8", "How long a login lasts, in hours.", int),
    Setting(
        "OUTCOMES_IDLE_MINUTES",
        "30",
        "A session with no interaction for this many minutes ends (a warning shows two minutes before).",
        int,
    ),
    Setting(
        "OUTCOMES_RETENTION_DAYS",
        "2555",
        "Archived files and replaced rows older than this many days are deleted by the retention command.",
        int,
    ),
    Setting("OUTCOMES_TIMEZONE", "Europe/London", "Time zone for 'end of day' and due dates."),
    Setting(
        "OUTCOMES_TODAY",
        None,
        "Fixes the product's date (2026-11-20) or local time (2026-11-15T23:30) for demos, training and tests.",
    ),
    Setting("OUTCOMES_SAMPLE", "0", "1 when the database holds the synthetic sample data (shows a banner).", int),
    Setting(
        "OUTCOMES_REPORT_CONTACT",
        "Strategic Street Prostitution Group coordinator, Southend-on-Sea City Council",
        "Who to contact about the figures, printed on the cover of every meeting pack.",
    ),
    Setting(
        "OUTCOMES_LOCAL_LOGIN",
        "1",
        "0 switches local accounts off, once everyone signs in through the organisation's identity provider.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}
_overlay: dict[str, str] = {}


def overlay(values: dict[str, object]) -> None:
    """Let the app add values from ``st.secrets`` (the environment still wins)."""
    for k, v in values.items():
        if k in _BY_NAME and v is not None:
            _overlay[k] = str(v)


def get(name: str):
    """The value of a declared setting, cast to its type (None when unset without default)."""
    s = _BY_NAME[name]
    raw = os.environ.get(name) or _overlay.get(name) or s.default
    if raw is None:
        return None
    return s.cast(raw)


def suppression_threshold() -> int:
    """The disclosure threshold: configurable upwards, never below 5."""
    return max(5, int(get("OUTCOMES_SUPPRESSION_THRESHOLD")))
