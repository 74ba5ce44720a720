"""一张图's 着色 choice (任务状态 / 水质类别 / 水质达标) and the month it reads, both kept in the
URL (`?color=wq&wqm=2026-10`) like the filters; the water legend with counts and the notice
that the values are SAMPLE data when they are."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

import streamlit as st

from layers.water_style import CLASS, COMPLIANCE, Colouring, colouring
from onemap.water import month_label
from ui import data
from ui.filters import _init

MODES = {"": "任务状态", CLASS: "水质类别", COMPLIANCE: "水质达标"}
WATER_KINDS = ("监测断面", "饮用水水源地")


@dataclass
class WaterMode:
    mode: str  # "" (任务状态) | CLASS | COMPLIANCE
    month: str | None  # the month read ('YYYY-MM'); None: no values at or before the 截至日期
    verdicts: dict  # site id → onemap.water.PeriodVerdict of the month
    colouring: Colouring | None  # None in 任务状态

    @property
    def sample(self) -> bool:
        return any(v.sample for v in self.verdicts.values())


def control(as_of: date) -> WaterMode:
    """The 着色 radio and, in a water mode, the month picker (default: the latest month with
    values at or before the 截至日期)."""
    months = data.water_months(as_of)
    _init("map_color", st.query_params.get("color", "") if st.query_params.get("color", "") in MODES else "")
    want = st.query_params.get("wqm", "")
    _init("map_wq_month", want if want in months else (months[-1] if months else None))
    if st.session_state["map_wq_month"] not in months:  # the 截至日期 moved before it
        st.session_state["map_wq_month"] = months[-1] if months else None
    # in the sidebar, under the filters: a row above the map would push its lower edge below a
    # 1000 px screen, and a click that scrolls the page mid-press is a drag to Leaflet, not a click
    sb = st.sidebar
    sb.markdown("#### 着色")
    mode = sb.radio("着色", list(MODES), key="map_color", format_func=MODES.get, label_visibility="collapsed")
    month = st.session_state["map_wq_month"]
    if mode and months:
        month = sb.selectbox("监测月份", months, key="map_wq_month", format_func=month_label)
    elif mode:
        sb.caption("截至日期之前没有水质监测数据")
    _write(mode, month if mode else None, months)
    verdicts = data.water_verdicts(month=month) if month else {}
    return WaterMode(mode, month, verdicts,
                     colouring(mode, {k: v.verdict for k, v in verdicts.items()}) if mode else None)


def _write(mode: str, month: str | None, months: list[str]) -> None:
    values = {"color": mode, "wqm": month if mode and month and month != months[-1] else ""}
    for k, v in values.items():
        if v and st.query_params.get(k) != v:
            st.query_params[k] = v
        elif not v and k in st.query_params:
            del st.query_params[k]


def legend_html(wm: WaterMode, site_ids) -> str:
    counts = wm.colouring.counts(site_ids)
    items = [f'<span style="display:inline-flex;align-items:center;margin-right:14px;white-space:nowrap">'
             f'<span style="width:14px;height:14px;border-radius:50%;background:{c};border:1px solid #222;'
             f'display:inline-block;margin-right:5px"></span>{html.escape(label)}（{counts[label]}）</span>'
             for label, c in zip(wm.colouring.labels, wm.colouring.colors, strict=True)]
    when = month_label(wm.month) if wm.month else "无监测数据"
    return (f'<div style="font-size:0.9rem;line-height:1.9" data-testid="wq-legend">'
            f'<b>{html.escape(wm.colouring.title)}（{when}；断面与水源地，其他点位灰显）：</b>'
            + "".join(items) + "</div>")


def notice(wm: WaterMode) -> None:
    """The sample notice on its own (presentation mode; the page's data notice carries it otherwise)."""
    if wm.sample:
        st.warning("注意：水质监测值为**示例数据**（按规则生成，用于演示，并非实测）。", icon="⚠️")
