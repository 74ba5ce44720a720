"""Where the work concentrates: kernel density and Getis-Ord Gi* hot spots.

Both work in metres, in the CGCS2000 Gauss-Krüger zone suited to the region (never
in degrees).

* `density`: a quartic (biweight) kernel density of weighted points on a regular
  grid, scaled so that the grid integrates to the total weight (weight per km²);
  written as a Cloud-Optimised GeoTIFF with rasterio (CRS and transform set, so QGIS/ArcGIS
  place it correctly, and tiled with overviews so they can read it in parts).
* `gi_star`: Getis-Ord Gi* (PySAL esda) on square cells covering the region; each cell
  classed as hot or cold spot at 99/95/90% confidence from its z-score, or not
  significant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from rasterio.transform import Affine

from geo.crs import metric_crs_for

Z_LEVELS = ((2.576, 99), (1.960, 95), (1.645, 90))


@dataclass(frozen=True)
class Density:
    values: np.ndarray  # weight per km², rows from north to south
    transform: Affine
    crs: CRS
    cell: float  # metres
    bandwidth: float  # metres

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        h, w = self.values.shape
        left, top = self.transform.c, self.transform.f
        return left, top - h * self.cell, left + w * self.cell, top

    def total(self) -> float:
        """The integral of the surface: should equal the total weight."""
        return float(self.values.sum() * (self.cell / 1000) ** 2)


def project(lons, lats, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    t = Transformer.from_crs(4326, crs, always_xy=True)
    x, y = t.transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return np.asarray(x), np.asarray(y)


def density(x: np.ndarray, y: np.ndarray, weights: np.ndarray, bounds: tuple[float, float, float, float], *,
            crs: CRS, cell: float = 500.0, bandwidth: float = 5000.0) -> Density:
    """Quartic kernel density on a grid covering `bounds` (metres, in `crs`)."""
    minx, miny, maxx, maxy = bounds
    ncols = max(1, int(np.ceil((maxx - minx) / cell)))
    nrows = max(1, int(np.ceil((maxy - miny) / cell)))
    top = miny + nrows * cell
    cx = minx + (np.arange(ncols) + 0.5) * cell  # cell centres
    cy = top - (np.arange(nrows) + 0.5) * cell
    grid = np.zeros((nrows, ncols))
    reach = int(np.ceil(bandwidth / cell)) + 1
    for px, py, w in zip(x, y, weights, strict=True):
        c0 = int((px - minx) // cell)
        r0 = int((top - py) // cell)
        rs = slice(max(0, r0 - reach), min(nrows, r0 + reach + 1))
        cs = slice(max(0, c0 - reach), min(ncols, c0 + reach + 1))
        dx = cx[cs][None, :] - px
        dy = cy[rs][:, None] - py
        u2 = (dx ** 2 + dy ** 2) / bandwidth ** 2
        k = np.where(u2 < 1, (1 - u2) ** 2, 0.0)
        s = k.sum()
        if s > 0:
            # normalised on the grid itself (not 3/πh²): each point contributes exactly its weight
            grid[rs, cs] += w * k / (s * cell ** 2)
        elif 0 <= r0 < nrows and 0 <= c0 < ncols:  # bandwidth below the cell size
            grid[r0, c0] += w / cell ** 2
    return Density(grid * 1e6, Affine(cell, 0.0, minx, 0.0, -cell, top), crs, cell, bandwidth)


def region_density(lons, lats, weights, region_bounds_lonlat, *, cell: float = 500.0,
                   bandwidth: float = 5000.0) -> Density:
    """Density over a region's extent (plus one bandwidth), in its GK zone."""
    minlon, minlat, maxlon, maxlat = region_bounds_lonlat
    crs = metric_crs_for((minlon + maxlon) / 2)
    bx, by = project([minlon, maxlon, minlon, maxlon], [minlat, minlat, maxlat, maxlat], crs)
    x, y = project(lons, lats, crs)
    bounds = (bx.min() - bandwidth, by.min() - bandwidth, bx.max() + bandwidth, by.max() + bandwidth)
    return density(x, y, np.asarray(weights, dtype=float), bounds, crs=crs, cell=cell, bandwidth=bandwidth)


COG_BLOCK = 128  # a city's surface is a few hundred cells across: small tiles so overviews exist


