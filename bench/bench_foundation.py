"""Foundation benchmark: prints figures, asserts nothing.

  python bench/bench_foundation.py [--sizes 1000,10000]

Measures, each in a fresh temporary store: the demo build; parsing the two seed
documents; importing synthetic site tables (validation + write) of several sizes;
replaying the status history (tasks_frame) of the demo."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="onemap-bench-"))
    os.environ["ONEMAP_DATA_DIR"] = str(tmp / "demo")
    from domain.actors import Actor
    from domain.units import UnitParser
    from geo.region import load_region
    from ingest.docparse import parse_document
    from onemap import services, settings
    from onemap.demo import build_demo
    from store import queries
    from store.db import reader

    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    t, counts = timed(build_demo)
    print(f"demo build (sites, 2 documents, links, {counts['sample_events']} sample events): {t:.2f} s")
    up = UnitParser(load_region("360200").places)
    for name in ("004_rectification_list_provincial_inspection.txt", "000_work_points_2026.txt"):
        t, doc = timed(lambda n=name: parse_document(settings.DEMO_DIR / "docs" / n, up), repeat=5)
        print(f"parse {name}: {t * 1000:.0f} ms ({sum(1 for i in doc.items for _ in i.walk())} tasks)")
    with reader() as s:
        t, df = timed(lambda: queries.tasks_frame(s, date(2026, 11, 23)), repeat=5)
    print(f"tasks_frame replay (demo, {len(df)} tasks): {t * 1000:.0f} ms")
    region = load_region("360200")
    minx, miny, maxx, maxy = region.bbox
    counties = region.counties().geometry.union_all()
    from shapely.geometry import Point

    rng = random.Random(1)
    bench = Actor.command_line("性能测试")
    for n in (int(x) for x in args.sizes.split(",")):
        os.environ["ONEMAP_DATA_DIR"] = str(tmp / f"sites-{n}")
        rows = ["名称,类型,经度,纬度,控制级别"]
        while len(rows) <= n:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if counties.contains(Point(x, y)):
                rows.append(f"断面{len(rows)},监测断面,{x:.6f},{y:.6f},省控")
        f = tmp / f"sites-{n}.csv"
        f.write_text("\n".join(rows), encoding="utf-8")
        t, out = timed(lambda f=f: services.import_file(bench, f))
        print(f"import {n} sites from CSV (validate + write): {t:.2f} s ({n / t:.0f} sites/s)")
        t, out = timed(lambda f=f: services.import_file(bench, f, dry_run=True))
        print(f"re-import {n} unchanged sites (dry run, preview): {t:.2f} s")


if __name__ == "__main__":
    main()
