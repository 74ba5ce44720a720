"""断面水质 benchmark (issue 15): a station file of N sections × 12 months × 9 factors, generated,
then timed: read and check (dry run), import, re-import (all unchanged), one site's series with
its monthly and annual verdicts, and every site's latest month. Asserts nothing.

  python bench/water_bench.py [--sections 200]

Runs on a throwaway SQLite store in a temporary directory (ONEMAP_DATA_DIR is set here).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _timed(label: str, fn):
    t = time.perf_counter()
    out = fn()
    print(f"{label:<34}{time.perf_counter() - t:8.2f} s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sections", type=int, default=200)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="water-bench-"))
    os.environ["ONEMAP_DATA_DIR"] = str(tmp)
    os.environ.pop("ONEMAP_DATABASE_URL", None)
    from domain.actors import Actor
    from onemap import services, water
    from store import repo
    from store.db import transaction

    actor = Actor("bench", "基准测试", "业务管理员", "市生态环境局")
    sites = tmp / "sites.csv"
    with sites.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "类型", "名称", "区县", "经度", "纬度", "目标水质"])
        for i in range(args.sections):
            w.writerow([f"B-{i:04d}", "监测断面", f"基准断面{i}", "珠山区", 117.20 + (i % 20) * 0.001,
                        29.30 + (i // 20) * 0.001, "Ⅲ类"])
    with transaction() as s:
        repo.set_meta(s, "region", "360200")
    services.import_file(actor, sites)
    data = tmp / "station.csv"
    with data.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["断面名称", "采样日期", "水温", "pH", "溶解氧", "高锰酸盐指数", "化学需氧量", "五日生化需氧量",
                    "氨氮", "总磷", "总氮"])
        w.writerow(["单位", "", "℃", "无量纲", "mg/L", "mg/L", "mg/L", "mg/L", "mg/L", "mg/L", "mg/L"])
        for i in range(args.sections):
            for mo in range(1, 13):
                k = (i * 7 + mo) % 10
                w.writerow([f"基准断面{i}", f"2025-{mo:02d}-10", "18.5", "7.3", f"{6.5 - k * 0.1:.1f}", "3.2", "14",
                            "2.5", f"{0.3 + k * 0.1:.2f}", "0.12" if k else "ND", "1.1"])
    rows = args.sections * 12
    print(f"{args.sections} sections × 12 months = {rows} rows, {rows * 9} values")
    _timed("check + preview (dry run)", lambda: water.import_water(actor, data, dry_run=True))
    _timed("import", lambda: water.import_water(actor, data))
    _timed("re-import (all unchanged)", lambda: water.import_water(actor, data))
    ser = _timed("one site: series + annual", lambda: (water.series("B-0001"), water.annual(water.series("B-0001"))))
    print(f"  B-0001 annual: {water.verdict_text(ser[1])}")
    latest = _timed("every site's latest month", lambda: [list(water.series(f"B-{i:04d}").monthly.values())[-1]
                                                         for i in range(args.sections)])
    print(f"  non-compliant in December: {sum(not v.compliant for v in latest)} of {len(latest)}")


if __name__ == "__main__":
    main()
