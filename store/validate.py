"""The rules every stored row must keep, checked over a whole store (a restore checks the
store it has just built, before it replaces the current one). The same rules as import:
geometry finite, of the kind's type and inside the region (a site with no county is one
imported as outside the region, `--allow-outside`); known kinds and statuses; each task's
history replays through the legal transitions (domain.status); trees acyclic; every
reference resolves — the last checked generically over the reflected foreign keys, so a
table added by a later migration is covered too."""

from __future__ import annotations

import json
import math
from collections import defaultdict

import shapely
from sqlalchemy import MetaData, select
from sqlalchemy.engine import Connection

from domain import status as st
from onemap.kinds import kind_by_any

MAX_ERRORS = 20
FAMILY = {"Point": "Point", "MultiPoint": "Point", "LineString": "LineString", "MultiLineString": "LineString",
          "Polygon": "Polygon", "MultiPolygon": "Polygon"}  # as ingest.sites (store/ does not import ingest/)
LEVELS = {"problem", "measure", "task", "matter", "sub"}
ROLES = {"responsible", "acceptance"}
OUTSIDE_MARGIN_M = 20_000  # the import's margin (ingest.sites.OUTSIDE_MARGIN_M)


class Problems(list):
    def add(self, table: str, row: int, key, column: str, problem: str) -> None:
        self.append(f"表 {table} 第 {row} 行（{_key(key)}）字段 {column}：{problem}")


def _key(key) -> str:
    return f"编号 {key}" if key is not None else "无编号"


def check_store(conn: Connection, md: MetaData, *, region,
                region_folders: set[str], attachment_files: set[str]) -> list[str]:
    """All problems found (up to MAX_ERRORS checks' worth, in Chinese); empty when the store is sound."""
    p = Problems()
    _references(conn, md, p)
    t = md.tables
    if "sites" in t:
        _sites(conn, t["sites"], p, region)
    if "ref_layers" in t and "ref_features" in t:
        _ref_layers(conn, t["ref_layers"], t["ref_features"], p)
    if "water_samples" in t and "sites" in t:
        _water_samples(conn, t["water_samples"], t["sites"], p)
    if "tasks" in t:
        _tasks(conn, t["tasks"], p)
    if "status_events" in t and "tasks" in t:
        _events(conn, t["status_events"], t["tasks"], p)
    if "task_units" in t:
        for n, r in enumerate(conn.execute(select(t["task_units"]).order_by(t["task_units"].c.id)), start=1):
            if r.role not in ROLES:
                p.add("task_units", n, r.id, "role", f"未知的单位角色“{r.role}”（应为 responsible 或 acceptance）")
    if "attachments" in t:
        for n, r in enumerate(conn.execute(select(t["attachments"]).order_by(t["attachments"].c.id)), start=1):
            if r.stored_path.replace("\\", "/") not in attachment_files:
                p.add("attachments", n, r.id, "stored_path", f"附件文件“{r.stored_path}”不在备份中")
    if "inspection_findings" in t:
        tab = t["inspection_findings"]
        for n, r in enumerate(conn.execute(select(tab).order_by(tab.c.id)), start=1):
            photos = json.loads(r.photos) if isinstance(r.photos, str) else r.photos
            if not isinstance(photos, list) or any(not isinstance(x, dict) for x in photos):
                p.add("inspection_findings", n, r.id, "photos", "照片记录格式不对（应为列表）")
                continue
            for x in photos:
                if str(x.get("stored_path", "")).replace("\\", "/") not in attachment_files:
                    p.add("inspection_findings", n, r.id, "photos", f"照片文件“{x.get('stored_path')}”不在备份中")
    if "meta" in t:
        for r in conn.execute(select(t["meta"])):
            if r.key == "region" and r.value not in region_folders:
                p.append(f"表 meta 第 1 行（编号 region）字段 value：当前区域 {r.value} 的区域文件既不在备份中，"
                         f"也不在本系统中（请先运行 onemap region {r.value}）")
            if r.key == "views":
                try:
                    views = json.loads(r.value)
                    assert isinstance(views, list)
                except (json.JSONDecodeError, AssertionError):
                    p.append("表 meta（编号 views）字段 value：已保存的视图不是有效的 JSON 列表")
    return p


