"""Offline-imagery tiling benchmark (issue 14): build time and disk size of the XYZ tiles made
from an N×N GeoTIFF in CGCS2000 / Gauss-Krüger (EPSG:4548), as `onemap basemap add` makes them.
Asserts nothing; prints what it ran.

  python bench/basemap_bench.py [--size 10000] [--res 1.0] [--keep]

The GeoTIFF is generated here (RGB, tiled, deflate; a smooth field with a grid and noise, so the
PNGs are neither trivially small nor incompressible), in a temporary data directory.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def make_tiff(path: Path, size: int, res: float) -> float:
    import numpy as np
    import rasterio
    from pyproj import Transformer
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    t0 = time.perf_counter()
    x, y = Transformer.from_crs(4490, 4548, always_xy=True).transform(117.21, 29.30)
    profile = dict(driver="GTiff", width=size, height=size, count=3, dtype="uint8", crs="EPSG:4548",
                   transform=from_origin(x - size * res / 2, y + size * res / 2, res, res), tiled=True,
                   blockxsize=512, blockysize=512, compress="deflate")
    rng = np.random.default_rng(14)
    with rasterio.open(path, "w", **profile) as dst:
        step = 1024
        for r0 in range(0, size, step):
            h = min(step, size - r0)
            rows = np.arange(r0, r0 + h)[:, None]
            cols = np.arange(size)[None, :]
            base = (np.sin(rows / 300.0) + np.cos(cols / 450.0)) * 40
            block = np.empty((3, h, size), dtype="uint8")
            for b, (mean, k) in enumerate(((90, 1.0), (130, 0.7), (70, 0.5))):
                block[b] = np.clip(mean + k * base + rng.normal(0, 6, (h, size)), 0, 255)
            block[:, (rows[:, 0] % 500) == 0, :] = 245
            block[:, :, (cols[0] % 500) == 0] = 245
            dst.write(block, window=Window(0, r0, size, h))
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=10_000, help="pixels per side (default 10000)")
    ap.add_argument("--res", type=float, default=1.0, help="ground pixel size in metres (default 1.0)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="basemap-bench-"))
    os.environ["ONEMAP_DATA_DIR"] = str(tmp / "data")
    from onemap import basemaps

    tif = tmp / "bench.tif"
    gen = make_tiff(tif, args.size, args.res)
    print(f"GeoTIFF {args.size}×{args.size} px, {args.res} m, EPSG:4548: generated in {gen:.1f} s, "
          f"{tif.stat().st_size / 1e6:.1f} MB on disk")
    t0 = time.perf_counter()
    b = basemaps.add(tif, "bench")
    took = time.perf_counter() - t0
    m = basemaps.local_meta(b.id)
    per_zoom = {}
    for p in (basemaps.local_root() / b.id / "tiles").rglob("*.png"):
        z = int(p.parent.parent.name)
        per_zoom[z] = per_zoom.get(z, 0) + 1
    print(f"tiles: {m['tiles']} PNG, zoom {m['min_zoom']}–{m['max_zoom']}, {m['bytes'] / 1e6:.1f} MB; "
          f"built in {took:.1f} s ({took / max(1, m['tiles']) * 1000:.1f} ms per tile)")
    print("per zoom: " + ", ".join(f"z{z}: {n}" for z, n in sorted(per_zoom.items())))
    print(f"cores: {os.cpu_count()} (GDAL warp single-threaded)")
    if args.keep:
        print(f"kept: {tmp}")
    else:
        basemaps.remove(b.id)
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
