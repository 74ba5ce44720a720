"""status events carry a per-task sequence number, unique per task

Two people changing one task at once must not both win: each event takes the next
number of its task, and the unique constraint (task_id, seq) lets only one of two
concurrent writers of the same number commit, on SQLite and on PostgreSQL alike.
Existing events are numbered in their order (at, id).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 23:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE status_events SET seq = (SELECT n FROM (SELECT id, ROW_NUMBER() OVER "
        "(PARTITION BY task_id ORDER BY at, id) AS n FROM status_events) AS numbered "
        "WHERE numbered.id = status_events.id)"
    )
    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint('uq_status_events_task_seq', ['task_id', 'seq'])


def downgrade() -> None:
    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.drop_constraint('uq_status_events_task_seq', type_='unique')
        batch_op.drop_column('seq')
