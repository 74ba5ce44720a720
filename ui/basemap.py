"""The basemap choice: one sidebar widget for every map page, kept in the URL (`bm`, like the
filters) and in saved views, and the Chinese notice when the chosen tiles may stay blank."""

from __future__ import annotations

import streamlit as st

from onemap import basemaps

PARAM, KEY = "bm", "basemap"
KEPT = "_basemap_kept"  # a plain key: kept while pages without the widget (数据管理) are shown


def chosen() -> basemaps.Basemap:
    """The basemap of this run (the widget's value, else the URL's, else the default)."""
    return basemaps.get(_wanted())


def _wanted() -> str | None:
    """The widget's value once it has one ('' from a saved view = the default), else the URL's."""
    if KEY in st.session_state:
        return st.session_state[KEY]
    return st.session_state[KEPT] if KEPT in st.session_state else st.query_params.get(PARAM)


def picker() -> basemaps.Basemap:
    """Draw the choice in the sidebar (initialised from the URL) and return the basemap."""
    options = basemaps.sources()
    ids = [b.id for b in options]
    by_id = {b.id: b for b in options}
    want = _wanted() or basemaps.default_id()
    st.session_state[KEY] = want if want in by_id else basemaps.default_id()  # a stale link: the default
    bid = st.sidebar.radio("底图", ids, key=KEY, format_func=lambda i: by_id[i].label,
                           help="区县底图随应用提供，无需联网；在线底图断网时不显示瓦片，不影响点位和其他内容。"
                                "高德、腾讯为 GCJ-02 坐标：选用时各图层随之偏移，点击位置换算回 WGS84 保存。")
    bm = by_id[bid]
    st.session_state[KEPT] = bid
    if bm.id == basemaps.default_id():
        if PARAM in st.query_params:
            del st.query_params[PARAM]
    elif st.query_params.get(PARAM) != bm.id:
        st.query_params[PARAM] = bm.id
    return bm


def notice(bm: basemaps.Basemap) -> None:
    """Say, on the page, why the tiles may be blank and what the map is drawn in."""
    reason = bm.blank_reason()
    if bm.missing_key:
        st.warning(reason)
    elif reason:
        st.caption(reason)
    if bm.datum.shifted:
        st.caption(f"{bm.name}使用 GCJ-02 坐标：地图上的点位、边界和路线已偏移到 GCJ-02 显示；"
                   "数据仍以 WGS84 保存，地图上点击的位置换算回 WGS84 后使用。")
