"""Database administration from the command line.

    python -m storage upgrade   [--db URL]
    python -m storage backup    --out FILE  [--db URL]
    python -m storage restore   --file FILE [--db URL]
    python -m storage retention [--days N] [--dry-run] [--db URL]

``--db`` defaults to ``OUTCOMES_DATABASE_URL``, else the embedded SQLite file.
Exit status: 0 done, 1 failed (the message says why), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import sqlalchemy as sa


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m storage", description="Database administration.")
    sub = p.add_subparsers(dest="command", required=True)
    db_help = "SQLAlchemy database URL (default: OUTCOMES_DATABASE_URL, else the embedded SQLite file)"
    up = sub.add_parser("upgrade", help="create or migrate the schema to the latest version")
    up.add_argument("--db", help=db_help)
    bk = sub.add_parser("backup", help="write a backup of the whole database to a file")
    bk.add_argument("--db", help=db_help)
    bk.add_argument("--out", required=True, type=Path, help="backup file to write (replaced if it exists)")
    rs = sub.add_parser("restore", help="replace the database contents with a backup (stop the app first)")
    rs.add_argument("--db", help=db_help)
    rs.add_argument("--file", required=True, type=Path, help="backup file written by 'backup'")
    rt = sub.add_parser("retention", help="delete archived files and replaced rows older than the retention period")
    rt.add_argument("--db", help=db_help)
    rt.add_argument("--days", type=int, help="retention period in days (default: OUTCOMES_RETENTION_DAYS)")
    rt.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    return p


def _where(db: str | None) -> str:
    from storage.db import database_url

    try:
        return sa.make_url(database_url(db)).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "the database"


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from storage.backup import BackupError, backup, restore
    from storage.db import database_url, ensure_schema
    from storage.retention import apply_retention

    where = _where(args.db)
    try:
        url = database_url(args.db)
        sa.make_url(url)
        if args.command == "upgrade":
            ensure_schema(url)
            print(f"{where}: schema is at the latest version")
        elif args.command == "backup":
            ensure_schema(url)
            r = backup(db=url, out=args.out)
            print(f"backup of {where} written to {r.path} ({r.size_bytes} bytes, sha256 {r.sha256})")
        elif args.command == "restore":
            r = restore(db=url, file=args.file)
            print(f"{where} restored from {r.path} (sha256 {r.sha256}) and migrated to the latest version")
        elif args.command == "retention":
            res = apply_retention(ensure_schema(url), days=args.days, dry_run=args.dry_run)
            verb = "would delete" if args.dry_run else "deleted"
            parts = [f"{res.archived_files} archived files"] + [
                f"{n} replaced {name} rows" for name, n in sorted(res.superseded_rows.items())
            ]
            print(f"{where}: {verb} {', '.join(parts)} older than {res.cutoff:%Y-%m-%d %H:%M} UTC ({res.days} days)")
    except (BackupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except sa.exc.ArgumentError:
        print(
            "error: the database URL is not valid; give an SQLAlchemy URL such as "
            "postgresql+psycopg://user@host/dbname or sqlite:////path/to/outcomes.db",
            file=sys.stderr,
        )
        return 1
    except sa.exc.SQLAlchemyError as exc:
        # The driver's first line says what went wrong (no SQL, no parameters, no password).
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"error: database operation on {where} failed: {reason}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc.strerror or exc} ({exc.filename or ''})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run())
