"""The OGC API – Features service (onemap.ogc_api) at province scale, as a desktop GIS uses it:
one request per layer on every pan and zoom. Prints figures, asserts nothing.

  python bench/ogc_bench.py [--scale demo|province] [--repeat 6] [--data-dir DIR]

For each request kind (an empty bbox, one county's bbox, the whole layer): the first request after
the server starts (the tasks replayed from the store — what every request cost before the service
kept them per store revision) and the median of the next ones (kept; the revision is still read
on each request, so a change is served at once)."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = {"empty bbox": {"bbox": "100,10,100.1,10.1"}, "one county's bbox": {"bbox": "116.9,27.9,117.4,28.4"},
         "the whole layer (limit 1000)": {"limit": "1000"}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", choices=["demo", "province"], default="province")
    ap.add_argument("--repeat", type=int, default=6)
    ap.add_argument("--data-dir", type=Path, default=None)
    args = ap.parse_args()
    from bench import compare_naive as cn

    if args.data_dir is None:
        cn.build_store(args.scale, Path(tempfile.mkdtemp(prefix="onemap-ogc-")) / "store")
    else:
        os.environ["ONEMAP_DATA_DIR"] = str(args.data_dir)
    import requests

    from domain.actors import Actor
    from onemap import tokens

    cn.bench_token()  # the bench account
    token = tokens.create(Actor(cn.BENCH_USER[0], cn.BENCH_USER[1], cn.BENCH_USER[2]), "ogc_bench")
    port = cn._free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        print(f"{args.scale}; {cn.date_machine()}")
        print("| request (工业园区 items) | features | first request | next requests (median) |")
        print("|---|---|---|---|")
        for i, (name, params) in enumerate(CASES.items()):
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                r = requests.get(f"{url}/ogc/collections/park/items", params=params,
                                 auth=(cn.BENCH_USER[0], token), timeout=300)
                times.append(time.perf_counter() - t0)
                r.raise_for_status()
            first = f"{times[0]:.3f} s" if i == 0 else "(kept)"
            print(f"| {name} | {r.json()['numberReturned']} | {first} | {statistics.median(times[1:]):.3f} s |")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
