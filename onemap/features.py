"""The live layers as feature collections, for the OGC API – Features service (onemap.ogc_api):
one collection per site kind (each site with its task figures, as the map colours it), the
county figures (as the 领导总览 page counts them) and every reference layer.

No second implementation of the app's rules: the tasks are replayed to the date by
store.queries, narrowed by domain.filtering's `filter_tasks`/`filter_sites` with the same
`Filters` the pages build from their sidebar, rolled up by domain.rollup.site_summary (the
map) and domain.overview.by_place (the overview). A county-scoped account (a 填报 account
with a county) only ever gets its county: the scope is forced into the filters here, so no
caller can forget it."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import date

import geopandas as gpd
import pandas as pd
import shapely

from domain import overview as ov
from domain.actors import Actor
from domain.filtering import Filters, filter_sites, filter_tasks
from domain.rollup import site_summary
from geo.datums import DATUM_ATTR
from geo.region import Region, load_region
from ingest.water import KINDS as WATER_KINDS
from onemap import settings
from onemap.kinds import site_kinds
from store import queries
from store import reflayers as refstore
from store.db import reader

SITES, COUNTIES, REFERENCE = "sites", "counties", "reference"
COUNTY_COLLECTION = "counties"
REF_PREFIX = "ref-"
CITY_DEPTS = "市直部门"  # the overview's name for the city's own departments


class ScopeRefused(PermissionError):
    """A request outside the account's county (403), with the Chinese reason."""


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    kind: str  # SITES | COUNTIES | REFERENCE
    key: str = ""  # the site kind's name, or the reference layer's id
    task_filters: bool = True  # whether the app's task filters apply


def collections() -> list[Collection]:
    """Every collection, in the app's order: site kinds, county figures, reference layers."""
    out = [Collection(k.code, k.name, f"{k.name}点位及其关联任务的状态（逾期、临期、未销号、已销号），"
                      "与“一张图”页面按同样筛选显示的相同", SITES, k.name) for k in site_kinds()]
    out.append(Collection(COUNTY_COLLECTION, "区县任务统计", "各区县的未销号、逾期任务数和点位数，"
                          "与“领导总览”页面按地区统计的区县各行相同（按责任单位所属区县计）；"
                          "管理区（没有行政边界）和市直部门不是面要素，其统计见“领导总览”", COUNTIES))
    with reader() as s:
        layers = refstore.layers_frame(s)
    for r in layers.itertuples():
        out.append(Collection(f"{REF_PREFIX}{r.id}", str(r.name), f"参考图层（{r.kind}），来源 {r.source_file}",
                              REFERENCE, str(r.id), task_filters=False))
    return out


def collection(cid: str) -> Collection | None:
    return next((c for c in collections() if c.id == cid), None)


def scope_of(actor: Actor, region: Region) -> str | None:
    """The county or zone the account is limited to (None: the whole city)."""
    code = (actor.county_code or "").strip()
    if not code or code == region.places.city.code:
        return None
    return code


def scoped(filters: Filters, actor: Actor, region: Region) -> Filters:
    """The filters with the account's county forced in; asking for another place is refused."""
    scope = scope_of(actor, region)
    if scope is None:
        return filters
    other = [p for p in filters.places if p != scope]
    if other:
        names = {p.code: p.name for p in region.places.all()}
        raise ScopeRefused(f"本账户只能查看{names.get(scope, scope)}的数据，不能查看"
                           f"{'、'.join(names.get(p, p) for p in other)}")
    return replace(filters, places=[scope])


def _frames(region: Region, as_of: date) -> tuple[pd.DataFrame, gpd.GeoDataFrame, dict[str, str]]:
    """(tasks replayed to as_of, sites, site → county); callers only read them. Kept per store
    revision in this process: a desktop GIS asks again on every pan and zoom, one request per
    layer, and at province scale (20,000 tasks) a replay is most of a second. The revision is
    read on every request, so a change made anywhere is served on the next one."""
    with reader() as s:
        rev = queries.revision(s)
    return _frames_at(settings.database_url(), rev["sites"], rev["tasks"], rev["events"], region.adcode, as_of,
                      settings.due_soon_days())


