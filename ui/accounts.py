"""Manage local accounts from the command line.

    python -m ui.accounts add USERNAME --role ROLE [--partner CODE] [--db URL]
    python -m ui.accounts disable USERNAME [--db URL]
    python -m ui.accounts enable USERNAME [--db URL]
    python -m ui.accounts reset-password USERNAME [--db URL]
    python -m ui.accounts link USERNAME --subject ID [--issuer URL] [--db URL]   # organisation sign-in
    python -m ui.accounts unlink USERNAME [--db URL]
    python -m ui.accounts list [--db URL]
    python -m ui.accounts demo [--db URL]        # the demo accounts, sample database only

Passwords are asked for without echo (or read from standard input with --password-stdin); never an argument.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from storage import users
from storage.db import ensure_schema


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Same again: ") != first:
        raise users.AccountError("The two passwords are not the same")
    return first


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ui.accounts", description="Manage dashboard accounts.")
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("add", "disable", "enable", "reset-password", "link", "unlink", "list", "demo"):
        s = sub.add_parser(name)
        if name not in ("list", "demo"):
            s.add_argument("username")
        if name == "add":
            s.add_argument("--role", required=True, choices=users.ROLES)
            s.add_argument("--partner", default=None, help="partner code (partner accounts only)")
        if name == "link":
            s.add_argument(
                "--subject", required=True, help="the person's immutable id at the identity provider (Entra: Object ID)"
            )
            s.add_argument("--issuer", default=None, help="the provider's issuer URL (default: recorded at sign-in)")
        if name in ("add", "reset-password"):
            s.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        s.add_argument("--db", default=None, help="SQLAlchemy URL (default: OUTCOMES_DATABASE_URL)")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    engine = ensure_schema(args.db)
    try:
        if args.command == "add":
            users.create_user(
                engine,
                username=args.username,
                password=_password(args),
                role=args.role,
                partner=args.partner,
                created_by="command line",
            )
            print(f"Added {args.username} ({args.role}).")
        elif args.command == "disable":
            users.disable_user(engine, username=args.username, by="command line")
            print(f"{args.username} can no longer sign in.")
        elif args.command == "enable":
            users.enable_user(engine, username=args.username, by="command line")
            print(f"{args.username} can sign in again.")
        elif args.command == "reset-password":
            users.reset_password(engine, username=args.username, password=_password(args), by="command line")
            print(f"Password of {args.username} reset.")
        elif args.command == "link":
            users.link_identity(
                engine, username=args.username, subject=args.subject, issuer=args.issuer, by="command line"
            )
            print(f"{args.username} is linked to that organisation account.")
        elif args.command == "unlink":
            users.unlink_identity(engine, username=args.username, by="command line")
            print(f"{args.username} is no longer linked to an organisation account.")
        elif args.command == "demo":
            made = users.ensure_demo_accounts(engine)
            print(f"Demo accounts added: {', '.join(made) or 'none (all there already)'}.")
        else:
            table = users.list_users(engine)
            for r in table.itertuples():
                state = "active" if r.active else "switched off"
                linked = "linked" if r.linked else ""
                print(f"{r.username:30} {r.role:13} {r.partner or '':18} {state:13} {linked}")
    except users.AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