def write_geotiff(d: Density, path: Path) -> Path:
    """The surface as a Cloud-Optimised GeoTIFF (GDAL's COG driver: 128×128 tiles, deflate,
    overviews, IFDs before the data), CRS the region's CGCS2000 GK zone, geotransform set."""
    from rasterio.io import MemoryFile
    from rasterio.shutil import copy as rio_copy

    profile = {"driver": "GTiff", "height": d.values.shape[0], "width": d.values.shape[1], "count": 1,
               "dtype": "float32", "crs": d.crs.to_wkt(), "transform": d.transform, "nodata": None}
    with MemoryFile() as mem:
        with mem.open(**profile) as tmp:
            tmp.write(d.values.astype("float32"), 1)
            tmp.update_tags(units="tasks per km2", kernel="quartic", bandwidth_m=str(d.bandwidth),
                            description="生态环境一张图：未销号任务密度（每平方公里）")
        with mem.open() as src:
            rio_copy(src, str(path), driver="COG", COMPRESS="DEFLATE", PREDICTOR="YES", BLOCKSIZE=str(COG_BLOCK),
                     OVERVIEW_RESAMPLING="AVERAGE")
    return Path(path)


def to_web_image(d: Density) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """The surface reprojected to Web Mercator for display: (array, (south, west, north, east))."""
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    left, bottom, right, top = d.bounds
    h, w = d.values.shape
    dst_t, dw, dh = calculate_default_transform(d.crs.to_wkt(), "EPSG:3857", w, h, left, bottom, right, top)
    out = np.zeros((dh, dw), dtype="float32")
    reproject(d.values.astype("float32"), out, src_transform=d.transform, src_crs=d.crs.to_wkt(),
              dst_transform=dst_t, dst_crs="EPSG:3857", resampling=Resampling.bilinear)
    t = Transformer.from_crs(3857, 4326, always_xy=True)
    west, north = t.transform(dst_t.c, dst_t.f)
    east, south = t.transform(dst_t.c + dw * dst_t.a, dst_t.f + dh * dst_t.e)
    return out, (south, west, north, east)


# ----------------------------------------------------------------------------- Gi*
def square_grid(region_geom_lonlat, cell: float) -> gpd.GeoDataFrame:
    """Square cells (metres) covering a region, keeping those that touch it; WGS84 output."""
    crs = metric_crs_for(region_geom_lonlat.centroid.x)
    geom = gpd.GeoSeries([region_geom_lonlat], crs=4326).to_crs(crs).iloc[0]
    minx, miny, maxx, maxy = geom.bounds
    xs = np.arange(minx, maxx, cell)
    ys = np.arange(miny, maxy, cell)
    boxes = [shapely.box(x, y, x + cell, y + cell) for y in ys for x in xs]
    cells = gpd.GeoDataFrame(geometry=boxes, crs=crs)
    cells = cells[cells.intersects(geom)].reset_index(drop=True)
    return cells


def grid_values(cells: gpd.GeoDataFrame, lons, lats, weights) -> np.ndarray:
    """Sum of the point weights falling in each cell."""
    pts = gpd.GeoDataFrame({"w": np.asarray(weights, dtype=float)},
                           geometry=gpd.points_from_xy(lons, lats), crs=4326).to_crs(cells.crs)
    joined = gpd.sjoin(pts, cells[["geometry"]], predicate="within")
    return joined.groupby("index_right")["w"].sum().reindex(range(len(cells))).fillna(0).to_numpy()


def gi_star(values: np.ndarray, cells: gpd.GeoDataFrame, *, permutations: int = 0) -> gpd.GeoDataFrame:
    """Getis-Ord Gi* of `values` per cell (queen contiguity incl. the cell itself).
    Returns the cells with z, p and `class` (e.g. 'hot99', 'cold95', '')."""
    import warnings

    from esda.getisord import G_Local
    from libpysal.weights import Queen

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = Queen.from_dataframe(cells, use_index=False, silence_warnings=True)
        g = G_Local(np.asarray(values, dtype=float), w, transform="B", star=True, permutations=permutations)
    out = cells.copy()
    out["value"] = np.asarray(values, dtype=float)
    out["z"] = np.nan_to_num(np.asarray(g.Zs, dtype=float))
    out["class"] = [classify_z(z) for z in out["z"]]
    return out


def classify_z(z: float) -> str:
    for threshold, level in Z_LEVELS:
        if z >= threshold:
            return f"hot{level}"
        if z <= -threshold:
            return f"cold{level}"
    return ""
