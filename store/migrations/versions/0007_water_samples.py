"""water samples (断面水质)

water_samples: one row per monitoring section / water source × sampling time × factor, with
the value as delivered, its number, the below-detection flag and limit, the source file and
the sample flag of generated demo data.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 09:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'water_samples',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('sampled_at', sa.DateTime(), nullable=False),
        sa.Column('factor', sa.String(length=32), nullable=False),
        sa.Column('value_text', sa.String(length=32), nullable=False),
        sa.Column('value', sa.Float(), nullable=True),
        sa.Column('below_detection', sa.Boolean(), nullable=False),
        sa.Column('detection_limit', sa.Float(), nullable=True),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('source_file', sa.String(length=300), nullable=False),
        sa.Column('sample', sa.Boolean(), nullable=False),
        sa.Column('imported_at', sa.DateTime(), nullable=False),
        sa.Column('imported_by', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('site_id', 'sampled_at', 'factor', name='uq_water_samples_site_time_factor'),
    )
    with op.batch_alter_table('water_samples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_water_samples_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_water_samples_sampled_at'), ['sampled_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('water_samples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_water_samples_sampled_at'))
        batch_op.drop_index(batch_op.f('ix_water_samples_site_id'))
    op.drop_table('water_samples')
