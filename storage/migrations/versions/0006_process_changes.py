"""process_changes: the dates an administrator records when a service changed, with the reason

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 02:30:00

SPC charts work out new limits from each change (docs/indicators.md, "SPC"). The
changes were a file in the repository (config/process_changes.toml); they are now
recorded in the app, audited, and carried by backups with everything else.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('process_changes',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('changed_on', sa.Date(), nullable=False),
                    sa.Column('reason', sa.String(length=120), nullable=False),
                    sa.Column('applies_to', sa.JSON(), nullable=True),
                    sa.Column('recorded_by', sa.String(length=80), nullable=False),
                    sa.Column('recorded_at', sa.DateTime(), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_changes')))
    with op.batch_alter_table('process_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_changes_changed_on'), ['changed_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('process_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_changes_changed_on'))
    op.drop_table('process_changes')
