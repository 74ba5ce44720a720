"""Presentation mode (演示模式) and saved views (书签/幻灯片).

A view is a page plus the shared filters and dates (as URL parameters) and, for the
map, an extent. Views are kept in the store (meta `views`), ordered, and played in
sequence with 下一页/上一页 buttons (PageDown/PageUp, as presenter clickers send).
The projector theme: white background, all text ≥ 22 px and growing with the screen,
thick strokes and large symbols, the saturated status palette. Pages keep their own
layout but, presenting, give the map or table the screen height left below a one-line
head (head(), fit_map(), table()), draw tables as large-type HTML (figures(), table()),
put the legend beside the map (legend()) and leave out every control that cannot act
in front of the room."""

from __future__ import annotations

import html
from datetime import date

import streamlit as st

from domain import permissions as perm
from domain.dates import cn_date
from onemap import meetings, services
from onemap.meetings import saved_views as load_views  # noqa: F401 - the store read, one place
from ui import auth, boundary, data, nav
from ui.common import example_place
from ui.filters import PARAMS

# bm: basemap; color/wqm: the map's 着色 (水质类别/水质达标) and its month — a meeting view keeps them
VIEW_PARAMS = ("place", "kind", "status", "flag", "unit", "doc", "cat", "q", "asof", "cmp", "bm", "color", "wqm")
PAGE_NAMES = {"map": "一张图", "overview": "领导总览", "ledger": "任务台账"}
# Everything in the main area is at least TEXT_PX (table cells and legends included: the
# blanket rule overrides inline sizes) and grows with the screen height (28 px at 1080 lines),
# headings and figures in proportion. Inputs are hidden (no fiddling in front of the room).
# The player bar's shortcut hints are dropped: the room does not need "PageDown" spelled out,
# and they cut the button labels short.
TEXT_PX = 22
FS = "var(--onemap-fs)"
PROJECTOR_CSS = f"""
<style>
:root {{--onemap-fs: clamp({TEXT_PX}px, 2.6vh, 40px);}}
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
[data-testid="stToolbar"] {{display: none !important;}}
.stApp, [data-testid="stAppViewContainer"] {{background: #FFFFFF !important;}}
[data-testid="stMain"] {{font-size: {FS} !important;}}
[data-testid="stMain"] * {{font-size: inherit !important;}}
[data-testid="stMain"] h1, [data-testid="stMain"] h2, [data-testid="stMain"] h3
  {{font-size: calc(1.45 * {FS}) !important; line-height: 1.25 !important; padding: 0.1rem 0 !important;}}
[data-testid="stMain"] h4 {{font-size: calc(1.25 * {FS}) !important;}}
[data-testid="stMain"] [data-testid="stMetricValue"] {{font-size: calc(2.2 * {FS}) !important; font-weight: 700;}}
[data-testid="stMain"] [data-testid="stMetricLabel"] {{font-size: calc(1.1 * {FS}) !important;}}
[data-testid="stMain"] [data-testid="stMetricLabel"] * {{overflow: visible !important; white-space: normal !important;
  text-overflow: clip !important;}}
[data-testid="stMain"] .block-container {{padding: 0.75rem 1.5rem 1rem !important; max-width: 100% !important;}}
.st-key-present_bar button kbd {{display: none !important;}}
.st-key-present_bar button {{white-space: nowrap !important; padding: 0.2rem 1rem !important;}}
.st-key-present_bar [data-testid="stMarkdownContainer"] p {{margin: 0 !important; font-weight: 700;}}
.onemap-notice {{background: #FFF4D6; border-left: 6px solid #E6A700; padding: 2px 12px; margin: 0;
  line-height: 1.5;}}
.onemap-ptable {{overflow-y: auto; overflow-x: hidden; border: 1px solid #BBB;}}
.onemap-ptable table {{width: 100%; border-collapse: collapse; table-layout: auto; margin: 0;}}
.onemap-ptable th {{position: sticky; top: 0; background: #EDEFF2; text-align: left; font-weight: 700;}}
.onemap-ptable th, .onemap-ptable td {{padding: 4px 8px; line-height: 1.35; border-bottom: 1px solid #DDD; vertical-align: top;
  white-space: normal; overflow-wrap: anywhere;}}
.onemap-ptable td.num, .onemap-ptable th.num {{text-align: right; white-space: nowrap; overflow-wrap: normal;}}
.onemap-figures {{display: flex; flex-wrap: wrap; column-gap: 28px; row-gap: 4px; align-items: baseline;}}
[data-testid="stMain"] .onemap-figures b {{font-size: calc(1.8 * {FS}) !important; margin-right: 6px;}}
.onemap-plegend p.kinds {{display: flex; flex-wrap: wrap; column-gap: 18px; margin: 4px 0 0;}}
.onemap-plegend p.kinds > span {{display: inline-flex; align-items: center;}}
.onemap-plegend div {{display: flex; align-items: center; line-height: 1.45;}}
.onemap-plegend i {{flex: none; width: 0.9em; height: 0.9em; border-radius: 50%; border: 1px solid #222;
  margin-right: 8px;}}
/* no fiddling with inputs in front of the room: the page's controls are hidden too */
[data-testid="stRadio"], [data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stDateInput"],
[data-testid="stCheckbox"], [data-testid="stSlider"], [data-testid="stDownloadButton"], [data-testid="stTextInput"],
[data-testid="stTextArea"], [data-testid="stFileUploader"], [data-testid="stNumberInput"],
[data-testid="stTimeInput"], [data-testid="stToggle"] {{display: none !important;}}
</style>
"""


