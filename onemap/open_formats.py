"""Standard formats out (issue 17): GeoParquet layers, the density surface as a Cloud-Optimised
GeoTIFF and the ledger as CSV. Each export is checked (perm.EXPORT) and audited like the
GeoPackage and XLSX exports in onemap.services, whose `export` hands these suffixes here."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.region import Region
from onemap import settings
from store import models as m
from store import queries
from store.reflayers import features_frame, layers_frame

DENSITY_BANDWIDTH_M = 5000.0  # the overview's default search radius
DENSITY_CELL_M = 500.0

KINDS = {".csv": "任务台账（CSV）", ".tif": "任务密度面（COG）", ".tiff": "任务密度面（COG）",
         ".parquet": "GeoParquet 图层", ".zip": "GeoParquet 图层包"}


class FormatError(ValueError):
    """A refusal with a Chinese message (the service turns it into a ServiceError)."""


def _tasks(s: Session, region: Region, as_of: date) -> pd.DataFrame:
    tasks = queries.tasks_frame(s, as_of, settings.due_soon_days(), places=region.places)
    return tasks[~tasks["archived"].astype(bool)]


def geoparquet_layers(s: Session, region: Region, as_of: date) -> dict[str, gpd.GeoDataFrame]:
    """Every layer by name: the site kinds, 区县, 热点 (when there are open tasks on sites) and
    参考图层_<名称>."""
    from exports import geoparquet as gp

    sites = queries.sites_frame(s)
    tasks = _tasks(s, region, as_of)
    layers = dict(gp.site_layers(sites, tasks, region, as_of))
    layers["区县"] = gp.county_layer(region, tasks, sites)
    hot = gp.hotspot_layer(region, tasks, sites)
    if hot is not None:
        layers["热点"] = hot
    for _, row in layers_frame(s).iterrows():
        layers[f"参考图层_{row['name']}"] = gp.reference_layer(features_frame(s, int(row["id"])))
    return layers


def write(s: Session, region: Region, path: Path, *, as_of: date, layer: str | None = None) -> Path:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        from exports.ledger_csv import write_ledger_csv

        names = {x.id: x.name for x in s.scalars(select(m.Site))}
        return write_ledger_csv(_tasks(s, region, as_of), names, path)
    if suffix in (".tif", ".tiff"):
        return write_density(s, region, path, as_of=as_of)
    from exports import geoparquet as gp

    layers = geoparquet_layers(s, region, as_of)
    if suffix == ".zip":
        with tempfile.TemporaryDirectory() as tmp:
            return gp.write_zip(layers, path, Path(tmp))
    if not layer:
        raise FormatError("GeoParquet 每个文件只含一个图层：请用 --layer 指定图层（可用："
                          f"{'、'.join(layers)}），或导出为 .zip（全部图层，每层一个 .parquet 文件）")
    if layer not in layers:
        raise FormatError(f"没有图层“{layer}”：可用图层 {'、'.join(layers)}")
    return gp.write_layer(layers[layer], path)


def write_density(s: Session, region: Region, path: Path, *, as_of: date) -> Path:
    """The overview's density surface of open tasks on sites (an overdue task counting twice),
    500 m cells, 5 km quartic kernel, in the region's CGCS2000 GK zone, as a COG."""
    from domain import overview as ov
    from geo.hotspots import region_density, write_geotiff

    weights = ov.site_weights(_tasks(s, region, as_of))
    sites = queries.sites_frame(s).set_index("id")
    ids = [i for i in weights.index if i in sites.index]
    if not ids:
        raise FormatError("没有关联点位的未销号任务，无法生成任务密度面")
    pts = sites.loc[ids].geometry.representative_point()
    d = region_density(pts.x, pts.y, weights.reindex(ids).to_numpy(), region.bbox, cell=DENSITY_CELL_M,
                       bandwidth=DENSITY_BANDWIDTH_M)
    return write_geotiff(d, path)
