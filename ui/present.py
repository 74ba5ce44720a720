"""Presentation mode (演示模式) and saved views (书签/幻灯片).

A view is a page plus the shared filters and dates (as URL parameters) and, for the
map, an extent. Views are kept in the store (meta `views`), ordered, and played in
sequence with 下一页/上一页 buttons (PageDown/PageUp, as presenter clickers send).
The projector theme: white background, ≥ 22 px text, ≥ 34 px titles, thick strokes
and large symbols, the saturated status palette."""

from __future__ import annotations

import json
from datetime import date

import streamlit as st

from onemap.services import saved_views as load_views  # noqa: F401 - the store read, one place
from store import repo
from store.db import transaction
from ui import data, nav
from ui.filters import PARAMS

VIEW_PARAMS = ("place", "kind", "status", "flag", "unit", "doc", "cat", "q", "asof", "cmp")
PAGE_NAMES = {"map": "一张图", "overview": "领导总览", "ledger": "任务台账"}
PROJECTOR_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
[data-testid="stToolbar"] {display: none !important;}
.stApp, [data-testid="stAppViewContainer"] {background: #FFFFFF !important;}
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stMarkdownContainer"] span, [data-testid="stCaptionContainer"] {font-size: 22px !important;}
h1, h2, h3, h3 *, [data-testid="stMarkdownContainer"] h3, [data-testid="stMarkdownContainer"] h3 span
  {font-size: 36px !important; line-height: 1.3 !important;}
h4, h4 *, [data-testid="stMarkdownContainer"] h4 span {font-size: 30px !important;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] *,
[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p {font-size: 52px !important; font-weight: 700;}
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p {font-size: 24px !important;}
.block-container {padding-top: 1rem !important; max-width: 100% !important;}
/* no fiddling with inputs in front of the room: the page's controls are hidden too */
[data-testid="stRadio"], [data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stDateInput"],
[data-testid="stCheckbox"], [data-testid="stSlider"], [data-testid="stDownloadButton"], [data-testid="stTextInput"],
[data-testid="stTextArea"], [data-testid="stFileUploader"], [data-testid="stNumberInput"],
[data-testid="stTimeInput"], [data-testid="stToggle"] {display: none !important;}
</style>
"""


def presenting() -> bool:
    if st.query_params.get("present") == "1":
        st.session_state["present"] = True
    return bool(st.session_state.get("present"))


def save_views(views: list[dict]) -> None:
    with transaction() as s:
        repo.set_meta(s, "views", json.dumps(views, ensure_ascii=False))
    data.after_write()


def capture(title: str, page: str) -> dict:
    params = {k: st.query_params.get(k) for k in VIEW_PARAMS if st.query_params.get(k)}
    view = {"title": title.strip() or PAGE_NAMES.get(page, page), "page": page, "params": params}
    extent = st.session_state.get("map_view_extent")
    if page == "map" and extent:
        view["center"], view["zoom"] = extent["center"], extent["zoom"]
        if extent.get("bounds"):  # what the map showed: the slide shows the same area
            view["bounds"] = extent["bounds"]
    return view


def default_sequence() -> list[dict]:
    """全市总览 → 各区县情况 → 逾期问题清单 → 重点区域 (the largest hot spot)."""
    from onemap import services

    seq = [{"title": "全市总览", "page": "map", "params": {}},
           {"title": "各区县情况", "page": "overview", "params": {}},
           {"title": "逾期问题清单", "page": "ledger", "params": {"flag": "逾期"}}]
    hot = services.hottest_area()
    if hot is not None:
        (w, s, e, n), _peak = hot
        seq.append({"title": "重点区域", "page": "map", "params": {}, "center": [(s + n) / 2, (w + e) / 2],
                    "zoom": 11, "bounds": [[s, w], [n, e]]})
    return seq


def apply_pending() -> None:
    """At the top of a run, before any widget: load the view being played into the filters."""
    view = st.session_state.pop("_apply_view", None)
    if view is None:
        return
    params = view.get("params", {})
    for param, key in PARAMS.items():
        st.session_state[key] = [v for v in (params.get(param) or "").split(",") if v]
    st.session_state["f_q"] = params.get("q", "")
    try:
        st.session_state["f_asof"] = date.fromisoformat(params["asof"]) if params.get("asof") else date.today()
    except ValueError:
        st.session_state["f_asof"] = date.today()
    if params.get("cmp"):
        st.session_state["ov_cmp"] = date.fromisoformat(params["cmp"])
    st.session_state["view_extent"] = ({"center": view["center"], "zoom": view["zoom"]}
                                       if view.get("center") else None)
    st.session_state.pop("drill", None)


def go_to(index: int, views: list[dict]) -> None:
    index = max(0, min(index, len(views) - 1))
    st.session_state["present_idx"] = index
    st.session_state["_apply_view"] = views[index]
    nav.go(views[index]["page"])


def player_bar() -> None:
    """In presentation mode: the projector theme and the sequence controls on every page."""
    st.markdown(PROJECTOR_CSS, unsafe_allow_html=True)
    views = data.views()
    idx = st.session_state.get("present_idx", 0)
    c1, c2, c3, c4 = st.columns([1, 1, 6, 1])
    if views:
        if c1.button("上一页", key="present_prev", shortcut="PageUp", disabled=idx <= 0):
            go_to(idx - 1, views)
        if c2.button("下一页", key="present_next", shortcut="PageDown", disabled=idx >= len(views) - 1):
            go_to(idx + 1, views)
        c3.markdown(f"**{idx + 1} / {len(views)}　{views[min(idx, len(views) - 1)]['title']}**")
    if c4.button("退出演示", key="present_exit", shortcut="Esc"):
        st.session_state["present"] = False
        if "present" in st.query_params:
            del st.query_params["present"]
        st.rerun()


def sidebar_panel(current_page: str) -> None:
    """Save, order and play views (normal mode)."""
    with st.sidebar.expander("演示与视图", expanded=False):
        views = [dict(v) for v in data.views()]  # a copy: the list is reordered below
        title = st.text_input("视图名称", key="view_title", placeholder="如 乐平市逾期问题")
        if st.button("保存当前视图", key="view_save", disabled=current_page not in PAGE_NAMES):
            save_views([*views, capture(title, current_page)])
            st.rerun()
        if st.button("使用默认会议顺序", key="view_default",
                     help="全市总览 → 各区县情况 → 逾期问题清单 → 重点区域"):
            save_views(default_sequence())
            st.rerun()
        for i, v in enumerate(views):
            c1, c2, c3, c4 = st.columns([5, 1, 1, 1])
            c1.caption(f"{i + 1}. {v['title']}（{PAGE_NAMES.get(v['page'], v['page'])}）")
            if c2.button("↑", key=f"view_up_{i}", disabled=i == 0):
                views[i - 1], views[i] = views[i], views[i - 1]
                save_views(views)
                st.rerun()
            if c3.button("↓", key=f"view_down_{i}", disabled=i == len(views) - 1):
                views[i + 1], views[i] = views[i], views[i + 1]
                save_views(views)
                st.rerun()
            if c4.button("✕", key=f"view_del_{i}"):
                save_views(views[:i] + views[i + 1:])
                st.rerun()
        if st.button("开始演示", key="present_start", type="primary", help="投影仪主题；PageDown/PageUp 翻页"):
            st.session_state["present"] = True
            if views:
                go_to(0, views)
            st.rerun()