def is_on() -> bool:
    """Presentation mode, as set at the top of this run (for the pages)."""
    return bool(st.session_state.get("present"))


def presenting() -> bool:
    if st.query_params.get("present") == "1":
        st.session_state["present"] = True
    return bool(st.session_state.get("present"))


def save_views(views: list[dict]) -> None:
    meetings.save_views(auth.current(), views)
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

    seq = [{"title": "全市总览", "page": "map", "params": {}},
           {"title": "各区县情况", "page": "overview", "params": {}},
           {"title": "逾期问题清单", "page": "ledger", "params": {"flag": "逾期"}}]
    hot = meetings.hottest_area()
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
    st.session_state["basemap"] = params.get("bm") or ""  # a meeting view keeps its imagery (ui.basemap)
    from ui.water_map import MODES

    color = params.get("color") or ""
    st.session_state["map_color"] = color if color in MODES else ""  # and its 着色
    if params.get("wqm"):
        st.session_state["map_wq_month"] = params["wqm"]
    else:
        st.session_state.pop("map_wq_month", None)  # the latest month at the view's date
    st.session_state["view_extent"] = ({"center": view["center"], "zoom": view["zoom"], "bounds": view.get("bounds")}
                                       if view.get("center") else None)
    st.session_state.pop("drill", None)


def _choose(index: int, views: list[dict]) -> None:
    """The view to show next. Called from the buttons' callbacks, which run before the page
    does: a click (or a clicker's PageDown) is never lost to a rerun that a map component
    starts meanwhile — a button's own return value would be."""
    index = max(0, min(index, len(views) - 1))
    st.session_state["present_idx"] = index
    st.session_state["_apply_view"] = views[index]


def _leave() -> None:
    """退出演示, in a callback like the player's steps (a press is never lost to a stray rerun)."""
    st.session_state["present"] = False
    st.session_state.pop("present_idx", None)
    if "present" in st.query_params:
        del st.query_params["present"]


