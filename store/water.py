"""Water samples in the store (断面水质): previewed against what is stored, written, read
(SQLAlchemy only: the same code on SQLite and PostgreSQL). The caller's transaction holds
a write; nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from domain.water_quality import SampleValue
from store import models as m

NEW, CHANGED, UNCHANGED = "新增", "修改", "不变"
COLUMNS = ["site_id", "sampled_at", "factor", "value_text", "value", "below_detection", "detection_limit", "unit",
           "source_file", "sample"]


@dataclass(frozen=True)
class ValuePreview:
    record: SampleValue
    action: str  # NEW | CHANGED | UNCHANGED
    before: str | None  # the stored value_text when CHANGED


def _stored(s: Session, records: list[SampleValue]) -> dict[tuple, m.WaterSample]:
    sites = {r.site_id for r in records}
    if not sites:
        return {}
    rows = s.scalars(select(m.WaterSample).where(m.WaterSample.site_id.in_(sites)))
    return {(w.site_id, w.sampled_at, w.factor): w for w in rows}


def preview(s: Session, records: list[SampleValue]) -> list[ValuePreview]:
    """Each record against the store: new, changed (value or unit differs) or unchanged."""
    sites = {r.site_id for r in records}
    w = m.WaterSample
    have = {(a, b, c): (t, u) for a, b, c, t, u in s.execute(
        select(w.site_id, w.sampled_at, w.factor, w.value_text, w.unit).where(w.site_id.in_(sites)))} if sites else {}
    out = []
    for r in records:
        got = have.get(r.key)
        if got is None:
            out.append(ValuePreview(r, NEW, None))
        elif got != (r.value_text, r.unit):
            out.append(ValuePreview(r, CHANGED, got[0]))
        else:
            out.append(ValuePreview(r, UNCHANGED, got[0]))
    return out


def write(s: Session, previews: list[ValuePreview], *, source_file: str, imported_by: str,
          sample: bool = False) -> dict[str, int]:
    """Insert the new values, update the changed ones; unchanged rows are left as they are."""
    have = _stored(s, [p.record for p in previews if p.action == CHANGED])
    at = datetime.now().replace(microsecond=0)
    counts = {NEW: 0, CHANGED: 0, UNCHANGED: 0}
    common = {"source_file": source_file[:300], "sample": sample, "imported_at": at, "imported_by": imported_by[:100]}
    new_rows = []
    for p in previews:
        r = p.record
        counts[p.action] += 1
        values = {"value_text": r.value_text, "value": r.value, "below_detection": r.below_detection,
                  "detection_limit": r.detection_limit, "unit": r.unit, **common}
        if p.action == NEW:
            new_rows.append({"site_id": r.site_id, "sampled_at": r.sampled_at, "factor": r.factor, **values})
        elif p.action == CHANGED:
            w = have[r.key]
            for k, v in values.items():
                setattr(w, k, v)
    s.flush()
    if new_rows:  # one executemany: a year of a city's sections is tens of thousands of values
        s.execute(insert(m.WaterSample), new_rows)
    return counts


def samples_frame(s: Session, site_ids: list[str] | None = None, *, since: datetime | None = None,
                  until: datetime | None = None) -> pd.DataFrame:
    """The stored values (COLUMNS), by site, time and factor."""
    q = select(m.WaterSample)
    if site_ids is not None:
        q = q.where(m.WaterSample.site_id.in_(site_ids))
    if since is not None:
        q = q.where(m.WaterSample.sampled_at >= since)
    if until is not None:
        q = q.where(m.WaterSample.sampled_at < until)
    q = q.order_by(m.WaterSample.site_id, m.WaterSample.sampled_at, m.WaterSample.id)
    return pd.DataFrame([{c: getattr(w, c) for c in COLUMNS} for w in s.scalars(q)], columns=COLUMNS)


def remove_sample_data(s: Session) -> int:
    """Delete the generated demo values (flag `sample`); real measurements stay."""
    return s.execute(delete(m.WaterSample).where(m.WaterSample.sample.is_(True))).rowcount

