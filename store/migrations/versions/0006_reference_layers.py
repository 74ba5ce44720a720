"""reference layers (参考图层)

ref_layers: one row per layer the bureau holds (生态保护红线, 水源保护区, rivers, roads) with its
style, source file, source CRS, who added it and when, and its feature count; ref_features:
its features as WGS84 WKT. Separate from sites on purpose: reference features are never
linked to tasks nor counted with the task data.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 06:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ref_layers',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('style', sa.JSON(), nullable=False),
        sa.Column('geometry_type', sa.String(length=16), nullable=False),
        sa.Column('feature_count', sa.Integer(), nullable=False),
        sa.Column('source_file', sa.String(length=300), nullable=False),
        sa.Column('source_crs', sa.String(length=64), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'ref_features',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('layer_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('attrs', sa.JSON(), nullable=False),
        sa.Column('geom_wkt', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['layer_id'], ['ref_layers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('ref_features', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ref_features_layer_id'), ['layer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ref_features', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ref_features_layer_id'))
    op.drop_table('ref_features')
    op.drop_table('ref_layers')
