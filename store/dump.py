"""Whole tables as DataFrames and back, for the full GeoPackage export/restore.
Column types follow the models, so the round trip is exact."""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, insert, select
from sqlalchemy.orm import Session

from store import models as m

DUMPED = {"documents": m.Document, "units": m.Unit, "tasks": m.Task, "task_units": m.TaskUnit,
          "task_sites": m.TaskSite, "inspections": m.Inspection, "status_events": m.StatusEvent,
          "inspection_findings": m.Finding, "document_targets": m.DocumentTarget, "target_sites": m.TargetSite,
          "water_samples": m.WaterSample}


def dump_table(s: Session, model) -> pd.DataFrame:
    cols = [c.name for c in model.__table__.columns]
    rows = [dict(r._mapping) for r in s.execute(select(model.__table__).order_by(*model.__table__.primary_key))]
    df = pd.DataFrame(rows, columns=cols)
    for c in model.__table__.columns:
        if isinstance(c.type, JSON):
            df[c.name] = df[c.name].map(lambda v: json.dumps(v, ensure_ascii=False))
        elif isinstance(c.type, Date):
            df[c.name] = df[c.name].map(lambda v: v.isoformat() if v else None)
        elif isinstance(c.type, DateTime):
            df[c.name] = df[c.name].map(lambda v: v.isoformat(sep=" ") if v else None)
    return df


def _value(col, v):
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
        return None
    t = col.type
    if isinstance(t, JSON):
        return json.loads(v) if isinstance(v, str) else v
    if isinstance(t, Date):
        return v if isinstance(v, date) and not isinstance(v, datetime) else date.fromisoformat(str(v)[:10])
    if isinstance(t, DateTime):
        return v.to_pydatetime() if hasattr(v, "to_pydatetime") else datetime.fromisoformat(str(v))
    if isinstance(t, Boolean):
        return bool(v)
    if isinstance(t, Integer):
        return int(v)
    if isinstance(t, Float):
        return float(v)
    return str(v)


def load_table(s: Session, model, df: pd.DataFrame) -> int:
    cols = {c.name: c for c in model.__table__.columns}
    rows = [{k: _value(cols[k], v) for k, v in r.items() if k in cols} for r in df.to_dict("records")]
    if model is m.StatusEvent and any(r.get("seq") is None for r in rows):
        _number_events(rows)  # an export written before events carried their sequence number
    if model is m.Task:  # parents first, so the self reference holds at every insert
        by_id = {x["id"]: x for x in rows}
        rows.sort(key=lambda r: _depth(r, by_id))
    for r in rows:
        s.execute(insert(model.__table__).values(**r))
    return len(rows)


def _number_events(rows: list[dict]) -> None:
    """1, 2, 3 … per task in the order the events happened (at, id)."""
    seen: dict[int, int] = {}
    for r in sorted(rows, key=lambda r: (r["at"], r["id"])):
        seen[r["task_id"]] = seen.get(r["task_id"], 0) + 1
        r["seq"] = seen[r["task_id"]]


class CycleError(ValueError):
    """A task that is its own ancestor (the message is Chinese and names the row)."""


def _depth(row: dict, by_id: dict) -> int:
    d, seen, start = 0, {row.get("id")}, row.get("id")
    while row.get("parent_id") is not None:
        parent = row["parent_id"]
        if parent in seen:
            raise CycleError(f"任务 {start} 的上下级关系成环（任务 {parent} 是自己的上级），未写入任何数据")
        if parent not in by_id:
            raise CycleError(f"任务 {start} 的上级任务 {parent} 不存在，未写入任何数据")
        seen.add(parent)
        row = by_id[parent]
        d += 1
    return d
