"""Reads: the store as DataFrames for filtering, layers and exports.

Status is replayed from the event history for any 'as of' date; 逾期/临期 are
derived there and never stored."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import func, select
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


def _read(s: Session, stmt) -> pd.DataFrame:
    res = s.execute(stmt)
    return pd.DataFrame(res.fetchall(), columns=list(res.keys()))


def _lists(df: pd.DataFrame, key: str, value: str) -> pd.Series:
    """Group `value` into a list per `key`, keeping row order."""
    if df.empty:
        return pd.Series(dtype=object)
    return df.groupby(key, sort=False)[value].agg(list)


def tasks_frame(s: Session, as_of: date | None = None, due_soon_days: int = st.DEFAULT_DUE_SOON_DAYS,
                places: PlaceSet | None = None, include_future: bool = False) -> pd.DataFrame:
    """One row per task (all levels), state replayed from the event history to the
    end of `as_of`. Tasks created after `as_of` are left out unless include_future,
    so a past date shows the past. Built with set operations, not per-row objects:
    it has to stay fast at 100,000 tasks."""
    as_of = as_of or date.today()
    limit = datetime.combine(as_of, datetime.max.time())
    T = m.Task
    t = _read(s, select(T.id, T.uid, T.parent_id, T.position, T.document_id, T.level, T.number, T.ref, T.title,
                        T.body, T.target, T.deadline_text, T.deadline, T.ongoing, T.deadline_inherited, T.category,
                        T.group_name, T.part, T.acceptance_text, T.acceptance_note, T.archived, T.created_at)
              .order_by(T.document_id, T.parent_id, T.position))
    if not include_future:
        t = t[pd.to_datetime(t["created_at"]) <= limit]
    if t.empty:
        return pd.DataFrame(columns=TASK_COLUMNS)
    docs = dict(s.execute(select(m.Document.id, m.Document.short_name)).all())
    t["document"] = t["document_id"].map(docs).fillna("")
    tu = _read(s, select(m.TaskUnit.task_id, m.TaskUnit.role, m.Unit.name, m.Unit.place_code)
               .join(m.Unit, m.Unit.id == m.TaskUnit.unit_id).order_by(m.TaskUnit.task_id, m.TaskUnit.position))
    resp, acc = tu[tu["role"] == "responsible"], tu[tu["role"] == "acceptance"]
    t = t.set_index("id", drop=False)
    empty = [[] for _ in range(len(t))]
    t["units"] = _lists(resp, "task_id", "name").reindex(t.index)
    t["unit_place_codes"] = _lists(resp.drop_duplicates(["task_id", "place_code"]), "task_id", "place_code") \
        .reindex(t.index)
    t["acceptance_units"] = _lists(acc, "task_id", "name").reindex(t.index)
    links = _read(s, select(m.TaskSite.task_id, m.TaskSite.site_id).order_by(m.TaskSite.id))
    t["site_ids"] = _lists(links, "task_id", "site_id").reindex(t.index)
    for col in ("units", "unit_place_codes", "acceptance_units", "site_ids"):
        t[col] = t[col].where(t[col].notna(), pd.Series(empty, index=t.index))
    t["unit_place_codes"] = t["unit_place_codes"].map(sorted)

    def place_name(code: str) -> str:
        p = places.by_code(code) if places else None
        return p.name if p else code

    names = {c: place_name(c) for c in {c for cs in t["unit_place_codes"] for c in cs}}
    t["unit_places"] = t["unit_place_codes"].map(lambda cs: sorted(names[c] for c in cs))
    ev = _read(s, select(m.StatusEvent.task_id, m.StatusEvent.at, m.StatusEvent.to_status, m.StatusEvent.note,
                         m.StatusEvent.sample).where(m.StatusEvent.at <= limit)
               .order_by(m.StatusEvent.task_id, m.StatusEvent.at, m.StatusEvent.id))
    last = ev.groupby("task_id").last() if not ev.empty else pd.DataFrame(columns=["at", "to_status", "note"])
    t["status"] = last["to_status"].reindex(t.index).fillna(st.NOT_STARTED)
    t["last_note"] = last["note"].reindex(t.index).fillna("")
    t["last_event_at"] = last["at"].reindex(t.index)
    t["last_event_at"] = t["last_event_at"].astype(object).where(t["last_event_at"].notna(), None)
    sample = ev.groupby("task_id")["sample"].any() if not ev.empty else pd.Series(dtype=bool)
    t["sample_events"] = sample.reindex(t.index).fillna(False).astype(bool)
    t["flag"] = derived_flags(t["status"], t["deadline"], as_of, due_soon_days)
    t["parent_id"] = t["parent_id"].astype(object).where(t["parent_id"].notna(), None)
    return t[TASK_COLUMNS].reset_index(drop=True)


def derived_flags(status: pd.Series, deadline: pd.Series, as_of: date, due_soon_days: int) -> pd.Series:
    """Vectorised domain.status.derived_flag: 逾期 / 临期 / ''."""
    d = pd.to_datetime(deadline)
    days = (d - pd.Timestamp(as_of)).dt.days
    closed = status.isin([st.CLOSED, st.ONGOING]) | d.isna()
    out = pd.Series("", index=status.index, dtype=object)
    out[~closed & (days < 0)] = st.OVERDUE
    out[~closed & (days >= 0) & (days <= due_soon_days)] = st.DUE_SOON
    return out


def revision(s: Session) -> str:
    """A fingerprint that changes with every write (cheap aggregate queries), used as
    the cache key of the pages on any backend and whoever wrote."""
    parts = [
        s.scalar(select(func.max(m.StatusEvent.id))), s.scalar(select(func.count()).select_from(m.StatusEvent)),
        s.scalar(select(func.count()).select_from(m.Task)), s.scalar(select(func.max(m.Task.id))),
        s.scalar(select(func.count()).select_from(m.Site)), s.scalar(select(func.max(m.Site.updated_at))),
        s.scalar(select(func.count()).select_from(m.TaskSite)), s.scalar(select(func.max(m.Document.id))),
        s.scalar(select(func.count()).select_from(m.Attachment)),
    ]
    return "|".join(str(p) for p in parts)


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
