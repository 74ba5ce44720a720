"""数据管理 › 参考图层: add the bureau's 红线, protection zones, rivers and roads as
reference layers (validated whole, then written in one transaction), see what is stored,
remove one. The page only calls onemap.reflayers and renders; the rules live there."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from domain.reflayers import REF_KINDS, STYLE_KEYS
from ingest.report import ImportFailed
from onemap import reflayers, services
from ui import auth, boundary, data
from ui.common import table

BY_NAME = "（按名称判断）"
FAMILY_CN = {"Polygon": "面", "LineString": "线"}


def _lines(report) -> list[str]:
    """The report's error lines (as the command line prints them), without its heading."""
    return [x.strip().removeprefix("- ") for x in report.text().splitlines()[1:] if x.strip().startswith("- ")]


def reference_tab(crs_choices: dict[str, str], save_upload) -> None:
    st.caption("参考图层（生态保护红线、饮用水水源保护区、河流、道路等）绘制在点位下方，可在地图右上角的图层控件中开关，"
               "不参与任务统计。支持 GeoJSON、zip 打包的 Shapefile、GeoPackage、KML/KMZ；坐标转换为 WGS84 存储，"
               "并记录原坐标系。")
    done = st.session_state.pop("ref_done", None)
    if done:
        st.success(done, icon=":material/check_circle:")
    for level, text in st.session_state.pop("ref_refused", []):  # the last press's refusal (typed fields kept)
        (st.error if level == "error" else st.warning)(text)
    up = st.file_uploader("参考图层文件（面或线）", type=["geojson", "json", "zip", "gpkg", "kml", "kmz"], key="ref_upload")
    c1, c2, c3 = st.columns(3)
    name = c1.text_input("图层名称", key="ref_name", placeholder="如 生态保护红线")
    kind = c2.selectbox("类别（决定默认样式）", [BY_NAME, *(k.name for k in REF_KINDS)], key="ref_kind")
    crs = c3.selectbox("坐标系（文件未带时）", ["（按文件）", *crs_choices], key="ref_crs",
                       format_func=lambda c: crs_choices.get(c, c))
    style = st.text_input("样式（可选，键=值，逗号分隔）", key="ref_style", placeholder="如 color=#1B7F3B,weight=3",
                          help="可用的键：" + "、".join(f"{k}（{v}）" for k, v in STYLE_KEYS.items()))
    layer = st.text_input("GeoPackage 图层名（文件有多个图层时）", key="ref_layer")
    if up is not None:  # named from the server's copy: what the button will read, once the upload has arrived
        st.caption(f"将导入的文件：“{up.name}”")
    st.button("导入参考图层", type="primary", key="ref_go", disabled=up is None, on_click=_add,
              args=(save_upload, name, kind, crs, style, layer))
    layers_section()


@boundary.guarded("导入参考图层")
def _add(save_upload, name: str, kind: str, crs: str, style: str, layer: str) -> None:
    """导入参考图层, in the button's callback (runs before the page: a press is never lost to a
    rerun that arrives meanwhile). The fields are read from the session (what the user typed
    last, even when the press and the last keystroke arrive together)."""
    ss = st.session_state
    up = ss.get("ref_upload")
    name, kind, crs = ss.get("ref_name", name), ss.get("ref_kind", kind), ss.get("ref_crs", crs)
    style, layer = ss.get("ref_style", style), ss.get("ref_layer", layer)
    if up is None:
        ss["ref_refused"] = [("error", "未导入：请先选择参考图层文件。")]
        return
    path = save_upload(up)
    try:
        out = reflayers.add_layer(auth.current(), path, name=name, kind=None if kind == BY_NAME else kind,
                                  style=style or None, crs=None if crs == "（按文件）" else crs,
                                  layer=(layer or "").strip() or None, file_name=up.name)
    except ImportFailed as exc:  # as text (a layer's problems are few): readable and findable on the page
        errors, warnings = exc.report.errors, exc.report.warnings
        ss["ref_refused"] = [("error", f"未导入，未写入任何数据。发现 {len(errors)} 处错误：\n\n"
                              + "\n".join(f"- {line}" for line in _lines(exc.report)))]
        if warnings:
            ss["ref_refused"].append(("warning", "提示：" + "；".join(f"{p.row} {p.problem}" for p in warnings)))
        return
    except services.ServiceError as exc:
        ss["ref_refused"] = [("error", f"未导入：{exc}")]
        return
    data.after_write()
    for k in ("ref_name", "ref_style", "ref_layer"):
        ss[k] = ""
    ss["ref_done"] = (f"已导入参考图层“{out.name}”：{out.feature_count} 个{FAMILY_CN.get(out.family, '')}要素"
                      f"（{up.name}，原坐标系 {out.source_crs}，已转换为 WGS84）。")


def layers_section() -> None:
    frame = reflayers.layers()
    st.markdown(f"#### 已有参考图层（{len(frame)} 个）")
    if frame.empty:
        st.info("还没有参考图层。")
        return
    st.dataframe(table(pd.DataFrame({
        "名称": frame["name"], "类别": frame["kind"].map(reflayers.kind_label),
        "几何": frame["geometry_type"].map(lambda g: FAMILY_CN.get(g, g)), "要素数": frame["feature_count"],
        "来源文件": frame["source_file"], "原坐标系": frame["source_crs"],
        "导入时间": frame["created_at"].map(lambda t: f"{t:%Y年%m月%d日 %H:%M}"), "导入人": frame["created_by"]})),
        hide_index=True, width="stretch")
    c1, c2, c3 = st.columns([2, 2, 1])
    which = c1.selectbox("删除图层", list(frame["name"]), key="ref_remove_name")
    sure = c2.checkbox(f"确认删除“{which}”及其全部要素", key=f"ref_remove_sure_{which}")
    if c3.button("删除", key="ref_remove_go", disabled=not sure):
        try:
            n = reflayers.remove_layer(auth.current(), which)
        except services.ServiceError as exc:
            st.error(f"未删除：{exc}")
            return
        data.after_write()
        st.session_state["ref_done"] = f"已删除参考图层“{html.escape(which)}”（{n} 个要素）。"
        st.rerun()
