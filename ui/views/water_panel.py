"""The water quality of one section or water source in 一张图's site panel: the monthly class
as a chart (target class as a line, the 不达标 side shaded; Vega-Lite drawn by Streamlit's own
bundle, offline), the chosen month's values with 超标因子 and 超标倍数, the year-to-date mean's
verdict, and — where the month misses the target and no open task is linked — that fact."""

from __future__ import annotations

import html

import altair as alt
import pandas as pd
import streamlit as st

from domain import status as st_status
from domain import water_quality as wq
from layers.water_style import CLASS_BINS
from onemap import water
from onemap.services import ServiceError
from ui.common import table

CLASS_COLORS = [CLASS_BINS[0][1]] + [c for _, c in CLASS_BINS[1:5]]  # Ⅰ..劣Ⅴ → Ⅰ shares Ⅱ's blue


def class_color(n: int) -> str:
    return CLASS_COLORS[max(0, n - 2)] if n >= 2 else CLASS_COLORS[0]


def open_tasks(linked: pd.DataFrame) -> pd.DataFrame:
    """The linked tasks whose work is not finished (not 已销号)."""
    return linked[linked["status"] != st_status.CLOSED]


def render(site_id: str, month: str | None, linked: pd.DataFrame) -> None:
    try:
        ser = water.series(site_id)
    except ServiceError as exc:
        st.error(str(exc))
        return
    what = "断面" if ser.site.kind == "section" else "水源地"
    st.markdown("**水质（GB 3838-2002，单因子评价）**")
    if not ser.monthly:
        st.caption(f"该{what}暂无水质监测数据。")
        return
    if ser.sample:
        st.caption("⚠️ 水质监测值为示例数据（演示用，并非实测）。")
    month = month if month in ser.monthly else max((mo for mo in ser.monthly if month is None or mo <= month),
                                                      default=None)
    _chart(ser, month)
    if month is None:
        st.caption("截至日期之前没有该点位的监测数据。")
        return
    v = ser.monthly[month]
    head = f"{water.month_label(month)}：{v.label}"
    if v.target is not None:
        head += f"（目标{wq.class_label(v.target)}，{'达标' if v.compliant else '不达标'}）"
    st.markdown(f"**{html.escape(head)}**")
    if v.exceeding:
        st.markdown(f"超标因子：**{html.escape(water.exceed_text(v))}**")
    _values(ser, month, v)
    ytd, n = water.year_to_date(ser, month)
    if ytd is not None:
        st.markdown(html.escape(f"{month[:4]}年年均值（{n} 个月）：{water.verdict_text(ytd)}"))
    if v.compliant is False and open_tasks(linked).empty:
        st.error(f"该{what}本月不达标，但没有关联的整改任务" + ("（关联任务均已销号）" if len(linked) else "")
                 + f"。（{water.month_label(month)}）")


def _chart(ser: water.SiteSeries, month: str | None) -> None:
    rows = [{"月份": mo, "类别": v.water_class, "水质类别": v.label, "达标": "达标" if v.compliant else
             "不达标" if v.compliant is False else "—", "颜色": class_color(v.water_class)}
            for mo, v in ser.monthly.items() if v.water_class is not None]
    if not rows:
        return
    df = pd.DataFrame(rows)
    scale = alt.Scale(domain=[0.5, 6.5], reverse=True)
    axis = alt.Axis(values=[1, 2, 3, 4, 5, 6], labelOverlap=False, grid=True,
                    labelExpr="['','Ⅰ类','Ⅱ类','Ⅲ类','Ⅳ类','Ⅴ类','劣Ⅴ类'][datum.value]")
    y = alt.Y("类别:Q", scale=scale, title=None, axis=axis)
    x = alt.X("月份:O", title=None, axis=alt.Axis(labelAngle=0, labelExpr="toNumber(slice(datum.value, 5)) + '月'"))
    layers = []
    target = ser.site.target
    if target is not None and target < 6:
        band = pd.DataFrame({"y0": [target + 0.5], "y1": [6.5]})
        layers.append(alt.Chart(band).mark_rect(color="#D7261E", opacity=0.08)
                      .encode(y=alt.Y("y0:Q", scale=scale, title=None, axis=axis), y2="y1:Q"))
        layers.append(alt.Chart(pd.DataFrame({"t": [target]})).mark_rule(color="#D7261E", strokeDash=[5, 4])
                      .encode(y=alt.Y("t:Q", scale=scale, title=None, axis=axis)))
    base = alt.Chart(df).encode(x=x, y=y, tooltip=["月份", "水质类别", "达标"])
    layers.append(base.mark_line(color="#888888"))
    layers.append(base.mark_point(filled=True, size=90, opacity=1).encode(color=alt.Color("颜色:N", scale=None)))
    chart = alt.layer(*layers).properties(height=230, title=f"逐月水质类别（红色虚线：目标{wq.class_label(target)}）"
                                          if target else "逐月水质类别")
    st.altair_chart(chart, width="stretch")


def _values(ser: water.SiteSeries, month: str, v: wq.Verdict) -> None:
    std = water.standard()
    exceed = {e.factor: e for e in v.exceeding}
    rows = []
    for name, mv in ser.values[month].items():
        f = std.factors.get(name)
        e = exceed.get(name)
        c = v.factor_classes.get(name) or v.separate.get(name)
        unit = f.unit if f and f.unit not in ("", "无量纲") else ""
        rows.append({"因子": name, "监测值": water.value_text(mv) + (f" {unit}" if unit else ""),
                     "类别": wq.class_label(c) if c else "不评价",
                     "超标倍数": (f"{e.multiple:.2f}" if e.multiple is not None else "超标") if e else ""})
    # widths that fit the panel at 1280 px (the room's projector): no column scrolls out of sight
    cfg = {"因子": st.column_config.TextColumn(width=106), "监测值": st.column_config.TextColumn(width=80),
           "类别": st.column_config.TextColumn(width=52), "超标倍数": st.column_config.TextColumn(width=64)}
    st.dataframe(table(pd.DataFrame(rows)), hide_index=True, width="stretch", column_config=cfg)
