"""Reference layers in the store: written, listed, read and removed (SQLAlchemy only, so the
same code runs on SQLite and PostgreSQL). Kept apart from sites: nothing here touches the
task data."""

from __future__ import annotations

from datetime import datetime

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from store import models as m


def layer_by_name(s: Session, name: str) -> m.RefLayer | None:
    return s.scalar(select(m.RefLayer).where(m.RefLayer.name == name))


def add_layer(s: Session, *, name: str, kind: str, style: dict, geometry_type: str, source_file: str,
              source_crs: str, sha256: str, created_by: str, features: list[tuple[int, str, dict, str]]) -> m.RefLayer:
    """features: (position, name, attrs, WGS84 WKT). The caller's transaction holds it all."""
    layer = m.RefLayer(name=name, kind=kind, style=style, geometry_type=geometry_type,
                       feature_count=len(features), source_file=source_file[:300], source_crs=source_crs[:64],
                       sha256=sha256, created_at=datetime.now().replace(microsecond=0), created_by=created_by[:100])
    s.add(layer)
    s.flush()
    s.add_all(m.RefFeature(layer_id=layer.id, position=pos, name=fname, attrs=attrs, geom_wkt=wkt)
              for pos, fname, attrs, wkt in features)
    s.flush()
    return layer


def remove_layer(s: Session, layer: m.RefLayer) -> int:
    """Delete a layer and its features; returns how many features went."""
    n = s.execute(delete(m.RefFeature).where(m.RefFeature.layer_id == layer.id)).rowcount
    s.execute(delete(m.RefLayer).where(m.RefLayer.id == layer.id))
    return n


def layers_frame(s: Session) -> pd.DataFrame:
    """One row per layer, in the order they were added."""
    cols = ["id", "name", "kind", "style", "geometry_type", "feature_count", "source_file", "source_crs",
            "created_at", "created_by"]
    rows = [{c: getattr(x, c) for c in cols} for x in s.scalars(select(m.RefLayer).order_by(m.RefLayer.id))]
    return pd.DataFrame(rows, columns=cols)


def features_frame(s: Session, layer_id: int) -> gpd.GeoDataFrame:
    rows = [{"position": f.position, "name": f.name, "attrs": dict(f.attrs or {}),
             "geometry": shapely.from_wkt(f.geom_wkt)}
            for f in s.scalars(select(m.RefFeature).where(m.RefFeature.layer_id == layer_id)
                               .order_by(m.RefFeature.position))]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=["position", "name", "attrs", "geometry"]),
                            geometry="geometry", crs="EPSG:4326")


# what changes when a layer is added or removed (part of store.queries.revision, the pages' cache key)
REVISION_QUERIES = (select(func.count()).select_from(m.RefLayer), select(func.max(m.RefLayer.id)),
                    select(func.count()).select_from(m.RefFeature))