def player_bar(current_page: str = "") -> None:
    """In presentation mode: the projector theme and the sequence controls on every page.

    The bar names the view being played only while the page shown is that view's page; a
    page opened directly (``/ledger?present=1``) gets the projector theme and a button to
    play the saved sequence, not the title of a view it is not. Buttons that could do
    nothing (上一页 on the first view) are left out rather than shown disabled."""
    st.markdown(PROJECTOR_CSS, unsafe_allow_html=True)
    views = data.views()
    idx = st.session_state.get("present_idx")
    in_sequence = bool(views) and idx is not None and 0 <= idx < len(views)
    if in_sequence and views[idx]["page"] != current_page:
        # The view being played decides the page. The sidebar is hidden while presenting, so a
        # run on another page is either the player's own step (a callback chose the next view)
        # or a stray rerun: a map on the page just left sends its value after the switch, and
        # the browser still names the old page — which used to show the old page without the
        # player (the presenter's 下一页 "not taken"). That rerun also carries the old page's
        # filter values, so the view's own filters are applied again on the way.
        st.session_state["_apply_view"] = views[idx]
        nav.go(views[idx]["page"])
    playing = in_sequence
    with st.container(horizontal=True, vertical_alignment="center", gap="small", key="present_bar"):
        if playing:
            if idx > 0:
                st.button("上一页", key="present_prev", shortcut="PageUp", on_click=_choose, args=(idx - 1, views))
            if idx < len(views) - 1:
                st.button("下一页", key="present_next", shortcut="PageDown", on_click=_choose, args=(idx + 1, views))
            st.markdown(f"{idx + 1} / {len(views)}　{html.escape(views[idx]['title'])}", width="content")
        elif views:
            st.button(f"播放会议顺序（{len(views)} 页）", key="present_play", shortcut="PageDown", on_click=_choose,
                      args=(0, views))
        st.space("stretch")
        st.button("退出演示", key="present_exit", shortcut="Esc", on_click=_leave)


def notice(meta: dict, illustrative: bool, sample: bool, as_of: date | None = None, lead: str = "") -> None:
    """The data notice in one line (the full wording is on the normal pages), after `lead`."""
    parts = [lead] if lead else []
    parts += [f"状态截至 {cn_date(as_of)}"] if as_of else []
    caveats = [w for w, on in (("点位为示意位置", illustrative), ("进展为示例数据", sample)) if on]
    if caveats:
        when = f"（示例截至 {cn_date(date.fromisoformat(meta['data_date']))}）" if meta.get("data_date") else ""
        parts.append("⚠ " + "，".join(caveats) + when)
    if parts:
        st.html(f'<p class="onemap-notice">{html.escape("　".join(parts))}</p>')


def legend(counts: dict[str, int], due_soon_days: int) -> None:
    """The status legend as a column beside the map, one class per line, with counts."""
    from layers.sites import symbol_svg
    from layers.style import BUCKETS, COLORS, LEGEND_TEXT
    from onemap.kinds import site_kinds

    rows = [f'<div><i style="background:{COLORS[b]}"></i>'
            f'{html.escape(LEGEND_TEXT[b].format(days=due_soon_days))}（{counts.get(b, 0)}）</div>' for b in BUCKETS]
    kinds = [f'<span><span style="margin-right:6px">{symbol_svg(k.marker, "#FFFFFF", 20, 2)}</span>'
             f'{html.escape(k.name)}</span>' for k in site_kinds()]
    st.markdown('<div class="onemap-plegend">' + "".join(rows) + '<p class="kinds">' + "".join(kinds) + "</p></div>",
                unsafe_allow_html=True)


def figures(items: list[tuple[str, str]]) -> None:
    """Headline figures in one strip (label, value): st.metric cuts labels short in narrow columns."""
    cells = "".join(f'<span><b data-figure="{html.escape(label)}">{html.escape(value)}</b>{html.escape(label)}</span>'
                    for label, value in items)
    st.html(f'<div class="onemap-figures">{cells}</div>')


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return html.escape(str(value)).replace("\n", " ")


def head(px: float, lines: float) -> str:
    """The height of a page's head (player bar, title, notice…) as CSS: fixed spacing in
    px plus so many times the projector text size, which grows with the screen."""
    return f"({px:g}px + {lines:g} * {FS})"


