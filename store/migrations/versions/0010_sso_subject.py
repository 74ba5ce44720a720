"""single sign-on binding (统一身份认证)

users.sso_subject: the OpenID Connect provider's `sub` an account signs in as (onemap.sso);
NULL for accounts that sign in with their password only. Unique: one identity, one account.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 12:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sso_subject', sa.String(length=255), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_sso_subject'), ['sso_subject'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_sso_subject'))
        batch_op.drop_column('sso_subject')
