"""Density GeoTIFF and Gi* hot spots."""

import numpy as np
import pytest
import rasterio
import shapely

from geo.hotspots import density, gi_star, project, region_density, square_grid, to_web_image, write_geotiff
from geo.region import load_region


def test_density_geotiff_is_georeferenced_and_conserves_weight(tmp_path):
    region = load_region("360200")
    lons, lats, w = [117.2010, 117.07, 117.13], [29.3230, 28.98, 28.83], [3.0, 1.0, 2.0]
    d = region_density(lons, lats, w, region.bbox, cell=500, bandwidth=4000)
    assert d.crs.to_epsg() == 4548  # CGCS2000 GK, CM 117°E
    assert d.total() == pytest.approx(6.0, rel=1e-9)
    # the heaviest point's weight lands in its own cell: the maximum is at 南河河口
    x, y = project([lons[0]], [lats[0]], d.crs)
    r, c = np.unravel_index(np.argmax(d.values), d.values.shape)
    assert (r, c) == rasterio.transform.rowcol(d.transform, x[0], y[0])
    path = write_geotiff(d, tmp_path / "density.tif")
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 4548
        assert src.transform == d.transform
        assert src.bounds == pytest.approx(d.bounds)
        assert np.allclose(src.read(1), d.values.astype("float32"))
        assert src.res == (500.0, 500.0)


def test_point_weight_in_the_right_cell_with_a_tiny_bandwidth():
    from pyproj import CRS

    d = density(np.array([1250.0]), np.array([750.0]), np.array([5.0]), (0, 0, 3000, 3000), crs=CRS(4548),
                cell=500, bandwidth=100)
    assert d.values.shape == (6, 6)
    assert d.values[4, 2] == pytest.approx(5.0 / 0.25)  # 5 tasks in a 0.25 km² cell; row 4 from the top
    assert d.total() == pytest.approx(5.0)


def test_web_image_covers_the_same_place():
    region = load_region("360200")
    d = region_density([117.2], [29.3], [1.0], region.bbox, cell=1000, bandwidth=5000)
    img, (south, west, north, east) = to_web_image(d)
    assert img.max() > 0
    assert west < 117.2 < east and south < 29.3 < north


def test_gi_star_finds_a_planted_cluster():
    region = shapely.box(117.0, 28.9, 117.4, 29.2)
    cells = square_grid(region, 2000)
    rng = np.random.default_rng(1)
    values = rng.poisson(1.0, len(cells)).astype(float)
    centroids = cells.geometry.centroid
    cx, cy = centroids.x.mean(), centroids.y.mean()
    dist = np.hypot(centroids.x - cx, centroids.y - cy)
    cluster = np.argsort(dist.to_numpy())[:9]  # the 3×3 block at the centre
    values[cluster] = 12.0
    out = gi_star(values, cells)
    assert set(out.loc[cluster, "class"]) == {"hot99"}
    far = np.argsort(dist.to_numpy())[-20:]
    assert not out.loc[far, "class"].str.startswith("hot").any()
