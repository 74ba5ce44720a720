"""Reads: the store as DataFrames for filtering, layers and exports.

Status is replayed from the event history for any 'as of' date; 逾期/临期 are
derived there and never stored."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from domain import status as st
from domain.places import PlaceSet
from geo import china_names
from store import geometry, reflayers
from store import models as m

TASK_COLUMNS = [
    "id", "uid", "parent_id", "position", "document", "level", "number", "ref", "title", "body", "target",
    "deadline_text", "deadline", "ongoing", "deadline_inherited", "category", "group_name", "part",
    "units", "unit_places", "unit_place_codes", "acceptance_units", "acceptance_text", "acceptance_note", "site_ids", "archived",
    "created_at", "status", "flag", "last_note", "last_event_at", "sample_events", "version",
]


def _read(s: Session, stmt) -> pd.DataFrame:
    """Query → DataFrame built column by column (much faster than from row tuples).
    Runs on the Core connection: the ORM result machinery costs more than the query."""
    res = s.connection().execute(stmt)
    cols = list(res.keys())
    rows = res.fetchall()
    if not rows:
        return pd.DataFrame({c: [] for c in cols})
    return pd.DataFrame(dict(zip(cols, map(list, zip(*rows, strict=True)), strict=True)))


def _lists(df: pd.DataFrame, key: str, value: str) -> pd.Series:
    """Group `value` into a list per `key`, keeping row order (a dict pass: pandas'
    groupby-to-list takes its slow pure-Python path)."""
    out: dict = defaultdict(list)
    for k, v in zip(df[key].tolist(), df[value].tolist(), strict=True):
        out[k].append(v)
    return pd.Series(out, dtype=object)


STATIC_COLUMNS = [c for c in TASK_COLUMNS
                  if c not in ("status", "flag", "last_note", "last_event_at", "sample_events", "version")]


def task_static_frame(s: Session, places: PlaceSet | None = None) -> pd.DataFrame:
    """Everything about the tasks that does not depend on the date or the status
    history: fields, units, places and linked sites. Built with set operations, not
    per-row objects: it has to stay fast at 100,000 tasks."""
    T = m.Task
    t = _read(s, select(T.id, T.uid, T.parent_id, T.position, T.document_id, T.level, T.number, T.ref, T.title,
                        T.body, T.target, T.deadline_text, T.deadline, T.ongoing, T.deadline_inherited, T.category,
                        T.group_name, T.part, T.acceptance_text, T.acceptance_note, T.archived, T.created_at)
              .order_by(T.document_id, T.parent_id, T.position))
    if t.empty:
        return pd.DataFrame(columns=STATIC_COLUMNS)
    docs = dict(s.execute(select(m.Document.id, m.Document.short_name)).all())
    t["document"] = t["document_id"].map(docs).astype(object).fillna("")
    tu = _read(s, select(m.TaskUnit.task_id, m.TaskUnit.role, m.Unit.name, m.Unit.place_code)
               .join(m.Unit, m.Unit.id == m.TaskUnit.unit_id).order_by(m.TaskUnit.task_id, m.TaskUnit.position))
    resp = tu[tu["role"] == "responsible"] if len(tu) else tu
    acc = tu[tu["role"] == "acceptance"] if len(tu) else tu
    t = t.set_index("id", drop=False)
    links = _read(s, select(m.TaskSite.task_id, m.TaskSite.site_id).order_by(m.TaskSite.id))
    for col, df, key in (("units", resp, "name"), ("acceptance_units", acc, "name"), ("site_ids", links, "site_id"),
                         ("unit_place_codes", resp.drop_duplicates(["task_id", "place_code"]) if len(resp) else resp,
                          "place_code")):
        lists = _lists(df, "task_id", key) if len(df) else pd.Series(dtype=object)
        t[col] = [lists.get(i, []) for i in t.index]
    t["unit_place_codes"] = t["unit_place_codes"].map(sorted)

    def place_name(code: str) -> str:
        p = places.by_code(code) if places else None
        if p is not None:
            return p.name
        other = china_names.by_code(code)  # a unit of another city, kept where its document put it
        return other.label if other is not None else code

    names = {c: place_name(c) for c in {c for cs in t["unit_place_codes"] for c in cs}}
    t["unit_places"] = t["unit_place_codes"].map(lambda cs: sorted(names[c] for c in cs))
    t["parent_id"] = t["parent_id"].astype(object).where(t["parent_id"].notna(), None)
    return t[STATIC_COLUMNS].reset_index(drop=True)


def task_status_frame(s: Session, as_of: date) -> pd.DataFrame:
    """The state of every task that has events, replayed to the end of `as_of`
    (index: task id; columns: status, last_note, last_event_at, sample_events, version — the
    sequence number of the last event, which a form hands back so a change made meanwhile is
    refused)."""
    limit = datetime.combine(as_of, datetime.max.time())
    ev = _read(s, select(m.StatusEvent.task_id, m.StatusEvent.at, m.StatusEvent.to_status, m.StatusEvent.note,
                         m.StatusEvent.sample, m.StatusEvent.seq).where(m.StatusEvent.at <= limit)
               .order_by(m.StatusEvent.task_id, m.StatusEvent.at, m.StatusEvent.seq))
    if ev.empty:
        return pd.DataFrame(columns=["status", "last_note", "last_event_at", "sample_events", "version"])
    g = ev.groupby("task_id")
    last = g.last()
    return pd.DataFrame({"status": last["to_status"], "last_note": last["note"], "last_event_at": last["at"],
                         "sample_events": g["sample"].any(), "version": last["seq"]})


def combine(static: pd.DataFrame, status: pd.DataFrame, as_of: date, due_soon_days: int,
            include_future: bool = False) -> pd.DataFrame:
    """Static task rows + replayed status → the task frame of `as_of`. Tasks created
    after `as_of` are left out unless include_future, so a past date shows the past."""
    t = static
    if not include_future and len(t):
        t = t[pd.to_datetime(t["created_at"]) <= datetime.combine(as_of, datetime.max.time())]
    t = t.copy()
    sv = status.reindex(t["id"].to_numpy())
    t["status"] = sv["status"].fillna(st.NOT_STARTED).to_numpy()
    t["last_note"] = sv["last_note"].fillna("").to_numpy()
    at = sv["last_event_at"]
    t["last_event_at"] = at.astype(object).where(at.notna(), None).to_numpy()
    t["sample_events"] = sv["sample_events"].fillna(False).astype(bool).to_numpy()
    t["version"] = sv["version"].fillna(0).astype(int).to_numpy()
    t["flag"] = derived_flags(t["status"], t["deadline"], as_of, due_soon_days)
    return t[TASK_COLUMNS].reset_index(drop=True)


def tasks_frame(s: Session, as_of: date | None = None, due_soon_days: int = st.DEFAULT_DUE_SOON_DAYS,
                places: PlaceSet | None = None, include_future: bool = False) -> pd.DataFrame:
    """One row per task (all levels) with its state on `as_of` (default today)."""
    as_of = as_of or date.today()
    return combine(task_static_frame(s, places), task_status_frame(s, as_of), as_of, due_soon_days,
                   include_future)


def derived_flags(status: pd.Series, deadline: pd.Series, as_of: date, due_soon_days: int) -> pd.Series:
    """Vectorised domain.status.derived_flag: 逾期 / 临期 / ''."""
    d = pd.to_datetime(deadline)
    days = (d - pd.Timestamp(as_of)).dt.days
    closed = status.isin([st.CLOSED, st.ONGOING]) | d.isna()
    out = pd.Series("", index=status.index, dtype=object)
    out[~closed & (days < 0)] = st.OVERDUE
    out[~closed & (days >= 0) & (days <= due_soon_days)] = st.DUE_SOON
    return out


def store_is_empty(s: Session) -> bool:
    return s.scalar(select(func.count()).select_from(m.Site)) == 0 and \
        s.scalar(select(func.count()).select_from(m.Task)) == 0


def revision(s: Session) -> dict[str, str]:
    """Fingerprints that change with every write (cheap aggregate queries), one per part
    of the store, so a status change does not reload the sites or the task fields.
    Used as cache keys by the pages, whoever wrote. Read on every page run, so all the
    aggregates go to the database as one statement of scalar subqueries (one round trip,
    not 27 — ~20 ms of each rerun at province scale)."""
    parts = {
        "sites": (select(func.count()).select_from(m.Site), select(func.max(m.Site.updated_at))),
        "tasks": (select(func.count()).select_from(m.Task), select(func.max(m.Task.id)),
                  select(func.count()).select_from(m.TaskSite), select(func.max(m.TaskSite.id)),
                  select(func.count()).select_from(m.TaskUnit), select(func.max(m.Document.id)),
                  select(func.sum(m.Task.archived.cast(Integer))),
                  select(func.max(m.DocumentTarget.id)), select(func.count()).select_from(m.TargetSite)),
        "events": (select(func.count()).select_from(m.StatusEvent), select(func.max(m.StatusEvent.id)),
                   select(func.count()).select_from(m.Attachment), select(func.max(m.Finding.id)),
                   select(func.max(m.Inspection.id))),
        "meta": (select(func.count()).select_from(m.Meta), select(func.max(m.Meta.value))),
        "refs": reflayers.REVISION_QUERIES,
        # 断面水质: a changed value moves imported_at and the sum even when the count stays
        "water": (select(func.count()).select_from(m.WaterSample), select(func.max(m.WaterSample.id)),
                  select(func.max(m.WaterSample.imported_at)), select(func.sum(m.WaterSample.value))),
    }
    flat = [q for qs in parts.values() for q in qs]
    row = iter(s.execute(select(*(q.scalar_subquery() for q in flat))).one())
    return {name: "|".join(str(next(row)) for _ in qs) for name, qs in parts.items()}


def sites_frame(s: Session) -> gpd.GeoDataFrame:
    rows = [{
        "id": x.id, "kind": x.kind, "name": x.name, "aliases": list(x.aliases or []), "county_code": x.county_code,
        "attrs": dict(x.attrs or {}), "source_crs": x.source_crs, "source": x.source, "illustrative": x.illustrative,
        "geometry": shapely.from_wkt(x.geom_wkt),
    } for x in s.scalars(select(m.Site).order_by(m.Site.kind, m.Site.id))]
    cols = ["id", "kind", "name", "aliases", "county_code", "attrs", "source_crs", "source", "illustrative", "geometry"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("id", "kind", "county_code"):  # object, not Arrow strings: fast set membership in filters
        df[c] = df[c].astype(object)
    return gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326")


# ----------------------------------------------------------------------------- spatial selections
# One function per selection, the same answer on both engines: on PostGIS the database answers on
# the GiST index of sites.geom_wkt (ST_Intersects, which filters with && first); on SQLite shapely
# does, over an STRtree of the stored geometries. "In" means intersects: a point on a county's
# border belongs to both counties, a park reaching into the drawn area is in it.

def site_ids_in_area(s: Session, area: BaseGeometry) -> list[str]:
    """Ids of the sites whose geometry intersects `area` (WGS84: a drawn polygon), sorted."""
    if area is None or area.is_empty:
        return []
    if geometry.is_postgis(s.get_bind()):
        g = m.Site.__table__.c.geom_wkt
        where = func.ST_Intersects(g, func.ST_GeomFromText(geometry.to_wkt(area), geometry.SRID))
        return list(s.scalars(select(m.Site.id).where(where).order_by(m.Site.id)))
    rows = s.execute(select(m.Site.id, m.Site.geom_wkt)).all()
    if not rows:
        return []
    ids = np.array([r[0] for r in rows], dtype=object)
    tree = shapely.STRtree(shapely.from_wkt([r[1] for r in rows]))
    return sorted(ids[tree.query(area, predicate="intersects")].tolist())


def site_ids_in_county(s: Session, counties: gpd.GeoDataFrame, code: str) -> list[str]:
    """Ids of the sites inside county `code` by its polygon (`counties`: the region's county
    polygons with an `adcode` column, WGS84) — where they lie, whatever county they were filed
    under. An unknown code selects nothing."""
    mine = counties[counties["adcode"].astype(str) == str(code)]
    if mine.empty:
        return []
    return site_ids_in_area(s, shapely.union_all(mine.geometry.to_numpy()))


def site_ids_in_bounds(s: Session, west: float, south: float, east: float, north: float) -> list[str]:
    """Ids of the sites the map's bounds (WGS84) show, sorted."""
    if not (west < east and south < north):
        return []
    if geometry.is_postgis(s.get_bind()):
        g = m.Site.__table__.c.geom_wkt
        box = func.ST_MakeEnvelope(west, south, east, north, geometry.SRID)
        return list(s.scalars(select(m.Site.id).where(g.op("&&")(box), func.ST_Intersects(g, box))
                              .order_by(m.Site.id)))
    return site_ids_in_area(s, shapely.box(west, south, east, north))


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


