"""Shared filters for the map and the ledger. Their state lives in the URL
(st.query_params), so a copied link reproduces the view. Filtering is
column-wise (no per-row Python over the task table): it runs on every rerun."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st

from domain import status as st_status
from domain.dates import cn_date
from geo.region import Region
from onemap.kinds import kind_names

FLAGS = (st_status.OVERDUE, st_status.DUE_SOON)
PARAMS = {"place": "f_place", "kind": "f_kind", "status": "f_status", "flag": "f_flag", "unit": "f_unit",
          "doc": "f_doc", "cat": "f_cat"}


@dataclass
class Filters:
    places: list[str] = field(default_factory=list)  # place codes (county or zone)
    kinds: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    keyword: str = ""
    as_of: date = field(default_factory=date.today)

    @property
    def task_filter_active(self) -> bool:
        return bool(self.statuses or self.flags or self.units or self.documents or self.categories
                    or self.keyword or self.places or self.kinds)


def _qp_list(name: str) -> list[str]:
    v = st.query_params.get(name)
    return [x for x in (v or "").split(",") if x]


def _init(key: str, value) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _options(values: pd.Series) -> list[str]:
    return sorted(v for v in values.dropna().unique().tolist() if v)


def sidebar_filters(region: Region, tasks: pd.DataFrame | None = None) -> Filters:
    """Draw the filter widgets in the sidebar (initialised from the URL) and return them."""
    places = region.places
    place_opts = [p.code for p in (*places.counties, *places.zones)]
    place_label = {p.code: p.name for p in places.all()}
    top = tasks[tasks["parent_id"].isna()] if tasks is not None and len(tasks) else None
    unit_opts = _options(top["units"].explode()) if top is not None else []
    doc_opts = _options(top["document"]) if top is not None else []
    cat_opts = _options(top["category"]) if top is not None else []
    allowed = {"place": place_opts, "kind": kind_names(), "status": list(st_status.STATUSES), "flag": list(FLAGS),
               "unit": unit_opts, "doc": doc_opts, "cat": cat_opts}
    for param, key in PARAMS.items():
        _init(key, [v for v in _qp_list(param) if v in allowed[param]])
        st.session_state[key] = [v for v in st.session_state[key] if v in allowed[param]]
    _init("f_q", st.query_params.get("q", ""))
    try:
        qp_date = date.fromisoformat(st.query_params.get("asof", ""))
    except ValueError:
        qp_date = date.today()
    _init("f_asof", qp_date)

    sb = st.sidebar
    sb.markdown("#### 筛选")
    as_of = sb.date_input("截至日期", key="f_asof", format="YYYY-MM-DD",
                          help="按状态变更记录回放到这一天：可查看任意过去日期的情况")
    sb.caption(f"显示 {cn_date(as_of)} 的状态")
    f = Filters(
        places=sb.multiselect("区县/管理区", place_opts, key="f_place", format_func=lambda c: place_label.get(c, c),
                              placeholder="全部"),
        kinds=sb.multiselect("点位类型", kind_names(), key="f_kind", placeholder="全部"),
        flags=sb.multiselect("逾期/临期", list(FLAGS), key="f_flag", placeholder="不限"),
        statuses=sb.multiselect("任务状态", list(st_status.STATUSES), key="f_status", placeholder="全部"),
        units=sb.multiselect("责任单位", unit_opts, key="f_unit", placeholder="全部"),
        documents=sb.multiselect("来源文件", doc_opts, key="f_doc", placeholder="全部"),
        categories=sb.multiselect("类别", cat_opts, key="f_cat", placeholder="全部"),
        keyword=sb.text_input("关键词（点位或任务）", key="f_q", placeholder="如 南河、矿山、乐平").strip(),
        as_of=as_of,
    )
    if f.task_filter_active and sb.button("清除筛选", width="stretch"):
        for key in (*PARAMS.values(), "f_q"):
            st.session_state[key] = "" if key == "f_q" else []
        st.rerun()
    _write_query(f)
    return f


def _write_query(f: Filters) -> None:
    want = {"place": f.places, "kind": f.kinds, "status": f.statuses, "flag": f.flags, "unit": f.units,
            "doc": f.documents, "cat": f.categories}
    values = {k: ",".join(v) for k, v in want.items()}
    values["q"] = f.keyword
    values["asof"] = f.as_of.isoformat() if f.as_of != date.today() else ""
    for k, v in values.items():
        if v and st.query_params.get(k) != v:
            st.query_params[k] = v
        elif not v and k in st.query_params:
            del st.query_params[k]


def _any_in(lists: pd.Series, wanted: set) -> pd.Series:
    return lists.map(lambda xs: not wanted.isdisjoint(xs)) if wanted else pd.Series(True, index=lists.index)


def filter_tasks(tasks: pd.DataFrame, f: Filters, sites: gpd.GeoDataFrame, place_of_site: dict[str, str]) -> pd.DataFrame:
    """Top-level tasks matching the filters. A place matches through the responsible
    units' places or through the linked sites' county; a kind through the linked sites."""
    t = tasks[tasks["parent_id"].isna() & ~tasks["archived"].astype(bool)]
    if f.statuses:
        t = t[t["status"].isin(f.statuses)]
    if f.flags:
        t = t[t["flag"].isin(f.flags)]
    if f.documents:
        t = t[t["document"].isin(f.documents)]
    if f.categories:
        t = t[t["category"].isin(f.categories)]
    if f.units:
        t = t[_any_in(t["units"], set(f.units))]
    if f.places:
        sites_there = {s for s, c in place_of_site.items() if c in set(f.places)}
        t = t[_any_in(t["unit_place_codes"], set(f.places)) | _any_in(t["site_ids"], sites_there)]
    if f.kinds:
        of_kind = set(sites.loc[sites["kind"].isin(f.kinds), "id"])
        t = t[_any_in(t["site_ids"], of_kind)]
    if f.keyword:
        kw = f.keyword
        named = set(sites.loc[sites["name"].str.contains(kw, regex=False) |
                              sites["aliases"].map(lambda a: any(kw in x for x in a)), "id"])
        text = (t["title"] + "\n" + t["body"] + "\n" + t["ref"] + "\n" + t["target"] + "\n" +
                t["units"].map("、".join))
        t = t[text.str.contains(kw, regex=False) | _any_in(t["site_ids"], named)]
    return t


def filter_sites(sites: gpd.GeoDataFrame, f: Filters, tasks_shown: pd.DataFrame,
                 place_of_site: dict[str, str]) -> gpd.GeoDataFrame:
    """Sites to draw: by kind and place; when a task filter is set, only the sites
    linked to the tasks shown (plus, for a keyword, sites whose name matches)."""
    s = sites
    if f.kinds:
        s = s[s["kind"].isin(f.kinds)]
    if f.places:
        want = set(f.places)
        s = s[[place_of_site.get(i) in want for i in s["id"]]]
    task_filter = f.statuses or f.flags or f.documents or f.categories or f.units or f.keyword
    if task_filter:
        linked = {x for ids in tasks_shown["site_ids"] for x in ids}
        keep = pd.Series([i in linked for i in s["id"]], index=s.index)
        if f.keyword:
            keep |= s["name"].str.contains(f.keyword, regex=False)
        s = s[keep]
    return s


@dataclass
class View:
    """What a page shows: the filters, all tasks and sites of the date, and the filtered tasks."""

    filters: Filters
    tasks_all: pd.DataFrame
    sites_all: gpd.GeoDataFrame
    tasks: pd.DataFrame
    place_of_site: dict[str, str]

    @property
    def site_names(self) -> dict[str, str]:
        return dict(zip(self.sites_all["id"], self.sites_all["name"], strict=True))


def current_view() -> View:
    """Draw the shared filters and apply them (the pages' common first step)."""
    from ui import data

    region = data.region()
    as_of = st.session_state.get("f_asof") or date.today()
    f = sidebar_filters(region, data.tasks(as_of))
    tasks_all = data.tasks(f.as_of)
    sites_all = data.sites()
    place_of_site = dict(zip(sites_all["id"], sites_all["county_code"], strict=True))
    return View(f, tasks_all, sites_all, filter_tasks(tasks_all, f, sites_all, place_of_site), place_of_site)
