"""Shared filters for the map and the ledger. Their state lives in the URL
(st.query_params), so a copied link reproduces the view. Filtering is
column-wise (no per-row Python over the task table): it runs on every rerun."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st

from domain import status as st_status
from domain.dates import cn_date
from domain.filtering import Filters, filter_sites, filter_tasks  # noqa: F401 - used by the pages
from geo.region import Region
from onemap.kinds import kind_names
from ui.common import example_place

FLAGS = (st_status.OVERDUE, st_status.DUE_SOON)
NO_MATCH = "没有符合条件的任务"
KEYWORD_HELP = ("在任务的标题、内容、编号、目标、责任单位及其整改措施中查找，也查找关联点位的名称和别名；"
                "多个词用空格分开，须同时符合")
PARAMS = {"place": "f_place", "kind": "f_kind", "status": "f_status", "flag": "f_flag", "unit": "f_unit",
          "doc": "f_doc", "cat": "f_cat"}


def _qp_list(name: str) -> list[str]:
    v = st.query_params.get(name)
    return [x for x in (v or "").split(",") if x]


def _init(key: str, value) -> None:
    """Give a filter widget its value for this run: from the URL the first time, then its own.

    Re-assigning the kept value on every run matters: when a run is cut short before the
    sidebar is drawn (a sign-in or any st.rerun() above it), the browser may drop the widget
    and, drawn again with only a server-side value, report its default (nothing chosen) on
    the next click — measured: 5 of 8 trips planned from a 13-site filter got the whole
    city's sites and the link lost its filters. A value set through the Session State API is
    sent to the browser with the widget, so the two cannot disagree."""
    st.session_state[key] = st.session_state.get(key, value)


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
    known = {"place": place_opts, "kind": kind_names(), "status": list(st_status.STATUSES), "flag": list(FLAGS),
             "unit": unit_opts, "doc": doc_opts, "cat": cat_opts}
    opts: dict[str, list[str]] = {}
    for param, key in PARAMS.items():
        _init(key, list(dict.fromkeys(_qp_list(param))))
        # A choice that is not among today's options (a unit without tasks on this date, a
        # stale link) stays chosen and shown: dropping it would silently widen the filter.
        opts[param] = known[param] + [v for v in st.session_state[key] if v not in known[param]]
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
        places=sb.multiselect("区县/管理区", opts["place"], key="f_place", format_func=lambda c: place_label.get(c, c),
                              placeholder="全部"),
        kinds=sb.multiselect("点位类型", opts["kind"], key="f_kind", placeholder="全部"),
        flags=sb.multiselect("逾期/临期", opts["flag"], key="f_flag", placeholder="不限"),
        statuses=sb.multiselect("任务状态", opts["status"], key="f_status", placeholder="全部"),
        units=sb.multiselect("责任单位", opts["unit"], key="f_unit", placeholder="全部"),
        documents=sb.multiselect("来源文件", opts["doc"], key="f_doc", placeholder="全部"),
        categories=sb.multiselect("类别", opts["cat"], key="f_cat", placeholder="全部"),
        keyword=sb.text_input("关键词（点位或任务）", key="f_q", placeholder=f"如 矿山、水源地、{example_place(region)[0]}",
                              help=KEYWORD_HELP).strip(),
        as_of=as_of,
    )
    if f.task_filter_active:
        # A callback: it runs before the widgets of the next run exist. Setting their values
        # after they were drawn (as this did) raised StreamlitWidgetAlreadyInstantiatedError.
        sb.button("清除筛选", width="stretch", on_click=_clear)
    _write_query(f)
    return f


def _clear() -> None:
    for key in (*PARAMS.values(), "f_q"):
        st.session_state[key] = "" if key == "f_q" else []


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


def no_match_notice(tasks: pd.DataFrame) -> bool:
    """Say so when the filters leave no task (the figures then all read 0); True if empty."""
    if len(tasks):
        return False
    st.info(f"{NO_MATCH}。可放宽左侧筛选，或点击“清除筛选”。")
    return True


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
