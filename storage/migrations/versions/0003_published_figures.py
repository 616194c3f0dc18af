"""published_figures: what public outputs have shown of each financial year

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 23:20:00

Disclosure control keeps a published year safe as data is added or corrected:
a figure once hidden stays hidden, and a figure once shown (and not changed
since) counts as known to every reader (docs/indicators.md, "Over time").
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('published_figures',
                    sa.Column('financial_year', sa.Integer(), nullable=False),
                    sa.Column('key', sa.String(length=120), nullable=False),
                    sa.Column('hidden', sa.Boolean(), nullable=False),
                    sa.Column('value', sa.Float(), nullable=True),
                    sa.Column('recorded_at', sa.DateTime(), nullable=False),
                    sa.PrimaryKeyConstraint('financial_year', 'key'))


def downgrade() -> None:
    op.drop_table('published_figures')
