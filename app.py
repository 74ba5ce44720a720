"""生态环境一张图 — Streamlit entry point: `streamlit run app.py`.

The file has two roles. Streamlit runs it as the page script (`__name__ == "__main__"`: every
browser run, and AppTest). `streamlit run` first imports it as the module `app`, finds the
`st.App` below and serves that with uvicorn: Streamlit's own routes plus the read-only OGC API –
Features service under /ogc (onemap.ogc_api) for QGIS and ArcGIS, on the same host and port, and
the route that sets the HttpOnly session cookie after a sign-in (onemap.session_cookie), and the
one that serves the one-map page's base map as a script the browser keeps (ui.map_base_route)."""

from __future__ import annotations

import streamlit as st

from domain import permissions as perm
from onemap import logs
from onemap.assets import missing as missing_assets
from onemap.assets import use_local_assets
from store.db import reader
from store.queries import store_is_empty
from ui import auth, boundary, chrome


def _favicon():
    """Drawn here so the browser never fetches an icon from outside."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((4, 4, 60, 60), fill=(0, 158, 115, 255))
    d.polygon([(32, 12), (48, 44), (16, 44)], fill=(255, 255, 255, 255))
    return img


def _setup() -> None:
    st.set_page_config(page_title="生态环境一张图", page_icon=_favicon(), layout="wide")
    use_local_assets()
    chrome.apply()
    if missing_assets():  # the maps would stay blank without a word (user trial)
        st.error(f"地图前端资源缺失（{'、'.join(missing_assets())}），地图无法显示。请在程序目录运行 "
                 "`scripts/setup.sh`（或 `.venv/bin/python -m onemap.assets`）后刷新页面。")
    logs.setup()  # unexpected errors go to logs/onemap.log in the data directory, with their traceback


def _signed_out() -> None:
    """An unsigned visitor sees the sign-in page and nothing else (no task data is read)."""
    # every address of the app answers with the sign-in page (a link to /ledger signs in, then shows it)
    paths = ("map", "overview", "ledger", "field", "data", "audit", "accounts", "password", "start", "login")
    boundary.run(st.navigation([st.Page(auth.sign_in_page, title="登录", icon=":material/login:", url_path=p,
                                        default=p == "map") for p in paths], position="hidden"))


def main() -> None:
    actor = auth.gate()
    if actor is None:
        auth.emit_pending_cookie(sidebar=False)  # after 退出登录: the browser forgets the token too
        _signed_out()
        return
    auth.emit_pending_cookie()
    if auth.must_change():
        auth.user_box()
        boundary.run(st.navigation([st.Page(lambda: auth.change_password_page(forced=True), title="修改密码",
                               icon=":material/password:", url_path="password", default=True)],
                      position="hidden"))
        return
    from ui import data, nav
    from ui.views import audit_view, data_view, field_view, ledger_view, map_view, overview_view
    from ui.workflow import flash

    data.new_run()
    password = st.Page(auth.change_password_page, title="我的账户", icon=":material/manage_accounts:",
                       url_path="password")  # 修改密码 and the desktop GIS access tokens
    if not perm.allowed(actor, perm.VIEW):  # 系统管理员 and 审计员 see no task data (三员分立)
        own = []
        if perm.allowed(actor, perm.READ_AUDIT):
            own.append(st.Page(audit_view.render, title="审计", icon=":material/policy:", url_path="audit",
                               default=True))
        if perm.allowed(actor, perm.MANAGE_USERS):
            own.append(st.Page(audit_view.accounts_page, title="账户", icon=":material/group:", url_path="accounts",
                               default=not own))
        if perm.allowed(actor, perm.SETTINGS):
            from ui.views import start_view

            own.append(st.Page(start_view.settings_page, title="系统设置", icon=":material/settings:",
                               url_path="settings", default=not own))
        auth.user_box()
        flash()
        boundary.run(st.navigation([*own, password]))
        return
    with reader() as s:
        empty = store_is_empty(s)
    manage = st.Page(data_view.render, title="数据管理", icon=":material/upload_file:", url_path="data")
    if empty:
        from ui.views import start_view

        auth.user_box()
        nav.register("data", manage)
        flash()
        boundary.run(st.navigation([st.Page(start_view.render, title="开始", url_path="start", default=True),
                                    *([manage] if perm.allowed(actor, perm.IMPORT) else []), password]))
        return
    pages = {
        "map": st.Page(map_view.render, title="一张图", icon=":material/map:", url_path="map", default=True),
        "overview": st.Page(overview_view.render, title="领导总览", icon=":material/monitoring:",
                            url_path="overview"),
        "ledger": st.Page(ledger_view.render, title="任务台账", icon=":material/table_view:", url_path="ledger"),
        "field": st.Page(field_view.render, title="现场检查", icon=":material/route:", url_path="field"),
    }
    if perm.allowed(actor, perm.IMPORT) or perm.allowed(actor, perm.EXPORT):
        pages["data"] = manage
    for name, page in pages.items():
        nav.register(name, page)
    from ui import present

    present.apply_pending()
    showing = present.presenting()
    current = st.navigation([*pages.values(), password], position="hidden" if showing else "sidebar")
    if showing:
        present.player_bar(nav.name_of(current) or "")
    else:
        auth.user_box()
        present.sidebar_panel(nav.name_of(current) or "")
    boundary.run(current)  # a refusal in Chinese; anything else logged, never a traceback


if __name__ == "__main__":  # the page script
    _setup()
    main()
else:  # imported by `streamlit run app.py`: the server, with the OGC API routes beside the app
    from onemap import ogc_api, session_cookie
    from ui import map_base_route

    app = st.App(__file__, routes=ogc_api.routes() + session_cookie.routes() + map_base_route.routes())