def _references(conn: Connection, md: MetaData, p: Problems) -> None:
    """Every foreign key value names an existing row (read from the reflected schema)."""
    for table in md.sorted_tables:
        for fk in table.foreign_keys:
            col, target = fk.parent, fk.column
            known = {v for (v,) in conn.execute(select(target))}
            pk = next(iter(table.primary_key.columns), None)
            cols = [col] if pk is None else [pk, col]
            order = list(table.primary_key.columns) or [col]
            for n, r in enumerate(conn.execute(select(*cols).order_by(*order)), start=1):
                v = r[-1]
                if v is not None and v not in known:
                    p.add(table.name, n, r[0] if pk is not None else None, col.name,
                          f"引用的 {target.table.name}.{target.name}={v} 不存在")
                    if len(p) >= MAX_ERRORS:
                        return


def _sites(conn: Connection, tab, p: Problems, region) -> None:
    placed: list[tuple[int, object, object]] = []  # sites stated inside the region: checked below at once
    for n, r in enumerate(conn.execute(select(tab).order_by(tab.c.id)), start=1):
        k = kind_by_any(r.kind)
        if k is None or k.name != r.kind:
            p.add("sites", n, r.id, "kind", f"未知的点位类型“{r.kind}”")
        if len(p) >= MAX_ERRORS:
            return
        try:
            g = shapely.from_wkt(r.geom_wkt)
        except Exception:  # noqa: BLE001 - shapely raises GEOSException and friends on bad WKT
            p.add("sites", n, r.id, "geom_wkt", "几何（WKT）无法解析")
            continue
        if g is None or g.is_empty:
            p.add("sites", n, r.id, "geom_wkt", "没有几何（坐标）")
            continue
        coords = shapely.get_coordinates(g)
        if not all(math.isfinite(v) for v in coords.ravel()):
            p.add("sites", n, r.id, "geom_wkt", "坐标不是有效数值（NaN/Infinity）")
            continue
        if not ((abs(coords[:, 0]) <= 180).all() and (abs(coords[:, 1]) <= 90).all()):
            p.add("sites", n, r.id, "geom_wkt", "坐标超出经纬度范围（经度 ±180°，纬度 ±90°）")
            continue
        if k is not None and FAMILY.get(g.geom_type) not in k.geometry:
            p.add("sites", n, r.id, "geom_wkt", f"{k.name}不能是 {g.geom_type}")
        if r.county_code is not None:
            placed.append((n, r, g))
    if region is None or not placed:
        return
    import geopandas as gpd

    from geo.crs import metric_crs_for

    metric = metric_crs_for((region.bbox[0] + region.bbox[2]) / 2)
    area = gpd.GeoSeries([region.counties().geometry.union_all()], crs=4326).to_crs(metric).iloc[0]
    dist = gpd.GeoSeries([g for _n, _r, g in placed], crs=4326).to_crs(metric).distance(area)
    for (n, r, _g), d in zip(placed, dist, strict=True):
        if not math.isfinite(d) or d > OUTSIDE_MARGIN_M:
            far = f"约 {d / 1000:.0f} 公里" if math.isfinite(d) else "很远"
            p.add("sites", n, r.id, "geom_wkt",
                  f"位置在{region.name}范围之外（距边界{far}），却标注了区县 {r.county_code}")


def _ref_layers(conn: Connection, layers, features, p: Problems) -> None:
    """Reference layers: a known kind, the feature count they state, and every feature a
    finite WGS84 line or polygon of the layer's geometry type (as the import leaves them)."""
    from domain.reflayers import ref_kind

    family: dict[int, str] = {}
    counts: dict[int, int] = defaultdict(int)
    for n, r in enumerate(conn.execute(select(features).order_by(features.c.id)), start=1):
        counts[r.layer_id] += 1
        try:
            g = shapely.from_wkt(r.geom_wkt)
        except Exception:  # noqa: BLE001 - shapely raises GEOSException and friends on bad WKT
            p.add("ref_features", n, r.id, "geom_wkt", "几何（WKT）无法解析")
            continue
        if g is None or g.is_empty:
            p.add("ref_features", n, r.id, "geom_wkt", "没有几何（坐标）")
            continue
        coords = shapely.get_coordinates(g)
        if not all(math.isfinite(v) for v in coords.ravel()):
            p.add("ref_features", n, r.id, "geom_wkt", "坐标不是有效数值（NaN/Infinity）")
        elif not ((abs(coords[:, 0]) <= 180).all() and (abs(coords[:, 1]) <= 90).all()):
            p.add("ref_features", n, r.id, "geom_wkt", "坐标超出经纬度范围（经度 ±180°，纬度 ±90°）")
        else:
            family.setdefault(r.layer_id, FAMILY.get(g.geom_type, g.geom_type))
            if FAMILY.get(g.geom_type) != family[r.layer_id]:
                p.add("ref_features", n, r.id, "geom_wkt", f"同一参考图层中混有 {g.geom_type}")
        if len(p) >= MAX_ERRORS:
            return
    for n, r in enumerate(conn.execute(select(layers).order_by(layers.c.id)), start=1):
        if ref_kind(r.kind) is None:
            p.add("ref_layers", n, r.id, "kind", f"未知的参考图层类别“{r.kind}”")
        if r.geometry_type not in ("Polygon", "LineString"):
            p.add("ref_layers", n, r.id, "geometry_type", f"参考图层只能是面或线，不能是“{r.geometry_type}”")
        elif family.get(r.id, r.geometry_type) != r.geometry_type:
            p.add("ref_layers", n, r.id, "geometry_type", f"记录为 {r.geometry_type}，要素却是 {family[r.id]}")
        if r.feature_count != counts.get(r.id, 0):
            p.add("ref_layers", n, r.id, "feature_count", f"记录为 {r.feature_count} 个要素，实有 {counts.get(r.id, 0)} 个")


