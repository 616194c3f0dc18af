"""``python -m metrics indicators --start --end [--public] [--as-of] [--db] [--format json|csv]``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from core.cells import neutral_frame
from core.periods import Period
from metrics.results import JSON_FIELDS

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: a clear message, exit 2, never a traceback
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-04-30") from None


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m metrics", description="Strategy indicators computed from the stored returns.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    ind = sub.add_parser("indicators", help="every indicator for a period")
    ind.add_argument("--start", type=_date, required=True, help="first day of the period (YYYY-MM-DD)")
    ind.add_argument("--end", type=_date, required=True, help="last day of the period (YYYY-MM-DD)")
    ind.add_argument(
        "--public",
        action="store_true",
        help="apply disclosure control (published figures: a month, a financial-year quarter, the year "
        "to date at the end of Q2 or Q3, or a financial year)",
    )
    ind.add_argument("--as-of", type=_date, dest="as_of", help="figures as the data stood at the end of this day")
    ind.add_argument("--db", help="SQLAlchemy database URL (default: OUTCOMES_DATABASE_URL or the app's SQLite)")
    ind.add_argument("--format", choices=("json", "csv"), default="json", help="output format (default json)")
    return p


def _engine(url: str | None, parser: argparse.ArgumentParser) -> sa.Engine:
    from storage.db import database_url, ensure_schema

    full = database_url(url)
    try:
        u = sa.make_url(full)
    except sa.exc.ArgumentError:
        parser.error(f"--db: '{full}' is not a database URL (e.g. sqlite:///data/outcomes.db)")
    if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:") and not Path(u.database).exists():
        parser.error(f"--db: there is no database file at {u.database}")
    return ensure_schema(full)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "indicators":
        parser.error("say which command to run: indicators")
    if args.end < args.start:
        parser.error(f"--end ({args.end}) is before --start ({args.start})")
    from metrics.api import compute_indicators
    from metrics.disclosure import NotPublished, check_published

    if args.public:
        try:
            check_published(Period(args.start, args.end))
        except NotPublished as exc:
            parser.error(f"--public: {exc}")

    try:
        engine = _engine(args.db, parser)
        result = compute_indicators(
            engine=engine, period=Period(args.start, args.end), public=args.public, as_of=args.as_of
        )
    except sa.exc.SQLAlchemyError as exc:
        print(
            f"python -m metrics: could not read the database ({type(exc).__name__}); check --db and that "
            "the database server is running",
            file=sys.stderr,
        )
        return 1
    except Exception as exc:  # noqa: BLE001 - never a traceback to the user
        print(f"python -m metrics: could not compute the indicators: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        text = json.dumps(result.to_json(), indent=2) + "\n"
    else:
        # From the JSON records (object columns), so counts print as 45, not 45.0
        records = [{k: v for k, v in r.items() if k != "breakdown"} for r in result.to_json()["indicators"]]
        frame = pd.DataFrame(records, columns=list(JSON_FIELDS), dtype=object)
        frame.insert(0, "period_end", args.end.isoformat())
        frame.insert(0, "period_start", args.start.isoformat())
        frame["missing"] = frame["missing"].map(";".join)
        text = neutral_frame(frame).to_csv(index=False)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`: not an error worth a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
