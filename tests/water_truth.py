"""Independent water-quality answers from the store for the page tests: plain SQL over
water_samples and a plain loop, with the limits that matter typed in here from GB 3838-2002
Table 1 (not read from data/config/) — so a page is compared with a second computation.

Restated rules: a month's value per factor is the mean of its samples (a below-detection
value with a limit counts as half of it in a mean of several, as the limit alone); the class is
the worst of the evaluated factors (rivers: pH, 溶解氧, 高锰酸盐指数, 化学需氧量, 五日生化需氧量, 氨氮,
总磷; lakes the same with the 湖库 总磷 limits; 水温 and 总氮 not in the class); sections are judged
against their 目标水质, water sources against Ⅲ类; 超标倍数 = (value − target limit) / limit."""

from __future__ import annotations

import json

from tests.truth import _rows

MAX = {  # Ⅰ..Ⅴ upper limits, mg/L
    "高锰酸盐指数": (2, 4, 6, 10, 15), "化学需氧量": (15, 15, 20, 30, 40), "五日生化需氧量": (3, 3, 4, 6, 10),
    "氨氮": (0.15, 0.5, 1.0, 1.5, 2.0), "总磷": (0.02, 0.1, 0.2, 0.3, 0.4),
}
LAKE_TP = (0.01, 0.025, 0.05, 0.1, 0.2)
DO_MIN = (7.5, 6, 5, 3, 2)  # 溶解氧 ≥
LABELS = {1: "Ⅰ类", 2: "Ⅱ类", 3: "Ⅲ类", 4: "Ⅳ类", 5: "Ⅴ类", 6: "劣Ⅴ类"}
TARGETS = {"Ⅰ类": 1, "Ⅱ类": 2, "Ⅲ类": 3, "Ⅳ类": 4, "Ⅴ类": 5}


def _limits(factor: str, lake: bool):
    return LAKE_TP if lake and factor == "总磷" else MAX.get(factor)


def factor_class(factor: str, v: float, lake: bool) -> int | None:
    if factor == "pH":
        return 1 if 6 <= v <= 9 else 6
    if factor == "溶解氧":
        return next((k for k, lim in enumerate(DO_MIN, 1) if v >= lim), 6)
    lims = _limits(factor, lake)
    if lims is None:
        return None  # 水温, 总氮: not in the class
    return next((k for k, lim in enumerate(lims, 1) if v <= lim), 6)


def water_sites() -> dict[str, dict]:
    """Sections and water sources → name, lake, target."""
    out = {}
    for r in _rows("SELECT id, name, kind, attrs FROM sites WHERE kind IN ('监测断面', '饮用水水源地')"):
        a = r["attrs"] if isinstance(r["attrs"], dict) else json.loads(r["attrs"] or "{}")
        section = r["kind"] == "监测断面"
        out[r["id"]] = {"name": r["name"], "kind": r["kind"], "lake": a.get("source_type") == "湖库型",
                        "target": TARGETS.get(a.get("target_class")) if section else 3}
    return out


def month_verdicts(month: str) -> dict[str, dict]:
    """site id → {class, target, compliant, exceeding: {factor: 倍数 or None}, values: {factor: mean}}."""
    sites = water_sites()
    vals: dict[str, dict[str, list[float]]] = {}
    for r in _rows("SELECT site_id, sampled_at, factor, value, below_detection, detection_limit FROM water_samples"):
        if str(r["sampled_at"])[:7] != month or r["site_id"] not in sites:
            continue
        if r["below_detection"]:
            if r["detection_limit"] is None:
                continue
            v = float(r["detection_limit"])
            vals.setdefault(r["site_id"], {}).setdefault(r["factor"], []).append(("nd", v))
        else:
            vals.setdefault(r["site_id"], {}).setdefault(r["factor"], []).append(("v", float(r["value"])))
    out = {}
    for sid, by in vals.items():
        s = sites[sid]
        means = {}
        for f, xs in by.items():
            if len(xs) == 1:
                means[f] = xs[0][1]
            else:
                means[f] = sum(v / 2 if k == "nd" else v for k, v in xs) / len(xs)
        classes = {f: c for f, v in means.items() if (c := factor_class(f, v, s["lake"])) is not None}
        wc = max(classes.values()) if classes else None
        t = s["target"]
        exceeding = {}
        for f, c in classes.items():
            if t is not None and c > t:
                lims = _limits(f, s["lake"])
                exceeding[f] = round((means[f] - lims[t - 1]) / lims[t - 1], 2) if lims else None
        out[sid] = {"class": wc, "target": t, "compliant": None if wc is None or t is None else wc <= t,
                    "exceeding": exceeding, "values": means, "name": s["name"]}
    return out


def _classify(sid_means: dict[str, float], lake: bool, target: int | None) -> dict:
    classes = {f: c for f, v in sid_means.items() if (c := factor_class(f, v, lake)) is not None}
    wc = max(classes.values()) if classes else None
    return {"class": wc, "target": target, "compliant": None if wc is None or target is None else wc <= target}


def year_verdicts(year: int, through: str) -> dict[str, dict]:
    """The year-to-date verdicts: per factor the mean of the monthly means (a below-detection
    month counts as half its limit), months of `year` up to `through` ('YYYY-MM')."""
    sites = water_sites()
    monthly: dict[str, dict[str, dict[str, list]]] = {}
    for r in _rows("SELECT site_id, sampled_at, factor, value, below_detection, detection_limit FROM water_samples"):
        mo = str(r["sampled_at"])[:7]
        if r["site_id"] not in sites or not (f"{year}-01" <= mo <= through):
            continue
        x = ("nd", float(r["detection_limit"])) if r["below_detection"] else ("v", float(r["value"]))
        if r["below_detection"] and r["detection_limit"] is None:
            continue
        monthly.setdefault(r["site_id"], {}).setdefault(r["factor"], {}).setdefault(mo, []).append(x)
    out = {}
    for sid, by in monthly.items():
        means = {}
        for f, months in by.items():
            per_month = []
            for xs in months.values():
                if all(k == "nd" for k, _ in xs):
                    per_month.append(("nd", max(v for _, v in xs)))
                else:
                    per_month.append(("v", sum(v / 2 if k == "nd" else v for k, v in xs) / len(xs)))
            if all(k == "nd" for k, _ in per_month):
                means[f] = max(v for _, v in per_month)
            else:
                means[f] = sum(v / 2 if k == "nd" else v for k, v in per_month) / len(per_month)
        out[sid] = _classify(means, sites[sid]["lake"], sites[sid]["target"]) | {"name": sites[sid]["name"]}
    return out
