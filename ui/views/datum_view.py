"""数据管理 → 坐标转换参数: the region's 七参数 for 北京54 / 西安80 (onemap.datums), set by the
业务管理员. A save confirms what was stored or refuses in Chinese, keeping the typed text."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.datums import CONVENTIONS, DATUMS, DatumError
from onemap import datums, services
from ui import auth
from ui.common import table

KEY = "datum"


def _save() -> None:
    ss = st.session_state
    ss.pop(f"{KEY}_error", None)
    try:
        p = datums.set_params(auth.current(), ss[f"{KEY}_which"], ss.get(f"{KEY}_text", ""), ss[f"{KEY}_conv"])
    except (DatumError, services.ServiceError) as exc:
        ss[f"{KEY}_error"] = f"未保存：{exc}"
        return
    ss[f"{KEY}_done"] = (f"已保存{ss[f'{KEY}_which']}七参数：{p.describe()}。此后导入的{ss[f'{KEY}_which']}图层按此转换，"
                         "并在每个点位/要素的“坐标转换”属性中记录。")


def datum_tab() -> None:
    st.caption("北京54、西安80（含其 3 度带 / 6 度带高斯-克吕格投影）到 WGS84 没有适用于本地区的精确转换，按 PROJ 的"
               "“粗略”零转换会偏差数十米至百米以上，因此这类图层须先设置本市的七参数（向测绘主管部门索取，"
               "到 CGCS2000），导入时按此转换并随图层记录。每个区域设置一次。")
    st.dataframe(table(pd.DataFrame(datums.described())), hide_index=True, width="stretch")
    done = st.session_state.pop(f"{KEY}_done", None)
    if done:
        st.success(done, icon=":material/check_circle:")
    c1, c2 = st.columns([1, 2])
    c1.selectbox("基准", list(DATUMS), key=f"{KEY}_which")
    c2.radio("旋转约定", list(CONVENTIONS), format_func=CONVENTIONS.get, key=f"{KEY}_conv", horizontal=True)
    st.text_input("七参数：ΔX,ΔY,ΔZ（米）,εX,εY,εZ（角秒）,尺度（ppm）", key=f"{KEY}_text",
                  placeholder="如 -12.35,115.20,50.10,1.20,-0.80,2.10,3.50")
    st.button("保存七参数", type="primary", key=f"{KEY}_save", on_click=_save)
    if st.session_state.get(f"{KEY}_error"):
        st.error(st.session_state[f"{KEY}_error"], icon=":material/error:")
