"""Deterministic SAMPLE water quality for the demo (示例数据): a monthly series 2026-01..2026-10
for every monitoring section and surface-water drinking source, every value flagged `sample`,
its source file named 示例数据. It exists so the water views have something to show; it is
never a measurement and says so wherever it appears.

Each site's values sit comfortably inside its target class (sections: 目标水质; water
sources: class Ⅱ, inside their Ⅲ类 target) with a small seeded jitter; a few months are set
to exceed on purpose, each with a named factor (EXCEEDANCES), so a non-compliant section can
be found, and its factor read, on the map and in the overview."""

from __future__ import annotations

import math
import random
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import water_quality as wq
from onemap.kinds import kind_by_any
from store import models as m
from store import water as store

MONTHS = [f"2026-{mo:02d}" for mo in range(1, 11)]
SOURCE_FILE = "示例数据（onemap/sample_water.py 生成，非实测）"
ACTOR = "示例数据"
FACTORS = ("水温", "pH", "溶解氧", "高锰酸盐指数", "化学需氧量", "五日生化需氧量", "氨氮", "总磷", "总氮")
DECIMALS = {"水温": 1, "pH": 2, "溶解氧": 1, "高锰酸盐指数": 1, "化学需氧量": 0, "五日生化需氧量": 1,
            "氨氮": 3, "总磷": 3, "总氮": 2}
# (site, month) → factor → value as delivered: the designed exceedances (target in brackets)
EXCEEDANCES = {
    ("SEC-01", "2026-03"): {"氨氮": "1.24"},  # 南河河口 (Ⅲ): 氨氮 Ⅳ
    ("SEC-01", "2026-07"): {"氨氮": "1.62", "总磷": "0.236"},  # Ⅴ by 氨氮, 总磷 Ⅳ
    ("SEC-01", "2026-08"): {"氨氮": "1.31"},
    ("SEC-04", "2026-06"): {"总磷": "0.262"},  # 湖田桥 (Ⅲ): 总磷 Ⅳ
    ("SEC-04", "2026-09"): {"总磷": "0.318"},  # 总磷 Ⅴ
    ("SEC-04", "2026-10"): {"总磷": "0.244"},  # still Ⅳ in the latest month
    ("SEC-03", "2026-10"): {"总磷": "0.126"},  # 浮梁罗家村 (Ⅱ): 总磷 Ⅲ in the latest month
    ("WS-04", "2026-08"): {"总磷": "0.068"},  # 幸福水库 (湖库, Ⅲ): 总磷 Ⅳ on the 湖库 limits
}
ND_BOD = "0.5L"  # water sources in winter: 五日生化需氧量 below its detection limit 0.5 mg/L


def _text(factor: str, v: float) -> str:
    return f"{v:.{DECIMALS[factor]}f}"


def site_values(site_id: str, base_class: int, water: str, std: wq.Standard, source: bool) -> dict[str, dict[str, str]]:
    """month → factor → value text for one site (deterministic: seeded by the site id)."""
    rng = random.Random(f"sample-water-{site_id}")
    out: dict[str, dict[str, str]] = {}
    for i, month in enumerate(MONTHS):
        season = math.sin((i - 3) / 12 * 2 * math.pi)  # warm in summer
        vals: dict[str, str] = {}
        for f in FACTORS:
            jitter = 1 + rng.uniform(-0.12, 0.12)
            if f == "水温":
                v = 16 + 11 * season + rng.uniform(-1, 1)
            elif f == "pH":
                v = 7.3 + rng.uniform(-0.4, 0.4)
            elif f == "溶解氧":
                v = std.factors[f].limits[base_class - 1] * 1.2 * (1 + rng.uniform(0, 0.08)) - 0.4 * season
                v = max(v, std.factors[f].limits[base_class - 1] + 0.3)
            else:
                lim = std.factors[f].limits_for(water)[base_class - 1]
                v = lim * 0.6 * jitter
            vals[f] = _text(f, v)
        if source and month in ("2026-01", "2026-02"):
            vals["五日生化需氧量"] = ND_BOD
        vals.update(EXCEEDANCES.get((site_id, month), {}))
        out[month] = vals
    return out


def plan(s: Session, std: wq.Standard) -> list[wq.SampleValue]:
    """Every sample value to write, for the sections and the surface-water sources stored."""
    from onemap.water import site_water

    records: list[wq.SampleValue] = []
    for site in s.scalars(select(m.Site).order_by(m.Site.id)):
        k = kind_by_any(site.kind)
        if k is None or k.code not in ("section", "water_source"):
            continue
        if (site.attrs or {}).get("source_type") == "地下水型":
            continue
        sw = site_water(site, std)
        source = k.code == "water_source"
        base = 2 if source or sw.target is None else min(sw.target, 5)
        for month, vals in site_values(site.id, base, sw.water, std, source).items():
            at = datetime.strptime(month + "-10 09:30", "%Y-%m-%d %H:%M")
            for factor, text in vals.items():
                parsed = wq.parse_value(text)
                records.append(wq.SampleValue(site.id, at, factor, text, None if parsed.nd else parsed.value,
                                                 parsed.nd, parsed.dl, std.factors[factor].unit))
    return records


def generate(s: Session, std: wq.Standard) -> int:
    """Write the sample series (replacing an earlier one); returns the number of values. A real
    measurement stored for the same site, time and factor is kept: the sample value is left out."""
    store.remove_sample_data(s)
    previews = [p for p in store.preview(s, plan(s, std)) if p.action == store.NEW]
    store.write(s, previews, source_file=SOURCE_FILE, imported_by=ACTOR, sample=True)
    return len(previews)
