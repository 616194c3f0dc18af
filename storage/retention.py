"""Retention: delete archived files and replaced rows once they are older than the retention period.

Kept: the current rows (the figures depend on them), the submission records
(partner, period, file name, hash, who and when: no personal data), refusals
and the audit log. Every deletion is written to the audit log as counts,
never content, in the same transaction as the deletion itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from core import settings
from storage import schema
from storage.db import write_transaction
from storage.repository import audit, utcnow


@dataclass(frozen=True)
class RetentionResult:
    days: int
    cutoff: datetime
    archived_files: int
    superseded_rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.archived_files + sum(self.superseded_rows.values())


def apply_retention(
    engine: sa.Engine,
    *,
    days: int | None = None,
    now: datetime | None = None,
    username: str = "system",
    dry_run: bool = False,
) -> RetentionResult:
    """Delete archived files of submissions loaded, and rows superseded, more than ``days`` days before ``now``.

    ``days`` defaults to ``OUTCOMES_RETENTION_DAYS``; ``now`` (naive UTC) to the current time.
    With ``dry_run`` nothing is deleted or logged; the counts say what would be.
    """
    days = int(settings.get("OUTCOMES_RETENTION_DAYS")) if days is None else int(days)
    if days < 1:
        raise ValueError("the retention period must be at least 1 day")
    cutoff = (now or utcnow()) - timedelta(days=days)
    s, a = schema.submissions, schema.archived_files
    old_subs = sa.select(s.c.id).where(s.c.loaded_at < cutoff)
    with write_transaction(engine) as conn:
        n_files = conn.execute(
            sa.select(sa.func.count()).select_from(a).where(a.c.submission_id.in_(old_subs))
        ).scalar_one()
        rows: dict[str, int] = {}
        for name, t in schema.return_tables.items():
            old = t.c.superseded_at.is_not(None) & (t.c.superseded_at < cutoff)
            rows[name] = conn.execute(sa.select(sa.func.count()).select_from(t).where(old)).scalar_one()
            if rows[name] and not dry_run:
                conn.execute(t.delete().where(old))
        if n_files and not dry_run:
            conn.execute(a.delete().where(a.c.submission_id.in_(old_subs)))
        result = RetentionResult(days, cutoff, int(n_files), {k: int(v) for k, v in rows.items() if v})
        if not dry_run:
            common = {"days": days, "older_than": cutoff.isoformat(timespec="seconds")}
            if n_files:
                audit(
                    conn,
                    username=username,
                    role="system",
                    action="retention_delete",
                    detail={**common, "table": "archived_files", "rows": int(n_files)},
                )
            for name, n in result.superseded_rows.items():
                audit(
                    conn,
                    username=username,
                    role="system",
                    action="retention_delete",
                    detail={**common, "table": f"r_{name}", "rows": n},
                )
            audit(
                conn,
                username=username,
                role="system",
                action="retention_run",
                detail={**common, "rows_deleted": result.total},
            )
    return result
