"""Planning an inspection trip from chosen sites: order, schedule, and what each stop
is about (its tasks and what to verify)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import pandas as pd

from domain.dates import cn_date, deadline_words
from exports.field import Stop, StopTask, Trip, verify_text
from geo.routing import Schedule, distance_matrix, schedule, solve_order


@dataclass
class TripParams:
    first_day: date
    road_factor: float = 1.3
    speed_kmh: float = 40.0
    service_min: float = 45.0
    day_start: time = time(8, 30)
    day_end: time = time(17, 30)


@dataclass
class Plan:
    site_ids: list[str]  # in visiting order
    base_name: str
    base: tuple[float, float]
    params: TripParams
    schedule: Schedule


def sites_in_drawn_area(area, candidates: list[str]) -> list[str]:
    """The candidates (the filtered sites, in their order) whose geometry meets a selection
    area drawn on the map (WGS84 — shifted back from the basemap's datum by the caller): the
    store's spatial selection, ST_Intersects on PostGIS, an STRtree on SQLite. A park whose
    outline reaches into the area is in it, not only one whose symbol is."""
    from store import queries
    from store.db import reader

    with reader() as s:
        inside = set(queries.site_ids_in_area(s, area))
    return [sid for sid in candidates if sid in inside]


def plan_trip(site_ids: list[str], prepared: pd.DataFrame, base_name: str, base: tuple[float, float],
              params: TripParams, order: list[str] | None = None) -> Plan:
    """Solve the visiting order (or keep `order`, a manual one) and schedule the days."""
    ids = [i for i in site_ids if i in prepared.index]
    pts = [base, *[(float(prepared.at[i, "lon"]), float(prepared.at[i, "lat"])) for i in ids]]
    m = distance_matrix(pts, params.road_factor)
    if order is None:
        nodes = solve_order(m, start=0)
    else:
        pos = {sid: k + 1 for k, sid in enumerate(ids)}
        nodes = [pos[s] for s in order if s in pos]
    sched = schedule(nodes, m, first_day=params.first_day, speed_kmh=params.speed_kmh,
                     service_min=params.service_min, day_start=params.day_start, day_end=params.day_end)
    visiting = [ids[v.node - 1] for v in sched.visits]
    return Plan(visiting + [ids[n - 1] for n in sched.unplaceable], base_name, base, params, sched)


def stop_tasks(site_id: str, tasks: pd.DataFrame) -> list[StopTask]:
    """The site's top-level tasks (open first) with their measures and what to verify."""
    top = tasks[tasks["parent_id"].isna() & ~tasks["archived"].astype(bool)
                & tasks["site_ids"].map(lambda ids: site_id in ids)]
    top = top.assign(_closed=top["status"] == "已销号").sort_values(["_closed", "deadline"], na_position="last")
    out = []
    for _, t in top.iterrows():
        kids = tasks[tasks["parent_id"] == t["id"]].sort_values("position")
        measures = [(k["number"] or "·", k["title"], deadline_words(k), "、".join(k["units"]), k["status"])
                    for _, k in kids.iterrows()]
        out.append(StopTask(t["ref"], t["title"], t["status"], t["flag"] or "", deadline_words(t), "、".join(t["units"]),
                            verify_text(t["status"], t["flag"] or ""), measures, int(t["id"])))
    return out


def to_trip(plan: Plan, title: str, sites: pd.DataFrame, prepared: pd.DataFrame, tasks: pd.DataFrame,
            county_names: dict[str, str]) -> Trip:
    by_site = {v_site: v for v_site, v in zip(plan.site_ids, plan.schedule.visits, strict=False)}
    stops = []
    site_rows = sites.set_index("id")
    for k, sid in enumerate(plan.site_ids, start=1):
        v = by_site.get(sid)
        s = site_rows.loc[sid]
        stops.append(Stop(k, v.day if v else 0, sid, s["name"], s["kind"], county_names.get(s["county_code"], ""),
                          float(prepared.at[sid, "lon"]), float(prepared.at[sid, "lat"]),
                          v.arrive if v else None, v.depart if v else None, stop_tasks(sid, tasks)))
    illustrative = bool(site_rows.loc[plan.site_ids, "illustrative"].any()) if plan.site_ids else False
    return Trip(title or f"现场检查（{cn_date(plan.params.first_day)}）", plan.params.first_day, plan.base_name,
                plan.base, stops, plan.schedule.distance_m / 1000, illustrative)
