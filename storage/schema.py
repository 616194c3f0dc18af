"""The database schema (SQLAlchemy Core). Alembic migrations create and upgrade it.

Each return has a canonical table ``r_<return>``. Rows are never updated in
place: a correcting submission marks the rows it replaces as superseded, so
any figure can be recomputed as the data stood at the end of a given day.
"""

from __future__ import annotations

import sqlalchemy as sa

from core.returns import RETURNS, Column

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("partner", sa.String(40), nullable=False, index=True),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("loaded_by", sa.String(80), nullable=False),
    sa.Column("loaded_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default="accepted"),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("warnings", sa.JSON, nullable=False),
)

submission_sheets = sa.Table(
    "submission_sheets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("submission_id", sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("sheet", sa.String(255), nullable=False),
    sa.Column("return_name", sa.String(40), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
)

archived_files = sa.Table(
    "archived_files",
    metadata,
    sa.Column("submission_id", sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
)

# A refused file: its hash, name, partner, time and the reasons. Never its content.
refusals = sa.Table(
    "refusals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("partner", sa.String(40), nullable=False, index=True),
    sa.Column("loaded_by", sa.String(80), nullable=False),
    sa.Column("attempted_at", sa.DateTime, nullable=False),
    sa.Column("reasons", sa.JSON, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("partner", sa.String(40), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # The identity provider's immutable id for this person (Entra ``oid``, else ``sub``) and its issuer,
    # recorded when the account is linked: provider sign-ins are matched on these, never on a bare email.
    sa.Column("oidc_issuer", sa.String(255), nullable=True),
    sa.Column("oidc_subject", sa.String(255), nullable=True),
    sa.UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc_identity"),
)

# One row per sign-in (and per refused provider sign-in). The browser's cookie holds a random key whose
# SHA-256 is ``key_hash``; every script run checks its row, so ending a row ends that session everywhere.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=True, index=True),
    sa.Column("method", sa.String(20), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=True, unique=True),
    sa.Column("handover_hash", sa.String(64), nullable=True, unique=True),
    sa.Column("handover_until", sa.DateTime, nullable=True),
    # A provider sign-in's ID token (hash of issuer, subject, issue time, nonce): it opens one session at most.
    sa.Column("identity_ref", sa.String(64), nullable=True, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen", sa.DateTime, nullable=False),
    sa.Column("ended_at", sa.DateTime, nullable=True),
    sa.Column("end_reason", sa.String(40), nullable=True),
)

# Failed local sign-ins per typed name (its SHA-256, never the text) and source address: the back-off.
login_throttle = sa.Table(
    "login_throttle",
    metadata,
    sa.Column("name_hash", sa.String(64), primary_key=True),
    sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure", sa.DateTime, nullable=False, index=True),
    sa.Column("locked_until", sa.DateTime, nullable=True),
)

# Append-only: who did what, when, in which role. Never personal data values.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("role", sa.String(20), nullable=True),
    sa.Column("action", sa.String(40), nullable=False, index=True),
    sa.Column("detail", sa.JSON, nullable=False),
)

# Targets set by an admin override the configuration file for that financial year.
targets = sa.Table(
    "targets",
    metadata,
    sa.Column("financial_year", sa.Integer, primary_key=True),
    sa.Column("indicator_id", sa.String(10), primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("set_by", sa.String(80), nullable=False),
    sa.Column("set_at", sa.DateTime, nullable=False),
)

# What public outputs have shown of each financial year, figure by figure (disclosure control over time):
# a figure once hidden stays hidden; a shown one's value is kept, so an unchanged figure counts as known.
published_figures = sa.Table(
    "published_figures",
    metadata,
    sa.Column("financial_year", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(120), primary_key=True),
    sa.Column("hidden", sa.Boolean, nullable=False),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)

# Dates when a service changed the way it works (the dental service started, the drop-in moved), recorded by an
# administrator with a reason: an SPC chart works out new limits from the first point on or after each. The
# reason is free text checked for personal data before it is stored; it is shown on charts, public ones too.
process_changes = sa.Table(
    "process_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("changed_on", sa.Date, nullable=False, index=True),
    sa.Column("reason", sa.String(120), nullable=False),
    sa.Column("applies_to", sa.JSON, nullable=True),  # indicator IDs and/or 'attendance'; null: every chart
    sa.Column("recorded_by", sa.String(80), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)

_SA_TYPE = {
    "date": sa.Date,
    "month": sa.Date,
    "reference": lambda: sa.String(5),
    "yesno": sa.Boolean,
    "code": lambda: sa.String(40),
    "multi": lambda: sa.String(255),
    "count": sa.Integer,
    "scale": sa.SmallInteger,
}


def _data_column(c: Column, *, key_date: bool) -> sa.Column:
    return sa.Column(c.name, _SA_TYPE[c.kind](), nullable=not c.required, index=key_date)


def _return_table(name: str) -> sa.Table:
    spec = RETURNS[name]
    t = sa.Table(
        f"r_{name}",
        metadata,
        sa.Column("row_id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.ForeignKey("submissions.id"), nullable=False, index=True),
        sa.Column("partner", sa.String(40), nullable=False),
        sa.Column("valid_from", sa.DateTime, nullable=False),
        sa.Column("superseded_at", sa.DateTime, nullable=True),
        sa.Column("superseded_by", sa.Integer, nullable=True),
        *[_data_column(c, key_date=False) for c in spec.columns],
    )
    sa.Index(f"ix_r_{name}_current", t.c.partner, t.c[spec.date_column], t.c.superseded_at)
    return t


return_tables: dict[str, sa.Table] = {name: _return_table(name) for name in RETURNS}

# The meeting loop (docs/meetings.md): meetings, commentary, actions with their dated notes, decisions and
# the chair's sign-off of a period. Free text here has been checked for personal data before it is stored.
meetings = sa.Table(
    "meetings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("held_on", sa.Date, nullable=False, index=True),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("data_version", sa.JSON, nullable=False),  # storage.repository.data_version when it was set up
    sa.Column("data_as_of", sa.DateTime, nullable=False),  # the figures as they stood then (naive UTC)
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

commentary = sa.Table(
    "commentary",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("indicator_id", sa.String(10), nullable=False, index=True),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("author", sa.String(80), nullable=False),
    sa.Column("author_role", sa.String(20), nullable=False),
    sa.Column("partner", sa.String(40), nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("written_at", sa.DateTime, nullable=False),
    sa.Column("marked_by", sa.String(80), nullable=True),
    sa.Column("marked_at", sa.DateTime, nullable=True),
)

actions = sa.Table(
    "actions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("meeting_id", sa.ForeignKey("meetings.id"), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("indicator_ids", sa.JSON, nullable=False),
    sa.Column("owner_partner", sa.String(40), nullable=True),
    sa.Column("owner_role", sa.String(80), nullable=True),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("status", sa.String(10), nullable=False, server_default="open"),
    sa.Column("raised_by", sa.String(80), nullable=False),
    sa.Column("raised_at", sa.DateTime, nullable=False),
)

action_notes = sa.Table(
    "action_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("action_id", sa.ForeignKey("actions.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("noted_on", sa.Date, nullable=False),
    sa.Column("noted_by", sa.String(80), nullable=False),
    sa.Column("noted_at", sa.DateTime, nullable=False),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("meeting_id", sa.ForeignKey("meetings.id"), nullable=False, index=True),
    sa.Column("decided_on", sa.Date, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("indicator_ids", sa.JSON, nullable=False),
    sa.Column("recorded_by", sa.String(80), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)

signoffs = sa.Table(
    "signoffs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("signed_by", sa.String(80), nullable=False),
    sa.Column("signed_at", sa.DateTime, nullable=False),
    sa.Column("data_version", sa.JSON, nullable=False),
    sa.Column("figures", sa.JSON, nullable=False),  # the exact figures signed off: {indicator: value}
)
sa.Index("ix_signoffs_period", signoffs.c.period_start, signoffs.c.period_end)
sa.Index("ix_commentary_period", commentary.c.period_start, commentary.c.period_end)
