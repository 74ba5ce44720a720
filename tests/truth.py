"""Independent answers from the store, for tests: plain SQL and plain Python loops, written
without the project's query, filter or roll-up functions — so a test comparing a page (or a
function) with these compares two computations, not one with itself.

Rules restated here on purpose (from the plan's closing procedure): a task's state is the
`to_status` of its last event up to the end of the day (未启动 when it has none); 逾期 when its
deadline is before the day and it is neither 已销号 nor 长期坚持; 临期 when due within 30 days."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import create_engine, text

from onemap import settings
from store.geometry import Geometry


def _rows(sql: str, **params) -> list[dict]:
    engine = create_engine(settings.database_url())
    try:
        with engine.connect() as c:
            return [dict(r._mapping) for r in c.execute(text(sql).columns(geom_wkt=Geometry()), params)]  # WKT on PostGIS too
    finally:
        engine.dispose()


def _day(v) -> date | None:
    if v is None or isinstance(v, date):
        return v
    return date.fromisoformat(str(v)[:10])


def top_tasks(as_of: date | None = None, due_soon_days: int = 30) -> dict[int, dict]:
    """Top-level, not archived tasks → {status, flag, deadline, site_ids, units}."""
    as_of = as_of or date.today()
    end = datetime.combine(as_of, time.max)
    out: dict[int, dict] = {}
    for r in _rows("SELECT id, parent_id, archived, deadline, title FROM tasks"):
        if r["parent_id"] is None and not r["archived"]:
            out[r["id"]] = {"status": "未启动", "deadline": _day(r["deadline"]), "site_ids": set(),
                            "units": set(), "title": r["title"], "flag": None}
    for e in _rows("SELECT task_id, at, seq, to_status FROM status_events ORDER BY task_id, at, seq"):
        at = e["at"] if isinstance(e["at"], datetime) else datetime.fromisoformat(str(e["at"]))
        if e["task_id"] in out and at <= end:
            out[e["task_id"]]["status"] = e["to_status"]
    for t in out.values():
        d = t["deadline"]
        if d is not None and t["status"] not in ("已销号", "长期坚持"):
            if d < as_of:
                t["flag"] = "逾期"
            elif (d - as_of).days <= due_soon_days:
                t["flag"] = "临期"
    for link in _rows("SELECT task_id, site_id FROM task_sites"):
        if link["task_id"] in out:
            out[link["task_id"]]["site_ids"].add(link["site_id"])
    for u in _rows("SELECT tu.task_id, u.name FROM task_units tu JOIN units u ON u.id = tu.unit_id "
                   "WHERE tu.role = 'responsible'"):
        if u["task_id"] in out:
            out[u["task_id"]]["units"].add(u["name"])
    return out


def sites() -> dict[str, dict]:
    return {r["id"]: r for r in _rows("SELECT id, kind, name, county_code, geom_wkt FROM sites")}
