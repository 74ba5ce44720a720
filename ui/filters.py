"""Shared filters for the map and the ledger. Their state lives in the URL
(st.query_params), so a copied link reproduces the view."""

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
LIST_PARAMS = ("place", "kind", "status", "flag", "doc", "cat")


@dataclass
class Filters:
    places: list[str] = field(default_factory=list)  # place codes (county or zone)
    kinds: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    keyword: str = ""
    as_of: date = field(default_factory=date.today)

    @property
    def task_filter_active(self) -> bool:
        return bool(self.statuses or self.flags or self.documents or self.categories or self.keyword or self.places)


def _qp_list(name: str) -> list[str]:
    v = st.query_params.get(name)
    return [x for x in (v or "").split(",") if x]


def _init_state(key: str, value) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def sidebar_filters(region: Region, tasks: pd.DataFrame | None = None) -> Filters:
    """Draw the filter widgets in the sidebar (initialised from the URL) and return them."""
    places = region.places
    place_opts = [p.code for p in (*places.counties, *places.zones)]
    place_label = {p.code: p.name for p in places.all()}
    _init_state("f_place", [c for c in _qp_list("place") if c in place_opts])
    _init_state("f_kind", [k for k in _qp_list("kind") if k in kind_names()])
    _init_state("f_status", [x for x in _qp_list("status") if x in st_status.STATUSES])
    _init_state("f_flag", [x for x in _qp_list("flag") if x in FLAGS])
    _init_state("f_doc", _qp_list("doc"))
    _init_state("f_cat", _qp_list("cat"))
    _init_state("f_q", st.query_params.get("q", ""))
    try:
        qp_date = date.fromisoformat(st.query_params.get("asof", ""))
    except ValueError:
        qp_date = date.today()
    _init_state("f_asof", qp_date)

    sb = st.sidebar
    sb.markdown("#### 筛选")
    as_of = sb.date_input("截至日期", key="f_asof", format="YYYY-MM-DD",
                          help="按状态变更记录回放到这一天：可查看任意过去日期的情况")
    sb.caption(f"显示 {cn_date(as_of)} 的状态")
    sel_places = sb.multiselect("区县/管理区", place_opts, key="f_place", format_func=lambda c: place_label.get(c, c),
                                placeholder="全部")
    kinds = sb.multiselect("点位类型", kind_names(), key="f_kind", placeholder="全部")
    flags = sb.multiselect("逾期/临期", list(FLAGS), key="f_flag", placeholder="不限")
    statuses = sb.multiselect("任务状态", list(st_status.STATUSES), key="f_status", placeholder="全部")
    docs = sorted(tasks["document"].unique()) if tasks is not None and len(tasks) else []
    st.session_state["f_doc"] = [d for d in st.session_state["f_doc"] if d in docs]
    documents = sb.multiselect("来源文件", docs, key="f_doc", placeholder="全部")
    cats = sorted(tasks["category"].unique()) if tasks is not None and len(tasks) else []
    st.session_state["f_cat"] = [c for c in st.session_state["f_cat"] if c in cats]
    categories = sb.multiselect("类别", cats, key="f_cat", placeholder="全部")
    keyword = sb.text_input("关键词（点位或任务）", key="f_q", placeholder="如 南河、矿山、乐平")
    f = Filters(sel_places, kinds, statuses, flags, documents, categories, keyword.strip(), as_of)
    _write_query(f)
    return f


def _write_query(f: Filters) -> None:
    want = {"place": ",".join(f.places), "kind": ",".join(f.kinds), "status": ",".join(f.statuses),
            "flag": ",".join(f.flags), "doc": ",".join(f.documents), "cat": ",".join(f.categories),
            "q": f.keyword, "asof": f.as_of.isoformat() if f.as_of != date.today() else ""}
    for k, v in want.items():
        if v and st.query_params.get(k) != v:
            st.query_params[k] = v
        elif not v and k in st.query_params:
            del st.query_params[k]


def filter_tasks(tasks: pd.DataFrame, f: Filters, sites: gpd.GeoDataFrame, place_of_site: dict[str, str]) -> pd.DataFrame:
    """Top-level tasks matching the filters. A place matches through the responsible
    units' places or through the linked sites' county."""
    t = tasks[tasks["parent_id"].isna() & ~tasks["archived"]]
    if f.statuses:
        t = t[t["status"].isin(f.statuses)]
    if f.flags:
        t = t[t["flag"].isin(f.flags)]
    if f.documents:
        t = t[t["document"].isin(f.documents)]
    if f.categories:
        t = t[t["category"].isin(f.categories)]
    if f.places:
        want = set(f.places)
        t = t[t.apply(lambda r: bool(want & set(r["unit_place_codes"])) or
                      any(place_of_site.get(s) in want for s in r["site_ids"]), axis=1)]
    if f.kinds:
        kind_of = dict(zip(sites["id"], sites["kind"], strict=True))
        t = t[t["site_ids"].map(lambda ids: any(kind_of.get(s) in f.kinds for s in ids))]
    if f.keyword:
        names = dict(zip(sites["id"], sites["name"], strict=True))
        kw = f.keyword
        t = t[t.apply(lambda r: kw in r["title"] or kw in r["body"] or kw in r["ref"] or kw in r["target"]
                      or any(kw in names.get(s, "") for s in r["site_ids"]) or any(kw in u for u in r["units"]),
                      axis=1)]
    return t


def filter_sites(sites: gpd.GeoDataFrame, f: Filters, tasks_shown: pd.DataFrame, place_of_site: dict[str, str]) -> gpd.GeoDataFrame:
    s = sites
    if f.kinds:
        s = s[s["kind"].isin(f.kinds)]
    if f.places:
        s = s[s["id"].map(lambda i: place_of_site.get(i) in set(f.places))]
    if f.statuses or f.flags or f.documents or f.categories:
        linked = {x for ids in tasks_shown["site_ids"] for x in ids}
        s = s[s["id"].isin(linked)]
    if f.keyword:
        linked = {x for ids in tasks_shown["site_ids"] for x in ids}
        s = s[s["name"].str.contains(f.keyword, regex=False) |
              s["aliases"].map(lambda a: any(f.keyword in x for x in a)) | s["id"].isin(linked)]
    return s
