"""Reads: the store as DataFrames for filtering, layers and exports.

Status is replayed from the event history for any 'as of' date; 逾期/临期 are
derived there and never stored."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import status as st
from domain.places import PlaceSet
from store import models as m

TASK_COLUMNS = [
    "id", "uid", "parent_id", "position", "document", "level", "number", "ref", "title", "body", "target",
    "deadline_text", "deadline", "ongoing", "deadline_inherited", "category", "group_name", "part",
    "units", "unit_places", "unit_place_codes", "acceptance_units", "acceptance_text", "acceptance_note", "site_ids", "archived",
    "created_at", "status", "flag", "last_note", "last_event_at", "sample_events",
]


def _events_by_task(s: Session) -> dict[int, list[m.StatusEvent]]:
    out: dict[int, list[m.StatusEvent]] = defaultdict(list)
    for ev in s.scalars(select(m.StatusEvent).order_by(m.StatusEvent.at, m.StatusEvent.id)):
        out[ev.task_id].append(ev)
    return out


def tasks_frame(s: Session, as_of: date | None = None, due_soon_days: int = st.DEFAULT_DUE_SOON_DAYS,
                places: PlaceSet | None = None, include_future: bool = False) -> pd.DataFrame:
    """One row per task (all levels). Tasks created after `as_of` are left out
    unless include_future, so a past date shows the past."""
    as_of = as_of or date.today()
    limit = datetime.combine(as_of, datetime.max.time())
    docs = {d.id: d.short_name for d in s.scalars(select(m.Document))}
    units = {u.id: u for u in s.scalars(select(m.Unit))}
    roles: dict[int, dict[str, list[m.Unit]]] = defaultdict(lambda: {"responsible": [], "acceptance": []})
    for tu in s.scalars(select(m.TaskUnit).order_by(m.TaskUnit.position)):
        roles[tu.task_id][tu.role].append(units[tu.unit_id])
    links: dict[int, list[str]] = defaultdict(list)
    for ts in s.scalars(select(m.TaskSite)):
        links[ts.task_id].append(ts.site_id)
    events = _events_by_task(s)
    def place_name(code):
        return (places.by_code(code).name if places and places.by_code(code) else code)
    rows = []
    for t in s.scalars(select(m.Task).order_by(m.Task.document_id, m.Task.parent_id, m.Task.position)):
        if not include_future and t.created_at > limit:
            continue
        evs = [e for e in events.get(t.id, []) if e.at <= limit]
        state = evs[-1].to_status if evs else st.NOT_STARTED
        resp = roles[t.id]["responsible"]
        rows.append({
            "id": t.id, "uid": t.uid, "parent_id": t.parent_id, "position": t.position,
            "document": docs.get(t.document_id, ""), "level": t.level, "number": t.number, "ref": t.ref,
            "title": t.title, "body": t.body, "target": t.target, "deadline_text": t.deadline_text,
            "deadline": t.deadline, "ongoing": t.ongoing, "deadline_inherited": t.deadline_inherited,
            "category": t.category, "group_name": t.group_name, "part": t.part,
            "units": [u.name for u in resp],
            "unit_places": sorted({place_name(u.place_code) for u in resp}),
            "unit_place_codes": sorted({u.place_code for u in resp}),
            "acceptance_units": [u.name for u in roles[t.id]["acceptance"]],
            "acceptance_text": t.acceptance_text, "acceptance_note": t.acceptance_note,
            "site_ids": links.get(t.id, []), "archived": t.archived, "created_at": t.created_at,
            "status": state, "flag": st.derived_flag(state, t.deadline, as_of, due_soon_days) or "",
            "last_note": evs[-1].note if evs else "", "last_event_at": evs[-1].at if evs else None,
            "sample_events": any(e.sample for e in evs),
        })
    return pd.DataFrame(rows, columns=TASK_COLUMNS)


def sites_frame(s: Session) -> gpd.GeoDataFrame:
    rows = [{
        "id": x.id, "kind": x.kind, "name": x.name, "aliases": list(x.aliases or []), "county_code": x.county_code,
        "attrs": dict(x.attrs or {}), "source_crs": x.source_crs, "source": x.source, "illustrative": x.illustrative,
        "geometry": shapely.from_wkt(x.geom_wkt),
    } for x in s.scalars(select(m.Site).order_by(m.Site.kind, m.Site.id))]
    cols = ["id", "kind", "name", "aliases", "county_code", "attrs", "source_crs", "source", "illustrative", "geometry"]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=cols), geometry="geometry", crs="EPSG:4326")


def events_frame(s: Session, task_ids: list[int] | None = None) -> pd.DataFrame:
    q = select(m.StatusEvent).order_by(m.StatusEvent.at, m.StatusEvent.id)
    if task_ids is not None:
        q = q.where(m.StatusEvent.task_id.in_(task_ids))
    att: dict[int, list[str]] = defaultdict(list)
    for a in s.scalars(select(m.Attachment)):
        att[a.event_id].append(a.filename)
    rows = [{"id": e.id, "task_id": e.task_id, "at": e.at, "from_status": e.from_status, "to_status": e.to_status,
             "actor": e.actor, "actor_unit": e.actor_unit, "note": e.note, "sample": e.sample,
             "recorded_at": e.recorded_at, "attachments": att.get(e.id, [])} for e in s.scalars(q)]
    cols = ["id", "task_id", "at", "from_status", "to_status", "actor", "actor_unit", "note", "sample",
            "recorded_at", "attachments"]
    return pd.DataFrame(rows, columns=cols)


def units_frame(s: Session) -> pd.DataFrame:
    rows = [{"id": u.id, "name": u.name, "place_code": u.place_code, "aliases": list(u.aliases or [])}
            for u in s.scalars(select(m.Unit).order_by(m.Unit.id))]
    return pd.DataFrame(rows, columns=["id", "name", "place_code", "aliases"])


def documents_frame(s: Session) -> pd.DataFrame:
    rows = [{"id": d.id, "title": d.title, "short_name": d.short_name, "genre": d.genre, "year": d.year,
             "filename": d.filename, "sha256": d.sha256, "imported_at": d.imported_at}
            for d in s.scalars(select(m.Document).order_by(m.Document.id))]
    return pd.DataFrame(rows, columns=["id", "title", "short_name", "genre", "year", "filename", "sha256", "imported_at"])
