"""Read back a full GeoPackage export (sites by kind, tasks, links, events)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyogrio
import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exports.gpkg import FORMAT_TAG
from ingest.report import Report
from onemap.kinds import site_kinds
from store import models as m
from store.dump import DUMPED, load_table
from store.repo import now


def is_full_export(path: Path) -> bool:
    if Path(path).suffix.lower() != ".gpkg":
        return False
    try:
        layers = {name for name, _ in pyogrio.list_layers(path)}
        if "onemap_meta" not in layers:
            return False
        meta = pyogrio.read_dataframe(path, layer="onemap_meta")
    except Exception:  # noqa: BLE001 - not a readable export: treat as an ordinary layer file
        return False
    return FORMAT_TAG in set(meta["value"])


def restore(s: Session, path: Path, *, replace: bool) -> dict[str, int]:
    """Load an export into the store. Refused when the store has data, unless replace."""
    from store.repo import clear_all

    has_data = s.scalar(select(func.count()).select_from(m.Task)) or s.scalar(select(func.count()).select_from(m.Site))
    if has_data and not replace:
        report = Report()
        report.error("", "", Path(path).name, "库中已有数据，完整导出文件只能恢复到空库",
                     "如确需用导出文件整体替换现有数据，请加 --replace")
        from ingest.report import ImportFailed

        raise ImportFailed(report)
    if has_data:
        clear_all(s)
    layers = {name for name, _ in pyogrio.list_layers(path)}
    counts: dict[str, int] = {}
    n_sites = 0
    for k in site_kinds():
        if k.name not in layers:
            continue
        gdf = pyogrio.read_dataframe(path, layer=k.name)
        for r in gdf.to_dict("records"):
            attrs = json.loads(r.get("other_attrs") or "{}")
            for a in k.attributes:
                v = r.get(a.label)
                if v is not None and not (isinstance(v, float) and pd.isna(v)):
                    attrs[a.key] = int(v) if a.type == "integer" else v
            s.add(m.Site(id=r["id"], kind=k.name, name=r["name"],
                         aliases=[x for x in (r.get("aliases") or "").split("、") if x],
                         county_code=r.get("county_code"), attrs=attrs,
                         geom_wkt=shapely.to_wkt(r["geometry"], rounding_precision=7, trim=True),
                         source_crs=r.get("source_crs") or "EPSG:4326", source=r.get("source") or "",
                         illustrative=bool(r.get("illustrative")), updated_at=now()))
            n_sites += 1
    s.flush()
    counts["sites"] = n_sites
    for name, model in DUMPED.items():
        if name in layers:
            counts[name] = load_table(s, model, pyogrio.read_dataframe(path, layer=name))
    s.flush()
    _advance_sequences(s)
    return counts


def _advance_sequences(s: Session) -> None:
    """Rows were inserted with their exported ids: on PostgreSQL the id sequences must
    move past them (SQLite needs nothing: it takes max(rowid) + 1)."""
    if s.get_bind().dialect.name != "postgresql":
        return
    from sqlalchemy import text

    for model in DUMPED.values():
        table = model.__table__.name
        s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))
