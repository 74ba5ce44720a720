"""Use cases of reference layers (参考图层): add a file as a layer, list, remove — for the
command line (`onemap layer`) and 数据管理 alike. Kept out of onemap.services (which holds
the task use cases) but through the same door: the actor is checked first (导入数据, as
for site import), the file is validated whole before anything is written, the write and
its audit row share one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from domain import permissions as perm
from domain import reflayers as rk
from domain.actors import Actor
from ingest.reflayers import RefImport, read_reference
from ingest.report import ImportFailed, Report
from onemap import audit, settings
from onemap.services import ServiceError, active_region, ensure
from store import reflayers as store
from store.db import reader, transaction


@dataclass
class RefLayerOutcome:
    name: str
    kind: str
    style: dict
    family: str
    feature_count: int
    source_crs: str
    report: Report
    written: bool


# what the user typed, named as the form and the CLI name it (not a column of the file)
FIELDS = {"名称": "图层名称", "类别": "图层类别", "样式": "图层样式"}


def _refuse(field: str, value, problem: str, fix: str = "") -> ImportFailed:
    r = Report()
    r.error(FIELDS.get(field, ""), "", value, problem, fix)
    return ImportFailed(r)


def add_layer(actor: Actor, path: Path, *, name: str, kind: str | None = None, style: str | None = None,
              crs: str | None = None, layer: str | None = None, dry_run: bool = False,
              file_name: str | None = None) -> RefLayerOutcome:
    """Add a reference layer from a file, all-or-nothing (ImportFailed with the Chinese report).
    file_name: the name the user knows the file by (an upload is kept under a prefixed name)."""
    ensure(actor, perm.IMPORT)
    path = Path(path)
    shown = file_name or path.name
    name = (name or "").strip()
    if not name:
        raise _refuse("名称", "", "没有填写图层名称", "请填写名称，如 生态保护红线")
    if len(name) > rk.MAX_LAYER_NAME:
        raise _refuse("名称", name[:20] + "…", f"图层名称过长（{len(name)} 字，上限 {rk.MAX_LAYER_NAME} 字）", "请缩短名称")
    k = rk.ref_kind(kind) if kind else rk.kind_for_name(name)
    if k is None:
        raise _refuse("类别", kind, "未知的参考图层类别", f"可用类别：{'、'.join(rk.kind_names())}")
    try:
        final_style = rk.parse_style(style, k.style)
    except rk.StyleError as exc:
        raise _refuse("样式", style, str(exc)) from exc
    if not path.exists():
        raise _refuse("", shown, "文件不存在", "请检查路径")
    size, limit = path.stat().st_size, settings.limits().upload_bytes
    if size > limit:
        raise _refuse("", shown, f"文件过大（{size / 2**20:.0f} MB，上限 {limit / 2**20:.0f} MB）",
                      "请分批导入（上限可由 ONEMAP_LIMIT_UPLOAD_BYTES 调整）")
    with reader() as s:
        if store.layer_by_name(s, name) is not None:
            raise _refuse("名称", name, "已有同名的参考图层", "请换一个名称，或先在“已有参考图层”中删除原图层（命令行：onemap layer remove）")
    from onemap import datums
    from onemap.services import _datum_notes

    result: RefImport = read_reference(path, active_region(), crs=crs, layer=layer, datums=datums.configured())
    if not result.report.ok:
        raise ImportFailed(result.report)
    out = RefLayerOutcome(name, k.code, final_style, result.family, len(result.features), result.source_crs,
                          result.report, written=False)
    if dry_run:
        return out
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with transaction() as s:
        if store.layer_by_name(s, name) is not None:  # added meanwhile by someone else
            raise _refuse("名称", name, "已有同名的参考图层", "请换一个名称，或先删除原图层")
        row = store.add_layer(s, name=name, kind=k.code, style=final_style, geometry_type=result.family,
                              source_file=shown, source_crs=result.source_crs, sha256=digest,
                              created_by=f"{actor.display_name}（{actor.username}）",
                              features=[(f.position, f.name, f.attrs, shapely.to_wkt(f.geometry))
                                        for f in result.features])
        audit.record(s, actor, audit.IMPORTED, object_type="参考图层", object_id=name,
                     summary=f"导入参考图层“{name}”：{len(result.features)} 个要素（{shown}，原坐标系 "
                             f"{result.source_crs}）",
                     after={"layer_id": row.id, "kind": k.code, "features": len(result.features),
                            "source_file": shown, "source_crs": result.source_crs, "sha256": digest,
                            **_datum_notes(f.attrs for f in result.features)})
    out.written = True
    return out


def remove_layer(actor: Actor, name: str) -> int:
    """Remove a layer with its features (ServiceError if there is none); returns the feature count."""
    ensure(actor, perm.IMPORT)
    with transaction() as s:
        row = store.layer_by_name(s, (name or "").strip())
        if row is None:
            known = "、".join(store.layers_frame(s)["name"]) or "（无）"
            raise ServiceError(f"没有名为“{name}”的参考图层；现有：{known}")
        before = {"layer_id": row.id, "kind": row.kind, "features": row.feature_count,
                  "source_file": row.source_file, "source_crs": row.source_crs}
        n = store.remove_layer(s, row)
        audit.record(s, actor, audit.REMOVED, object_type="参考图层", object_id=row.name,
                     summary=f"删除参考图层“{row.name}”（{n} 个要素）", before=before)
    return n


def layers() -> pd.DataFrame:
    """The stored layers (id, name, kind, style, geometry_type, feature_count, source_file,
    source_crs, created_at, created_by), in the order they were added."""
    with reader() as s:
        return store.layers_frame(s)


def layer_features(layer_id: int) -> gpd.GeoDataFrame:
    with reader() as s:
        return store.features_frame(s, layer_id)


def revision() -> str:
    with reader() as s:
        return store.revision(s)


def kind_label(code: str) -> str:
    k = rk.ref_kind(code)
    return k.name if k else code
