"""Validate a partner's file and store it, or refuse it whole (data-returns spec, sections 2-7).

``validate_file`` (in ``data_loaders.checking``) is pure: it reads, checks and
returns the canonical rows with every error and warning. ``ingest_file`` adds the
database: a duplicate changes nothing, a refusal is logged (hash, name,
partner, time, reasons; never content or values), an accepted file is stored
in one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from core.periods import Period
from data_loaders.checking import COULD_NOT_READ, Progress, ValidatedFile, file_error, local_today, validate_file
from data_loaders.usage import UsageError, resolve_partner, resolve_period
from storage import repository

__all__ = [
    "ALREADY_LOADED",
    "COULD_NOT_READ",
    "FileReport",
    "Progress",
    "UsageError",
    "ValidatedFile",
    "ingest_file",
    "local_today",
    "resolve_partner",
    "resolve_period",
    "store_validated",
    "validate_file",
]

ALREADY_LOADED = "This file was loaded before (the same file, byte for byte); nothing changed."
# Refusals are logged with at most this many reasons (the report itself lists every one).
MAX_LOGGED_REASONS = 1000


@dataclass
class FileReport:
    """What happened to one file (``to_json`` is the spec's section 7 object)."""

    file: str
    sha256: str
    partner: str
    period: Period | None
    status: str  # "accepted" | "rejected" | "duplicate"
    sheets: list[dict]
    errors: list[dict]
    warnings: list[str]
    dry_run: bool = False
    preview: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "partner": self.partner,
            "period": (
                {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()} if self.period else None
            ),
            "status": self.status,
            "sheets": [dict(s) for s in self.sheets],
            "errors": [dict(e) for e in self.errors],
            "warnings": list(self.warnings),
        }


# --------------------------------------------------------------------------- with the database


def ingest_file(
    *,
    engine: sa.Engine,
    content: bytes,
    file_name: str,
    partner: str,
    period: Period | str | None = None,
    loaded_by: str,
    dry_run: bool = False,
    today: date | None = None,
    loaded_at: datetime | None = None,
    progress: Progress | None = None,
    role: str | None = None,
) -> FileReport:
    """Validate one file and store it (one transaction), or refuse it whole and log the refusal.

    In a dry run nothing is written; ``status`` says what would happen.
    """
    tick = progress or (lambda _f, _m: None)
    v = validate_file(content=content, file_name=file_name, partner=partner, period=period, today=today, progress=tick)
    return store_validated(
        engine=engine,
        checked=v,
        content=content,
        loaded_by=loaded_by,
        dry_run=dry_run,
        loaded_at=loaded_at,
        progress=tick,
        role=role,
    )


def store_validated(
    *,
    engine: sa.Engine,
    checked: ValidatedFile,
    content: bytes,
    loaded_by: str,
    dry_run: bool = False,
    loaded_at: datetime | None = None,
    progress: Progress | None = None,
    role: str | None = None,
) -> FileReport:
    """The database half of ``ingest_file``, for a file ``validate_file`` has already checked.

    ``content`` must be the bytes that were checked (their hash is ``checked.sha256``).
    """
    tick = progress or (lambda _f, _m: None)
    v = checked
    file_name, partner = v.file, v.partner
    if hashlib.sha256(content).hexdigest() != v.sha256:
        raise ValueError("the content is not the file that was checked")
    report = FileReport(
        file=file_name,
        sha256=v.sha256,
        partner=partner,
        period=v.period,
        status="rejected",
        sheets=v.summary,
        errors=v.errors,
        warnings=v.warnings,
        dry_run=dry_run,
    )
    if dry_run:
        report.preview = {s.sheet: s.frame for s in v.sheets}
        if v.ok:
            with engine.connect() as conn:
                report.status = "duplicate" if repository.find_submission(conn, v.sha256) else "accepted"
            if report.status == "duplicate":
                report.warnings = [*v.warnings, ALREADY_LOADED]
        tick(1.0, "done")
        return report
    if not v.ok:
        reasons = v.errors[:MAX_LOGGED_REASONS]
        if len(v.errors) > MAX_LOGGED_REASONS:
            reasons = [*reasons, file_error(f"... and {len(v.errors) - MAX_LOGGED_REASONS} more errors.")]
        repository.log_refusal(
            engine, sha256=v.sha256, file_name=file_name, partner=partner, loaded_by=loaded_by, reasons=reasons
        )
        repository.audit(
            engine,
            username=loaded_by,
            role=role,
            action="refusal",
            detail={"file": file_name[:255], "sha256": v.sha256, "partner": partner, "errors": len(v.errors)},
        )
        tick(1.0, "refused")
        return report
    tick(0.8, "storing")

    def audit(conn, stored: repository.StoreResult) -> None:
        repository.audit(
            conn,
            username=loaded_by,
            role=role,
            action="upload",
            detail={
                "file": file_name[:255],
                "sha256": v.sha256,
                "partner": partner,
                "status": stored.status,
                "submission_id": stored.submission_id,
                "period": v.period.code(),
                "rows": {s.sheet: len(s.frame) for s in v.sheets},
                "replaced": stored.replaced,
            },
        )

    stored = repository.store_submission(
        engine,
        sha256=v.sha256,
        file_name=file_name,
        partner=partner,
        period=v.period,
        loaded_by=loaded_by,
        content=content,
        sheets=v.sheets,
        warnings=v.warnings,
        loaded_at=loaded_at,
        then=audit,
    )
    report.status = stored.status
    if stored.status == "duplicate":
        report.warnings = [*v.warnings, ALREADY_LOADED]
    tick(1.0, "done")
    return report
