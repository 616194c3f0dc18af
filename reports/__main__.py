"""Command line: ``python -m reports pack|workbook|csv|charts --start --end [--public] [--db] --out``.

Usage errors exit 2 with a message; other failures exit 1 with a message; never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path

from core.periods import Period, PeriodError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-04-01") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m reports", description="Export the strategy indicators for reports.")
    sub = p.add_subparsers(dest="kind", required=True, metavar="pack|workbook|csv|charts")
    helps = {
        "pack": "meeting pack (.docx)",
        "workbook": "indicator workbook (.xlsx)",
        "csv": "indicators (.csv)",
        "charts": "one PNG chart per indicator, into a folder",
    }
    for kind, text in helps.items():
        s = sub.add_parser(kind, help=text, description=f"Export the {text}.")
        s.add_argument("--start", type=_date, required=True, help="first day of the period (YYYY-MM-DD)")
        s.add_argument("--end", type=_date, required=True, help="last day of the period (YYYY-MM-DD)")
        s.add_argument(
            "--public",
            action="store_true",
            help="the public version: disclosure control applied (default: restricted, exact figures)",
        )
        s.add_argument("--as-of", type=_date, default=None, help="figures as the data stood at the end of this day")
        s.add_argument("--db", default=None, help="database URL (default: OUTCOMES_DATABASE_URL)")
        s.add_argument("--out", required=True, help="folder to write into" if kind == "charts" else "file to write")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    try:
        period = Period(args.start, args.end)
    except PeriodError as exc:
        p.error(str(exc))
    out = Path(args.out)
    if args.kind == "charts":
        if out.exists() and not out.is_dir():
            p.error(f"--out {out} is a file; charts need a folder")
    elif out.is_dir():
        p.error(
            f"--out {out} is a folder; give a file name such as "
            f"{out / ('export.' + {'pack': 'docx', 'workbook': 'xlsx', 'csv': 'csv'}[args.kind])}"
        )
    elif not out.parent.is_dir():
        p.error(f"--out: the folder {out.parent} does not exist")
    try:
        return _run(args, period, out)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a message, never a traceback
        print(f"error: {_message(exc)}", file=sys.stderr)
        return 1


def _message(exc: Exception) -> str:
    from reports.render import ChromiumMissing

    if isinstance(exc, ChromiumMissing):
        return str(exc)
    import sqlalchemy as sa

    if isinstance(exc, sa.exc.ArgumentError):
        return "the database URL is not valid (--db or OUTCOMES_DATABASE_URL)"
    if isinstance(exc, sa.exc.OperationalError | sa.exc.DBAPIError):
        return "could not read the database: check --db or OUTCOMES_DATABASE_URL, and that it is reachable"
    if isinstance(exc, OSError):
        return f"could not write the output: {exc.strerror or exc}"
    return f"the export failed ({type(exc).__name__}: {exc})"


def _run(args: argparse.Namespace, period: Period, out: Path) -> int:
    from reports import export as ex
    from reports.data import gather
    from reports.render import BrowserSession
    from storage.db import ensure_schema

    engine = ensure_schema(args.db)
    user, role = ex.safe_name(f"cli:{getpass.getuser()}"), "cli"
    # The browser starts while the figures are computed.
    session = BrowserSession() if args.kind in ex.NEEDS_CHARTS else None
    try:
        data = gather(engine=engine, period=period, public=args.public, as_of=args.as_of)
        if data.data_as_at is None:
            print(
                "warning: the database holds no submissions: every figure will say 'not reported' "
                "(check --db or OUTCOMES_DATABASE_URL)",
                file=sys.stderr,
            )
        if args.kind == "charts":
            _, images = ex.chart_images(data, session=session)
            out.mkdir(parents=True, exist_ok=True)
            for ind_id, png in images.items():
                (out / ex.chart_file_name(ind_id, period, args.public)).write_bytes(png)
            written = f"{len(images)} charts to {out}"
        else:
            result = ex.build(kind=args.kind, data=data, session=session)
            out.write_bytes(result.content)
            written = str(out)
    finally:
        if session is not None:
            session.close()
    # Recorded once the file is written: the log says what actually left the system.
    ex.record(
        engine,
        username=user,
        role=role,
        kind=args.kind,
        period=period,
        public=args.public,
        as_of=args.as_of,
        file=out.name,
        via="cli",
    )
    print(f"wrote {written} ({'public' if args.public else 'RESTRICTED: exact figures, do not publish'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
