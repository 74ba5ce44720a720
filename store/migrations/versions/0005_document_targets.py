"""document targets (主要目标 indicators) and their links to sites

A document's numbered indicators under 主要目标 are not tasks (no status, no units): they
are kept with the document in document_targets, with the counties/zones their text names
(place_codes) and the sites it names (target_sites, as task_sites for tasks). Documents
imported before this revision have no targets stored: importing the document again as a
revision (same short name) stores them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 06:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'document_targets',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=32), nullable=True),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('place_codes', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('document_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_targets_document_id'), ['document_id'], unique=False)
    op.create_table(
        'target_sites',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('matched_text', sa.String(length=200), nullable=False),
        sa.Column('confidence', sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['target_id'], ['document_targets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('target_id', 'site_id'),
    )
    with op.batch_alter_table('target_sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_sites_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_sites_target_id'), ['target_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('target_sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_sites_target_id'))
        batch_op.drop_index(batch_op.f('ix_target_sites_site_id'))
    op.drop_table('target_sites')
    with op.batch_alter_table('document_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_targets_document_id'))
    op.drop_table('document_targets')
