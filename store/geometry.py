"""One geometry column type: WKT text on SQLite, PostGIS `geometry(Geometry, 4326)` on PostgreSQL.

Above the column the application sees WGS84 WKT text on both engines (what the backup format,
`store.validate` and the importers already speak); `store.queries` turns it into shapely
geometries, and the spatial selections there run in the database on PostGIS (GiST index,
`ST_Intersects`) and with shapely on SQLite.

Why a small TypeDecorator and not GeoAlchemy2 (the architecture note's first choice): GeoAlchemy2's
`Geometry` on SQLite needs SpatiaLite (`load_spatialite`, its own metadata tables and triggers)
— a native library the embedded default does not have and must not need — and its plain-SQLite
fallback stores WKB, which would change every backup and the text the validators read. This type
does the only two things needed: on PostgreSQL a value is written as EWKT with SRID 4326 (the
column refuses any other SRID) and read back from the hex EWKB the server returns, as WKT at full
precision (shapely, trimmed: `POINT (117.2 29.3)` comes back as written); on SQLite it is the
text itself. A value may be given as WKT text or as a shapely geometry.

On PostgreSQL the stored text is canonical WKT (a `MULTIPOINT (1 2, 3 4)` reads back as
`MULTIPOINT ((1 2), (3 4))`): the geometry, not its spelling, is what the database keeps."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import MetaData, Text
from sqlalchemy.dialects.postgresql.base import ischema_names as pg_ischema_names
from sqlalchemy.types import TypeDecorator, UserDefinedType

SRID = 4326


class _PostGISGeometry(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw) -> str:
        return f"geometry(Geometry,{SRID})"


def to_wkt(value) -> str:
    """WKT at full precision, trailing zeros trimmed (shortest text that reads back exactly)."""
    return shapely.to_wkt(value, rounding_precision=-1, trim=True)


class Geometry(TypeDecorator):
    """WGS84 geometry: WKT text in Python; TEXT on SQLite, PostGIS geometry on PostgreSQL."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(_PostGISGeometry())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, BaseGeometry):
            value = to_wkt(value)
        if dialect.name == "postgresql":
            return f"SRID={SRID};{value}"
        return value

    def process_result_value(self, value, dialect):
        if value is None or dialect.name != "postgresql":
            return value
        if isinstance(value, (bytes, bytearray, memoryview)):
            return to_wkt(shapely.from_wkb(bytes(value)))
        return to_wkt(shapely.from_wkb(value))  # hex EWKB, as the server sends geometry as text


# Reflection (backup, restore) types a PostGIS column as this type, as GeoAlchemy2 does.
pg_ischema_names["geometry"] = Geometry


def wkt_problem(value: str) -> str | None:
    """Why this text cannot be a stored geometry (Chinese, as store.validate words it), or None.
    A restore checks it before inserting: PostGIS refuses such a value at the INSERT, where the
    reason would be lost."""
    try:
        g = shapely.from_wkt(value)
    except Exception:  # noqa: BLE001 - shapely raises GEOSException and friends on bad WKT
        return "几何（WKT）无法解析"
    if g is None or g.is_empty:
        return "没有几何（坐标）"
    if not np.isfinite(shapely.get_coordinates(g)).all():
        return "坐标不是有效数值（NaN/Infinity）"
    return None


def is_postgis(bind) -> bool:
    return bind.dialect.name == "postgresql"


POSTGIS_TABLES = frozenset({"spatial_ref_sys"})  # the extension's own table in the public schema, never ours


def reflect(conn) -> MetaData:
    """The store's tables as they are in the database (backup, restore), without PostGIS's own,
    geometry columns typed as the models type them."""
    md = MetaData()
    md.reflect(bind=conn, only=lambda name, _md: name not in POSTGIS_TABLES)
    return adopt(md)


def adopt(md: MetaData) -> MetaData:
    """Give the reflected geometry columns (backup, restore) the model's type, so a backup of a
    PostGIS store holds the same WKT as one of a SQLite store and restores into either."""
    from store import models as m

    for table in m.Base.metadata.tables.values():
        if table.name not in md.tables:
            continue
        for col in table.columns:
            if isinstance(col.type, Geometry) and col.name in md.tables[table.name].c:
                md.tables[table.name].c[col.name].type = Geometry()
    return md