def table(frame, *, numeric: tuple[str, ...] = (), widths: dict[str, int] | None = None,
          above: str = head(0, 0)) -> None:
    """A table for the room: escaped HTML (st.dataframe draws on a canvas that page CSS
    cannot enlarge), cells wrap instead of being cut, and it scrolls inside the screen
    height left below what is `above` it, with its header row kept in view.
    widths: column → percent of the table width."""
    cols = "".join(f'<col style="width:{(widths or {}).get(c, "auto")}%">' if (widths or {}).get(c) else "<col>"
                   for c in frame.columns)
    head_row = "".join(f'<th class="{"num" if c in numeric else ""}">{html.escape(str(c))}</th>'
                       for c in frame.columns)
    body = "".join("<tr>" + "".join(f'<td class="{"num" if c in numeric else ""}">{_cell(v)}</td>'
                                    for c, v in zip(frame.columns, row, strict=True)) + "</tr>"
                   for row in frame.itertuples(index=False, name=None))
    st.html(f'<div class="onemap-ptable" style="max-height:max(40vh, calc(100vh - {above}))">'
            f"<table><colgroup>{cols}</colgroup><thead><tr>{head_row}</tr></thead><tbody>{body}</tbody></table></div>"
            f"<script>{CLICKER_JS}</script>", unsafe_allow_javascript=True)


# A presenter's clicker sends PageDown/PageUp, and cannot scroll. While a table on the slide
# has rows below (above) its visible part, the key scrolls it by a screenful less one header
# row; at its end the key turns the page as before (Streamlit's button shortcut). Installed
# once per browser tab, in the capture phase, so it runs before Streamlit's shortcut handler
# (user trial: the 逾期问题清单 slide showed 3 of 7 rows at 1280×720, the rest out of reach).
CLICKER_JS = """
if (!window.__onemapClicker) {
  window.__onemapClicker = true;
  window.addEventListener("keydown", (e) => {
    if ((e.key !== "PageDown" && e.key !== "PageUp") || e.altKey || e.ctrlKey || e.metaKey) return;
    const down = e.key === "PageDown";
    const room = (t) => down ? t.scrollHeight - t.clientHeight - t.scrollTop : t.scrollTop;
    const t = [...document.querySelectorAll(".onemap-ptable")].find((el) => room(el) > 1);
    if (!t) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    const header = t.querySelector("thead")?.offsetHeight || 0;
    t.scrollBy({top: (down ? 1 : -1) * Math.max(t.clientHeight - header - 8, 40), behavior: "instant"});
  }, true);
}
"""


def fit_map(m, above: str) -> None:
    """The map fills the screen height left below what is `above` it (see head()), and at
    least 60 % of it: the frame's height comes from the viewport (CSS), the map inside
    fills the frame."""
    fit_map_header(m)
    fit_frame(above)


def fit_map_header(m) -> None:
    """The map inside its frame fills the frame (part of the map's own page: cacheable)."""
    import folium

    m.get_root().header.add_child(folium.Element(
        "<style>#map_div, #map_div2 {height: 100vh !important;}</style>"))


def fit_frame(above: str) -> None:
    """The map's frame takes the screen height left below `above` (on this page run)."""
    from ui.map_component import FRAME  # the one-map page's frame; the other pages' are streamlit-folium's

    st.html(f'<style>iframe[title="streamlit_folium.st_folium"], iframe[title="{FRAME.name}"] '
            f'{{height: max(60vh, calc(100vh - {above})) !important;}}</style>')


