"""生态环境一张图 — Streamlit entry point: `streamlit run app.py`."""

from __future__ import annotations

import streamlit as st

from onemap import logs
from onemap.assets import use_local_assets
from store.db import reader
from store.queries import store_is_empty
from ui import boundary, chrome


def _favicon():
    """Drawn here so the browser never fetches an icon from outside."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((4, 4, 60, 60), fill=(0, 158, 115, 255))
    d.polygon([(32, 12), (48, 44), (16, 44)], fill=(255, 255, 255, 255))
    return img


st.set_page_config(page_title="生态环境一张图", page_icon=_favicon(), layout="wide")
use_local_assets()
chrome.apply()
logs.setup()  # unexpected errors go to logs/onemap.log in the data directory, with their traceback


def _empty_store() -> None:
    st.markdown("### 生态环境一张图")
    st.info("数据库中还没有数据。可以先载入景德镇市示例数据（点位为示意位置、进展为示例数据），"
            "或用命令行 `onemap import` 导入本单位的点位与台账。")
    if st.button("载入景德镇市示例数据", type="primary"):
        from onemap.demo import build_demo

        with st.spinner("正在生成示例数据…"):
            build_demo()
        st.rerun()


def main() -> None:
    with reader() as s:
        empty = store_is_empty(s)
    from ui import data, nav
    from ui.views import data_view, field_view, ledger_view, map_view, overview_view
    from ui.workflow import operator_sidebar

    data.new_run()
    manage = st.Page(data_view.render, title="数据管理", icon=":material/upload_file:", url_path="data")
    if empty:
        boundary.run(st.navigation([st.Page(_empty_store, title="开始", url_path="start", default=True), manage]))
        return
    pages = {
        "map": st.Page(map_view.render, title="一张图", icon=":material/map:", url_path="map", default=True),
        "overview": st.Page(overview_view.render, title="领导总览", icon=":material/monitoring:",
                            url_path="overview"),
        "ledger": st.Page(ledger_view.render, title="任务台账", icon=":material/table_view:", url_path="ledger"),
        "field": st.Page(field_view.render, title="现场检查", icon=":material/route:", url_path="field"),
        "data": manage,
    }
    for name, page in pages.items():
        nav.register(name, page)
    from ui import present

    present.apply_pending()
    showing = present.presenting()
    current = st.navigation(list(pages.values()), position="hidden" if showing else "sidebar")
    if showing:
        present.player_bar(nav.name_of(current) or "")
    else:
        operator_sidebar()
        present.sidebar_panel(nav.name_of(current) or "")
    boundary.run(current)  # a refusal in Chinese; anything else logged, never a traceback


main()
