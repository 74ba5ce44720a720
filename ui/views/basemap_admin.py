"""数据管理 → 底图: the bureau's own imagery (GeoTIFF in any CRS, MBTiles) made into offline tiles,
listed with what they hold, and removed — the same as `onemap basemap add|list|remove`."""

from __future__ import annotations

import streamlit as st

from onemap import basemaps, services
from ui import auth, boundary
from ui.common import file_size
from ui.uploads import uploaded_files


def basemap_tab() -> None:
    st.caption("本单位的影像、地形图（GeoTIFF，任意坐标系，含 CGCS2000 高斯-克吕格分带；或 MBTiles）转为离线瓦片，"
               "保存在数据目录，由本系统直接提供，断网可用。在地图页左侧“底图”中选择。天地图密钥、内网瓦片服务"
               "在数据目录的 basemaps.json 中配置（见 README“底图”）。")
    done, error = st.session_state.pop("bm_done", None), st.session_state.pop("bm_error", None)
    if done:
        st.success(done)
    if error:
        st.error(error)
    up = st.file_uploader("影像文件（.tif/.tiff 或 .mbtiles）", type=["tif", "tiff", "mbtiles"], key="bm_upload")
    st.text_input("底图名称（默认：文件名）", key="bm_name", placeholder="如 2025年影像、1:1万地形图")
    if up is not None:  # named from the server's copy: what the button will use, once the upload has arrived
        st.caption(f"将生成瓦片的文件：“{up.name}”（{file_size(up.size)}）。较大的影像需要几分钟"
                   "（1 万×1 万像素约 2 分钟），完成后在此显示结果。")
        st.button("生成离线瓦片", key="bm_add", type="primary", on_click=_add)
    own = basemaps.local_sources()
    st.markdown(f"#### 本地底图（{len(own)} 个）")
    if not own:
        st.caption("尚无本地底图。")
    for b in own:
        m = basemaps.local_meta(b.id)
        c1, c2 = st.columns([5, 1])
        c1.markdown(f"**{b.name}** · {m['source_file']}（{m['source_crs']}）· {m['tiles']} 块瓦片 · {file_size(m['bytes'])}"
                    f" · 级别 {m['min_zoom']}–{m['max_zoom']}")
        c2.button("删除", key=f"bm_rm_{b.id}", on_click=_remove, args=(b.id, b.name))


@boundary.guarded("生成离线瓦片")
def _add() -> None:
    """生成离线瓦片, in the button's callback: it runs before the page and draws nothing while it
    works (every element drawn is a point where a rerun — an upload arriving, a second click —
    would stop it half way), so a press is never lost and the tiles are never cut short. The
    outcome is shown by the page that follows; the typed name stays when it is refused."""
    up = st.session_state.get("bm_upload")
    if up is None:
        st.session_state["bm_error"] = "未添加底图：请先选择影像文件。"
        return
    name = (st.session_state.get("bm_name") or "").strip()
    try:
        with uploaded_files([up]) as paths:
            b = basemaps.add_as(auth.current(), paths[0], name or None)
    except (basemaps.BasemapError, services.ServiceError) as exc:
        st.session_state["bm_error"] = f"未添加底图：{exc}"
        return
    m = basemaps.local_meta(b.id)
    st.session_state["bm_done"] = (f"已添加底图“{b.name}”：{m['tiles']} 块瓦片，{file_size(m['bytes'])}，"
                                   f"缩放级别 {m['min_zoom']}–{m['max_zoom']}，源坐标系 {m['source_crs']}。"
                                   "在地图页“底图”中选择。")
    st.session_state["bm_name"] = ""  # before the box is drawn again: an empty name for the next file


def _remove(basemap_id: str, name: str) -> None:
    """A callback (runs before the page): the list below is drawn without the removed basemap."""
    try:
        basemaps.remove_as(auth.current(), basemap_id)
    except (basemaps.BasemapError, services.ServiceError) as exc:
        st.session_state["bm_error"] = f"未删除“{name}”：{exc}"
    else:
        st.session_state["bm_done"] = f"已删除底图“{name}”。"