def findings_frame(s: Session, site_id: str | None = None) -> pd.DataFrame:
    """Inspection findings (newest first), with their inspection's date, title and inspectors."""
    q = (select(m.Finding.id, m.Finding.inspection_id, m.Finding.site_id, m.Finding.task_id, m.Finding.text, m.Finding.photos,
                m.Finding.event_id, m.Finding.recorded_by, m.Finding.recorded_at, m.Inspection.day,
                m.Inspection.title, m.Inspection.inspectors)
         .join(m.Inspection, m.Inspection.id == m.Finding.inspection_id)
         .order_by(m.Inspection.day.desc(), m.Finding.id.desc()))
    if site_id is not None:
        q = q.where(m.Finding.site_id == site_id)
    return _read(s, q)


def inspections_frame(s: Session) -> pd.DataFrame:
    return _read(s, select(m.Inspection.id, m.Inspection.day, m.Inspection.title, m.Inspection.inspectors,
                           m.Inspection.base_name, m.Inspection.stops, m.Inspection.created_at)
                 .order_by(m.Inspection.day.desc(), m.Inspection.id.desc()))


TARGET_COLUMNS = ["id", "document", "document_title", "position", "number", "title", "body", "place_codes", "places",
                  "site_ids"]


def targets_frame(s: Session, places: PlaceSet | None = None) -> pd.DataFrame:
    """Every document's 主要目标 indicators in document order, with the places and sites
    their text names (document = the short name, as for tasks)."""
    D, T = m.Document, m.DocumentTarget
    rows = s.execute(select(T.id, D.short_name, D.title, T.position, T.number, T.title, T.body, T.place_codes)
                     .join(D, D.id == T.document_id).order_by(D.id, T.position)).all()
    links = _read(s, select(m.TargetSite.target_id, m.TargetSite.site_id).order_by(m.TargetSite.id))
    sites = _lists(links, "target_id", "site_id") if len(links) else pd.Series(dtype=object)

    def name(code: str) -> str:
        p = places.by_code(code) if places else None
        return p.name if p else code

    return pd.DataFrame([{"id": r[0], "document": r[1], "document_title": r[2], "position": r[3], "number": r[4] or "",
                          "title": r[5], "body": r[6], "place_codes": list(r[7] or []),
                          "places": [name(c) for c in r[7] or []], "site_ids": sites.get(r[0], [])} for r in rows],
                        columns=TARGET_COLUMNS)