WATER_KINDS = ("section", "water_source")  # the site kinds that carry water samples (onemap.water)


def _water_samples(conn: Connection, tab, sites, p: Problems) -> None:
    """As the import keeps them: on a section or water source, a known factor, a number ≥ 0
    unless below detection (then no number, any stated limit > 0)."""
    from domain.water_quality import parse_value

    kinds = {r.id: kind_by_any(r.kind) for r in conn.execute(select(sites.c.id, sites.c.kind))}
    for n, r in enumerate(conn.execute(select(tab).order_by(tab.c.id)), start=1):
        k = kinds.get(r.site_id)
        if k is not None and k.code not in WATER_KINDS:
            p.add("water_samples", n, r.id, "site_id", f"点位 {r.site_id} 不是监测断面或饮用水水源地（{k.name}）")
        parsed = parse_value(r.value_text)
        if parsed is None or parsed.nd != bool(r.below_detection):
            p.add("water_samples", n, r.id, "value_text", f"监测值“{r.value_text}”无法识别或与未检出标记不一致")
        elif not parsed.nd and (r.value is None or r.value < 0 or abs(r.value - parsed.value) > 1e-12 * max(1.0, r.value)):
            p.add("water_samples", n, r.id, "value", f"数值 {r.value} 与原始值“{r.value_text}”不一致或为负")
        elif parsed.nd and r.value is not None:
            p.add("water_samples", n, r.id, "value", "未检出的记录不应有数值")
        if len(p) >= MAX_ERRORS:
            return


def _tasks(conn: Connection, tab, p: Problems) -> None:
    rows = list(conn.execute(select(tab.c.id, tab.c.parent_id, tab.c.level).order_by(tab.c.id)))
    parent = {r.id: r.parent_id for r in rows}
    for n, r in enumerate(rows, start=1):
        if r.level not in LEVELS:
            p.add("tasks", n, r.id, "level", f"未知的层级“{r.level}”")
        seen = {r.id}
        cur = r.parent_id
        while cur is not None:
            if cur in seen:
                p.add("tasks", n, r.id, "parent_id", "上下级关系成环（任务是自己的上级或下级）")
                break
            seen.add(cur)
            cur = parent.get(cur)
        if len(p) >= MAX_ERRORS:
            return


def _events(conn: Connection, tab, tasks, p: Problems) -> None:
    ongoing = {r.id: bool(r.ongoing) for r in conn.execute(select(tasks.c.id, tasks.c.ongoing))}
    by_task: dict[int, list] = defaultdict(list)
    for n, r in enumerate(conn.execute(select(tab).order_by(tab.c.id)), start=1):
        by_task[r.task_id].append((n, r))
    for task_id, events in by_task.items():
        cur = st.NOT_STARTED
        for i, (n, r) in enumerate(sorted(events, key=lambda e: (e[1].seq, e[1].at, e[1].id)), start=1):
            if r.seq != i:
                p.add("status_events", n, r.id, "seq", f"任务 {task_id} 的第 {i} 条记录序号为 {r.seq}（应连续编号）")
                break
            if r.to_status not in st.STATUSES:
                p.add("status_events", n, r.id, "to_status", f"未知状态“{r.to_status}”")
                break
            if r.from_status != cur:
                p.add("status_events", n, r.id, "from_status",
                      f"任务 {task_id} 此时的状态是“{cur}”，记录写的是“{r.from_status}”")
                break
            if r.to_status not in st.allowed_next(cur, ongoing=ongoing.get(task_id, False)):
                p.add("status_events", n, r.id, "to_status", f"任务 {task_id} 不能从“{cur}”变更为“{r.to_status}”")
                break
            cur = r.to_status
        if len(p) >= MAX_ERRORS:
            return
