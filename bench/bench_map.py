"""一张图 benchmark at three scales: prints figures, asserts nothing.

  python bench/bench_map.py [--scales demo,province,stress]

For each scale, in a fresh temporary store:
- store load: reading tasks (state replayed) and sites, and preparing display geometry;
- page rerun after a filter change: AppTest, median of several filter changes after a warm-up run;
- map payload: bytes sent to the browser for the first view (base map script + site layers
  + layer control), computed with streamlit-folium's own serialisers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALES = {"demo": None, "province": (2_000, 20_000), "stress": (20_000, 100_000)}


def payload_bytes() -> int:
    import streamlit_folium as sf

    from domain.rollup import site_summary
    from geo.region import load_region
    from layers.sites import prepare_geometry
    from store import queries, repo
    from store.db import reader
    from ui.views.map_view import base_map, site_layers

    with reader() as s:
        region = load_region(repo.get_meta(s, "region"))
        tasks = queries.tasks_frame(s, date.today())
        sites = queries.sites_frame(s)
    prepared = prepare_geometry(sites, {c.code: c.name for c in region.places.counties})
    m = base_map(region)  # the default (offline county) basemap
    layers = site_layers(prepared, list(sites["id"]), site_summary(tasks, list(sites["id"])))
    args = {"script": sf._get_map_string(m), "header": sf._get_header(m), "html": sf._get_html(m),
            "feature_group": "".join(sf._get_feature_group_string(fg, map=m, idx=i)
                                     for i, fg in enumerate(layers.groups)),
            "layer_control": sf._get_layer_control_string(layers.control, m)}
    # as Streamlit sends component arguments: one json.dumps (ASCII-escaped) string
    return len(json.dumps(args).encode("utf-8"))


def run_scale(name: str, tmp: Path) -> dict:
    os.environ["ONEMAP_DATA_DIR"] = str(tmp / name)
    from store.db import reader

    spec = SCALES[name]
    t0 = time.perf_counter()
    if spec is None:
        from onemap.demo import build_demo

        build_demo()
    else:
        from bench.synthetic import build

        build(*spec)
    built = time.perf_counter() - t0

    from geo.region import load_region
    from layers.sites import prepare_geometry
    from store import queries, repo

    t0 = time.perf_counter()
    with reader() as s:
        tasks = queries.tasks_frame(s, date.today())
        sites = queries.sites_frame(s)
        region = load_region(repo.get_meta(s, "region"))
    prepare_geometry(sites, {c.code: c.name for c in region.places.counties})
    load = time.perf_counter() - t0

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    assert not at.exception, at.exception
    changes = [("f_flag", ["逾期"]), ("f_flag", []), ("f_status", ["已销号"]), ("f_status", []),
               ("f_kind", ["工业园区"]), ("f_kind", [])]
    times = []
    for key, value in changes:
        at.multiselect(key=key).set_value(value)
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    # a status change recorded elsewhere (another user): the next run reloads only the events
    from sqlalchemy import select

    from domain import status as st
    from store import models as m
    from store.db import transaction

    with transaction() as s:
        task = s.scalar(select(m.Task).where(m.Task.parent_id.is_(None)).order_by(m.Task.id))
        to = st.allowed_next(repo.current_status(s, task.id), ongoing=task.ongoing)[0]
        repo.record_status(s, task.id, to, actor="bench", note="基准测试")
    t0 = time.perf_counter()
    at.run()
    after_write = time.perf_counter() - t0
    assert not at.exception, at.exception
    return {"scale": name, "sites": len(sites), "tasks": len(tasks), "build_s": built, "load_s": load,
            "first_run_s": first, "rerun_median_s": statistics.median(times), "rerun_max_s": max(times),
            "after_write_s": after_write, "payload_bytes": payload_bytes()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="demo,province,stress")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="onemap-bench-map-"))
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print("| scale | sites | tasks | store load | first page run | rerun after filter change (median / max) "
          "| rerun after a status change | map payload |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.scales.split(","):
        r = run_scale(name, tmp)
        print(f"| {r['scale']} | {r['sites']:,} | {r['tasks']:,} | {r['load_s']:.2f} s | {r['first_run_s']:.2f} s "
              f"| {r['rerun_median_s']:.2f} s / {r['rerun_max_s']:.2f} s | {r['after_write_s']:.2f} s "
              f"| {r['payload_bytes'] / 1e6:.2f} MB |",
              flush=True)


if __name__ == "__main__":
    main()