def sidebar_panel(current_page: str) -> None:
    """Save, order and play views (normal mode)."""
    # its open state is kept by the server (key + on_change): a user trial saw the panel close
    # after 保存当前视图 / 使用默认会议顺序, hiding the confirmation and 开始演示, when a rerun
    # redrew the sidebar around it
    with st.sidebar.expander("演示与视图", expanded=False, key="views_panel", on_change="rerun"):
        views = [dict(v) for v in data.views()]  # a copy: the list is reordered below
        if not perm.allowed(auth.current(), perm.SAVE_VIEWS):  # shown, played, not changed
            for i, v in enumerate(views):
                st.caption(f"{i + 1}. {v['title']}（{PAGE_NAMES.get(v['page'], v['page'])}）")
            st.button("开始演示", key="present_start", type="primary", help="投影仪主题；PageDown/PageUp 翻页",
                      on_click=_start, args=(views,))
            return
        done, refused = st.session_state.pop("view_done", None), st.session_state.pop("view_error", None)
        if done:
            st.success(done, icon=":material/check_circle:")
        if refused:
            st.error(refused)
        st.text_input("视图名称", key="view_title", placeholder=f"如 {example_place()[0]}逾期问题")
        st.button("保存当前视图", key="view_save", disabled=current_page not in PAGE_NAMES,
                  on_click=_save_current, args=(views, current_page))
        st.button("使用默认会议顺序", key="view_default", help="全市总览 → 各区县情况 → 逾期问题清单 → 重点区域",
                  on_click=_save_list, args=(None, "已使用默认会议顺序"))
        for i, v in enumerate(views):
            # the name on its own line, the three buttons under it: beside the name, in the
            # sidebar's width, the buttons were too narrow to show their signs
            st.caption(f"{i + 1}. {v['title']}（{PAGE_NAMES.get(v['page'], v['page'])}）")
            c2, c3, c4 = st.columns(3)
            c2.button("上移", key=f"view_up_{i}", disabled=i == 0, on_click=_save_list,
                      args=(_swapped(views, i - 1, i), f"已上移“{v['title']}”"))
            c3.button("下移", key=f"view_down_{i}", disabled=i == len(views) - 1, on_click=_save_list,
                      args=(_swapped(views, i, i + 1), f"已下移“{v['title']}”"))
            if st.session_state.get("view_confirm") == v["title"]:  # asked once more: a mis-click loses a view
                st.warning(f"删除视图“{v['title']}”？", icon=":material/delete:")
                ok, no = st.columns(2)
                ok.button("确认删除", key=f"view_del_ok_{i}", type="primary", on_click=_save_list,
                          args=(views[:i] + views[i + 1:], f"已删除视图“{v['title']}”"))
                no.button("取消", key=f"view_del_no_{i}", on_click=st.session_state.pop, args=("view_confirm", None))
            else:
                c4.button("删除", key=f"view_del_{i}", on_click=st.session_state.__setitem__,
                          args=("view_confirm", v["title"]))
        st.button("开始演示", key="present_start", type="primary", help="投影仪主题；PageDown/PageUp 翻页",
                  on_click=_start, args=(views,))


def _swapped(views: list[dict], i: int, j: int) -> list[dict]:
    out = list(views)
    if 0 <= i < len(out) and 0 <= j < len(out):
        out[i], out[j] = out[j], out[i]
    return out


@boundary.guarded("保存会议视图")
def _save_list(views: list[dict] | None, done: str) -> None:
    """The sidebar's list changes, in callbacks (a press is never lost to a rerun the map starts
    meanwhile); None is the default meeting, computed when pressed."""
    st.session_state.pop("view_confirm", None)
    try:
        save_views(default_sequence() if views is None else views)
    except services.ServiceError as exc:
        st.session_state["view_error"] = f"未保存：{exc}"
        return
    st.session_state["view_done"] = done + "。"


@boundary.guarded("保存当前视图")
def _save_current(views: list[dict], page: str) -> None:
    """保存当前视图: named by what was saved; refused (the typed name kept) when it would repeat a name."""
    view = capture(st.session_state.get("view_title") or "", page)
    try:
        save_views([*views, view])
    except services.ServiceError as exc:
        st.session_state["view_error"] = f"未保存：{exc}"
        return
    st.session_state["view_done"] = f"已保存视图“{view['title']}”（第 {len(views) + 1} 页）。"
    st.session_state["view_title"] = ""


def _start(views: list[dict]) -> None:
    """开始演示: a callback, so a rerun started meanwhile by the map cannot swallow the click."""
    st.session_state["present"] = True
    if views:
        _choose(0, views)