@functools.lru_cache(maxsize=4)
def _frames_at(url: str, rev_sites: str, rev_tasks: str, rev_events: str, adcode: str, as_of: date,
               due_soon: int) -> tuple[pd.DataFrame, gpd.GeoDataFrame, dict[str, str]]:
    with reader() as s:
        tasks = queries.tasks_frame(s, as_of, due_soon, places=load_region(adcode).places)
        sites = queries.sites_frame(s)
    return tasks, sites, dict(zip(sites["id"], sites["county_code"], strict=True))


def _empty() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"fid": [], "properties": []}, geometry=[], crs="EPSG:4326")


def site_features(region: Region, kind_name: str, f: Filters) -> gpd.GeoDataFrame:
    """The sites of one kind the map shows with these filters (the kind chosen as 点位类型),
    each with its figures from the filtered tasks — the map's colour is `状态`."""
    from onemap.kinds import kind_by_any

    tasks_all, sites_all, place_of_site = _frames(region, f.as_of)
    f = replace(f, kinds=[kind_name])
    tasks = filter_tasks(tasks_all, f, sites_all, place_of_site)
    shown = filter_sites(sites_all, f, tasks, place_of_site)
    if shown.empty:
        return _empty()
    summary = site_summary(tasks, list(sites_all["id"]))
    counties = {c.code: c.name for c in region.places.counties}
    kind = kind_by_any(kind_name)
    water = _water_of(kind.code if kind else "", f.as_of)
    props = []
    for r in shown.itertuples():
        sm = summary.loc[r.id]
        p = {"名称": r.name, "类型": r.kind, "区县": counties.get(r.county_code, ""), "区县代码": r.county_code or "",
             "状态": sm["worst"], "关联任务": int(sm["tasks"]), "未销号": int(sm["open"]), "逾期": int(sm["overdue"]),
             "临期": int(sm["due_soon"]), "已销号": int(sm["closed"]), "截至日期": f.as_of.isoformat()}
        for a in (kind.attributes if kind else ()):
            p[a.label] = r.attrs.get(a.key)
        p["别名"] = "、".join(r.aliases)
        p["示意位置"] = bool(r.illustrative)
        p["来源坐标系"] = r.source_crs or ""
        p[DATUM_ATTR] = (r.attrs or {}).get(DATUM_ATTR, "")  # the 七参数 applied on import, if any
        if water is not None:
            p.update(water(r.id, p.get("最新水质")))
        props.append(p)
    return gpd.GeoDataFrame({"fid": list(shown["id"]), "properties": props}, geometry=list(shown.geometry),
                            crs="EPSG:4326")


def _water_of(kind_code: str, as_of: date):
    """For sections and water sources: site id → the water-quality properties of the latest
    month with values at or before as_of — the month the map's 水质 colouring opens on — so a
    desktop GIS reads what the map shows. 最新水质 is the month's evaluated class; a site
    without values that month keeps the site table's 最新水质 (or none) and empty fields.
    None for other kinds (their layers carry no water fields)."""
    from onemap import water as wtr

    if kind_code not in WATER_KINDS:
        return None
    months = wtr.months(as_of)
    month = months[-1] if months else None
    verdicts = wtr.period_verdicts(month=month) if month else {}

    def props(site_id: str, listed) -> dict:
        pv = verdicts.get(site_id)
        if pv is None:
            return {"最新水质": listed, "水质月份": "", "水质达标": "", "超标因子": "", "水质数据性质": ""}
        v = pv.verdict
        return {"最新水质": v.label, "水质月份": wtr.month_label(month),
                "水质达标": wtr.compliance_word(v, ""), "超标因子": wtr.exceed_text(v),
                "水质数据性质": wtr.nature_word(pv.sample)}

    return props


