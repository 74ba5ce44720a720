"""数据管理 › 单位: one unit written two ways (市发改委 / 市发展改革委) merged into one — suggested
where the names differ only by the usual short forms, or chosen by hand. The rules live in
onemap.unit_names; the page calls and renders."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import select

from onemap import services, unit_names
from store import models as m
from store.db import reader
from ui import auth, boundary, data


def units_tab() -> None:
    st.caption("同一单位在不同文件中写法不同（如“市发改委”“市发展改革委”），会被当作两个单位、各自统计。"
               "合并后，任务改为保留的单位，另一写法记为其别称，之后导入的文件或台账写成别称的也归入该单位。")
    done = st.session_state.pop("un_done", None)
    if done:
        st.success(done, icon=":material/check_circle:")
    pairs = unit_names.suggestions()
    st.markdown(f"#### 可能是同一单位（{len(pairs)} 组）")
    if not pairs:
        st.caption("没有发现只差常用简称的单位名称。")
    for i, (keep, other, nk, no) in enumerate(pairs):
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        c1.markdown(f"“{keep}”（{nk} 项任务）与“{other}”（{no} 项任务）")
        c2.button("合并", key=f"un_merge_{i}", on_click=_merge, args=(keep, other),
                  help=f"保留“{keep}”，“{other}”记为别称")
    st.markdown("#### 手动合并")
    with reader() as s:
        names = [u.name for u in s.scalars(select(m.Unit).order_by(m.Unit.name))]
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    c1.selectbox("保留的单位", names, key="un_keep", index=None, placeholder="选择单位")
    c2.selectbox("并入（记为别称）", names, key="un_other", index=None, placeholder="选择单位")
    c3.button("合并", key="un_go", on_click=_merge_chosen)


@boundary.guarded("合并单位")
def _merge(keep: str, other: str) -> None:
    try:
        st.session_state["un_done"] = unit_names.merge(auth.current(), keep, other)
    except services.ServiceError as exc:
        st.session_state[boundary.PENDING] = f"未合并：{exc}"
        return
    data.after_write()


def _merge_chosen() -> None:
    keep, other = st.session_state.get("un_keep"), st.session_state.get("un_other")
    if not keep or not other:
        st.session_state[boundary.PENDING] = "未合并：请选择保留的单位和要并入的单位。"
        return
    _merge(keep, other)
    if "un_done" in st.session_state:
        st.session_state["un_keep"] = st.session_state["un_other"] = None
