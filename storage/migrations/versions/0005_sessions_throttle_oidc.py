"""server-side sessions, sign-in back-off per name and source, provider identities

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 23:20:00

- ``sessions``: every sign-in is a row that each script run checks, so sign-out, a
  password reset, a role change or switching an account off ends it everywhere.
- ``login_throttle``: failed local sign-ins counted per typed name (hashed) and
  source address, replacing the per-account counters in ``users`` (anyone could
  lock anyone out with them).
- ``users.oidc_issuer``/``oidc_subject``: the provider's immutable id for a person,
  recorded when the account is linked.
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=80), nullable=True),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=True),
        sa.Column('handover_hash', sa.String(length=64), nullable=True),
        sa.Column('handover_until', sa.DateTime(), nullable=True),
        sa.Column('identity_ref', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('end_reason', sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_sessions_key_hash')),
        sa.UniqueConstraint('handover_hash', name=op.f('uq_sessions_handover_hash')),
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_username'), ['username'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_identity_ref'), ['identity_ref'], unique=False)

    op.create_table(
        'login_throttle',
        sa.Column('name_hash', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure', sa.DateTime(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('name_hash', 'source', name=op.f('pk_login_throttle')),
    )
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttle_last_failure'), ['last_failure'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oidc_issuer', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('oidc_subject', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint('uq_users_oidc_identity', ['oidc_issuer', 'oidc_subject'])
        batch_op.drop_column('failed_attempts')
        batch_op.drop_column('locked_until')


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint('uq_users_oidc_identity', type_='unique')
        batch_op.drop_column('oidc_subject')
        batch_op.drop_column('oidc_issuer')
    op.drop_table('login_throttle')
    op.drop_table('sessions')
