"""PostGIS geometry columns (issue 16)

On PostgreSQL: the postgis extension, sites.geom_wkt and ref_features.geom_wkt converted from
WKT text to geometry(Geometry, 4326), and a GiST index on each, so the spatial selections of
store.queries (sites in a county, in a drawn area, in the map's bounds) run in the database on
the index. The column keeps its name: the backup format, the validators and the tests read
`geom_wkt` as WKT on both engines (store.geometry.Geometry converts at the column).

On SQLite nothing changes: the columns stay WKT text and the selections run with shapely.

Creating the extension needs a role allowed to (a superuser, or the database owner where the
DBA has made postgis trusted); where it already exists (deploy/README: the DBA creates it)
`IF NOT EXISTS` makes this a no-op.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 12:50:00
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

COLUMNS = (("sites", "geom_wkt", "ix_sites_geom"), ("ref_features", "geom_wkt", "ix_ref_features_geom"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    for table, col, index in COLUMNS:
        op.execute(f'ALTER TABLE {table} ALTER COLUMN {col} TYPE geometry(Geometry, 4326) '
                   f'USING ST_SetSRID(ST_GeomFromText({col}), 4326)')
        op.execute(f'CREATE INDEX {index} ON {table} USING gist ({col})')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, col, index in COLUMNS:
        op.execute(f'DROP INDEX IF EXISTS {index}')
        op.execute(f'ALTER TABLE {table} ALTER COLUMN {col} TYPE text USING ST_AsText({col})')