def county_features(region: Region, f: Filters) -> gpd.GeoDataFrame:
    """The county polygons with the overview's figures for the filtered tasks (a place
    filter keeps only the counties chosen)."""
    tasks_all, sites_all, place_of_site = _frames(region, f.as_of)
    tasks = filter_tasks(tasks_all, f, sites_all, place_of_site)
    names = {p.code: p.name for p in region.places.all()}
    names[region.places.city.code] = CITY_DEPTS
    include = [p.code for p in region.places.local_places()]
    table = ov.by_place(tasks, names, sites_all.groupby("county_code").size().to_dict(), include)
    table = table.set_index("code")
    shapes = region.counties()
    if f.places:
        shapes = shapes[shapes["adcode"].astype(str).isin(set(f.places))]
    fids, props, geoms = [], [], []
    for r in shapes.itertuples():
        code = str(r.adcode)
        row = table.loc[code] if code in table.index else None
        per = row["每点位未销号"] if row is not None else None
        props.append({"名称": names.get(code, r.name), "区县代码": code,
                      "未销号": int(row["未销号"]) if row is not None else 0,
                      "逾期": int(row["逾期"]) if row is not None else 0,
                      "点位数": int(row["点位数"]) if row is not None else 0,
                      "每点位未销号": None if per is None or pd.isna(per) else float(per),
                      "截至日期": f.as_of.isoformat()})
        fids.append(code)
        geoms.append(r.geometry)
    return gpd.GeoDataFrame({"fid": fids, "properties": props}, geometry=geoms, crs="EPSG:4326")


def reference_features(region: Region, layer_id: int, scope: str | None) -> gpd.GeoDataFrame:
    """A reference layer's features (a county-scoped account: those touching its county)."""
    with reader() as s:
        feats = refstore.features_frame(s, layer_id)
    if scope is not None:
        c = region.counties()
        area = c.loc[c["adcode"].astype(str) == scope, "geometry"]
        feats = feats[feats.intersects(area.iloc[0])] if len(area) else feats.iloc[0:0]
    props = [{"名称": r.name, **{str(k): v for k, v in (r.attrs or {}).items()}} for r in feats.itertuples()]
    return gpd.GeoDataFrame({"fid": [str(p) for p in feats["position"]], "properties": props},
                            geometry=list(feats.geometry), crs="EPSG:4326")


def features(actor: Actor, region: Region, coll: Collection, f: Filters,
             bbox: tuple[float, float, float, float] | None = None) -> gpd.GeoDataFrame:
    """The collection's features for this account, filters and bbox (CRS84), in a stable order
    (columns fid, properties, geometry). Raises ScopeRefused outside the account's county."""
    f = scoped(f, actor, region)
    if coll.kind == SITES:
        out = site_features(region, coll.key, f)
    elif coll.kind == COUNTIES:
        out = county_features(region, f)
    else:
        out = reference_features(region, int(coll.key), scope_of(actor, region))
    if bbox is not None and len(out):
        w, so, e, n = bbox
        if coll.kind == SITES and w < e and so < n:
            # a desktop GIS asks for its view's bbox on every pan: the database answers (the GiST
            # index on PostGIS, an STRtree on SQLite — store.queries.site_ids_in_bounds)
            with reader() as s:
                inside = set(queries.site_ids_in_bounds(s, w, so, e, n))
            out = out[out["fid"].isin(inside)]
        else:
            out = out[out.intersects(shapely.box(*bbox))]
    return out.reset_index(drop=True)


def extent(coll: Collection, region: Region) -> tuple[float, float, float, float]:
    """The collection's spatial extent (WGS84): the region's, or the reference layer's own."""
    if coll.kind == REFERENCE:
        with reader() as s:
            feats = refstore.features_frame(s, int(coll.key))
        if len(feats):
            return tuple(float(x) for x in feats.total_bounds)  # type: ignore[return-value]
    return region.bbox
